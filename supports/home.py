"""The network's section of the signed-in home page (two queries)."""

from django.utils import timezone

from .models import Supporter
from .network import NetworkSummary

OVERDUE_SHOWN = 3


def section(user):
    if not user.in_recovery:  # a family member's or counselor's home is about the people they support
        return None
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
