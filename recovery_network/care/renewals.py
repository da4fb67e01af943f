"""Renewing a consent before it ends, so that it never lapses by surprise.

Only the client can renew, as only they can consent: from the reminder (consent_reminders.ConsentEnding) they
open the consent form started from the consent as it stands, change anything they like and sign again; or the
counselor asks for it in one click (consent_requests.ask_to_renew) and the client signs that request.

Either way the renewal takes over in the moment it is signed (`take_over`, in the signing's transaction): the old
consent ends by the same commit that creates the new one, so the counselor holds exactly one valid consent from
the client before and after, never two, and never none for an instant.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from recovery_network import page_cache

from . import log_lines
from .models import SCOPE_FIELDS, AccessEvent, Consent, ConsentRequest
from .sharing import log, sharing_changed

# A renewal's longest term: a year from either side of the date line (the client's day may be the counselor's
# yesterday, and a consent may be signed for at most a year from the client's).
RENEWAL_MAX_DAYS = 365


def is_renewable(consent):
    """Whether a renewal may take over from this consent: it names a counselor's account, neither side has left,
    and the client has neither revoked it nor renewed it already. A lapsed one still may: renewing it is signing
    the same consent again, and both sides' records say so. (The consent's owner and counselor are read.)"""
    return (
        consent.owner_id is not None
        and consent.counselor_id is not None
        and consent.revoked_at is None
        and consent.renewed_by_id is None
        and consent.owner.is_active
        and consent.counselor.is_active
    )


def renewal_expires_on(consent, local_today):
    """A renewal's last day: as long a term as the consent's, counted from `local_today` (the client's day: the
    renewal starts when it is signed), and within a year like any consent.

    The same term rather than a year: a client who chose 90 days chose to be asked again after 90 days, and a
    renewal should not quietly quadruple what they agreed to. They can change it before signing."""
    term = (consent.expires_on - consent.signed_at.astimezone(consent.owner.zone).date()).days
    return local_today + dt.timedelta(days=min(max(term, 1), RENEWAL_MAX_DAYS))


def renewal_terms(consent, local_today):
    """The consent form's starting values for renewing a consent: its elements as they stand."""
    return {
        "recipient_name": consent.recipient_name,
        "organisation": consent.organisation,
        "purpose": consent.purpose,
        "expires_on": renewal_expires_on(consent, local_today),
        "scopes": [name for name in SCOPE_FIELDS if getattr(consent, name)],
    }


class NotRenewable(Exception):
    """The consent can't be renewed (any more); the message is shown to the person as it is."""


def renewable_or_raise(consent):
    if consent.renewed_by_id:
        raise NotRenewable(_("This consent has already been renewed."))
    if consent.revoked_at:
        raise NotRenewable(_("This consent was revoked, so it can't be renewed. A new consent can be signed instead."))
    if not is_renewable(consent):
        raise NotRenewable(_("This consent can't be renewed: the client's or the counselor's account has closed."))


def lock(consent_id):
    """The consent's row, locked for the rest of the transaction: a renewal and a second click, or the client's own
    renewal and the counselor's request being signed at once, take turns."""
    return Consent.objects.select_for_update(of=("self",)).select_related("owner", "counselor").get(pk=consent_id)


def take_over(old, new, now):
    """`new` renews `old`: old ends in this moment, the moment `new` was signed (the caller's transaction, which
    holds old's row locked). One that had lapsed keeps the end it had and is only marked renewed. A renewal the
    counselor asked for and still waits is answered by this one, so its link says it was signed."""
    ended = {} if old.is_expired(now) else {"revoked_at": now}
    Consent.objects.filter(pk=old.pk, renewed_by__isnull=True).update(renewed_by=new, **ended)
    old.renewed_by = new
    old.revoked_at = ended.get("revoked_at", old.revoked_at)
    ConsentRequest.objects.pending(now).filter(renews=old).update(answered_at=now, consent=new)
    sharing_changed.send(sender=Consent, owner_id=old.owner_id)
    page_cache.bump([new.counselor_id])  # their circle page counts their clients


def renewal_line(new, old, owner, asked_by=""):
    """The client's access-log line for a renewal: what the new consent says, and which one it renews."""
    return log_lines.consent_signed(new, asked_by, renews=old.signed_at.astimezone(owner.zone).date())


@transaction.atomic
def renew_consent(consent, owner, *, scopes, now=None, **fields):
    """The client signs the renewal of their consent, with its elements as they chose them. It names the same
    counselor's account at once (they hold the consent it renews: no invitation to accept) and takes over from
    the old one. Signing twice (a double click) finds the consent renewed and signs nothing more."""
    now = now or timezone.now()
    consent = lock(consent.pk)
    if consent.owner_id != owner.pk:
        raise NotRenewable(_("Only the client who signed a consent can renew it."))
    renewable_or_raise(consent)
    renewal = Consent.objects.create(
        owner=owner,
        counselor=consent.counselor,
        signed_at=now,
        **{name: name in scopes for name in SCOPE_FIELDS},
        **fields,
    )
    take_over(consent, renewal, now)
    log(owner, owner, AccessEvent.Action.CONSENT_RENEWED, renewal_line(renewal, consent, owner), now=now)
    return renewal
