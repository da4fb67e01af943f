"""The dispatch's bulk writes: whatever a message says is stored as written, and a run gets back only the
deliveries it inserted itself."""

import datetime as dt

import pytest

from recovery_network.models import User
from recovery_network.notifications import delivery as sending
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.models import Delivery, Notification, Reminder
from recovery_network.notifications.registry import Message

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
AWKWARD = 'She wrote "well done" \\o/ {a,b} NULL, ünïcode — “quotes”,\nand a new line\\'


def test_awkward_text_is_stored_exactly_and_counted_once_per_note(owner, family):
    deliveries = [
        Delivery.objects.create(recipient=person, kind="encouragement", subject_id=7, occurrence=occurrence)
        for person, occurrence in ((owner, "e1"), (owner, "e2"), (family, "e3"))
    ]
    messages = [
        Message(title="NULL", body=AWKWARD, url="/a,b}", action_url="", action_label='"'),
        Message(title=AWKWARD[:200], body=""),
        Message(title="{}", body="NULL"),
    ]
    sending.add_notifications(list(zip(deliveries, messages, strict=True)), NOW)

    stored = {
        note.delivery_id: (note.recipient_id, note.kind, note.title, note.body, note.url, note.action_label)
        for note in Notification.objects.all()
    }
    assert stored == {
        deliveries[0].pk: (owner.pk, "encouragement", "NULL", AWKWARD, "/a,b}", '"'),
        deliveries[1].pk: (owner.pk, "encouragement", AWKWARD[:200], "", "", ""),
        deliveries[2].pk: (family.pk, "encouragement", "{}", "NULL", "", ""),
    }
    assert set(Notification.objects.values_list("created_at", flat=True)) == {NOW}
    unread = dict(User.objects.values_list("pk", "unread_notifications"))
    assert (unread[owner.pk], unread[family.pk]) == (2, 1)


def test_deliveries_inserted_twice_come_back_only_the_first_time(owner):
    from recovery_network.notifications.dispatch import _insert_deliveries

    pending = {"status": "pending", "by_email": True, "in_app": True, "next_attempt_at": NOW}
    planned = {(owner.pk, "checkin", owner.pk, day): (pending, None, None) for day in ("d1", "d2")}
    first = _insert_deliveries(planned, NOW)
    assert sorted(delivery.occurrence for delivery in first) == ["d1", "d2"]
    assert {delivery.pk for delivery in first} == set(Delivery.objects.values_list("pk", flat=True))
    planned[(owner.pk, "checkin", owner.pk, "d3")] = ({"status": "sent", "in_app": True}, None, None)
    again = _insert_deliveries(planned, NOW)
    assert [delivery.occurrence for delivery in again] == ["d3"]
    assert again[0].pk == Delivery.objects.get(occurrence="d3").pk
    assert Delivery.objects.get(occurrence="d3").next_attempt_at is None
    assert Delivery.objects.get(occurrence="d1").next_attempt_at == NOW


def test_rows_moved_on_hold_what_bulk_update_would_write(owner, family):
    """The dispatch moves its rows on with an UPDATE of its own (reminders._save_moved, for speed): the same
    rows as the ORM's bulk_update, odd text and instants in another zone included."""
    from zoneinfo import ZoneInfo

    from recovery_network.notifications.dispatch import MOVED_FIELDS, _save_moved
    from recovery_network.notifications.models import Reminder

    def rows(kind):
        return [
            Reminder.objects.create(
                recipient=person,
                kind=kind,
                subject_id=subject,
                occurrence="o",
                occurs_at=NOW,
                expires_at=NOW,
                due_at=NOW,
            )
            for person in (owner, family)
            for subject in (1, 2)
        ]

    auckland = ZoneInfo("Pacific/Auckland")
    later = NOW + dt.timedelta(days=1, microseconds=7)
    ours, orms = rows("checkin"), rows("meeting")
    for batch in (ours, orms):
        for index, row in enumerate(batch):
            row.occurrence = f"2026-06-0{index + 2} '{AWKWARD[:20]}'"
            row.occurs_at = dt.datetime(
                2026, 9, 27, 2, 30 + index, 5, 123456, tzinfo=auckland
            )  # the night NZ springs forward
            row.expires_at = row.occurs_at + dt.timedelta(hours=3)
            row.due_at = row.occurs_at + dt.timedelta(minutes=index)
            row.updated_at = later
    _save_moved(ours, later, chunk=3)
    Reminder.objects.bulk_update(orms, [*MOVED_FIELDS, "updated_at"])

    def stored(kind):
        return list(
            Reminder.objects.filter(kind=kind)
            .order_by("recipient_id", "subject_id")
            .values_list(*MOVED_FIELDS, "updated_at")
        )

    assert stored("checkin") == stored("meeting")
    assert stored("checkin")[0][0].endswith(AWKWARD[:20] + "'") and stored("checkin")[0][4] == later


