"""Leaving for good (GDPR article 17): a request that ends every grant and consent at once, and after a grace
period of seven days the erasure of everything about the person.

`request()` is what the settings page does: sharing ends (grants given and held, consents given and held,
invitations and consent requests waiting for an answer, the alerts they agreed to answer), reminders stop, every
signed-in device is signed out, and an email says when the account goes and how to keep it. Signing in before
then cancels it (`cancel()`, from receivers.py); what ended stays ended.

`erase()` deletes: the user row, and with it (on_delete=CASCADE) every row that is theirs; before that, the links
the catalogue says to delete (rows that hold their words or identity in someone else's keeping), other people's
notifications and reminders about them, their sessions, and staff's admin log lines about their account. What
outlives them is listed in catalogue.ERASURE with the reason, and said on the page before they confirm.
Cached page fragments are keyed on their user id, which is never reused, and expire within 16 minutes
(every `{% cache %}` in templates/ has a timeout of 960 s or less: tests/privacy/test_erasure.py checks).
"""

import logging

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from recovery_network import page_cache
from recovery_network.care import log_lines, sharing
from recovery_network.care.consent_requests import withdraw_consent_request
from recovery_network.care.models import Consent, ConsentRequest, Grant, Invitation
from recovery_network.models import User
from recovery_network.notifications.models import Delivery, Notification, Reminder
from recovery_network.notifications.registry import kinds
from recovery_network.reach.models import AlertContact

from .catalogue import DELETE, ERASURE
from .models import Erasure

log = logging.getLogger(__name__)

ERASURE_SUBJECT = gettext_lazy("Your {site} account")  # {site}: the site's name


@transaction.atomic
def request(user, now=None):
    """Ask to be erased. Returns the Erasure (the same one when asked twice)."""
    now = now or timezone.now()
    locked = User.objects.select_for_update().get(pk=user.pk)
    erasure, created = Erasure.objects.get_or_create(
        owner=locked, defaults={"requested_at": now, "erase_after": now + Erasure.GRACE}
    )
    if not created:
        return erasure
    end_sharing(locked, now)
    # No reminder or note reaches someone who is leaving (the dispatch skips paused people); cancel() resumes them.
    erasure.paused_until_before = locked.reminders_paused_until
    Erasure.objects.filter(pk=erasure.pk).update(paused_until_before=locked.reminders_paused_until)
    User.objects.filter(pk=locked.pk).update(reminders_paused_until=erasure.erase_after)
    sign_out_everywhere(locked)
    transaction.on_commit(lambda: _send_notice(locked, erasure))
    return erasure


def end_sharing(user, now):
    """Every grant and consent, given or held, ends now; nothing waiting for an answer can start a new one."""
    for grant in Grant.objects.active().filter(Q(owner=user) | Q(viewer=user)).select_related("owner", "viewer"):
        if grant.viewer_id == user.pk:  # a line in the owner's log: they left, the owner revoked nothing
            what = log_lines.line("left_grant", name=user.name, site=settings.SITE_NAME)
            sharing.revoke_grant(grant, now, by=user, what=what)
        else:
            sharing.revoke_grant(grant, now)
    for consent in Consent.objects.filter(Q(owner=user) | Q(counselor=user), revoked_at__isnull=True).select_related(
        "owner", "counselor"
    ):
        if consent.counselor_id == user.pk and consent.owner_id is not None:
            what = log_lines.line(
                "left_consent",
                name=user.name,
                site=settings.SITE_NAME,
                recipient=consent.recipient_name,
                organisation=consent.organisation,
            )
            sharing.revoke_consent(consent, now, by=user, what=what)
        else:
            sharing.revoke_consent(consent, now)
    for invitation in Invitation.objects.pending(now).filter(owner=user).select_related("owner"):
        sharing.withdraw_invitation(invitation, now)
    for consent_request in ConsentRequest.objects.pending(now).filter(counselor=user):
        withdraw_consent_request(consent_request, now)
    # The calls for support they agreed to answer: they are not alerted any more.
    AlertContact.objects.filter(user=user, status=AlertContact.Status.ACCEPTED).update(
        status=AlertContact.Status.STOPPED
    )


def sign_out_everywhere(user):
    """End every session of theirs: the database's and the cache's copy (allauth's UserSession.end())."""
    for user_session in user.usersession_set.all():
        user_session.end()


def _send_notice(user, erasure):
    context = {
        "person": user,
        "erase_on": erasure.erase_after.astimezone(user.zone).date(),  # the day on their own calendar
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    email = EmailMultiAlternatives(
        subject=ERASURE_SUBJECT.format(site=settings.SITE_NAME),
        body=render_to_string("privacy/emails/erasure_requested.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    try:
        email.send()
    except Exception:  # noqa: BLE001 — the request stands; the page already told them the same
        log.warning("The erasure notice to account %s could not be sent", user.pk, exc_info=True)


def cancel(user, request=None):
    """Keep the account: called when they sign in during the grace period. True when there was one to cancel."""
    with transaction.atomic():
        erasure = Erasure.objects.select_for_update().filter(owner_id=user.pk).first()
        if erasure is None:
            return False
        User.objects.filter(pk=user.pk, reminders_paused_until=erasure.erase_after).update(
            reminders_paused_until=erasure.paused_until_before
        )
        user.reminders_paused_until = erasure.paused_until_before
        erasure.delete()
    if request is not None:
        messages.success(
            request,
            gettext(
                "Welcome back. Your account will not be erased. Sharing that ended when you asked stays ended: "
                "you can invite people again from your circle."
            ),
        )
    return True


def _about_them(user):
    """Other people's reminders, deliveries and notifications about this person (a milestone of theirs, a
    warning sign): each kind names its subjects that are about someone (registry.Kind.subjects_about)."""
    deliveries = Q(pk__in=[])
    for kind in kinds().values():
        subject_ids = list(kind.subjects_about(user.pk))
        if subject_ids:
            deliveries |= Q(kind=kind.key, subject_id__in=subject_ids)
    return deliveries


def erase(user, now=None):
    """Delete everything about this person, now. Returns the counts of rows deleted, by table."""
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        end_sharing(user, now)
        about = _about_them(user)
        Notification.objects.filter(delivery__in=Delivery.objects.filter(about)).delete()
        Reminder.objects.filter(about).delete()
        Delivery.objects.filter(about).delete()
        for (label, field_name), (action, _reason) in ERASURE.items():
            if action == DELETE:
                apps.get_model(label)._base_manager.filter(**{field_name: user}).delete()
        AlertContact.objects.filter(user=user).update(phone="")
        # Invitations and consent requests sent to their addresses hold those addresses: they go too.
        addresses = list(user.emailaddress_set.values_list("email", flat=True)) + [user.email]
        for address in set(addresses):
            Invitation.objects.filter(email__iexact=address).delete()
            ConsentRequest.objects.filter(email__iexact=address).delete()
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).delete()
        sign_out_everywhere(user)
        page_cache.bump([user.pk])
        user_id = user.pk
        _, counts = user.delete()
    log.info("Account %s erased: %s rows", user_id, sum(counts.values()))
    return counts


def erase_due(now=None):
    """Erase everyone whose grace period is over (the hourly task). Two workers never take the same person."""
    now = now or timezone.now()
    erased = 0
    while True:
        with transaction.atomic():
            erasure = Erasure.objects.due(now).select_for_update(skip_locked=True).select_related("owner").first()
            if erasure is None:
                return erased
            erase(erasure.owner, now)
        erased += 1
