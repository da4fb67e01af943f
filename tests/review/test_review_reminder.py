"""The quarterly reminder to review one's network: when it falls, once per due date, re-planned by a review."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.dispatch import reconcile, refresh_subjects
from recovery_network.notifications.models import Delivery, Notification, Reminder
from recovery_network.review import services
from recovery_network.review.models import NetworkReview
from tests.milestones.factories import JourneyFactory
from tests.notifications.conftest import chicago
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

KIND = "network_review"


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    ids = []
    monkeypatch.setattr("recovery_network.notifications.tasks.enqueue_deliveries", ids.extend)
    return ids


@pytest.fixture
def dispatch(enqueued):
    def run(now):
        return reminders.dispatch(now=now, enqueue=enqueued.extend)

    return run


def row_of(person):
    return Reminder.objects.get(recipient=person, kind=KIND)


def in_zone(zone, *args):
    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def finished_review(person, finished_at):
    review, _ = services.begin_review(person, finished_at - dt.timedelta(minutes=20))
    return services.finish_review(review, finished_at)


def test_the_first_comes_30_days_after_the_first_supporter_at_ten_and_only_once(owner, dispatch, enqueued):
    SupporterFactory(owner=owner, created_at=chicago(2026, 5, 2, 21, 0))
    refresh_subjects(KIND, [owner.pk], now=chicago(2026, 5, 3))
    row = row_of(owner)
    assert (row.occurrence, row.occurs_at) == ("2026-06-01", chicago(2026, 6, 1, 10, 0))

    assert dispatch(chicago(2026, 6, 1, 9, 59)).sent == 0
    assert dispatch(chicago(2026, 6, 1, 10, 0)).sent == 1
    assert dispatch(chicago(2026, 6, 1, 10, 0)).sent == 0  # a second beat in the same minute
    refresh_subjects(KIND, [owner.pk], now=chicago(2026, 6, 1, 10, 5))  # a supporter edited just after
    assert dispatch(chicago(2026, 6, 1, 10, 6)).sent == 0
    delivery = Delivery.objects.get(kind=KIND)
    assert (delivery.occurrence, delivery.subject_id) == ("2026-06-01", owner.pk)
    note = Notification.objects.get(kind=KIND)
    assert note.title == "Time for a look at your network" and note.url == reverse("review:start")
    # Not reviewed: asked again a quarter later, not the next day.
    assert row_of(owner).occurrence == "2026-08-31"


def test_finishing_a_review_plans_the_next_three_months_on(owner, dispatch):
    SupporterFactory(owner=owner, created_at=chicago(2026, 1, 2, 12, 0))
    refresh_subjects(KIND, [owner.pk], now=chicago(2026, 1, 3))
    assert row_of(owner).occurrence == "2026-02-01"
    finished_review(owner, chicago(2026, 1, 20, 19, 0))
    refresh_subjects(KIND, [owner.pk], now=chicago(2026, 1, 20, 19, 1))  # as the saved review's watch does
    assert row_of(owner).occurrence == "2026-04-21"  # 20 January + 91 days
    assert dispatch(chicago(2026, 2, 1, 10, 0)).sent == 0


def test_a_finished_review_replans_the_reminder_when_it_commits(owner, django_capture_on_commit_callbacks):
    SupporterFactory(owner=owner)
    review, _ = services.begin_review(owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.finish_review(review)
    review.refresh_from_db()
    assert row_of(owner).occurrence == (review.finished_on + dt.timedelta(days=91)).isoformat()


def test_a_due_date_missed_while_the_row_was_missing_is_told_within_its_week(owner, dispatch):
    SupporterFactory(owner=owner, created_at=chicago(2026, 1, 2, 12, 0))  # due 1 February
    reconcile(now=chicago(2026, 2, 4, 12, 0))
    assert row_of(owner).occurrence == "2026-02-01"
    assert dispatch(chicago(2026, 2, 4, 12, 1)).sent == 1
    assert row_of(owner).occurrence == "2026-05-03"
    # A week later it would not be news any more: the next quarter's.
    Reminder.objects.all().delete()
    reconcile(now=chicago(2026, 2, 9, 12, 0))
    assert row_of(owner).occurrence == "2026-05-03"


def test_only_people_in_recovery_with_a_network_get_it(owner, family, counselor):
    SupporterFactory(owner=family)  # supports someone, no journey of their own
    reconcile(now=chicago(2026, 6, 1))
    assert not Reminder.objects.filter(kind=KIND).exists()  # the owner has no one yet either
    supporter = SupporterFactory(owner=owner)
    JourneyFactory(owner=counselor)
    SupporterFactory(owner=counselor)  # a counselor in recovery themselves
    reconcile(now=chicago(2026, 6, 1))
    assert set(Reminder.objects.filter(kind=KIND).values_list("recipient", flat=True)) == {owner.pk, counselor.pk}
    supporter.archive()  # stepping back from the only person leaves no network to review
    reconcile(now=chicago(2026, 6, 1))
    assert set(Reminder.objects.filter(kind=KIND).values_list("recipient", flat=True)) == {counselor.pk}


@pytest.mark.parametrize(
    ("zone", "finished", "due", "at_utc"),
    [
        # New York springs forward on 8 March 2026: 10:00 is EDT (UTC-4), not EST.
        ("America/New_York", (2025, 12, 7, 18), "2026-03-08", dt.datetime(2026, 3, 8, 14, tzinfo=dt.UTC)),
        # And falls back on 1 November 2026: 10:00 EST (UTC-5).
        ("America/New_York", (2026, 8, 2, 18), "2026-11-01", dt.datetime(2026, 11, 1, 15, tzinfo=dt.UTC)),
        # Auckland leaves daylight time on 5 April 2026: 10:00 NZST is 22:00 UTC the day before.
        ("Pacific/Auckland", (2026, 1, 4, 18), "2026-04-05", dt.datetime(2026, 4, 4, 22, tzinfo=dt.UTC)),
    ],
)
def test_ten_in_the_morning_on_the_due_date_across_daylight_saving(owner, dispatch, zone, finished, due, at_utc):
    owner.time_zone = zone
    owner.save()
    SupporterFactory(owner=owner, created_at=in_zone(zone, 2025, 1, 1, 12))
    finished_review(owner, in_zone(zone, *finished))
    refresh_subjects(KIND, [owner.pk], now=in_zone(zone, *finished) + dt.timedelta(minutes=1))
    row = row_of(owner)
    assert (row.occurrence, row.occurs_at) == (due, at_utc)
    assert dispatch(at_utc - dt.timedelta(minutes=1)).sent == 0
    assert dispatch(at_utc).sent == 1
    assert dispatch(at_utc + dt.timedelta(hours=1)).sent == 0


def test_the_reminder_says_nothing_of_health_or_people(owner, dispatch):
    SupporterFactory(owner=owner, name="Marisol", created_at=chicago(2026, 5, 2, 12))
    refresh_subjects(KIND, [owner.pk], now=chicago(2026, 5, 3))
    dispatch(chicago(2026, 6, 1, 10, 0))
    note = Notification.objects.get(kind=KIND)
    assert "Marisol" not in note.title + note.body
    assert NetworkReview.objects.count() == 0  # a reminder begins nothing
