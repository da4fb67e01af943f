"""The notification delivery layer: kinds, channels, preferences, and sending one delivery.

A *kind* (a daily check-in reminder, a reach-out nudge…) is a class registered
in settings.NOTIFICATION_KINDS. It knows its subjects (what a reminder is about),
when the next occurrence falls, and what to say. Everything else — due-finding,
exactly-once delivery, quiet hours, pauses, preferences, email and the in-app
notification centre — is shared and lives here and in reminders.py.

Sending is claim-then-send: a worker may send a delivery's email only after its
conditional UPDATE moved the row from pending to sending. A worker that dies
holding the claim loses it when the lease ends (longer than the task time limit,
so the holder is certainly gone), and the delivery goes round again. An email
accepted by the SMTP server in the instant before such a crash could be sent a
second time; the stable Message-ID lets mail providers fold that rare duplicate.
"""

import datetime as dt
import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Delivery, Notification, NotificationPreference, User

log = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "recovery_network.unsubscribe"


@dataclass(frozen=True)
class Occurrence:
    """One due moment of a kind for one subject, identified by `key` (a local date, a milestone…)."""

    key: str
    occurs_at: dt.datetime  # UTC
    expires_at: dt.datetime  # UTC: not worth sending after this


@dataclass(frozen=True)
class Message:
    """What a delivery says, in-app and in the email body (never in the subject line)."""

    title: str
    body: str = ""
    url: str = ""
    action_url: str = ""
    action_label: str = ""


class Kind:
    """The base of every kind. Subclasses set the class attributes and implement the methods.

    Scheduled kinds have Reminder rows and are found by the dispatch; event kinds
    (scheduled = False) are sent by calling notify() where the event happens.
    """

    key = ""  # stored in rows: never rename
    label = ""
    description = ""
    default_email = True
    default_in_app = True
    scheduled = True
    # How long after its time an occurrence is still worth sending (after downtime, after quiet hours).
    grace = dt.timedelta(hours=2)
    # True when only people who turned a channel on are recipients (who has rows follows preferences).
    recipients_opt_in = False
    # {"app_label.Model": callable(instance) -> iterable of subject ids} whose saves and deletes
    # change this kind's schedule; recovery_network.signals connects them.
    watches = {}

    def load(self, subject_ids):
        """{id: subject} for the ids that still exist (one query)."""
        raise NotImplementedError

    def load_for(self, reminders):
        """{subject id: subject} for a batch of due reminders; a kind may reuse what the rows carry."""
        return self.load({reminder.subject_id for reminder in reminders})

    def recipients(self, subject):
        """Who is reminded about this subject."""
        return [subject.owner]

    def eligible(self):
        """A queryset of every subject that should have reminders (for reconcile_reminders)."""
        raise NotImplementedError

    def next_occurrence(self, recipient, subject, after_utc):
        """The first occurrence strictly after `after_utc`, or None if there is none any more."""
        raise NotImplementedError

    def catch_up(self, subject):
        """How far back a schedule built now looks, so an occurrence already due when the row is
        (re)built is still delivered — e.g. a supporter who was overdue before the nudge existed."""
        return dt.timedelta(0)

    def skip_reasons(self, reminders, now_utc):
        """{reminder id: Delivery.SkipReason} for due reminders that should not be sent (set-based)."""
        return {}

    def offered_to(self, user):
        """Whether the preferences page offers this kind to this person (a digest only to counselors)."""
        return True

    def subjects_for(self, recipient):
        """Ids of subjects this person may hear about though they have no row yet (their own
        check-in, the journeys of people who share with them), recomputed when they change."""
        return ()

    def still_allowed(self, delivery, subject, now_utc):
        """Asked again just before an email goes out: may this person still receive it?
        A kind sent to someone other than the owner says no once access has ended."""
        return True

    def delivered(self, items, now_utc):
        """Called with [(delivery, subject)] of the deliveries written to go out (e.g. to log them)."""

    def message(self, delivery, subject):
        raise NotImplementedError

    def __repr__(self):
        return f"<Kind {self.key}>"


@functools.cache
def _registry(paths):
    kinds = {}
    for path in paths:
        kind = import_string(path)()
        if kind.key in kinds:
            raise ValueError(f"Two notification kinds share the key {kind.key!r}.")
        kinds[kind.key] = kind
    return kinds


def kinds():
    """{key: Kind} from settings.NOTIFICATION_KINDS, in that order."""
    return _registry(tuple(settings.NOTIFICATION_KINDS))


def get_kind(key):
    return kinds().get(key)


# Preferences ---------------------------------------------------------------


def channels_for(user_ids):
    """{(user id, kind): (by_email, in_app)} for people who changed a default (one query)."""
    rows = NotificationPreference.objects.filter(user_id__in=list(user_ids)).values_list(
        "user_id", "kind", "by_email", "in_app"
    )
    return {(user_id, kind): (by_email, in_app) for user_id, kind, by_email, in_app in rows}


def verified_email_users(user_ids):
    """The people among these whose own address is verified (one query).

    Reminders are emailed only to a verified address: an address mistyped at
    sign-up belongs to someone else, who must never receive these notes.
    """
    from allauth.account.models import EmailAddress

    return set(
        EmailAddress.objects.filter(user_id__in=list(user_ids), verified=True, primary=True).values_list(
            "user_id", flat=True
        )
    )


