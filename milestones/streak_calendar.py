"""The streak calendar: the last twelve weeks of check-ins, one local day per square, Monday first.

Days are the person's own calendar dates (check-ins are stored by local date, "today" is
`user.local_today()`), so a week that holds a DST change still has seven days and none of them
moves. A day of use recorded in a check-in is shown as plainly as any other day checked in:
honesty is what the calendar counts, and a hard day is not a failure to show up.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, gettext_lazy, ngettext

from .models import CheckIn, fill_in_window, needs_support

WEEKS = 12


@dataclass(frozen=True)
class DayState:
    key: str  # the CSS modifier and the legend's order
    label: str  # what the square says to a screen reader, after the date


SOBER = DayState("sober", gettext_lazy("checked in, sober"))
USE = DayState("use", gettext_lazy("checked in, use recorded"))
CHECKED_IN = DayState("checked-in", gettext_lazy("checked in"))  # "I'd rather not say" is a check-in all the same
MISSED = DayState("none", gettext_lazy("no check-in"))
BEFORE = DayState("before", gettext_lazy("before this journey began"))
AHEAD = DayState("ahead", gettext_lazy("still to come"))
# The legend: every state a square can have, in the order the eye meets them.
LEGEND = [SOBER, USE, CHECKED_IN, MISSED, BEFORE]

STATE_FOR_ANSWER = {CheckIn.Sober.YES: SOBER, CheckIn.Sober.NO: USE, CheckIn.Sober.UNSAID: CHECKED_IN}


@dataclass(frozen=True)
class Day:
    date: dt.date
    state: DayState
    is_today: bool = False
    can_fill_in: bool = False  # missed, and still inside the window for filling a day in later

    @property
    def name(self):
        """The square's accessible name: "Mon 3 Nov: checked in, sober"."""
        label = gettext("not checked in yet") if self.is_today and self.state is MISSED else self.state.label
        words = {"day": format_date(self.date, gettext("D j M")), "state": label}
        if self.is_today:
            # Translators: a square of the streak calendar, read by a screen reader: "Today, Mon 3 Nov: checked in".
            return gettext("Today, %(day)s: %(state)s") % words
        # Translators: a square of the streak calendar, read by a screen reader: "Mon 3 Nov: checked in, sober".
        return gettext("%(day)s: %(state)s") % words


@dataclass(frozen=True)
class StreakCalendar:
    weeks: list  # [[Day] * 7], oldest week first, each Monday to Sunday
    counted_days: int  # days of the window from the journey's beginning up to today
    checked_in_days: int
    # Today's check-in records a use or a high craving (models.needs_support): the journey page holds back its
    # celebration. Read here because the calendar's one query already has today's row.
    support_today: bool = False

    @property
    def legend(self):
        return LEGEND

    @property
    def to_fill_in(self):
        """The missed days that can still be filled in, newest first."""
        return [day.date for week in reversed(self.weeks) for day in reversed(week) if day.can_fill_in]

    @property
    def summary(self):
        if not self.counted_days:
            return gettext("Your journey's days will fill in here.")
        if self.counted_days == 1:
            return gettext("Checked in today.") if self.checked_in_days else gettext("No check-in yet today.")
        return ngettext(
            "Checked in on %(checked_in)s of the last %(count)s days.",
            "Checked in on %(checked_in)s of the last %(count)s days.",
            self.counted_days,
        ) % {"checked_in": self.checked_in_days, "count": self.counted_days}


def first_day(today, weeks=WEEKS):
    """The Monday `weeks` - 1 weeks before the one holding `today`."""
    return today - dt.timedelta(days=today.weekday() + 7 * (weeks - 1))


def build(answers, today, began_on, weeks=WEEKS):
    """The calendar from `answers` ({local date: CheckIn.Sober value}) for the `weeks` weeks up to the one
    holding `today`. Days before `began_on` (the journey's first day) and after today are shown, not counted."""
    monday = first_day(today, weeks)
    oldest_to_fill_in = fill_in_window(today)[0]
    rows, counted, checked_in = [], 0, 0
    for week in range(weeks):
        row = []
        for weekday in range(7):
            day = monday + dt.timedelta(days=7 * week + weekday)
            if day > today:
                state = AHEAD
            elif day < began_on:
                state = BEFORE
            else:
                state = STATE_FOR_ANSWER.get(answers.get(day), MISSED)
                counted += 1
                if state is not MISSED:
                    checked_in += 1
            can_fill_in = state is MISSED and oldest_to_fill_in <= day < today
            row.append(Day(day, state, day == today, can_fill_in))
        rows.append(row)
    return StreakCalendar(rows, counted, checked_in)


def for_journey(owner, journey, today, weeks=WEEKS):
    """The owner's calendar for one of their journeys: the window's check-ins are read in one query, on the
    (owner, local_date) index of `one_checkin_per_local_day`."""
    rows = CheckIn.objects.for_owner(owner).between(first_day(today, weeks), today)
    answers, support_today = {}, False
    for local_date, sober, craving in rows.values_list("local_date", "sober", "craving"):
        answers[local_date] = sober
        support_today = support_today or (local_date == today and needs_support(sober, craving))
    calendar = build(answers, today, journey.first_started_on, weeks)
    return dataclasses.replace(calendar, support_today=support_today)
