"""Small wins: streaks of check-ins, of meetings and of days. Every one of them counts.

Streaks are counted over a bounded window of recent days, so the page costs the
same two queries after five years as after five days.
"""

import datetime as dt
from dataclasses import dataclass

from supports.models import Attendance

from .models import CheckIn

WINDOW_DAYS = 400


def streak_ending(days, last_day):
    """How many consecutive days end at `last_day`, all of them in `days`."""
    count = 0
    day = last_day
    while day in days:
        count += 1
        day -= dt.timedelta(days=1)
    return count


def current_streak(days, today):
    """A streak still counts until the day is over: if today is not in yet, count up to yesterday."""
    if today in days:
        return streak_ending(days, today)
    return streak_ending(days, today - dt.timedelta(days=1))


def longest_streak(days):
    longest = 0
    for day in days:
        if day - dt.timedelta(days=1) not in days:
            longest = max(longest, streak_ending(days, _run_end(days, day)))
    return longest


def _run_end(days, day):
    while day + dt.timedelta(days=1) in days:
        day += dt.timedelta(days=1)
    return day


def week_streak(days, today):
    """Consecutive weeks (Monday to Sunday) with at least one day in `days`, up to this week or last."""
    weeks = {day - dt.timedelta(days=day.weekday()) for day in days}
    this_week = today - dt.timedelta(days=today.weekday())
    week = this_week if this_week in weeks else this_week - dt.timedelta(days=7)
    count = 0
    while week in weeks:
        count += 1
        week -= dt.timedelta(days=7)
    return count


@dataclass(frozen=True)
class SmallWins:
    checked_in_today: bool
    checkin_streak: int
    longest_checkin_streak: int
    checkins_in_30_days: int
    meetings_in_90_days: int
    meeting_week_streak: int

    def any(self):
        return bool(self.checkin_streak or self.checkins_in_30_days or self.meetings_in_90_days)


def small_wins(owner, today):
    since = today - dt.timedelta(days=WINDOW_DAYS)
    checkin_days = set(CheckIn.objects.for_owner(owner).between(since, today).values_list("local_date", flat=True))
    meetings = list(Attendance.objects.for_owner(owner).between(since, today).values_list("attended_on", flat=True))
    thirty_days_ago = today - dt.timedelta(days=29)
    ninety_days_ago = today - dt.timedelta(days=89)
    return SmallWins(
        checked_in_today=today in checkin_days,
        checkin_streak=current_streak(checkin_days, today),
        longest_checkin_streak=longest_streak(checkin_days),
        checkins_in_30_days=sum(1 for day in checkin_days if day >= thirty_days_ago),
        meetings_in_90_days=sum(1 for day in meetings if day >= ninety_days_ago),
        meeting_week_streak=week_streak(set(meetings), today),
    )
