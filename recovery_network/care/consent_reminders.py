"""Reminders before a consent ends, so that it never lapses by surprise: the client and the counselor are each
told 14 and 3 days before, the client with a link to renew it, the counselor with a link to the consent's page,
which asks the client to renew in one click (renewals.py, consent_requests.ask_to_renew).

Two registry.Kind classes like the circle's others (notification_kinds.py, kept apart from them for its size):
one a side, so each person chooses their channels for what concerns them, and each consent has one reminder row
a kind. Like every kind sent to someone other than the owner, the counselor's asks the consent afresh when it is
scheduled, when it is dispatched and again when its email is sent.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from recovery_network.models import end_of_local_day, local_moment
from recovery_network.notifications.dispatch import refresh_subjects
from recovery_network.notifications.registry import Kind, Message, Occurrence
from recovery_network.two_factor import totp_authenticators

from .models import Consent
from .sharing import sharing_changed


def _two_factor(counselor_field):
    """Counselors open client data only with two-factor authentication on; what we send them follows suit."""
    return Exists(totp_authenticators(OuterRef(counselor_field)))


def _later_consents():
    # A later consent from the same client to the same counselor: the one that counts when a client signed two.
    return Consent.objects.unrevoked().filter(
        owner=OuterRef("owner"), counselor=OuterRef("counselor"), expires_on__gt=OuterRef("expires_on")
    )


@receiver(sharing_changed, dispatch_uid="consent-ending-sharing-changed")
def consents_changed_for(sender, owner_id, **kwargs):
    """A consent accepted, revoked or renewed by a bulk UPDATE: its reminders follow once it is committed."""
    if sender is Consent and owner_id is not None:
        consent_ids = list(Consent.objects.filter(owner_id=owner_id).values_list("pk", flat=True))
        for key in (ConsentEnding.key, ConsentEndingCounselor.key):
            transaction.on_commit(lambda key=key: refresh_subjects(key, consent_ids), robust=True)


class ConsentEnding(Kind):
    """14 and 3 days before a consent ends, at 09:00 on the client's clock: which counselor's consent ends and when,
    with a link to renew it (renewals.py), so that it never lapses by surprise.

    The subject is the consent; its days are dates of the client's calendar, as its end is (the end of its last
    day in their zone). One revoked, renewed, replaced by a later one to the same counselor, or whose client or
    counselor left, is reminded of no more, asked again when the email is sent.
    """

    key = "consent_ending"
    label = gettext_lazy("Consents you gave that end soon")
    description = gettext_lazy("14 and 3 days before a consent you gave a counselor ends, with a link to renew it.")
    send_at = dt.time(9, 0)
    days_before = (14, 3)
    watches = {"care.Consent": lambda consent: [consent.pk]}

    def load(self, subject_ids):
        consents = (
            Consent.objects.filter(pk__in=list(subject_ids))
            .select_related("owner", "counselor")
            .annotate(superseded=Exists(_later_consents()), counselor_two_factor=_two_factor("counselor"))
        )
        return {consent.pk: consent for consent in consents}

    def eligible(self):
        return (
            Consent.objects.possibly_valid()
            .filter(renewed_by__isnull=True, owner__is_active=True, counselor__is_active=True)
            .exclude(Exists(_later_consents()))
        )

    def recipient_of(self, consent):
        return consent.owner

    def recipients(self, consent):
        return [recipient] if (recipient := self.recipient_of(consent)) is not None else []

    def reminded_until(self, consent):
        """When this consent's reminders stop (the moment it lapses), or None when it gets none."""
        if consent.owner is None or consent.counselor is None or consent.revoked_at or consent.renewed_by_id:
            return None
        if consent.superseded or not (consent.owner.is_active and consent.counselor.is_active):
            return None
        return Consent.lapses_at(consent.expires_on, consent.owner.zone)

    def offered_to(self, user):
        return Consent.objects.unrevoked().filter(owner=user).exists()

    def subjects_for(self, recipient):
        return list(Consent.objects.unrevoked().filter(owner=recipient).values_list("pk", flat=True))

    def next_occurrence(self, recipient, consent, after_utc):
        until = self.reminded_until(consent)
        if until is None or recipient.pk != self.recipient_of(consent).pk:
            return None
        zone = recipient.zone  # the day is the client's; each recipient hears of it at 09:00 on their own clock
        for days in self.days_before:
            day = consent.expires_on - dt.timedelta(days=days)
            at = local_moment(day, self.send_at, zone)
            if at >= until:
                return None
            if at > after_utc:
                key = f"{days}d:{consent.expires_on.isoformat()}"
                return Occurrence(key, at, min(end_of_local_day(day, zone), until))
        return None

    def still_allowed(self, delivery, consent, now_utc):
        until = self.reminded_until(consent)
        return until is not None and now_utc < until and delivery.recipient_id == self.recipient_of(consent).pk

    def message(self, delivery, consent):
        days, day = int(delivery.occurrence.partition("d:")[0]), consent.expires_on
        return Message(
            title=ngettext(
                "Your consent for %(name)s ends in %(days)s day",
                "Your consent for %(name)s ends in %(days)s days",
                days,
            )
            % {"name": consent.recipient_name, "days": days},
            body=_(
                "%(name)s (%(organisation)s) can see what you chose until the end of %(day)s. To keep sharing "
                "without a gap, renew it: you read it again, change anything you like and sign. To let it end, "
                "there is nothing to do."
            )
            % {
                "name": consent.recipient_name,
                "organisation": consent.organisation,
                "day": format_date(day, gettext("l j F")),
            },
            url=reverse("care:consent_renew", args=[consent.pk]),
        )


class ConsentEndingCounselor(ConsentEnding):
    """The counselor's side, at 09:00 on their own clock, naming no client (an email, and the notification centre,
    open without the second factor that client data asks of a session): the link opens the consent's page, behind
    two-factor, which says whose it is and asks the client to renew in one click. Only with two-factor on."""

    key = "consent_ending_counselor"
    label = gettext_lazy("Client consents that end soon")
    description = gettext_lazy(
        "For counselors: 14 and 3 days before a client's consent ends, so you can ask them to renew it."
    )

    def eligible(self):
        return super().eligible().filter(_two_factor("counselor"))

    def recipient_of(self, consent):
        return consent.counselor

    def reminded_until(self, consent):
        return super().reminded_until(consent) if consent.counselor_two_factor else None

    def offered_to(self, user):
        return user.counsels_someone

    def subjects_for(self, recipient):
        return list(Consent.objects.unrevoked().filter(counselor=recipient).values_list("pk", flat=True))

    def subjects_about(self, person_id):
        return Consent.objects.filter(owner_id=person_id).values_list("pk", flat=True)

    def message(self, delivery, consent):
        days, day = int(delivery.occurrence.partition("d:")[0]), consent.expires_on
        return Message(
            title=ngettext("A consent ends in %(days)s day", "A consent ends in %(days)s days", days) % {"days": days},
            body=_(
                "A client's consent to you ends at the end of %(day)s, in their time zone. Open it to see whose and "
                "ask them to renew it in one click; it asks for the code from your authenticator app."
            )
            % {"day": format_date(day, gettext("l j F"))},
            url=reverse("care:consent_detail", args=[consent.pk]) + "#renew",
            about=consent.owner_id,
        )
