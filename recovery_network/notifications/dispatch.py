"""Due-finding and dispatch: from indexed "next due" rows to deliveries, in bulk.

Beat runs dispatch() every minute. It takes due Reminder rows in batches with
SELECT … FOR UPDATE SKIP LOCKED (so any number of dispatchers share the work),
and for each batch, in one transaction:

1. takes the rows with their recipients, chosen channels and verified addresses,
   and loads the subjects and kind-specific skip facts with one query each (never
   a query per person);
2. checks each row against fresh data — if the subject changed behind the
   schedule's back (a contact logged through a bulk update, a journey restarted)
   the row is rescheduled instead of sent;
3. writes one Delivery per occurrence (unique, so a racing run inserts nothing)
   and the in-app notifications, skips what is paused, opted out, already done or
   missed beyond its grace window, holds what falls in quiet hours until they end;
4. moves every row on to its next occurrence, computed in the owning zone.

After the commit the new email deliveries are fanned out to send tasks in
chunks. Finally the dispatch re-queues deliveries whose task was lost.

How rows stay current: signals.py refreshes a subject's rows when
it is saved or deleted through the ORM (each kind's `watches`), step 2 catches
changes made by bulk updates, and reconcile() — run by beat every quarter hour —
adds rows for subjects created by bulk inserts and removes rows whose subject
no longer qualifies. Both are set-based.
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .delivery import add_notifications, announce, lease
from .models import Delivery, NotificationPreference, Reminder
from .preferences import channel_facts, channels
from .registry import get_kind, kinds, message_in

MISSING = object()
ONE_TICK = dt.timedelta(microseconds=1)


@dataclass
class DispatchResult:
    # Counted from the rows this run inserted: an occurrence a racing run already wrote counts nowhere.
    sent: int = 0  # deliveries written to go out (email queued and/or in-app shown)
    skipped: int = 0
    held: int = 0  # in quiet hours, waiting for them to end
    rescheduled: int = 0
    removed: int = 0
    requeued: int = 0
    email_ids: list = field(default_factory=list)


def _set_occurrence(reminder, occurrence):
    reminder.occurrence = occurrence.key
    reminder.occurs_at = occurrence.occurs_at
    reminder.expires_at = occurrence.expires_at
    reminder.due_at = occurrence.occurs_at


def _due_batch(now, size):
    # Ordered by due_at alone, so the LIMIT walks the due_at index and stops at `size` rows;
    # a tie-breaker on the id would sort every due row for each batch (0.7 s a batch when
    # 100 000 people are due in one minute, against 0.05 s).
    rows = Reminder.objects.due(now).select_related("recipient").annotate(**channel_facts()).order_by("due_at")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows[:size])


def dispatch(now=None, enqueue=None, batch_size=None):
    """Deliver everything due at `now`; returns a DispatchResult. Safe to run concurrently."""
    now = now or timezone.now()
    enqueue = enqueue or announce
    batch_size = batch_size or settings.REMINDER_DISPATCH_BATCH
    result = DispatchResult()
    while True:
        with transaction.atomic():
            rows = _due_batch(now, batch_size)
            if not rows:
                break
            email_ids = _process(rows, now, result)
        if email_ids:
            enqueue(email_ids)
            result.email_ids.extend(email_ids)
    result.requeued = release_held(now, enqueue) + requeue_stalled(now, enqueue)
    return result


def _process(rows, now, result):
    """One batch of due rows, in steps 1–4 above; returns the ids of the email deliveries, sorted.

    Each step is one pass over the batch; the steps share the lists of rows to move on and to delete.
    """
    registry = kinds()
    subjects, chosen, verified = _batch_facts(rows, registry)
    to_update, to_delete = [], []
    due_now = _follow_the_data(rows, registry, subjects, now, result, to_update, to_delete)
    skip = _kind_skip_reasons(due_now, registry, now)
    planned = _plan_deliveries(due_now, chosen, verified, skip, now, result, to_update, to_delete)
    languages = {row.recipient_id: row.recipient.language for row, _, _ in due_now}
    email_ids = _write_deliveries(planned, registry, now, result, languages) if planned else []
    if to_update:
        _save_moved(to_update, now)
    if to_delete:
        result.removed += len(to_delete)
        Reminder.objects.filter(pk__in=to_delete).delete()
    return sorted(email_ids)


def _batch_facts(rows, registry):
    """(subjects by kind and id, chosen channels by (recipient, kind), verified recipients): one query a kind."""
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    subjects = {key: registry[key].load_for(group) for key, group in by_kind.items() if key in registry}
    chosen = {
        (row.recipient_id, row.kind): (row.chosen_email, row.chosen_in_app)
        for row in rows
        if row.chosen_email is not None
    }
    verified = {row.recipient_id for row in rows if row.verified_email}
    return subjects, chosen, verified


def _follow_the_data(rows, registry, subjects, now, result, to_update, to_delete):
    """Step 2: [(row, kind, subject)] still due now; rows gone or moved later go to to_delete or to_update."""
    due_now = []
    for row in rows:
        kind = registry.get(row.kind)
        subject = subjects.get(row.kind, {}).get(row.subject_id, MISSING)
        gone = kind is None or subject is MISSING or not row.recipient.is_active
        fresh = None if gone else kind.next_occurrence(row.recipient, subject, row.occurs_at - ONE_TICK)
        if fresh is None:
            to_delete.append(row.pk)
            continue
        if (fresh.key, fresh.occurs_at) != (row.occurrence, row.occurs_at):
            # The subject changed since the row was computed: follow the data.
            _set_occurrence(row, fresh)
            if fresh.occurs_at > now:
                to_update.append(row)
                result.rescheduled += 1
                continue
        due_now.append((row, kind, subject))
    return due_now


def _kind_skip_reasons(due_now, registry, now):
    """{row id: skip reason} from each kind's own facts, one query a kind."""
    skip = {}
    by_kind_due = defaultdict(list)
    for row, kind, _ in due_now:
        by_kind_due[kind.key].append(row)
    for key, group in by_kind_due.items():
        skip.update(registry[key].skip_reasons(group, now))
    return skip


