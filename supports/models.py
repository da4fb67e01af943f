"""The support network: supporters, peer groups, contacts and sharing."""
