"""Clean time and milestone dates: calendar arithmetic in the person's own zone."""

import datetime as dt

import pytest

from milestones import schedule
from milestones.models import Journey
from tests.factories import UserFactory

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 8, 31), 6, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 11, 15), 2, D(2026, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_a_short_month(start, months, expected):
    assert schedule.add_months(start, months) == expected


def test_the_schedule_follows_the_common_chips_then_every_year():
    start = D(2026, 1, 1)
    due = [(step.label, due_on) for step, due_on in schedule.scheduled_dates(start, D(2029, 1, 1))]
    assert due == [
        ("24 hours", D(2026, 1, 2)),
        ("1 week", D(2026, 1, 8)),
        ("30 days", D(2026, 1, 31)),
        ("60 days", D(2026, 3, 2)),
        ("90 days", D(2026, 4, 1)),
        ("6 months", D(2026, 7, 1)),
        ("9 months", D(2026, 10, 1)),
        ("1 year", D(2027, 1, 1)),
        ("18 months", D(2027, 7, 1)),
        ("2 years", D(2028, 1, 1)),
        ("3 years", D(2029, 1, 1)),
    ]


def test_a_milestone_due_today_is_todays_and_the_next_one_is_after_it():
    start = D(2026, 1, 1)
    [(step, due_on)] = schedule.next_scheduled(start, D(2026, 1, 31))
    assert (step.label, due_on) == ("60 days", D(2026, 3, 2))


def test_step_for_key_knows_every_year_but_not_made_up_keys():
    assert schedule.step_for_key("m12").label == "1 year"
    assert schedule.step_for_key("m120").label == "10 years"
    assert schedule.step_for_key("m30") is None
    assert schedule.step_for_key("d45") is None


@pytest.mark.parametrize(
    ("start", "today", "days", "parts"),
    [
        (D(2026, 1, 1), D(2026, 1, 1), 0, "0 days"),
        (D(2026, 1, 1), D(2026, 1, 2), 1, "1 day"),
        (D(2025, 1, 15), D(2026, 3, 20), 429, "1 year, 2 months, 5 days"),
        (D(2026, 1, 31), D(2026, 2, 28), 28, "1 month"),
        (D(2024, 2, 29), D(2025, 2, 28), 365, "1 year"),
        (D(2024, 2, 29), D(2028, 2, 29), 1461, "4 years"),
        (D(2026, 3, 10), D(2026, 3, 1), 0, "0 days"),
    ],
)
def test_clean_time_in_days_and_calendar_parts(start, today, days, parts):
    clean = schedule.clean_time(start, today)
    assert clean.days == days
    assert clean.parts() == parts


def test_leap_day_start_celebrates_its_year_on_28_february_and_four_years_on_the_leap_day():
    start = D(2024, 2, 29)
    due = {step.key: due_on for step, due_on in schedule.scheduled_dates(start, D(2028, 3, 1))}
    assert due["m12"] == D(2025, 2, 28)
    assert due["m24"] == D(2026, 2, 28)
    assert due["m48"] == D(2028, 2, 29)
    assert due["m6"] == D(2024, 8, 29)


def _journey(zone, started_on):
    return Journey(
        owner=UserFactory.build(time_zone=zone), kind="alcohol", started_on=started_on, first_started_on=started_on
    )


@pytest.mark.parametrize(
    ("moment_utc", "expected_days"),
    [
        # America/New_York springs forward at 02:00 on 8 March 2026: a 23-hour day.
        (dt.datetime(2026, 3, 9, 3, 59, tzinfo=dt.UTC), 7),  # 23:59 EDT on 8 March
        (dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC), 8),  # 00:00 EDT on 9 March
        # …and falls back at 02:00 on 1 November 2026: a 25-hour day.
        (dt.datetime(2026, 11, 2, 4, 59, tzinfo=dt.UTC), 245),  # 23:59 EST on 1 November
        (dt.datetime(2026, 11, 2, 5, 0, tzinfo=dt.UTC), 246),  # 00:00 EST on 2 November
    ],
)
def test_new_york_day_count_turns_over_at_local_midnight_across_dst(moment_utc, expected_days):
    journey = _journey("America/New_York", D(2026, 3, 1))
    today = journey.owner.local_today(moment_utc)
    assert journey.clean_days(today) == expected_days


def test_new_york_one_week_milestone_lands_on_the_local_date_across_spring_forward():
    journey = _journey("America/New_York", D(2026, 3, 1))
    # 04:30 UTC on 8 March is 23:30 EST on 7 March: not yet the week.
    assert journey.milestone_today(journey.owner.local_today(dt.datetime(2026, 3, 8, 4, 30, tzinfo=dt.UTC))) is None
    # 05:30 UTC on 8 March is 00:30 EST on 8 March, the day the clocks spring forward.
    local_today = journey.owner.local_today(dt.datetime(2026, 3, 8, 5, 30, tzinfo=dt.UTC))
    assert local_today == D(2026, 3, 8)
    assert journey.milestone_today(local_today).label == "1 week"


def test_auckland_is_already_tomorrow_and_counts_its_own_dst_day():
    # Pacific/Auckland leaves daylight time at 03:00 on 5 April 2026 (a 25-hour day).
    journey = _journey("Pacific/Auckland", D(2026, 3, 6))
    moment = dt.datetime(2026, 4, 4, 11, 30, tzinfo=dt.UTC)  # 00:30 NZDT on 5 April
    assert journey.owner.local_today(moment) == D(2026, 4, 5)
    assert journey.clean_days(journey.owner.local_today(moment)) == 30
    assert journey.milestone_today(journey.owner.local_today(moment)).label == "30 days"
    # The same instant in Chicago is still 4 April.
    chicago = _journey("America/Chicago", D(2026, 3, 6))
    assert chicago.clean_days(chicago.owner.local_today(moment)) == 29


def test_auckland_spring_forward_keeps_the_count_on_local_dates():
    # Auckland enters daylight time at 02:00 on 27 September 2026 (a 23-hour day).
    journey = _journey("Pacific/Auckland", D(2026, 9, 20))
    just_after_midnight = dt.datetime(2026, 9, 27, 11, 5, tzinfo=dt.UTC)  # 00:05 NZDT on 28 September
    assert journey.owner.local_today(just_after_midnight) == D(2026, 9, 28)
    assert journey.clean_days(D(2026, 9, 28)) == 8


def test_a_person_who_moves_zones_counts_from_their_new_today():
    journey = _journey("Pacific/Auckland", D(2026, 5, 1))
    moment = dt.datetime(2026, 5, 30, 20, 0, tzinfo=dt.UTC)  # 08:00 on 31 May in Auckland
    assert journey.clean_days(journey.owner.local_today(moment)) == 30
    journey.owner.time_zone = "Pacific/Honolulu"  # 10:00 on 30 May there
    assert journey.clean_days(journey.owner.local_today(moment)) == 29
    # The start date is their own calendar date: it does not move with them.
    assert journey.started_on == D(2026, 5, 1)
