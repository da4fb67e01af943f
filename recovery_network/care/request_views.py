"""Consent requests: a counselor asks a client for consent, and only the client can give it.

The counselor's side (asking, their list of requests, withdrawing) reaches their own requests
through `ConsentRequest.objects.for_owner()`. The client's side is a signed link, answered only
by an account that owns the address it was sent to; signing goes through the consent form,
after the password is typed again, as every consent does.
"""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from recovery_network import two_factor

from . import consent_requests
from .forms import ConsentRequestForm, RequestedConsentForm
from .models import CONSENT_REQUEST_DAYS, ConsentRequest

# The counselor's side


def _back_to_requests(request):
    """The caseload lists the requests, behind this session's second factor; without it, the ask page does."""
    if two_factor.verified(request):
        return redirect(reverse("care:caseload") + "#consent-requests")
    return redirect(reverse("care:consent_request_create") + "#consent-requests")


@login_required
def consent_request_create(request):
    """Any account may ask (a new counselor has no clients yet); the page answers the same whoever the
    address belongs to, or no one."""
    counselor = request.user
    form = ConsentRequestForm(request.POST or None, counselor=counselor, today=counselor.local_today())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        consent_request = consent_requests.ask_for_consent(
            counselor,
            data["email"],
            scopes=set(data["scopes"]),
            note=data["note"],
            recipient_name=data["recipient_name"],
            organisation=data["organisation"],
            purpose=data["purpose"],
            expires_on=data["expires_on"],
        )
        messages.success(
            request,
            ngettext(
                "Request sent to %(email)s. The link works for %(days)s day; you'll see here whether they sign or "
                "decline.",
                "Request sent to %(email)s. The link works for %(days)s days; you'll see here whether they sign or "
                "decline.",
                CONSENT_REQUEST_DAYS,
            )
            % {"email": consent_request.email, "days": CONSENT_REQUEST_DAYS},
        )
        return _back_to_requests(request)
    context = {"form": form, "consent_requests": ConsentRequest.objects.for_owner(counselor).recent()}
    return render(request, "care/consent_request_form.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def consent_request_withdraw(request, pk):
    consent_request = ConsentRequest.objects.get_for_owner_or_404(request.user, pk=pk)
    if consent_requests.withdraw_consent_request(consent_request):
        messages.success(
            request,
            _("The request to %(email)s is withdrawn; its link no longer works.") % {"email": consent_request.email},
        )
    else:
        messages.info(request, _("That request was already answered or withdrawn."))
    return _back_to_requests(request)


# The client's side


def _problem(request, problem, found=None):
    """Every way a link can fail gets a page saying what happened: another account is refused (403), the
    right person told the request is over (410)."""
    status = {"unknown": 404, "wrong_account": 403, "own": 403}.get(problem.code, 410)
    signed = found.consent if found and found.consent and found.consent.owner_id == request.user.pk else None
    context = {"code": problem.code, "message": str(problem), "consent": signed}
    return render(request, "care/consent_request_problem.html", context, status=status)


def _answerable(request, token):
    """(the request, None) when this signed-in person may answer it now, else (None, the page saying why)."""
    found = consent_requests.consent_request_from_token(token)
    if found is None:
        unknown = consent_requests.ConsentRequestProblem(
            "unknown", _("This link isn't valid. Check that it was copied whole.")
        )
        return None, _problem(request, unknown)
    try:
        consent_requests.check_consent_request(found, request.user)
    except consent_requests.ConsentRequestProblem as problem:
        return None, _problem(request, problem, found)
    return found, None


def consent_request(request, token):
    """The request, every element of the consent it proposes, with "Review and sign" and "Decline"."""
    if not request.user.is_authenticated:
        if consent_requests.consent_request_from_token(token) is None:
            return _answerable(request, token)[1]
        return render(request, "care/consent_request_sign_in.html", {"next": request.path})
    found, refused = _answerable(request, token)
    if refused:
        return refused
    if request.method == "POST" and request.POST.get("answer") == "decline":
        try:
            consent_requests.decline_consent_request(found, request.user)
        except consent_requests.ConsentRequestProblem as problem:
            return _problem(request, problem, found)
        messages.info(
            request,
            _("You declined. %(name)s sees only that you said no; nothing is shared with them.")
            % {"name": found.counselor.name},
        )
        return redirect("home")
    if request.method == "POST":
        return redirect(request.path)
    return render(request, "care/consent_request.html", {"consent_request": found, "token": token})


@login_required
def consent_request_sign(request, token):
    """The consent form, filled in with what the counselor proposed. Whose the link is is settled before the
    password is asked for again: another account is refused without typing it."""
    found, refused = _answerable(request, token)
    if refused:
        return refused
    return _sign(request, found, token)


@reauthentication_required
def _sign(request, found, token):
    user = request.user
    local_today = user.local_today()
    form = RequestedConsentForm(request.POST or None, consent_request=found, owner=user, today=local_today)
    if request.method == "POST" and form.is_valid():
        try:
            consent = consent_requests.sign_requested_consent(
                found,
                user,
                **form.signed_elements(),
            )
        except consent_requests.ConsentRequestProblem as problem:
            found.refresh_from_db()
            return _problem(request, problem, found)
        messages.success(
            request,
            _("Consent signed. %(name)s can see what you chose, until you revoke it or it ends.")
            % {"name": consent.recipient_name},
        )
        return redirect("care:consent_detail", consent.pk)
    context = {"form": form, "local_today": local_today, "consent_request": found, "token": token}
    return render(request, "care/consent_form.html", context, status=400 if form.is_bound else 200)
