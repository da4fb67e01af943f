"""The private calendar feed (RFC 5545): milestones as all-day events, group meetings as weekly events.

Meetings are written in the group's own zone (DTSTART;TZID=…) with a weekly RRULE
and a VTIMEZONE for that zone, so a calendar app keeps a 19:00 meeting at 19:00
local time across DST changes instead of drifting by an hour. Titles are discreet
("Milestone: 1 year", the group's own name): calendars show them on lock screens.
"""

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from supports.models import PeerGroup

from .models import Journey, PersonalGoal

UPCOMING_MILESTONES = 12
ICAL_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]  # Python's weekday(): 0 = Monday
# VTIMEZONE definitions list each DST change explicitly; cover the years a
# subscribed calendar will realistically show.
ZONE_YEARS_AHEAD = 5


def _host():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _all_day(uid, day, summary, description, now_utc, url):
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", now_utc)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def _first_weekday_on_or_after(day, weekday):
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def meeting_event(meeting_time, anchor_day, until_utc, now_utc, host):
    """A weekly event for one meeting slot, first occurring on or after `anchor_day` (group-local)."""
    group = meeting_time.group
    zone = group.zone
    first_day = _first_weekday_on_or_after(anchor_day, meeting_time.weekday)
    start = dt.datetime.combine(first_day, meeting_time.start_time, tzinfo=zone)
    if meeting_time.end_time is None:
        end = start + dt.timedelta(hours=1)
    else:
        end_day = first_day if meeting_time.end_time > meeting_time.start_time else first_day + dt.timedelta(days=1)
        end = dt.datetime.combine(end_day, meeting_time.end_time, tzinfo=zone)
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting_time.pk}@{host}")
    event.add("dtstamp", now_utc)
    event.add("dtstart", start)
    event.add("dtend", end)
    # The series ends where the VTIMEZONE's list of DST changes ends; calendar apps
    # refresh the feed long before then and get a series that reaches further.
    event.add("rrule", {"freq": "weekly", "byday": [ICAL_WEEKDAYS[meeting_time.weekday]], "until": until_utc})
    event.add("summary", group.name)
    if group.address:
        event.add("location", group.address)
    elif group.online_url:
        event.add("location", group.online_url)
    if group.online_url:
        event.add("url", group.online_url)
    return event


def build_calendar(owner, now_utc):
    """The whole feed for one person as bytes. A fixed number of queries (three)."""
    today = owner.local_today(now_utc)
    host = _host()
    progress_url = settings.SITE_URL + reverse("milestones:overview")

    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Milestones and meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", gettext("My recovery calendar"))
    calendar.add("x-wr-timezone", owner.time_zone)

    events = []
    for journey in Journey.objects.for_owner(owner):
        count_start = journey.started_on.isoformat()
        milestones = journey.past_milestones(today)[::-1] + journey.upcoming_milestones(today, UPCOMING_MILESTONES)
        for milestone in milestones:
            events.append(
                _all_day(
                    f"milestone-{journey.pk}-{count_start}-{milestone.key}@{host}",
                    milestone.due_on,
                    gettext("Milestone: %(milestone)s") % {"milestone": milestone.label},
                    gettext("A day worth celebrating."),
                    now_utc,
                    progress_url,
                )
            )
    for goal in PersonalGoal.objects.for_owner(owner).select_related("journey"):
        events.append(
            _all_day(
                f"goal-{goal.pk}-{goal.due_on.isoformat()}@{host}", goal.due_on, goal.title, "", now_utc, progress_url
            )
        )

    groups = PeerGroup.objects.for_owner(owner).active().prefetch_related("meeting_times")
    zones = set()
    last_day = dt.date(today.year + ZONE_YEARS_AHEAD, 12, 31)
    until_utc = dt.datetime.combine(last_day, dt.time(23, 59, 59), tzinfo=dt.UTC)
    # Anchor each series at the start of the current year so DTSTART stays put
    # week after week (a moving DTSTART makes some clients rewrite the series).
    anchor_day = dt.date(today.year, 1, 1)
    for group in groups:
        for meeting_time in group.meeting_times.all():
            events.append(meeting_event(meeting_time, anchor_day, until_utc, now_utc, host))
            if group.time_zone != "UTC":
                zones.add(group.time_zone)

    for zone_name in sorted(zones):
        try:
            calendar.add_component(icalendar.Timezone.from_tzid(zone_name, first_date=anchor_day, last_date=last_day))
        except ValueError:  # pragma: no cover - zones are validated on the group
            continue
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()
