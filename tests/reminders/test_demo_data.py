"""seed_demo makes reminders arrive within minutes of starting the app."""

import datetime as dt

import pytest
from django.utils import timezone

from recovery_network import demo
from recovery_network.models import Delivery, Notification, Reminder
from recovery_network.reminders import dispatch

pytestmark = pytest.mark.django_db


def test_seeded_cast_gets_a_nudge_now_and_a_checkin_reminder_within_minutes(
    django_capture_on_commit_callbacks, enqueued
):
    now = timezone.now()
    queued = []
    with django_capture_on_commit_callbacks(execute=True):
        cast, _ = demo.seed(now=now)
    owner, family = cast["owner"], cast["family"]

    nudge = Notification.objects.get(recipient=owner, kind="reach_out")
    assert nudge.action_label == "I reached out"
    nudge_delivery = Delivery.objects.get(recipient=owner, kind="reach_out")
    assert nudge_delivery.status == "pending" and enqueued == [nudge_delivery.pk]  # its email goes to the worker

    for person in (owner, family):
        row = Reminder.objects.get(recipient=person, kind="checkin")
        assert now < row.due_at <= now + dt.timedelta(minutes=3)
    # The owner's network and journey have their reminder rows too.
    assert {"checkin", "milestone", "reach_out"} <= set(
        Reminder.objects.filter(recipient=owner).values_list("kind", flat=True)
    )

    result = dispatch(now=now + dt.timedelta(minutes=3), enqueue=queued.extend)
    assert Notification.objects.filter(recipient=family, kind="checkin").count() == 1
    assert Delivery.objects.get(recipient=owner, kind="checkin").skip_reason == "checked_in"
    assert result.sent >= 1 and queued


def test_seeding_twice_sends_no_second_nudge(django_capture_on_commit_callbacks):
    now = timezone.now()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            demo.seed(now=now)
    assert Notification.objects.filter(kind="reach_out").count() == 1
