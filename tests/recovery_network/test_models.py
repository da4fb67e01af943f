import datetime as dt
import itertools

import pytest

from recovery_network.models import Heartbeat, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def test_local_today_follows_the_persons_zone_not_the_servers():
    user = UserFactory(time_zone="Pacific/Auckland")
    late_evening_utc = dt.datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 09:00 on 2 March in Auckland
    assert user.local_today(late_evening_utc) == dt.date(2026, 3, 2)
    user.time_zone = "America/Los_Angeles"
    assert user.local_today(late_evening_utc) == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("local_hour", "quiet"),
    [(21, False), (22, True), (23, True), (2, True), (6, True), (7, False), (12, False)],
)
def test_quiet_hours_wrap_midnight_in_local_time(local_hour, quiet):
    user = UserFactory(time_zone="America/New_York", quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
    # 10 March 2026 is after the US switch to daylight time (UTC-4).
    moment_utc = dt.datetime(2026, 3, 10, local_hour, 0, tzinfo=user.zone).astimezone(UTC)
    assert user.in_quiet_hours(moment_utc) is quiet


def test_no_quiet_hours_when_unset():
    user = UserFactory(quiet_hours_start=None, quiet_hours_end=None)
    assert user.in_quiet_hours() is False


def test_name_falls_back_to_email_local_part():
    user = UserFactory(display_name="", email="river.stone@example.org")
    assert user.name == "river.stone"


def test_heartbeat_record_counts_beats():
    first = dt.datetime(2026, 1, 1, tzinfo=UTC)
    Heartbeat.record("worker", now=first)
    Heartbeat.record("worker", now=first + dt.timedelta(minutes=1))
    beat = Heartbeat.objects.get(name="worker")
    assert beat.beats == 2
    assert beat.last_beat_at == first + dt.timedelta(minutes=1)


@pytest.mark.django_db
def test_the_in_recovery_filter_picks_exactly_the_accounts_the_property_calls_in_recovery():
    people = [
        UserFactory(has_journey=journey, views_someone=views, counsels_someone=counsels)
        for journey, views, counsels in itertools.product([False, True], repeat=3)
    ]
    assert {user.pk for user in User.objects.in_recovery()} == {user.pk for user in people if user.in_recovery}
    # Someone who only supports others is not; a counselor with a journey of their own is.
    assert {user.in_recovery for user in people} == {True, False}