def channel_facts(recipient="recipient_id", kind="kind"):
    """Annotations for rows naming a recipient and a kind: the channels the person chose for
    that kind (None where they kept the defaults) and whether their address is verified.

    The dispatch reads them with its due rows, where a query per batch with a few thousand
    ids in a list cost more in building and planning the list than in finding the rows.
    """
    from allauth.account.models import EmailAddress

    chosen = NotificationPreference.objects.filter(user_id=models.OuterRef(recipient), kind=models.OuterRef(kind))
    return {
        "chosen_email": models.Subquery(chosen.values("by_email")[:1]),
        "chosen_in_app": models.Subquery(chosen.values("in_app")[:1]),
        "verified_email": models.Exists(
            EmailAddress.objects.filter(user_id=models.OuterRef(recipient), verified=True, primary=True)
        ),
    }


def channels(user, kind, chosen=None):
    """(by_email, in_app) for one person and kind, given channels_for() output or a query."""
    if chosen is None:
        chosen = channels_for([user.pk])
    return chosen.get((user.pk, kind.key), (kind.default_email, kind.default_in_app))


def preferences(user):
    """[(kind, by_email, in_app)] of the kinds offered to this person, for the preferences page."""
    chosen = channels_for([user.pk])
    return [(kind, *channels(user, kind, chosen)) for kind in kinds().values() if kind.offered_to(user)]


def set_channels(user, kind_key, *, by_email=None, in_app=None):
    kind = kinds()[kind_key]
    current_email, current_app = channels(user, kind)
    by_email = current_email if by_email is None else by_email
    in_app = current_app if in_app is None else in_app
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind_key, defaults={"by_email": by_email, "in_app": in_app}
    )
    subject_ids = list(kind.subjects_for(user)) if kind.scheduled and kind.recipients_opt_in else []
    if subject_ids and (current_email or current_app) != (by_email or in_app):
        # Whether this person hears at all decides whether they have rows (a viewer opting in).
        def refresh():
            from .reminders import refresh_subjects

            refresh_subjects(kind_key, subject_ids)

        transaction.on_commit(refresh, robust=True)


def unsubscribe_token(user, kind_key):
    """A signed token that turns off one kind's emails for one person. It does not expire:
    an unsubscribe link in an old email must keep working."""
    return signing.dumps({"u": user.pk, "k": kind_key}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """(user id, kind key), or None for a forged or mangled token."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def absolute(path):
    return path if path.startswith(("http://", "https://")) or not path else f"{settings.SITE_URL}{path}"


def unsubscribe_url(user, kind_key):
    return absolute(reverse("notifications:unsubscribe", args=[unsubscribe_token(user, kind_key)]))


# Sending -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_in: float | None = None  # seconds until the send task should run again


def lease():
    return dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)


def backoff(attempt):
    """Seconds before try number attempt + 1: 30 s, 2 min, 8 min, 32 min with the default base."""
    return settings.DELIVERY_RETRY_BASE_SECONDS * 4 ** (attempt - 1)


def _claim(delivery_id, now):
    """Move one delivery to sending, if it is due and no live worker holds it. True when this worker won."""
    due = models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
    claimable = models.Q(due, status=Delivery.Status.PENDING) | models.Q(
        status=Delivery.Status.SENDING, claimed_at__lte=now - lease()
    )
    return bool(
        Delivery.objects.filter(claimable, pk=delivery_id).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=models.F("attempts") + 1
        )
    )


def send_delivery(delivery_id, now=None, connection=None):
    """Send one delivery's email, at most once however many tasks carry its id.

    Returns an Outcome; a retry_in means "run me again then" (a failed send
    waiting out its back-off, or a claim still held by another worker).
    `connection`, an email backend, is kept open for the next email (a task sends a
    chunk over one SMTP connection); after a failed send it is closed, so the next
    email opens a fresh one.
    """
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        row = Delivery.objects.filter(pk=delivery_id).values("status", "claimed_at", "next_attempt_at").first()
        if row and row["status"] == Delivery.Status.SENDING:
            held_for = (row["claimed_at"] + lease() - now).total_seconds()
            return Outcome("held", retry_in=max(1.0, held_for + 1))
        if row and row["status"] == Delivery.Status.PENDING:
            # A copy of the task arrived before its back-off ended (a redelivered message).
            return Outcome("waiting", retry_in=max(1.0, (row["next_attempt_at"] - now).total_seconds()))
        return Outcome(row["status"] if row else "missing")

    delivery = Delivery.objects.select_related("recipient").get(pk=delivery_id)
    recipient = delivery.recipient
    kind = get_kind(delivery.kind)
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
    if reason is not None:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED, skip_reason=reason)
        return Outcome(Delivery.Status.SKIPPED)

    from .emails import reminder_email

    try:
        email = reminder_email(delivery, kind, kind.message(delivery, subject))
        if connection is not None:
            connection.open()  # at the chunk's first email; a no-op while it stays open
            email.connection = connection
        email.send()
    except Exception as exc:
        if connection is not None:
            close_quietly(connection)
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
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return Outcome(Delivery.Status.SENT)


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
    return Notification(
        recipient_id=delivery.recipient_id,
        delivery=delivery,
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
            add_notifications([(delivery, kind.message(delivery, subject))], now)
        if not reason:
            kind.delivered([(delivery, subject)], now)
    if delivery.status == Delivery.Status.PENDING:
        if enqueue is None:
            from .tasks import enqueue_deliveries as enqueue
        transaction.on_commit(lambda: enqueue([delivery.pk]))
    return delivery


def add_notifications(items, now):
    """Write the in-app notifications of [(delivery, message)] and add them to the unread counters."""
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=delivery.recipient_id,
                delivery_id=delivery.pk,
                kind=delivery.kind,
                title=message.title[:200],
                body=message.body,
                url=message.url,
                action_url=message.action_url,
                action_label=message.action_label,
                created_at=now,
            )
            for delivery, message in items
        ]
    )
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
