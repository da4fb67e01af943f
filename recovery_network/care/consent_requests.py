"""Consent requests: a counselor asks someone for consent, and only that person can give it.

The counselor proposes every element of a consent but the signature; the link reaches only an account
owning the address it was sent to, whose answer goes through the consent form like any consent. Until
they answer the counselor learns nothing about them, not even whether the address has an account, and
nothing is written to anyone's access log. Signing and declining go into the client's log through the
sharing door's `log`, as every change to what they share does.

A counselor may also ask a client to renew a consent they hold (`ask_to_renew`, one click from the consent's
page): the same request, proposing the consent as it stands, whose signing takes over from it (renewals.py).
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from recovery_network import page_cache

from . import log_lines
from .models import CONSENT_REQUEST_DAYS, SCOPE_FIELDS, AccessEvent, Consent, ConsentRequest
from .people import actor_label
from .renewals import NotRenewable, is_renewable, lock, renewable_or_raise, renewal_line, renewal_terms, take_over
from .sharing import (
    InvitationProblem,
    log,
    row_from_signed_token,
    send_link_email,
    signed_link_token,
    user_emails,
)

CONSENT_REQUEST_SALT = "care.consent_request"
CONSENT_REQUESTS_PER_DAY = 10
# Fixed, as an invitation's is: the counselor's display name is typed by them ("Dana, addiction counselor") and
# would show on the client's lock screen.
CONSENT_REQUEST_SUBJECT = gettext_lazy("You have a request on {site}")  # {site}: the site's name


class ConsentRequestProblem(InvitationProblem):
    """Why a consent request's link cannot be used; the message is shown to the person as it is."""


def consent_request_token(consent_request):
    return signed_link_token(consent_request, CONSENT_REQUEST_SALT)


def consent_request_from_token(token):
    rows = ConsentRequest.objects.select_related("counselor", "consent", "renews")
    return row_from_signed_token(token, CONSENT_REQUEST_SALT, rows)


def consent_request_url(consent_request):
    return settings.SITE_URL + reverse("care:consent_request", args=[consent_request_token(consent_request)])


def consent_requests_left_today(counselor, now=None):
    """A request sends email to any address: the same small daily allowance as invitations. Renewals don't count:
    each goes to a client who consented to this counselor, one at a time per consent (ask_to_renew), and a
    caseload whose consents end together must not use up the day's requests to new clients."""
    since = (now or timezone.now()) - dt.timedelta(days=1)
    sent = ConsentRequest.objects.for_owner(counselor).filter(created_at__gte=since, renews__isnull=True).count()
    return max(0, CONSENT_REQUESTS_PER_DAY - sent)


def ask_for_consent(counselor, email, *, scopes, note="", now=None, **proposed):
    """Create a consent request, with the consent the counselor proposes, and email the client its link.

    Nothing is looked up about the address: the counselor learns the same whether or not it has an
    account, and nothing is written to anyone's access log until the client answers.
    """
    now = now or timezone.now()
    email = email.strip().lower()
    # Only the newest request to one address works, so an old forwarded email can't be used after a new one.
    for earlier in ConsentRequest.objects.for_owner(counselor).pending(now).filter(email=email):
        withdraw_consent_request(earlier, now)
    consent_request = ConsentRequest.objects.create(
        counselor=counselor,
        email=email,
        note=note,
        nonce=secrets.token_urlsafe(18),
        created_at=now,
        expires_at=now + dt.timedelta(days=CONSENT_REQUEST_DAYS),
        **{name: name in scopes for name in SCOPE_FIELDS},
        **proposed,
    )
    send_consent_request_email(consent_request)
    return consent_request


