"""Sending one delivery, exactly once; the in-app notification centre.

Sending is claim-then-send: a worker may send a delivery's email only after its
conditional UPDATE moved the row from pending to sending. A worker that dies
holding the claim loses it when the lease ends (longer than the task time limit,
so the holder is certainly gone), and the delivery goes round again. An email
accepted by the SMTP server in the instant before such a crash could be sent a
second time; the stable Message-ID lets mail providers fold that rare duplicate.

Pending deliveries are announced (`deliveries_pending`), not queued from here: the
task layer (tasks.py) listens and queues them, so nothing below the tasks imports them.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, models, transaction
from django.db import connection as database
from django.db.models import Count, F, Max, Q
from django.dispatch import Signal
from django.utils import timezone, translation

from recovery_network.models import User

from .emails import reminder_email
from .models import Delivery, Notification
from .preferences import channels, verified_email_users
from .registry import get_kind, kinds, message_in

log = logging.getLogger(__name__)

# Sent with `delivery_ids` once deliveries are committed as pending; tasks.py queues their sending.
deliveries_pending = Signal()


def announce(delivery_ids):
    """Say that these deliveries wait to be sent (after the transaction that made them commits)."""
    deliveries_pending.send(sender=Delivery, delivery_ids=list(delivery_ids))


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in: float | None = None  # seconds until the send task should run again


def lease():
    return dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


def backoff(attempt):
    """Seconds before try number attempt + 1: 30 s, 2 min, 8 min, 32 min with the default base."""
    return settings.DELIVERY_RETRY_BASE_SECONDS * 4 ** (attempt - 1)


def claim(model, pk, now, held_for):
    """Move one row of a claim-then-send table (a Delivery, an alert's message: status pending/sending,
    next_attempt_at, claimed_at, attempts) to sending, if it is due and no live worker holds it — a claim older
    than `held_for` belonged to a worker that died. True when this worker won."""
    due = models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
    claimable = models.Q(due, status="pending") | models.Q(status="sending", claimed_at__lte=now - held_for)
    return bool(
        model.objects.filter(claimable, pk=pk).update(
            status="sending", claimed_at=now, attempts=models.F("attempts") + 1
        )
    )


def unclaimed_outcome(model, pk, now, held_for):
    """The Outcome for a row this worker could not claim: held elsewhere, waiting, or already done."""
    row = model.objects.filter(pk=pk).values("status", "claimed_at", "next_attempt_at").first()
    if row and row["status"] == "sending":
        return Outcome("held", retry_in=max(1.0, (row["claimed_at"] + held_for - now).total_seconds() + 1))
    if row and row["status"] == "pending" and row["next_attempt_at"]:
        # A copy of the task arrived before its back-off ended (a redelivered message).
        return Outcome("waiting", retry_in=max(1.0, (row["next_attempt_at"] - now).total_seconds()))
    return Outcome(row["status"] if row else "missing")


def send_delivery(delivery_id, now=None, connection=None):
    """Send one delivery's email, at most once however many tasks carry its id.

    Returns an Outcome; a retry_in means "run me again then" (a failed send
    waiting out its back-off, or a claim still held by another worker).
    `connection`, an email backend, is kept open for the next email (a task sends a
    chunk over one SMTP connection); after a failed send it is closed, so the next
    email opens a fresh one.
    """
    now = now or timezone.now()
    if not claim(Delivery, delivery_id, now, lease()):
        return unclaimed_outcome(Delivery, delivery_id, now, lease())
    surely_ours_until = time.monotonic() + lease().total_seconds() - 1  # no one may take it before the lease ends

    delivery = Delivery.objects.select_related("recipient").get(pk=delivery_id)
    kind = get_kind(delivery.kind)
    reason, subject = _skip_reason(delivery, kind, now)
    if reason is not None:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, skip_reason=reason)
        return Outcome(Delivery.Status.SKIPPED)

    try:
        language = delivery.recipient.language
        with translation.override(language):  # the email's subject and body in the recipient's language
            email = reminder_email(delivery, kind, message_in(language, kind, delivery, subject))
        if connection is not None:
            connection.open()  # at the chunk's first email; a no-op while it stays open
            email.connection = connection
        email.send()
    except Exception as exc:
        if connection is not None:
            close_quietly(connection)
        return _record_failure(delivery, exc, now)
    record_sent(Delivery, delivery.pk, surely_ours_until)
    return Outcome(Delivery.Status.SENT)


def record_sent(model, pk, surely_ours_until):
    """Record a message of a claim-then-send table (a Delivery, an alert's message) as sent, even when the database
    session ended while it was sent (PostgreSQL restarted, the connection cut): left unrecorded, the claim would
    lapse and the message go out a second time.

    It is written again on a fresh session for as long as the claim surely holds (until a second before its lease
    ends, when another worker may take it); a database away for longer than that costs this one message a
    duplicate.
    """
    wait = 0.1
    while True:
        try:
            model.objects.filter(pk=pk).update(status="sent", sent_at=timezone.now(), last_error="")
            return
        except (OperationalError, InterfaceError):
            # Inside a transaction a new session can't carry on its work: the caller's transaction fails as a whole.
            if database.in_atomic_block or time.monotonic() + wait > surely_ours_until:
                raise
            log.warning(
                "Could not record %s %s as sent; trying again in %ss", model._meta.verbose_name, pk, wait, exc_info=True
            )
        database.close()
        time.sleep(wait)
        wait = min(wait * 2, 5)


def _skip_reason(delivery, kind, now):
    """(why the claimed delivery must not be sent, or None; its subject when it may be)."""
    recipient = delivery.recipient
    reason = None
    if kind is None:
        reason = Delivery.SkipReason.GONE
    elif recipient.reminders_paused(now):
        reason = Delivery.SkipReason.PAUSED
    elif not channels(recipient, kind)[0] or not recipient.is_active:
        reason = Delivery.SkipReason.OPTED_OUT
    elif recipient.pk not in verified_email_users([recipient.pk]):
        reason = Delivery.SkipReason.UNVERIFIED
    subject = None
    if reason is None:
        subject = kind.load([delivery.subject_id]).get(delivery.subject_id)
        if subject is None or not kind.still_allowed(delivery, subject, now):
            reason = Delivery.SkipReason.GONE
    return reason, subject


def _record_failure(delivery, exc, now):
    """Put a failed send back in the queue after its back-off, or mark it failed once out of tries."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if delivery.attempts >= settings.DELIVERY_MAX_ATTEMPTS:
        log.error("Delivery %s failed for good after %s tries: %s", delivery.pk, delivery.attempts, error)
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=error)
        return Outcome(Delivery.Status.FAILED)
    wait = backoff(delivery.attempts)
    log.warning("Delivery %s try %s failed, retrying in %ss: %s", delivery.pk, delivery.attempts, wait, error)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.PENDING,
        last_error=error,
        next_attempt_at=now + dt.timedelta(seconds=wait),
    )
    return Outcome(Delivery.Status.PENDING, retry_in=wait)


