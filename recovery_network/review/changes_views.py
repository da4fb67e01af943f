"""What changed since the last review: the owner's page, and the same comparison for a counselor.

A counselor opens it through the sharing door (care.sharing.open_shared_or_404) with the support-map scope, as
the client's printable support-map report does: the consent is checked on every request, this session's second
factor is asked for, and the look is one line in the client's access log. Recovery capital is shown to them only
when the consent shares it too. Family and friends are not offered it: the review holds the person's own
judgements about the people around them ("not supportive any more", "stepped back"), and a family member is
often one of those people.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from recovery_network.care import sharing
from recovery_network.care.views import two_factor_gate

from .changes import compare, previous_review
from .models import NetworkReview

MAP_SCOPE, CAPITAL_SCOPE = "support_map", "recovery_capital"


@login_required
def changes(request, pk):
    """The owner's page. A review still in progress shows what is known so far (its answers against the last
    finished review); its gaps and shape wait for the snapshot taken at the end."""
    review = NetworkReview.objects.select_related("snapshot").get_for_owner_or_404(request.user, pk=pk)
    review.owner = request.user
    previous = previous_review(review)
    context = {"changes": compare(review, previous), "owner": request.user, "is_owner": True}
    return render(request, "review/changes.html", context)


def _open_client(request, client_id):
    """The counselor's access to this client, checked, second factor asked and logged; 404 without the map."""
    shown = {MAP_SCOPE, CAPITAL_SCOPE}
    return sharing.open_shared_or_404(request, client_id, role=sharing.COUNSELOR, scope=MAP_SCOPE, shown=shown)


def _client_page(request, access, review):
    """A finished review of the client's compared with the one before; capital only with its scope."""
    context = {"owner": access.owner, "access": access, "is_owner": False, "changes": None}
    if review is not None:
        review.owner = access.owner
        previous = previous_review(review)
        context["changes"] = compare(review, previous, capital=access.allows(CAPITAL_SCOPE))
    return render(request, "review/changes_client.html", context)


@login_required
@two_factor_gate
def client_latest(request, client_id):
    access = _open_client(request, client_id)
    review = NetworkReview.objects.for_owner(access.owner).finished().select_related("snapshot").first()
    return _client_page(request, access, review)


@login_required
@two_factor_gate
def client_changes(request, client_id, pk):
    access = _open_client(request, client_id)
    # A review in progress is the client's unfinished work: only finished ones are shared.
    review = NetworkReview.objects.for_owner(access.owner).finished().select_related("snapshot").filter(pk=pk).first()
    if review is None:
        raise Http404("No review here.")
    return _client_page(request, access, review)
