"""Checking in answers that day's "Time for your check-in": it no longer shows as new."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from milestones.models import CheckIn
from recovery_network.models import User
from recovery_network.notifications import delivery
from recovery_network.notifications.models import Notification
from tests.milestones.factories import JourneyFactory

pytestmark = pytest.mark.django_db

NOON_IN_CHICAGO = dt.datetime(2026, 3, 30, 17, 0, tzinfo=dt.UTC)


def remind(owner, day):
    """The check-in reminder for `day`, as the dispatch leaves it: a delivery and an unread notification."""
    sent = delivery.notify(owner, "checkin", owner, day.isoformat(), enqueue=[].extend)
    return Notification.objects.get(delivery=sent)


def unread_count(user):
    return User.objects.get(pk=user.pk).unread_notifications


def test_checking_in_marks_that_days_check_in_notification_read(
    owner, owner_client, django_capture_on_commit_callbacks
):
    JourneyFactory(owner=owner)
    with time_machine.travel(NOON_IN_CHICAGO, tick=False):
        note = remind(owner, dt.date(2026, 3, 30))
        assert unread_count(owner) == 1
        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(reverse("milestones:checkin"), {"sober": "yes", "mood": "4"})
    assert response.status_code == 302 and CheckIn.objects.filter(owner=owner).exists()
    note.refresh_from_db()
    assert note.read_at is not None and unread_count(owner) == 0
    page = owner_client.get(reverse("notifications:index")).content.decode()
    assert "Time for your check-in" in page


def test_only_that_days_reminder_is_read_and_other_notifications_stay_new(owner, django_capture_on_commit_callbacks):
    yesterday, today = dt.date(2026, 3, 29), dt.date(2026, 3, 30)
    earlier = remind(owner, yesterday)
    todays = remind(owner, today)
    other = Notification.objects.create(recipient=owner, kind="milestone", title="30 days today — well done")
    User.objects.filter(pk=owner.pk).update(unread_notifications=3)
    with django_capture_on_commit_callbacks(execute=True):
        CheckIn.objects.create(owner=owner, local_date=today, sober="yes")
    for note in (earlier, todays, other):
        note.refresh_from_db()
    assert todays.read_at is not None
    assert earlier.read_at is None and other.read_at is None
    assert unread_count(owner) == 2


def test_someone_elses_check_in_reads_none_of_mine(owner, stranger, django_capture_on_commit_callbacks):
    mine = remind(owner, dt.date(2026, 3, 30))
    with django_capture_on_commit_callbacks(execute=True):
        CheckIn.objects.create(owner=stranger, local_date=dt.date(2026, 3, 30), sober="yes")
    mine.refresh_from_db()
    assert mine.read_at is None and unread_count(owner) == 1


def test_a_notification_already_read_keeps_when_it_was_read(owner, django_capture_on_commit_callbacks):
    note = remind(owner, dt.date(2026, 3, 30))
    owner.refresh_from_db()  # its unread count, as a request would read it
    delivery.mark_read(owner, [note.pk], now=NOON_IN_CHICAGO)
    with django_capture_on_commit_callbacks(execute=True):
        CheckIn.objects.create(owner=owner, local_date=dt.date(2026, 3, 30), sober="yes")
    note.refresh_from_db()
    assert note.read_at == NOON_IN_CHICAGO and unread_count(owner) == 0


def test_the_reminder_is_read_only_once_the_check_in_is_committed(owner, django_capture_on_commit_callbacks):
    note = remind(owner, dt.date(2026, 3, 30))
    with django_capture_on_commit_callbacks() as callbacks:
        CheckIn.objects.create(owner=owner, local_date=dt.date(2026, 3, 30), sober="yes")
    note.refresh_from_db()
    assert note.read_at is None and len(callbacks) >= 1
