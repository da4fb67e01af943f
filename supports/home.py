"""The network's section of the signed-in home page (two queries)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join

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
        # The names as links, so "Time to reach out to …" is one sentence for a translator (home_section.html).
        "overdue_links": format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("supports:supporter_detail", args=[person.pk]), person.name)
                for person in overdue[:OVERDUE_SHOWN]
            ),
        ),
        "more_overdue": len(overdue) > OVERDUE_SHOWN,
    }
