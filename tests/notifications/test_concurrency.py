"""Racing dispatchers and racing senders on PostgreSQL: every reminder still goes out exactly once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from recovery_network.models import User
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.models import Delivery, Notification, Reminder
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def in_threads(count, work):
    """Run work(index) in `count` threads released together; return their results."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_two_dispatchers_at_once_deliver_each_reminder_once():
    now = timezone.now().replace(microsecond=0)
    people = UserFactory.create_batch(300, time_zone="UTC", quiet_hours_start=None, quiet_hours_end=None)
    User.objects.filter(pk__in=[p.pk for p in people]).update(
        checkin_time=(now - dt.timedelta(minutes=1)).time(), has_journey=True
    )
    Reminder.objects.all().delete()
    reminders.reconcile(now=now - dt.timedelta(minutes=2))
    assert Reminder.objects.due(now).count() == 300

    queued = [[], [], []]
    results = in_threads(3, lambda i: reminders.dispatch(now=now, enqueue=queued[i].extend, batch_size=50))

    assert sum(result.sent for result in results) == 300
    assert Delivery.objects.count() == Notification.objects.count() == 300
    all_queued = queued[0] + queued[1] + queued[2]
    assert len(all_queued) == len(set(all_queued)) == 300
    assert not Reminder.objects.due(now).exists()
    assert set(User.objects.filter(pk__in=[p.pk for p in people]).values_list("unread_notifications", flat=True)) == {1}


def test_two_workers_sending_the_same_delivery_send_one_email():
    owner = UserFactory()
    delivery = Delivery.objects.create(
        recipient=owner, kind="checkin", subject_id=owner.pk, occurrence="2026-06-01", by_email=True
    )
    outcomes = in_threads(4, lambda i: send_delivery(delivery.pk).status)
    # The losers either saw the claim held ("held", retried later) or found it already sent.
    assert set(outcomes) <= {"sent", "held"}
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