def _plan_deliveries(due_now, chosen, verified, skip, now, result, to_update, to_delete):
    """Step 3's plan: {once-only key: (Delivery fields, kind, subject)}; each row held or moved on (step 4)."""
    planned = {}
    for row, kind, subject in due_now:
        recipient = row.recipient
        by_email, in_app = channels(recipient, kind, chosen)
        by_email = by_email and recipient.pk in verified
        reason = None
        if row.expires_at < now:
            reason = Delivery.SkipReason.MISSED
        elif recipient.reminders_paused(now):
            reason = Delivery.SkipReason.PAUSED
        elif row.pk in skip:
            reason = skip[row.pk]
        elif not (by_email or in_app):
            reason = Delivery.SkipReason.OPTED_OUT
        elif recipient.in_quiet_hours(now):
            # Held, not dropped: it goes out when quiet hours end, unless it is stale by then.
            row.due_at = recipient.quiet_hours_end_after(now)
            to_update.append(row)
            result.held += 1
            continue
        if reason:
            delivery = {"status": Delivery.Status.SKIPPED, "skip_reason": reason}
        else:
            delivery = {
                "status": Delivery.Status.PENDING if by_email else Delivery.Status.SENT,
                "by_email": by_email,
                "in_app": in_app,
                "next_attempt_at": now if by_email else None,
                "sent_at": None if by_email else now,
            }
        planned[(row.recipient_id, row.kind, row.subject_id, row.occurrence)] = (delivery, kind, subject)

        upcoming = kind.next_occurrence(recipient, subject, max(now, row.occurs_at))
        if upcoming is None:
            to_delete.append(row.pk)
        else:
            _set_occurrence(row, upcoming)
            to_update.append(row)
    return planned


def _write_deliveries(planned, registry, now, result, languages):
    """Insert the planned deliveries and their in-app notifications, each in its recipient's language
    (`languages`, {recipient id: language}); returns the ids of those to email."""
    email_ids = []
    notes = []
    delivered = defaultdict(list)
    for delivery in _insert_deliveries(planned, now):
        _, kind, subject = planned[(delivery.recipient_id, delivery.kind, delivery.subject_id, delivery.occurrence)]
        if delivery.status == Delivery.Status.SKIPPED:
            result.skipped += 1
            continue
        result.sent += 1
        delivered[kind.key].append((delivery, subject))
        if delivery.in_app:
            notes.append((delivery, message_in(languages.get(delivery.recipient_id), kind, delivery, subject)))
        if delivery.by_email:
            email_ids.append(delivery.pk)
    add_notifications(notes, now)
    for key, items in delivered.items():
        registry[key].delivered(items, now)
    return email_ids


UNIQUE_KEY = ("recipient_id", "kind", "subject_id", "occurrence")  # a Delivery's once-only key


