"""The network's section of the signed-in home page (two queries)."""

import datetime as dt

from django.utils import timezone

from milestones.models import Encouragement

from .models import Recommendation, Supporter
from .network import NetworkSummary

OVERDUE_SHOWN = 3


def section(user):
    now = timezone.now()
    supporters = Supporter.objects.for_owner(user).active()
    overdue = list(supporters.overdue(now).order_by("closeness", "contact_due_at")[: OVERDUE_SHOWN + 1])
    summary = NetworkSummary(
        supporters=supporters.count(), peer_groups=user.peer_groups.filter(archived_at__isnull=True).count()
    )
    return {
        "template": "supports/home_section.html",
        "summary": summary,
        "overdue": overdue[:OVERDUE_SHOWN],
        "more_overdue": len(overdue) > OVERDUE_SHOWN,
    }


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
