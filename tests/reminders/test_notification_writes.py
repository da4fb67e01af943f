"""The dispatch writes notifications with SQL of its own: whatever a message says is stored as written."""

import datetime as dt

import pytest

from recovery_network import notifications
from recovery_network.models import Delivery, Notification, User
from recovery_network.notifications import Message

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
    notifications.add_notifications(list(zip(deliveries, messages, strict=True)), NOW)

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
    from recovery_network.bulk import insert_rows

    names = ["recipient_id", "kind", "subject_id", "occurrence", "status", "skip_reason", "by_email", "in_app"]
    names += ["attempts", "last_error", "next_attempt_at", "created_at"]
    rows = [[owner.pk, "checkin", owner.pk, day, "pending", "", True, True, 0, "", NOW, NOW] for day in ("d1", "d2")]
    returning = ("id", "occurrence")
    first = insert_rows(Delivery, names, rows, returning=returning, ignore_conflicts=True)
    assert sorted(occurrence for _, occurrence in first) == ["d1", "d2"]
    rows.append([owner.pk, "checkin", owner.pk, "d3", "sent", "", False, True, 0, "", None, NOW])
    again = insert_rows(Delivery, names, rows, returning=returning, ignore_conflicts=True)
    assert [occurrence for _, occurrence in again] == ["d3"]
    assert Delivery.objects.get(occurrence="d3").next_attempt_at is None
    assert Delivery.objects.get(occurrence="d1").next_attempt_at == NOW