def _rows():
    return {
        (row.kind, row.subject_id, row.recipient_id): (row.occurrence, row.occurs_at, row.expires_at, row.due_at)
        for row in Reminder.objects.all()
    }


def test_keeping_reminder_rows_current_leaves_what_update_or_create_would(owner, monkeypatch):
    """reminders._upsert (an UPDATE, then an INSERT for a new row) against the standard it replaces."""
    from supports.models import Supporter
    from tests.supports.factories import SupporterFactory

    supporters = [
        SupporterFactory(owner=owner, closeness=1, contact_every_days=days, created_at=NOW - dt.timedelta(days=40))
        for days in (7, 14, 30)
    ]
    ids = [supporter.pk for supporter in supporters]

    def standard(kind, recipient, subject, now):
        occurrence = kind.next_occurrence(recipient, subject, now - kind.catch_up(subject))
        if occurrence is None:
            Reminder.objects.filter(kind=kind.key, subject_id=subject.pk, recipient=recipient).delete()
            return None
        return Reminder.objects.update_or_create(
            kind=kind.key,
            subject_id=subject.pk,
            recipient=recipient,
            defaults={
                "occurrence": occurrence.key,
                "occurs_at": occurrence.occurs_at,
                "expires_at": occurrence.expires_at,
                "due_at": occurrence.occurs_at,
            },
        )[0]

    outcomes = []
    for upsert in (standard, reminders._upsert):
        Reminder.objects.all().delete()
        monkeypatch.setattr(reminders, "_upsert", upsert)
        steps = []
        reminders.refresh_subjects("reach_out", ids, now=NOW)  # new rows
        steps.append(_rows())
        Supporter.objects.filter(pk=ids[0]).update(contact_every_days=30)
        Supporter.objects.filter(pk=ids[1]).update(contact_every_days=None)  # no longer reminded
        reminders.refresh_subjects("reach_out", ids, now=NOW + dt.timedelta(days=3))  # moved, removed, kept
        steps.append(_rows())
        Supporter.objects.filter(pk=ids[0]).update(contact_every_days=7)
        Supporter.objects.filter(pk=ids[1]).update(contact_every_days=14)
        outcomes.append(steps)
    assert outcomes[0] == outcomes[1]
    assert len(outcomes[1][0]) == 3 and len(outcomes[1][1]) == 2


def test_a_reminder_row_inserted_by_a_racing_refresh_is_brought_up_to_date(owner, monkeypatch):
    from tests.supports.factories import SupporterFactory

    supporter = SupporterFactory(owner=owner, closeness=1, contact_every_days=7, created_at=NOW - dt.timedelta(days=3))
    real_update = type(Reminder.objects.all()).update
    raced = []

    def update_after_a_racer_inserted(rows, **values):
        if not raced:  # our UPDATE finds nothing; meanwhile another refresh inserts the row
            raced.append(True)
            Reminder.objects.create(
                kind="reach_out",
                subject_id=supporter.pk,
                recipient=owner,
                occurrence="stale",
                occurs_at=NOW,
                expires_at=NOW,
                due_at=NOW,
            )
            return 0
        return real_update(rows, **values)

    monkeypatch.setattr(type(Reminder.objects.all()), "update", update_after_a_racer_inserted)
    reminders.refresh_subjects("reach_out", [supporter.pk], now=NOW)
    row = Reminder.objects.get(kind="reach_out", subject_id=supporter.pk)
    assert row.occurrence != "stale" and row.due_at == supporter.contact_due_at