def _insert_deliveries(planned, now):
    """Insert the planned deliveries; return those this run inserted.

    `planned` is {(recipient id, kind, subject id, occurrence): ({field: value}, kind, subject)}.
    An occurrence a racing dispatcher (or an earlier run) already wrote is left alone
    (ignore_conflicts) and not returned: this run's rows carry its token, so only that
    run counts, notifies and emails it.
    """
    token = uuid.uuid4()
    deliveries = {
        key: Delivery(**dict(zip(UNIQUE_KEY, key, strict=True)), **values, dispatch_token=token, created_at=now)
        for key, (values, _, _) in planned.items()
    }
    Delivery.objects.bulk_create(deliveries.values(), ignore_conflicts=True)
    inserted = Delivery.objects.filter(
        recipient_id__in={key[0] for key in deliveries}, dispatch_token=token
    ).values_list("pk", *UNIQUE_KEY)
    found = []
    for pk, *key in inserted:
        delivery = deliveries[tuple(key)]
        delivery.pk = pk
        delivery._state.adding = False
        found.append(delivery)
    return found


MOVED_FIELDS = ["occurrence", "occurs_at", "expires_at", "due_at"]  # what _save_moved writes, with updated_at


def _save_moved(rows, now, chunk=500):
    """Write rows' new occurrences back, as Reminder.objects.bulk_update(rows, [*MOVED_FIELDS, "updated_at"])
    would with updated_at = now: one UPDATE … FROM (VALUES …) per `chunk` rows.

    Written out because bulk_update() builds a CASE of every row for each field: with it a
    dispatch of 20 000 due reminders took 14.4–15.8 s instead of 3.1–3.5 s (dispatch_bench.py
    --people 20000, the same machine and run; four fifths of it in bulk_update), which would
    miss the budget of 100 000 in 30 s. Linear, on PostgreSQL and SQLite (3.33+); a test
    holds it to bulk_update's rows (tests/notifications/test_notification_writes.py).
    """
    table = connection.ops.quote_name(Reminder._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            params = []
            for row in part:
                params += [row.pk, row.occurrence, adapt(row.occurs_at), adapt(row.expires_at), adapt(row.due_at)]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(part))
            # Only our table name and placeholders are interpolated; the values travel as parameters.
            sql = (
                f"UPDATE {table} SET occurrence = v.column2, occurs_at = v.column3, expires_at = v.column4,"  # noqa: S608
                f" due_at = v.column5, updated_at = %s FROM (VALUES {values}) AS v WHERE {table}.id = v.column1"
            )
            cursor.execute(sql, [adapt(now), *params])


def release_held(now=None, enqueue=None, limit=10_000):
    """Queue the emails of event notifications that notify() held through quiet hours, once they end.

    Racing dispatchers skip each other's locked rows, so each email is queued by one of them
    (and should two ever queue it, the send's claim lets one through).
    """
    now = now or timezone.now()
    enqueue = enqueue or announce
    held = Delivery.objects.filter(status=Delivery.Status.HELD, next_attempt_at__lte=now)
    if not held.exists():  # the usual minute: one indexed look, no transaction
        return 0
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            held = held.select_for_update(skip_locked=True)
        ids = list(held.values_list("pk", flat=True)[:limit])
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING)
    if ids:
        enqueue(ids)
    return len(ids)


def requeue_stalled(now=None, enqueue=None, limit=10_000):
    """Send tasks again for deliveries whose task was lost (a crashed dispatch, a dead worker).

    A claim older than the lease belonged to a worker that is gone (the lease
    outlasts the task time limit), so it is released; each re-queued row gets a
    fresh timestamp so it is not re-queued again for another lease.
    """
    now = now or timezone.now()
    enqueue = enqueue or announce
    ids = list(Delivery.objects.stalled(now, lease()).values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    Delivery.objects.stalled(now, lease()).filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, next_attempt_at=now, claimed_at=None
    )
    enqueue(ids)
    return len(ids)


def waiting_since(now=None):
    """When the engine's oldest due work began to wait for the dispatch, or None: a part of /healthz
    (settings.HEALTHZ_LAGS).

    A due reminder waits for the next dispatch (every minute), a delivery whose send task was lost for the
    dispatch to queue it again once its lease has run out. Either waiting long means the dispatch is not
    running or not keeping up. Rows a dispatch holds locked count as waiting until its batch commits: the
    look takes no lock, so it never slows the dispatch.
    """
    now = now or timezone.now()
    times = (Reminder.objects.waiting_since(now), Delivery.objects.stalled_since(now, lease()))
    return min((at for at in times if at is not None), default=None)


