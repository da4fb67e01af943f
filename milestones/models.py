"""Recovery journeys, daily check-ins and milestones."""
