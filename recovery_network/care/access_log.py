"""The access log page's entries: a viewer's consecutive looks at the same thing, shown as one.

A counselor reading a client's page for two minutes writes a line per page view (13 in one case); the log keeps
every one of them (sharing.access_log reads them a page at a time), and the page shows them as one entry, "Viewed
13 times, 10:02–10:04 AM". Only looks are gathered, and only while nothing else happened in between: the same
person, the same "what", each look within LOOK_WINDOW of the newest in its entry. Changes to sharing (a grant, a
consent) are always an entry of their own.

Entries are made from one page of lines, so a run of looks across a page break ends one page and starts the next:
every line is in exactly one entry, and the pages' cursors are the lines' own.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext, ngettext

from . import log_lines
from .models import AccessEvent

LOOK_WINDOW = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class LogEntry:
    """One or more lines of the access log (sharing.LogLine), newest first."""

    lines: tuple

    @property
    def newest(self):
        return self.lines[0]

    @property
    def oldest(self):
        return self.lines[-1]

    @property
    def count(self):
        return len(self.lines)

    @property
    def actor_name(self):
        return self.newest.actor_name

    @property
    def what(self):
        """What was seen or changed, in the reader's language (log_lines)."""
        return log_lines.shown(self.newest.what, self.newest.line)

    def get_action_display(self):
        label = self.newest.get_action_display()
        if self.count == 1:
            return label
        return ngettext("%(action)s %(count)s time", "%(action)s %(count)s times", self.count) % {
            "action": label,
            "count": self.count,
        }

    @property
    def local_time(self):
        """'4 Jul 2026, 9:05 AM', or for looks over a while '4 Jul 2026, 10:02–10:04 AM' (either side of
        midnight, both dates), in the reader's zone."""
        newest = timezone.localtime(self.newest.created_at)
        if self.count == 1:
            return moment(newest)
        oldest = timezone.localtime(self.oldest.created_at)
        if oldest.date() != newest.date():
            return f"{_day(oldest)}, {_clock(oldest)} – {_day(newest)}, {_clock(newest)}"
        if _meridiem(oldest) == _meridiem(newest):
            return f"{_day(newest)}, {_clock(oldest, meridiem=False)}–{_clock(newest)}"
        return f"{_day(newest)}, {_clock(oldest)}–{_clock(newest)}"

    def joins(self, line):
        """Whether an older `line` is one more look of this entry."""
        newest = self.newest
        return (
            newest.action == AccessEvent.Action.VIEWED
            and line.action == newest.action
            and line.actor_name == newest.actor_name
            and line.what == newest.what
            and newest.created_at - line.created_at <= LOOK_WINDOW
        )


def entries(lines):
    """The LogEntry list of lines given newest first: each line in exactly one entry, in the same order."""
    grouped = []
    for line in lines:
        if grouped and grouped[-1].joins(line):
            grouped[-1] = LogEntry((*grouped[-1].lines, line))
        else:
            grouped.append(LogEntry((line,)))
    return grouped


def moment(when):
    """'4 Jul 2026, 9:05 AM', the month and the AM or PM in the reader's language (a LogLine's time too)."""
    return f"{_day(when)}, {_clock(when)}"


def _day(when):
    # The date filter's "j M Y" as the reader's language writes it ("5 Dec 2026", "5 dic 2026": Django's "M" in
    # English, "b" in Spanish), without the filter itself, which fifty times a page took longer than the query.
    month = str(MONTHS_3[when.month])
    if "b" not in gettext("j M Y"):
        month = month.title()
    return f"{when.day} {month} {when:%Y}"


def _meridiem(when):
    return gettext("AM") if when.hour < 12 else gettext("PM")


def _clock(when, meridiem=True):
    clock = f"{when.hour % 12 or 12}:{when:%M}"
    return f"{clock} {_meridiem(when)}" if meridiem else clock