# Keeping rows current --------------------------------------------------------


def _upsert(kind, recipient, subject, now):
    """Keep the one row for (kind, subject, recipient) on its next occurrence; True if there is one.

    An UPDATE first, an INSERT only for a new row: update_or_create's SELECT … FOR UPDATE
    and savepoint cost a contact logged four round trips more than this. A racing insert of
    the same row (the unique constraint) leaves that row to be brought up to date instead.
    """
    occurrence = kind.next_occurrence(recipient, subject, now - kind.catch_up(subject))
    rows = Reminder.objects.filter(kind=kind.key, subject_id=subject.pk, recipient=recipient)
    if occurrence is None:
        rows.delete()
        return False
    values = {
        "occurrence": occurrence.key,
        "occurs_at": occurrence.occurs_at,
        "expires_at": occurrence.expires_at,
        "due_at": occurrence.occurs_at,
        "updated_at": now,
    }
    if rows.update(**values):
        return True
    try:
        with transaction.atomic():
            Reminder.objects.create(kind=kind.key, subject_id=subject.pk, recipient=recipient, **values)
    except IntegrityError:
        rows.update(**values)
    return True


def refresh_subjects(kind_key, subject_ids, now=None):
    """Recompute the rows of these subjects of one kind from their current data."""
    kind = get_kind(kind_key)
    if kind is None or not kind.scheduled:
        return
    now = now or timezone.now()
    subject_ids = set(subject_ids)
    loaded = kind.load(subject_ids)
    eligible = set(kind.eligible().filter(pk__in=list(loaded)).values_list("pk", flat=True))
    # One transaction for the lot: each update_or_create and delete would otherwise be its own.
    with transaction.atomic():
        for subject_id in subject_ids:
            subject = loaded.get(subject_id)
            keep = []
            if subject is not None and subject_id in eligible:
                for recipient in kind.recipients(subject):
                    if _upsert(kind, recipient, subject, now):
                        keep.append(recipient.pk)
            Reminder.objects.filter(kind=kind_key, subject_id=subject_id).exclude(recipient_id__in=keep).delete()


def refresh_person(user, now=None):
    """After a change to a person's zone, times or pause: recompute all their rows."""
    now = now or timezone.now()
    for key, kind in kinds().items():
        subject_ids = set(Reminder.objects.filter(recipient=user, kind=key).values_list("subject_id", flat=True))
        subject_ids.update(kind.subjects_for(user))
        if subject_ids:
            refresh_subjects(key, subject_ids, now)


def reconcile(now=None, batch_size=1000):
    """Add rows for eligible subjects that have none, remove rows whose subject no longer qualifies.

    Set-based: each kind's missing and stale subjects come from anti-joins, and
    only those are computed. Returns {kind: (added, removed)}.
    """
    now = now or timezone.now()
    report = {}
    for key, kind in kinds().items():
        if not kind.scheduled:
            continue
        has_row = Reminder.objects.filter(kind=key, subject_id=OuterRef("pk"))
        # One anti-join for all the missing ids (a LIMIT per batch would rescan the table each time).
        missing = list(kind.eligible().filter(~Exists(has_row)).order_by("pk").values_list("pk", flat=True))
        added = 0
        for start in range(0, len(missing), batch_size):
            new_rows = []
            for subject in kind.load(missing[start : start + batch_size]).values():
                for recipient in kind.recipients(subject):
                    occurrence = kind.next_occurrence(recipient, subject, now - kind.catch_up(subject))
                    if occurrence:
                        row = Reminder(kind=key, subject_id=subject.pk, recipient=recipient)
                        _set_occurrence(row, occurrence)
                        new_rows.append(row)
            Reminder.objects.bulk_create(new_rows, ignore_conflicts=True, batch_size=1000)
            added += len(new_rows)
        still_eligible = kind.eligible().filter(pk=OuterRef("subject_id"))
        removed, _ = Reminder.objects.filter(kind=key).filter(~Exists(still_eligible)).delete()
        report[key] = (added, removed)
    return report


def upcoming_for(user, limit=10):
    """The person's next reminders, soonest first, for the preferences page: [(kind key, due at)]."""
    return list(Reminder.objects.filter(recipient=user).order_by("due_at").values_list("kind", "due_at")[:limit])


def set_channels(user, kind_key, *, by_email=None, in_app=None):
    """Save one person's channels for a kind; when that decides whether they hear at all, their rows follow."""
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
        transaction.on_commit(lambda: refresh_subjects(kind_key, subject_ids), robust=True)
