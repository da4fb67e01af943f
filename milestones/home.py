"""The home page's progress section: clean time, today's check-in, the next milestone."""

from .models import CheckIn, Journey, needs_support


def section(user):
    """Two queries, whatever the length of the person's history; nothing for an account that only supports
    others (no check-in prompt for someone with no journey of their own)."""
    if not user.in_recovery:
        return None
    today = user.local_today()
    journeys = list(Journey.objects.for_owner(user))
    todays = CheckIn.objects.for_owner(user).filter(local_date=today).values_list("sober", "craving").first()
    rows = []
    for journey in journeys:
        upcoming = journey.upcoming_milestones(today, 1)
        rows.append(
            {
                "journey": journey,
                "clean_time": journey.clean_time(today),
                "milestone_today": journey.milestone_today(today),
                "next": upcoming[0] if upcoming else None,
                # The owner's own home only: care's sections for family and counselors never show it.
                "saved": journey.saved(today),
            }
        )
    return {
        "template": "milestones/includes/home_section.html",
        "today": today,
        "journeys": rows,
        "checked_in_today": todays is not None,
        # A use recorded or a high craving today: no "celebrate" here; the progress page offers their people.
        "support_today": todays is not None and needs_support(*todays),
    }
