"""Leaving for good (to be written)."""


def cancel(user, request=None):
    return False


def erase_due(now=None):
    return 0
