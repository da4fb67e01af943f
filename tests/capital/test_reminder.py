"""The monthly invitation to the check-up: due in the person's own calendar, sent once per due date, moved on by
a check-up, and only ever to a person in recovery."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from recovery_network.capital import schedule
from recovery_network.models import User
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.dispatch import reconcile, refresh_person, refresh_subjects
from recovery_network.notifications.models import Delivery, Notification, Reminder
from recovery_network.notifications.registry import get_kind
from tests.capital.factories import CapitalCheckFactory
from tests.milestones.factories import JourneyFactory
from tests.notifications.conftest import chicago

pytestmark = pytest.mark.django_db

EVENING = dt.time(20, 30)
KIND = "capital_check"


def new_york(*args):
    return dt.datetime(*args, tzinfo=ZoneInfo("America/New_York")).astimezone(dt.UTC)


@pytest.fixture
def person(owner):
    """Olive in Chicago, in recovery: check-in time 20:30, account made on 1 March 2026 (local)."""
    JourneyFactory(owner=owner, started_on=dt.date(2025, 11, 1))
    User.objects.filter(pk=owner.pk).update(checkin_time=EVENING, date_joined=chicago(2026, 3, 1, 9))
    owner.refresh_from_db()
    return owner


def row(user):
    return Reminder.objects.get(recipient=user, kind=KIND)


def test_the_first_invitation_comes_a_week_after_the_account_was_made(person):
    refresh_person(person, now=chicago(2026, 3, 2, 12))
    assert (row(person).occurrence, row(person).due_at) == ("2026-03-08", chicago(2026, 3, 8, 20, 30))


def test_the_account_date_is_the_persons_local_date(person):
    # 22:00 on 30 April in Chicago is already 1 May in UTC: the week counts from 30 April.
    User.objects.filter(pk=person.pk).update(date_joined=dt.datetime(2026, 5, 1, 3, 0, tzinfo=dt.UTC))
    person.refresh_from_db()
    refresh_person(person, now=chicago(2026, 5, 1, 12))
    assert row(person).occurrence == "2026-05-07"


def test_due_thirty_days_after_the_last_check_up_at_the_check_in_time(person):
    CapitalCheckFactory(owner=person, taken_on=dt.date(2026, 5, 2))
    refresh_person(person, now=chicago(2026, 5, 2, 12))
    assert (row(person).occurrence, row(person).due_at) == ("2026-06-01", chicago(2026, 6, 1, 20, 30))


def test_sent_exactly_once_for_a_due_date_however_often_the_dispatch_runs(person, dispatch, enqueued):
    CapitalCheckFactory(owner=person, taken_on=dt.date(2026, 5, 2))
    refresh_person(person, now=chicago(2026, 5, 2, 12))
    assert dispatch(chicago(2026, 6, 1, 20, 29)).sent == 0
    assert dispatch(chicago(2026, 6, 1, 20, 30)).sent >= 1
    for again in (chicago(2026, 6, 1, 20, 30), chicago(2026, 6, 1, 20, 31), chicago(2026, 6, 2, 9, 0)):
        dispatch(again)
    delivery = Delivery.objects.get(kind=KIND)
    assert (delivery.occurrence, delivery.status, delivery.recipient) == ("2026-06-01", "pending", person)
    assert delivery.pk in enqueued
    # Left unanswered, it is offered again a month on, not every day.
    assert row(person).occurrence == "2026-07-01"


def test_a_second_row_for_the_same_due_date_cannot_send_it_again(person, dispatch):
    CapitalCheckFactory(owner=person, taken_on=dt.date(2026, 5, 2))
    refresh_person(person, now=chicago(2026, 5, 2, 12))
    dispatch(chicago(2026, 6, 1, 20, 30))
    # As if a stale worker had moved the row back to that due date.
    Reminder.objects.filter(kind=KIND).update(occurrence="2026-06-01", due_at=chicago(2026, 6, 1, 20, 30))
    dispatch(chicago(2026, 6, 1, 20, 45))
    assert Delivery.objects.filter(kind=KIND).count() == 1
    assert Notification.objects.filter(delivery__kind=KIND).count() == 1


def test_saving_a_check_up_moves_the_next_invitation_on(person, django_capture_on_commit_callbacks, dispatch):
    refresh_person(person, now=chicago(2026, 3, 2, 12))
    assert row(person).occurrence == "2026-03-08"
    with time_machine.travel(chicago(2026, 3, 5, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        CapitalCheckFactory(owner=person, taken_on=dt.date(2026, 3, 5))  # answered early, unprompted
    assert row(person).occurrence == "2026-04-04"
    assert dispatch(chicago(2026, 3, 8, 20, 30)).sent == 0
    assert not Delivery.objects.filter(kind=KIND).exists()


def test_a_check_up_saved_on_the_due_day_before_the_time_means_no_invitation(person, dispatch):
    CapitalCheckFactory(owner=person, taken_on=dt.date(2026, 5, 2))
    refresh_person(person, now=chicago(2026, 5, 2, 12))
    CapitalCheckFactory(owner=person, taken_on=dt.date(2026, 6, 1))  # no signal: the dispatch checks fresh data
    dispatch(chicago(2026, 6, 1, 20, 30))
    assert not Delivery.objects.filter(kind=KIND).exists()
    assert row(person).occurrence == "2026-07-01"


def test_the_due_time_keeps_to_the_wall_clock_across_new_yorks_spring_change(person):
    User.objects.filter(pk=person.pk).update(time_zone="America/New_York", checkin_time=dt.time(20, 0))
    person.refresh_from_db()
    CapitalCheckFactory(owner=person, taken_on=dt.date(2026, 2, 6))  # due 8 March, the day clocks go forward
    refresh_person(person, now=new_york(2026, 2, 6, 12))
    assert row(person).occurrence == "2026-03-08"
    assert row(person).due_at == dt.datetime(2026, 3, 9, 0, 0, tzinfo=dt.UTC)  # 20:00 EDT (UTC−4)
    kind = get_kind(KIND)
    subject = kind.load([person.pk])[person.pk]
    april = kind.next_occurrence(person, subject, row(person).due_at)
    assert (april.key, april.occurs_at) == ("2026-04-07", dt.datetime(2026, 4, 8, 0, 0, tzinfo=dt.UTC))


def test_someone_who_only_supports_others_is_never_invited(person, family):
    refresh_person(family, now=chicago(2026, 3, 2, 12))
    reconcile(now=chicago(2026, 3, 2, 12))
    assert list(Reminder.objects.filter(kind=KIND).values_list("recipient", flat=True)) == [person.pk]


def test_a_first_journey_starts_the_invitations(owner, django_capture_on_commit_callbacks):
    User.objects.filter(pk=owner.pk).update(date_joined=chicago(2026, 3, 1, 9))
    refresh_person(owner, now=chicago(2026, 3, 2, 12))
    assert not Reminder.objects.filter(kind=KIND).exists()  # no journey yet: not asked about one
    with time_machine.travel(chicago(2026, 3, 2, 12), tick=False), django_capture_on_commit_callbacks(execute=True):
        JourneyFactory(owner=owner, started_on=dt.date(2026, 2, 1))
    assert row(owner).occurrence == "2026-03-08"


def test_a_person_whose_journeys_are_gone_is_dropped_when_due(person, dispatch):
    refresh_person(person, now=chicago(2026, 3, 2, 12))
    assert row(person).occurrence == "2026-03-08"
    User.objects.filter(pk=person.pk).update(has_journey=False)  # as a bulk delete of their journeys leaves it
    dispatch(chicago(2026, 3, 8, 20, 30))
    assert not Delivery.objects.filter(kind=KIND).exists()
    assert not Reminder.objects.filter(kind=KIND).exists()


def test_the_invitation_is_discreet(person, dispatch, enqueued, settings):
    refresh_person(person, now=chicago(2026, 3, 2, 12))
    dispatch(chicago(2026, 3, 8, 20, 30))
    note = Notification.objects.get(delivery__kind=KIND)
    said = f"{note.title} {note.body}".lower()
    assert note.title == "Your monthly check-up is ready"
    assert not any(word in said for word in ("capital", "score", "barc", "recovery", "remission", "47"))
    assert note.url == reverse("capital:new")
    for delivery_id in enqueued:
        send_delivery(delivery_id, now=chicago(2026, 3, 8, 20, 31))
    assert [message.subject for message in mail.outbox] == [settings.REMINDER_EMAIL_SUBJECT]


def test_the_reminder_settings_offer_it_to_a_person_in_recovery_only(owner_client, family_client):
    assert (
        "<legend>Monthly check-up</legend>" in owner_client.get(reverse("notifications:preferences")).content.decode()
    )
    assert "Monthly check-up" not in family_client.get(reverse("notifications:preferences")).content.decode()


@pytest.mark.parametrize(
    ("last", "today", "expected"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 20), dt.date(2026, 1, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 1, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 2)),
        (None, dt.date(2026, 1, 2), dt.date(2026, 1, 8)),
    ],
)
def test_due_dates_come_every_thirty_days_while_one_waits(last, today, expected):
    assert next(schedule.due_dates_from(last, dt.date(2026, 1, 1), today)) == expected


def test_a_closed_account_loses_its_invitation(person):
    refresh_person(person, now=chicago(2026, 3, 2, 12))
    User.objects.filter(pk=person.pk).update(is_active=False)
    refresh_subjects(KIND, [person.pk], now=chicago(2026, 3, 2, 13))
    assert not Reminder.objects.filter(kind=KIND).exists()
