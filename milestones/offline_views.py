"""The page a phone shows when it has no connection: the crisis lines, the person's own crisis supporters, and a
short check-in the phone keeps until it can send it.

The service worker (recovery_network/offline.py) keeps two copies of this page: one fetched without cookies when
it installs (the crisis lines alone, for anyone), and the signed-in person's own, which the page script
(static/js/offline.js) fetches while they are signed in and deletes as soon as a signed-out page loads.
"""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .forms import ShortCheckInForm


@require_safe
def offline(request):
    """The person's own crisis supporters come from {% crisis_people %}, as on the crisis page."""
    form = ShortCheckInForm() if request.user.is_authenticated else None
    return render(request, "milestones/offline.html", {"form": form})