def close_quietly(connection):
    """Close an email connection that may already be broken (the server gone, a refused command)."""
    try:
        connection.close()
    except Exception:  # noqa: BLE001 — nothing more to do with a connection being dropped
        log.info("Closing the email connection failed", exc_info=True)


def resend(deliveries, now=None):
    """Put failed deliveries back in the queue with fresh tries (the admin's "resend" action)."""
    now = now or timezone.now()
    ids = list(deliveries.filter(status=Delivery.Status.FAILED, by_email=True).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.FAILED).update(
        status=Delivery.Status.PENDING, attempts=0, next_attempt_at=now, claimed_at=None
    )
    return ids


def notification_for(delivery, message, now):
    """The in-app notification a delivery's message makes (not yet saved)."""
    return Notification(
        recipient_id=delivery.recipient_id,
        delivery_id=delivery.pk,
        about_id=message.about,
        kind=delivery.kind,
        title=message.title[:200],
        body=message.body,
        url=message.url,
        action_url=message.action_url,
        action_label=message.action_label,
        created_at=now,
    )


def notify(recipient, kind_key, subject, occurrence, now=None, enqueue=None):
    """Deliver an event kind now (an encouragement arrived…): once per (recipient, kind, subject, occurrence).

    Returns the Delivery, or None when this occurrence was already delivered.
    A pause or an opt-out is respected. Quiet hours do not hold the note in the
    app (it makes no sound), but they hold the email: the delivery waits as
    held until they end, when the dispatch queues it (reminders.release_held).
    """
    now = now or timezone.now()
    kind = kinds()[kind_key]
    by_email, in_app = channels(recipient, kind)
    by_email = by_email and recipient.pk in verified_email_users([recipient.pk])
    reason = None
    if recipient.reminders_paused(now):
        reason = Delivery.SkipReason.PAUSED
    elif not (by_email or in_app):
        reason = Delivery.SkipReason.OPTED_OUT
    held = bool(by_email and not reason and recipient.in_quiet_hours(now))
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(
            recipient=recipient,
            kind=kind_key,
            subject_id=subject.pk,
            occurrence=occurrence,
            defaults={
                "status": Delivery.Status.SKIPPED
                if reason
                else (
                    (Delivery.Status.HELD if held else Delivery.Status.PENDING) if by_email else Delivery.Status.SENT
                ),
                "skip_reason": reason or "",
                "by_email": by_email and not reason,
                "in_app": in_app and not reason,
                "next_attempt_at": recipient.quiet_hours_end_after(now) if held else now,
                "sent_at": None if by_email else now,
                "created_at": now,
            },
        )
        if not created:
            return None
        if delivery.in_app:
            add_notifications([(delivery, message_in(recipient.language, kind, delivery, subject))], now)
        if not reason:
            kind.delivered([(delivery, subject)], now)
    if delivery.status == Delivery.Status.PENDING:
        transaction.on_commit(lambda: (enqueue or announce)([delivery.pk]))
    return delivery


