"""The home page's progress section: clean time, today's check-in, the next milestone."""

from .models import CheckIn, Journey


def section(user):
    """Two queries, whatever the length of the person's history."""
    today = user.local_today()
    journeys = list(Journey.objects.for_owner(user))
    checked_in = CheckIn.objects.for_owner(user).filter(local_date=today).exists()
    rows = []
    for journey in journeys:
        upcoming = journey.upcoming_milestones(today, 1)
        rows.append(
            {
                "journey": journey,
                "clean_time": journey.clean_time(today),
                "milestone_today": journey.milestone_today(today),
                "next": upcoming[0] if upcoming else None,
            }
        )
    return {
        "template": "milestones/includes/home_section.html",
        "today": today,
        "journeys": rows,
        "checked_in_today": checked_in,
    }
