"""The circle's section of the signed-in home page: kind words and open recommendations (two queries)."""

import datetime as dt

from milestones.models import Encouragement

from .models import Recommendation

ENCOURAGEMENT_DAYS = 14


def circle_section(user):
    """Kind words from the circle and open recommendations (two queries); nothing when there are none."""
    since = user.local_today() - dt.timedelta(days=ENCOURAGEMENT_DAYS)
    encouragements = list(
        Encouragement.objects.for_owner(user).from_circle().filter(received_on__gte=since).order_by("-created_at")[:5]
    )
    recommendations = list(Recommendation.objects.for_owner(user).open()[:5])
    if not encouragements and not recommendations:
        return None
    return {
        "template": "care/home_section.html",
        "encouragements": encouragements,
        "recommendations": recommendations,
    }