def add_notifications(items, now):
    """Write the in-app notifications of [(delivery, message)] and add them to the unread counters."""
    Notification.objects.bulk_create([notification_for(delivery, message, now) for delivery, message in items])
    new_counts = {}
    for delivery, _ in items:
        new_counts[delivery.recipient_id] = new_counts.get(delivery.recipient_id, 0) + 1
    count_new_notifications(new_counts)


def count_new_notifications(counts, chunk=2000):
    """Add to people's unread counters: {user id: new notifications}, one UPDATE per distinct count."""
    by_count = {}
    for user_id, count in counts.items():
        by_count.setdefault(count, []).append(user_id)
    for count, user_ids in by_count.items():
        for start in range(0, len(user_ids), chunk):
            User.objects.filter(pk__in=user_ids[start : start + chunk]).update(
                unread_notifications=F("unread_notifications") + count
            )


def mark_read(user, notification_ids=None, now=None):
    """Mark some (or all) of a person's notifications read and bring their counter back in step."""
    unread = Notification.objects.for_owner(user).unread()
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    unread.update(read_at=now or timezone.now())
    sync_unread_count(user)


def mark_done(recipient_id, kind_key, occurrence, now=None):
    """The person did what an occurrence asked (checked in for that day): its notification, if still unread,
    is read now, so "Time for your check-in" doesn't stay "New" after the check-in."""
    done = Notification.objects.filter(
        recipient_id=recipient_id, kind=kind_key, delivery__occurrence=occurrence, read_at__isnull=True
    )
    if done.update(read_at=now or timezone.now()):
        unread = Notification.objects.filter(recipient_id=recipient_id, read_at__isnull=True).count()
        User.objects.filter(pk=recipient_id).update(unread_notifications=unread)


def sync_unread_count(user, count=None):
    """Set the counter from the notifications themselves (it is a cache of this count)."""
    if count is None:
        count = Notification.objects.for_owner(user).unread().count()
    if count != user.unread_notifications:
        User.objects.filter(pk=user.pk).update(unread_notifications=count)
        user.unread_notifications = count
    return count


def centre_state(user):
    """(how many, how many unread, the newest id) of the person's notifications, in one query; the unread
    counter is brought in step on the way. Together they name every state of the notification centre:
    notifications are written once, and only ever added, read or removed."""
    state = Notification.objects.for_owner(user).aggregate(
        total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)), newest=Max("id")
    )
    sync_unread_count(user, state["unread"])
    return state["total"], state["unread"], state["newest"] or 0
