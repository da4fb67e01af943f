"""The page a phone shows when it has no connection: the crisis lines, the person's own crisis supporters, and a
short check-in the phone keeps until it can send it.

The service worker (recovery_network/offline.py) keeps two copies of this page: one fetched without cookies when
it installs (the crisis lines alone, for anyone), and the signed-in person's own, which the page script
(static/js/offline.js) fetches while they are signed in and deletes as soon as a signed-out page loads.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from supports.models import Supporter

from .forms import ShortCheckInForm

CRISIS_SUPPORTERS_SHOWN = 5


@require_safe
def offline(request):
    user = request.user
    context = {}
    if user.is_authenticated:
        context = {
            "supporters": list(
                Supporter.objects.for_owner(user)
                .active()
                .filter(gives_crisis=True)
                .exclude(phone="")
                .only("name", "phone")
                .order_by("closeness", "name")[:CRISIS_SUPPORTERS_SHOWN]
            ),
            "form": ShortCheckInForm(),
        }
    return render(request, "milestones/offline.html", context)
