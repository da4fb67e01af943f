"""The streak calendar: twelve weeks of local days, Monday first, each day named for a screen reader."""

import datetime as dt
import re

import pytest
import time_machine
from django.test.utils import override_settings
from django.urls import reverse

from milestones import streak_calendar
from milestones.streak_calendar import AHEAD, BEFORE, CHECKED_IN, MISSED, SOBER, USE, build
from tests.milestones.factories import CheckInFactory, JourneyFactory

D = dt.date
# Monday 30 March 2026, 10:00 in Chicago (the owner's zone).
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TODAY = D(2026, 3, 30)


def day(calendar, date):
    return next(d for week in calendar.weeks for d in week if d.date == date)


def test_twelve_weeks_monday_first_end_with_the_week_holding_today():
    thursday = D(2026, 4, 2)
    calendar = build({}, thursday, began_on=D(2025, 1, 1))
    assert len(calendar.weeks) == 12 and all(len(week) == 7 for week in calendar.weeks)
    assert [week[0].date.weekday() for week in calendar.weeks] == [0] * 12
    assert calendar.weeks[0][0].date == D(2026, 1, 12)
    assert calendar.weeks[-1][-1].date == D(2026, 4, 5)
    # The days after today are drawn, not counted; today is marked.
    assert [d.state for d in calendar.weeks[-1]] == [MISSED] * 4 + [AHEAD] * 3
    assert [d.date for week in calendar.weeks for d in week if d.is_today] == [thursday]
    assert calendar.counted_days == 81


def test_each_answer_has_its_own_look_and_use_is_a_check_in_like_any_other():
    answers = {D(2026, 3, 27): "yes", D(2026, 3, 28): "no", D(2026, 3, 29): "unsaid"}
    calendar = build(answers, TODAY, began_on=D(2025, 1, 1))
    assert [day(calendar, D(2026, 3, n)).state for n in (26, 27, 28, 29, 30)] == [
        MISSED,
        SOBER,
        USE,
        CHECKED_IN,
        MISSED,
    ]
    assert (calendar.checked_in_days, calendar.counted_days) == (3, 78)
    assert calendar.summary == "Checked in on 3 of the last 78 days."


def test_every_day_is_named_with_its_date_and_what_happened():
    calendar = build({D(2026, 3, 28): "no", D(2026, 3, 27): "yes"}, TODAY, began_on=D(2026, 3, 20))
    assert day(calendar, D(2026, 3, 27)).name == "Fri 27 Mar: checked in, sober"
    assert day(calendar, D(2026, 3, 28)).name == "Sat 28 Mar: checked in, use recorded"
    assert day(calendar, D(2026, 3, 29)).name == "Sun 29 Mar: no check-in"
    assert day(calendar, TODAY).name == "Today, Mon 30 Mar: not checked in yet"
    assert day(calendar, D(2026, 3, 19)).name == "Thu 19 Mar: before this journey began"


def test_a_journey_begun_inside_the_window_counts_from_its_first_day():
    answers = {D(2026, 3, 1): "yes", D(2026, 3, 25): "yes", D(2026, 3, 30): "yes"}
    calendar = build(answers, TODAY, began_on=D(2026, 3, 24))
    assert day(calendar, D(2026, 3, 23)).state is BEFORE
    # A check-in from before the journey began is not this journey's day.
    assert day(calendar, D(2026, 3, 1)).state is BEFORE
    assert day(calendar, D(2026, 3, 25)).state is SOBER
    assert calendar.summary == "Checked in on 2 of the last 7 days."


