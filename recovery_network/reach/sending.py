"""Sending one alert message (email or text), exactly once however many tasks carry its id.

Claim-then-send, as the reminder engine does (notifications/delivery.py): only the worker whose conditional
UPDATE moved the row from pending to sending may send; a worker that dies holding the claim loses it when the
lease ends, and the sweep (tasks.sweep_alerts) sends it again. An alert's lease is short (ALERT_SEND_LEASE):
someone is waiting. Failed sends are retried with the engine's back-off.

Nothing sent says why: the subject and a text's first words carry only the person's name, and their own words
are shown only on the page the link opens.
"""

import datetime as dt
import logging
import time

import sms
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from recovery_network.notifications.delivery import Outcome, backoff, claim, record_sent, unclaimed_outcome

from . import links
from .models import Alert, AlertContact, AlertSend

log = logging.getLogger(__name__)


def lease():
    return dt.timedelta(seconds=settings.ALERT_SEND_LEASE_SECONDS)


def send_alert_message(send_id, now=None, connection=None):
    """Send one message; returns an Outcome whose retry_in asks to be run again then."""
    now = now or timezone.now()
    if not claim(AlertSend, send_id, now, lease()):
        return unclaimed_outcome(AlertSend, send_id, now, lease())
    surely_ours_until = time.monotonic() + lease().total_seconds() - 1  # no one may take it before the lease ends
    row = AlertSend.objects.select_related("alert__owner", "contact__supporter", "contact__user").get(pk=send_id)
    reason = _skip_reason(row)
    if reason:
        AlertSend.objects.filter(pk=row.pk).update(status=AlertSend.Status.SKIPPED, skip_reason=reason)
        return Outcome(AlertSend.Status.SKIPPED)
    try:
        with translation.override(contact_language(row.alert, row.contact)):
            if row.channel == AlertSend.Channel.SMS:
                sms.send_sms(text_body(row.alert, row.contact), recipients=[row.contact.phone])
            else:
                alert_email(row.alert, row.contact, connection).send()
    except Exception as exc:  # noqa: BLE001 — any failure of a provider is retried, then recorded
        return _record_failure(row, exc, now)
    record_sent(AlertSend, row.pk, surely_ours_until)  # survives a database session cut while it was sent
    return Outcome(AlertSend.Status.SENT)


def contact_language(alert, contact):
    """A message goes in its reader's language: a contact with an account, theirs; someone reached only by phone or
    email, the language of the person who asked them (who chose them and knows what they read)."""
    return contact.user.language if contact.user_id else alert.owner.language


def _skip_reason(row):
    """Why a message was not sent, kept in English in the row and translated where it is shown."""
    if row.contact.status != AlertContact.Status.ACCEPTED:
        return gettext_noop("stopped alerts before it went out")
    if row.alert.status == Alert.Status.CLOSED:
        return gettext_noop("you closed the call before it went out")
    return ""


def _record_failure(row, exc, now):
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if row.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        log.error("Alert message %s failed for good after %s tries: %s", row.pk, row.attempts, error)
        AlertSend.objects.filter(pk=row.pk).update(status=AlertSend.Status.FAILED, last_error=error)
        return Outcome(AlertSend.Status.FAILED)
    # Someone is waiting: the first retries come fast (5 s, 20 s, 80 s…), not the reminders' half minute.
    wait = backoff(row.attempts) * settings.ALERT_RETRY_BASE_SECONDS / settings.DELIVERY_RETRY_BASE_SECONDS
    log.warning("Alert message %s try %s failed, retrying in %ss: %s", row.pk, row.attempts, wait, error)
    AlertSend.objects.filter(pk=row.pk).update(
        status=AlertSend.Status.PENDING, last_error=error, next_attempt_at=now + dt.timedelta(seconds=wait)
    )
    return Outcome(AlertSend.Status.PENDING, retry_in=wait)


def text_body(alert, contact):
    """A text message: the name and the link; nothing about why, and not the site's name either, which on a
    lock screen would say what kind of site it is."""
    return _("%(name)s would like to hear from you now. Tap to say you're reaching out: %(url)s") % {
        "name": alert.owner.name,
        "url": links.absolute(links.answer_path(alert, contact)),
    }


def alert_email(alert, contact, connection=None):
    stop_url = links.absolute(links.stop_path(contact))
    context = {
        "owner_name": alert.owner.name,
        "supporter_name": contact.supporter.name,
        "answer_url": links.absolute(links.answer_path(alert, contact)),
        "stop_url": stop_url,
        "sent_at": alert.created_at,
        "SITE_NAME": settings.SITE_NAME,
    }
    email = EmailMultiAlternatives(
        subject=_("%(name)s would like to hear from you") % {"name": alert.owner.name},
        body=render_to_string("emails/reach/alert.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[contact.email],
        headers={
            "Message-ID": f"<alert-{alert.pk}-{contact.pk}@{_domain()}>",
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        connection=connection,
    )
    email.attach_alternative(render_to_string("emails/reach/alert.html", context), "text/html")
    return email


def _domain():
    return settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"


def _grace():
    return dt.timedelta(seconds=settings.ALERT_SEND_LEASE_SECONDS / 3)


def not_queued(send_ids, now=None):
    """Messages whose task could not be published (the broker was down): pending messages due now are dated back
    past the grace, so the first sweep that runs — the moment the broker is back — sends them, not 30 s later."""
    now = now or timezone.now()
    AlertSend.objects.filter(pk__in=list(send_ids), status=AlertSend.Status.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now - _grace() - dt.timedelta(seconds=1)
    )


def stalled_ids(now=None, limit=1000):
    """Messages whose task was lost: pending well past their time, or claimed by a worker that died."""
    now = now or timezone.now()
    grace = _grace()
    return list(
        AlertSend.objects.filter(
            models.Q(status=AlertSend.Status.PENDING, next_attempt_at__lte=now - grace)
            | models.Q(status=AlertSend.Status.SENDING, claimed_at__lte=now - lease())
        ).values_list("pk", flat=True)[:limit]
    )


def waiting_since(now=None):
    """When the oldest alert message due to go out began to wait, or None: a part of /healthz
    (settings.HEALTHZ_LAGS), with a tighter limit than the reminders': someone is waiting for each.

    A pending message waits from its time (one waiting out a retry's back-off is not due yet), one claimed by a
    worker that died from the end of its lease. The sweep never moves a message's time, so this is how long
    it has really waited; normally a message leaves within seconds. One query, over those rows only.
    """
    now = now or timezone.now()
    first = AlertSend.objects.filter(
        models.Q(status=AlertSend.Status.PENDING, next_attempt_at__lte=now)
        | models.Q(status=AlertSend.Status.SENDING, claimed_at__lte=now - lease())
    ).aggregate(
        pending=models.Min("next_attempt_at", filter=models.Q(status=AlertSend.Status.PENDING)),
        sending=models.Min("claimed_at", filter=models.Q(status=AlertSend.Status.SENDING)),
    )
    times = (first["pending"], first["sending"] and first["sending"] + lease())
    return min((at for at in times if at is not None), default=None)
