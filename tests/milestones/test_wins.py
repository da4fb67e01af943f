"""Small wins: streaks of check-ins, of meeting weeks, and counts worth celebrating."""

import datetime as dt

import pytest

from milestones import wins
from milestones.models import CheckIn
from supports.models import Attendance, PeerGroup

D = dt.date
TODAY = D(2026, 3, 30)  # a Monday


def days_back(*offsets):
    return {TODAY - dt.timedelta(days=offset) for offset in offsets}


def test_a_streak_still_counts_before_todays_check_in():
    assert wins.current_streak(days_back(1, 2, 3), TODAY) == 3
    assert wins.current_streak(days_back(0, 1, 2, 3), TODAY) == 4
    assert wins.current_streak(days_back(2, 3), TODAY) == 0


def test_longest_streak_finds_the_longest_run():
    assert wins.longest_streak(days_back(0, 1, 5, 6, 7, 8, 20)) == 4
    assert wins.longest_streak(set()) == 0


def test_meeting_weeks_in_a_row_count_this_week_or_last():
    # Monday 30 March; meetings on 28 March (last week) and 18, 10 March.
    assert wins.week_streak(days_back(2, 12, 20), TODAY) == 3
    assert wins.week_streak(days_back(0, 2), TODAY) == 2
    assert wins.week_streak(days_back(9), TODAY) == 0


@pytest.mark.django_db
def test_small_wins_for_a_person(owner, stranger):
    CheckIn.objects.bulk_create([CheckIn(owner=owner, local_date=day, sober="yes") for day in days_back(0, 1, 2, 10)])
    CheckIn.objects.create(owner=stranger, local_date=TODAY - dt.timedelta(days=3), sober="yes")
    group = PeerGroup.objects.create(owner=owner, name="Home", fellowship="aa")
    other = PeerGroup.objects.create(owner=owner, name="Online", fellowship="smart")
    Attendance.objects.create(owner=owner, group=group, attended_on=TODAY)
    Attendance.objects.create(owner=owner, group=other, attended_on=TODAY)  # two meetings in one day count twice
    Attendance.objects.create(owner=owner, group=group, attended_on=TODAY - dt.timedelta(days=100))
    result = wins.small_wins(owner, TODAY)
    assert result.checked_in_today
    assert result.checkin_streak == 3
    assert result.checkins_in_30_days == 4
    assert result.meetings_in_90_days == 2
    assert result.meeting_week_streak == 1