def ask_to_renew(consent, counselor, now=None):
    """The counselor's one click: ask the client to renew this consent as it stands, for as long a term again
    (renewals.renewal_terms). Returns (the request, whether it was made now).

    A renewal already waiting for the client is returned, not sent again: a second click, or a second tab, sends
    nothing. The consent's row stays locked while the request is made and its email sent, so two clicks at once
    make one request, and an email that fails makes none: the click can simply be tried again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        consent = lock(consent.pk)
        if consent.counselor_id != counselor.pk:
            raise NotRenewable(_("Only the counselor a consent names can ask for its renewal."))
        renewable_or_raise(consent)
        waiting = ConsentRequest.objects.for_owner(counselor).pending(now).filter(renews=consent).first()
        if waiting is not None:
            return waiting, False
        terms = renewal_terms(consent, consent.owner.local_today(now))
        scopes = set(terms.pop("scopes"))
        return ask_for_consent(counselor, consent.owner.email, scopes=scopes, renews=consent, now=now, **terms), True


def send_consent_request_email(consent_request):
    """Sent directly, like an invitation: the client may have no account yet.

    The subject is fixed and the body names the counselor; the counselor's note stays out of the email (it could
    say anything) and shows on the request's page, after signing in.
    """
    counselor_name = " ".join(consent_request.counselor.name.split())[:80]
    context = {
        "consent_request": consent_request,
        "counselor_name": counselor_name,
        "url": consent_request_url(consent_request),
        "days": CONSENT_REQUEST_DAYS,
    }
    send_link_email(consent_request.email, CONSENT_REQUEST_SUBJECT, "care/emails/consent_request", context)


def check_consent_request(consent_request, user, now=None):
    """Raise ConsentRequestProblem unless this person may answer this request now.

    As with invitations, whose it is comes first: another account learns nothing of it, not even
    that it was withdrawn."""
    now = now or timezone.now()
    if user.pk == consent_request.counselor_id:
        raise ConsentRequestProblem(
            "own", _("This is a request you sent. Only the person it was sent to can sign or decline it.")
        )
    if consent_request.email.lower() not in user_emails(user):
        raise ConsentRequestProblem(
            "wrong_account",
            _(
                "This request was sent to a different email address than the one you are signed in with "
                "(%(email)s). Sign out, then sign in or create an account with the address it was sent to."
            )
            % {"email": user.email},
        )
    status = consent_request.status(now)
    if status == ConsentRequest.Status.WITHDRAWN:
        raise ConsentRequestProblem(
            "withdrawn",
            _("%(name)s withdrew this request. Nothing was shared.") % {"name": consent_request.counselor.name},
        )
    if status == ConsentRequest.Status.SIGNED:
        raise ConsentRequestProblem("used", _("You have already signed this request, so the link no longer works."))
    if status == ConsentRequest.Status.DECLINED:
        raise ConsentRequestProblem("used", _("You declined this request, so the link no longer works."))
    if status == ConsentRequest.Status.EXPIRED:
        raise ConsentRequestProblem(
            "expired",
            _("This request expired on %(day)s.")
            % {"day": format_date(consent_request.expires_at.astimezone(user.zone), gettext("j F Y"))},
        )


@transaction.atomic
def sign_requested_consent(consent_request, owner, *, scopes, now=None, **fields):
    """The client signs the consent a counselor asked for, as they chose its elements. The counselor is
    known and asked for it, so it names them at once: no invitation to accept. Signing twice (a double
    click) finds the request answered and signs nothing more.

    A renewal takes over from the consent it renews (renewals.take_over), unless the client revoked that one in
    the meantime: then it is a consent of its own. The renewed consent is locked before the request, in the order
    the client's own renewal takes them, so the two never wait on each other."""
    now = now or timezone.now()
    renewed = lock(consent_request.renews_id) if consent_request.renews_id else None  # renews never changes
    consent_request = (
        ConsentRequest.objects.select_for_update(of=("self",)).select_related("counselor").get(pk=consent_request.pk)
    )
    check_consent_request(consent_request, owner, now)
    counselor = consent_request.counselor
    consent = Consent.objects.create(
        owner=owner,
        counselor=counselor,
        signed_at=now,
        **{name: name in scopes for name in SCOPE_FIELDS},
        **fields,
    )
    ConsentRequest.objects.filter(pk=consent_request.pk).update(answered_at=now, consent=consent)
    page_cache.bump([counselor.pk])  # their circle page counts their clients
    if renewed is not None and renewed.owner_id == owner.pk and is_renewable(renewed):
        take_over(renewed, consent, now)
        what = renewal_line(consent, renewed, owner, actor_label(counselor))
        log(owner, owner, AccessEvent.Action.CONSENT_RENEWED, what, now=now)
        return consent
    log(
        owner,
        owner,
        AccessEvent.Action.CONSENT_SIGNED,
        log_lines.consent_signed(consent, actor_label(counselor)),
        now=now,
    )
    return consent


def decline_consent_request(consent_request, user, now=None):
    """The client says no. The counselor sees "declined" and nothing more; the client's log keeps it."""
    now = now or timezone.now()
    with transaction.atomic():
        consent_request = (
            ConsentRequest.objects.select_for_update(of=("self",))
            .select_related("counselor")
            .get(pk=consent_request.pk)
        )
        check_consent_request(consent_request, user, now)
        ConsentRequest.objects.filter(pk=consent_request.pk).update(declined_at=now)
        log(user, user, AccessEvent.Action.CONSENT_REQUEST_DECLINED, actor_label(consent_request.counselor), now=now)


def withdraw_consent_request(consent_request, now=None):
    """The counselor takes an unanswered request back; its link stops working at once."""
    now = now or timezone.now()
    updated = ConsentRequest.objects.filter(
        pk=consent_request.pk, answered_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    return bool(updated)