def test_a_journey_begun_today_says_so_plainly():
    assert build({}, TODAY, began_on=TODAY).summary == "No check-in yet today."
    assert build({TODAY: "yes"}, TODAY, began_on=TODAY).summary == "Checked in today."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "now_utc", "local_today"),
    [
        # 23:30 on Sunday 1 November 2026 in New York, the night the clocks went back: already Monday in UTC.
        ("America/New_York", dt.datetime(2026, 11, 2, 4, 30, tzinfo=dt.UTC), D(2026, 11, 1)),
        # 00:30 on Monday 9 March 2026 in New York, just after a 23-hour Sunday: still one square.
        ("America/New_York", dt.datetime(2026, 3, 9, 4, 30, tzinfo=dt.UTC), D(2026, 3, 9)),
        # 08:00 on Monday 6 April 2026 in Auckland, the morning after its clocks went back: Sunday in UTC.
        ("Pacific/Auckland", dt.datetime(2026, 4, 5, 20, 0, tzinfo=dt.UTC), D(2026, 4, 6)),
    ],
)
def test_a_week_with_a_clock_change_has_seven_days_in_the_persons_zone(owner, zone, now_utc, local_today):
    owner.time_zone = zone
    owner.save(update_fields=["time_zone"])
    journey = JourneyFactory(owner=owner, started_on=D(2025, 6, 1))
    for offset in range(8):
        CheckInFactory(owner=owner, local_date=local_today - dt.timedelta(days=offset))
    with time_machine.travel(now_utc, tick=False):
        today = owner.local_today()
        calendar = streak_calendar.for_journey(owner, journey, today)
    assert today == local_today
    days = [d.date for week in calendar.weeks for d in week]
    assert days == [days[0] + dt.timedelta(days=n) for n in range(84)]
    assert day(calendar, local_today).is_today and day(calendar, local_today).state is SOBER
    week = next(week for week in calendar.weeks if any(d.is_today for d in week))
    assert all(d.state is SOBER for d in week if d.date <= local_today)


@pytest.mark.django_db
def test_the_window_is_read_in_one_query_whatever_the_history(owner, django_assert_num_queries):
    journey = JourneyFactory(owner=owner, started_on=D(2024, 1, 1))
    for offset in range(0, 400, 3):
        CheckInFactory(owner=owner, local_date=TODAY - dt.timedelta(days=offset), sober="no" if offset % 2 else "yes")
    with django_assert_num_queries(1):
        calendar = streak_calendar.for_journey(owner, journey, TODAY)
    assert calendar.checked_in_days == len(range(0, 78, 3))


@pytest.mark.django_db
def test_only_the_owners_own_check_ins_fill_the_calendar(owner, stranger):
    journey = JourneyFactory(owner=owner, started_on=D(2026, 1, 1))
    CheckInFactory(owner=stranger, local_date=D(2026, 3, 29))
    calendar = streak_calendar.for_journey(owner, journey, TODAY)
    assert calendar.checked_in_days == 0


@pytest.mark.django_db
def test_the_journey_page_draws_the_calendar_with_a_legend_and_a_summary(owner, owner_client):
    journey = JourneyFactory(owner=owner, started_on=D(2026, 3, 2))
    CheckInFactory(owner=owner, local_date=D(2026, 3, 27), sober="yes")
    CheckInFactory(owner=owner, local_date=D(2026, 3, 28), sober="no")
    with time_machine.travel(NOW, tick=False), override_settings(PAGE_CACHE=False):
        body = owner_client.get(reverse("milestones:journey", args=[journey.pk])).content.decode()
    section = re.search(r'<section class="card" id="calendar".*?</section>', body, re.S).group(0)
    assert "Your last 12 weeks" in section
    assert "Checked in on 2 of the last 29 days." in section
    assert '<td class="streak-day streak-day--sober">' in section
    assert '<span class="visually-hidden">Fri 27 Mar: checked in, sober</span>' in section
    assert '<span class="visually-hidden">Sat 28 Mar: checked in, use recorded</span>' in section
    assert '<td class="streak-day streak-day--none streak-day--today">' in section
    assert "Today, Mon 30 Mar: not checked in yet" in section
    assert section.count('<tr>\n          <th scope="row">') == 12
    for label in ("Checked in, sober", "Checked in, use recorded", "No check-in", "Before this journey began", "Today"):
        assert label in section
    # Without shame: a day of use is never drawn in the danger colour.
    assert "danger" not in section
