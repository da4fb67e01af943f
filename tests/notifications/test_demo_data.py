"""seed_demo makes reminders arrive within minutes of starting the app."""

import datetime as dt

import pytest
from django.utils import timezone

from recovery_network import demo
from recovery_network.notifications.dispatch import dispatch
from recovery_network.notifications.models import Delivery, Notification, Reminder

pytestmark = pytest.mark.django_db


def test_seeded_cast_gets_reminders_within_minutes(django_capture_on_commit_callbacks, enqueued):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        cast, _ = demo.seed(now=now)
    owner, family = cast["owner"], cast["family"]
    row = Reminder.objects.get(recipient=owner, kind="checkin")
    assert now < row.due_at <= now + dt.timedelta(minutes=3)
    # Sam supports Alex and has no journey of his own: no one asks him how his day went.
    assert not Reminder.objects.filter(recipient=family, kind="checkin").exists()
    # The owner's network and journey have their reminder rows too; the overdue inner circle is due now.
    kinds = set(Reminder.objects.filter(recipient=owner).values_list("kind", flat=True))
    assert {"checkin", "milestone", "meeting", "reach_out"} <= kinds
    assert Reminder.objects.filter(recipient=owner, kind="reach_out", due_at__lte=now).exists()

    queued = []
    dispatch(now=now + dt.timedelta(minutes=3), enqueue=queued.extend)
    nudge = Notification.objects.filter(recipient=owner, kind="reach_out").first()
    assert nudge is not None and nudge.action_label == "I reached out"
    assert not Notification.objects.filter(recipient=family, kind="checkin").exists()
    # The demo history leaves today's check-in open, so Alex's reminder arrives too.
    delivery = Delivery.objects.get(recipient=owner, kind="checkin")
    assert (delivery.status, delivery.skip_reason) == ("pending", "")
    assert Notification.objects.filter(recipient=owner, kind="checkin").count() == 1
    assert delivery.pk in queued


def test_settings_page_links_to_reminder_settings(owner_client):
    from django.urls import reverse

    body = owner_client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("notifications:preferences")}"' in body


def test_seeding_twice_sends_no_second_nudge(django_capture_on_commit_callbacks):
    now = timezone.now()
    for minutes in (0, 5):
        with django_capture_on_commit_callbacks(execute=True):
            demo.seed(now=now + dt.timedelta(minutes=minutes))
        dispatch(now=now + dt.timedelta(minutes=minutes + 3), enqueue=lambda ids: None)
    nudges = Notification.objects.filter(kind="reach_out").values_list("title", flat=True)
    assert len(nudges) == len(set(nudges)) >= 1
