"""The private calendar feed, parsed by a real iCalendar parser."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
import time_machine
from django.urls import reverse

from milestones.models import CalendarFeed
from supports.models import MeetingTime, PeerGroup
from tests.milestones.factories import JourneyFactory, PersonalGoalFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def feed(owner):
    return CalendarFeed.objects.create(owner=owner)


def _get_calendar(client, feed):
    response = client.get(reverse("milestones:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar):
    return list(calendar.walk("VEVENT"))


def test_feed_lists_milestones_as_all_day_events(anon_client, owner, feed):
    JourneyFactory(owner=owner, started_on=dt.date(2026, 3, 1))
    calendar = _get_calendar(anon_client, feed)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    by_summary = {str(event["SUMMARY"]): event for event in _events(calendar)}
    one_week = by_summary["Milestone: 1 week"]
    assert one_week.decoded("DTSTART") == dt.date(2026, 3, 8)
    assert one_week.decoded("DTEND") == dt.date(2026, 3, 9)
    assert by_summary["Milestone: 1 year"].decoded("DTSTART") == dt.date(2027, 3, 1)
    assert by_summary["Milestone: 30 days"].decoded("DTSTART") == dt.date(2026, 3, 31)
    # Every event has the fields RFC 5545 requires, and UIDs are unique.
    uids = [str(event["UID"]) for event in _events(calendar)]
    assert len(uids) == len(set(uids))
    for event in _events(calendar):
        assert event.get("DTSTAMP") is not None


def test_milestone_titles_are_discreet(anon_client, owner, feed):
    JourneyFactory(owner=owner, kind="opioids", own_words="Off the pills", started_on=dt.date(2026, 3, 1))
    body = anon_client.get(reverse("milestones:calendar_feed", args=[feed.token])).content.decode()
    assert "pills" not in body.lower()
    assert "opioid" not in body.lower()


def test_personal_goals_are_in_the_feed(anon_client, owner, feed):
    PersonalGoalFactory(owner=owner, title="Sober birthday", on_date=dt.date(2026, 7, 4))
    events = _events(_get_calendar(anon_client, feed))
    [goal] = [event for event in events if str(event["SUMMARY"]) == "Sober birthday"]
    assert goal.decoded("DTSTART") == dt.date(2026, 7, 4)


def test_group_meetings_repeat_weekly_in_the_groups_own_zone_with_a_vtimezone(anon_client, owner, feed):
    # The owner lives in Chicago; the group meets in New York at 19:00 New York time.
    group = PeerGroup.objects.create(
        owner=owner, name="Tuesday Night Group", fellowship="aa", time_zone="America/New_York", address="12 Main St"
    )
    MeetingTime.objects.create(group=group, weekday=1, start_time=dt.time(19, 0), end_time=dt.time(20, 30))
    calendar = _get_calendar(anon_client, feed)
    [meeting] = [event for event in _events(calendar) if str(event["SUMMARY"]) == "Tuesday Night Group"]
    start = meeting.decoded("DTSTART")
    assert (start.weekday(), start.hour, start.minute) == (1, 19, 0)
    assert meeting.decoded("DTEND") - start == dt.timedelta(minutes=90)
    assert meeting["RRULE"]["FREQ"] == ["WEEKLY"]
    assert meeting["RRULE"]["BYDAY"] == ["TU"]
    # RFC 5545: with a TZID start, UNTIL is in UTC.
    assert meeting["RRULE"]["UNTIL"][0] == dt.datetime(2031, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
    assert str(meeting["LOCATION"]) == "12 Main St"
    assert meeting["DTSTART"].params["TZID"] == "America/New_York"
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "America/New_York"
    # The VTIMEZONE knows both sides of DST, so the meeting stays at 19:00 local all year.
    assert {str(part["TZNAME"]) for part in zone.walk() if part.name in ("STANDARD", "DAYLIGHT")} >= {"EST", "EDT"}


def test_meetings_stay_at_local_time_across_dst_when_expanded(anon_client, owner, feed):
    group = PeerGroup.objects.create(owner=owner, name="Early Bird", fellowship="na", time_zone="Pacific/Auckland")
    MeetingTime.objects.create(group=group, weekday=6, start_time=dt.time(7, 30))
    calendar = _get_calendar(anon_client, feed)
    [meeting] = [event for event in _events(calendar) if str(event["SUMMARY"]) == "Early Bird"]
    rule = meeting["RRULE"].to_ical().decode()
    from dateutil.rrule import rrulestr

    start = meeting.decoded("DTSTART")
    occurrences = list(
        rrulestr(rule, dtstart=start).between(
            dt.datetime(2026, 3, 28, tzinfo=dt.UTC), dt.datetime(2026, 4, 13, tzinfo=dt.UTC)
        )
    )
    auckland = zoneinfo.ZoneInfo("Pacific/Auckland")
    local_times = {occurrence.astimezone(auckland).strftime("%a %H:%M") for occurrence in occurrences}
    assert local_times == {"Sun 07:30"}
    # Auckland left daylight time on 5 April: the UTC offset changed, the local time did not.
    offsets = {occurrence.astimezone(auckland).utcoffset() for occurrence in occurrences}
    assert offsets == {dt.timedelta(hours=13), dt.timedelta(hours=12)}
    assert meeting.decoded("DTEND") - start == dt.timedelta(hours=1)


def test_archived_groups_and_other_peoples_groups_are_not_in_the_feed(anon_client, owner, stranger, feed):
    archived = PeerGroup.objects.create(owner=owner, name="Old Group", fellowship="aa", archived_at=NOW)
    MeetingTime.objects.create(group=archived, weekday=0, start_time=dt.time(18, 0))
    theirs = PeerGroup.objects.create(owner=stranger, name="Their Group", fellowship="aa")
    MeetingTime.objects.create(group=theirs, weekday=0, start_time=dt.time(18, 0))
    body = anon_client.get(reverse("milestones:calendar_feed", args=[feed.token])).content.decode()
    assert "Old Group" not in body
    assert "Their Group" not in body


def test_a_new_address_kills_the_old_one(owner_client, anon_client, owner):
    owner_client.post(reverse("milestones:calendar"), {"action": "create"})
    feed = CalendarFeed.objects.get(owner=owner)
    old_token = feed.token
    assert anon_client.get(reverse("milestones:calendar_feed", args=[old_token])).status_code == 200
    owner_client.post(reverse("milestones:calendar"), {"action": "regenerate"})
    feed.refresh_from_db()
    assert feed.token != old_token
    assert anon_client.get(reverse("milestones:calendar_feed", args=[old_token])).status_code == 404
    assert anon_client.get(reverse("milestones:calendar_feed", args=[feed.token])).status_code == 200
    page = owner_client.get(reverse("milestones:calendar")).content.decode()
    assert feed.token in page and old_token not in page


def test_turning_the_feed_off_kills_the_address(owner_client, anon_client, owner, feed):
    owner_client.post(reverse("milestones:calendar"), {"action": "delete"})
    assert anon_client.get(reverse("milestones:calendar_feed", args=[feed.token])).status_code == 404
    assert "Turn on my calendar feed" in owner_client.get(reverse("milestones:calendar")).content.decode()


def test_a_guessed_token_is_404(anon_client, feed):
    assert anon_client.get(reverse("milestones:calendar_feed", args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("client_name", ["family_client", "counselor_client", "stranger_client"])
def test_other_people_cannot_change_or_see_the_owners_feed(request, client_name, owner, feed):
    client = request.getfixturevalue(client_name)
    page = client.get(reverse("milestones:calendar")).content.decode()
    assert feed.token not in page
    client.post(reverse("milestones:calendar"), {"action": "regenerate"})
    client.post(reverse("milestones:calendar"), {"action": "delete"})
    assert CalendarFeed.objects.get(owner=owner).token == feed.token


def test_feed_query_count_does_not_grow_with_groups_or_history(anon_client, owner, feed, django_assert_max_num_queries):
    JourneyFactory(owner=owner, started_on=dt.date(2015, 3, 1))
    for index in range(8):
        group = PeerGroup.objects.create(owner=owner, name=f"Group {index}", fellowship="aa", time_zone="Europe/London")
        for weekday in range(3):
            MeetingTime.objects.create(group=group, weekday=weekday, start_time=dt.time(19, 0))
    with django_assert_max_num_queries(5):
        anon_client.get(reverse("milestones:calendar_feed", args=[feed.token]))


def test_calendar_apps_may_ask_with_head_but_not_post(anon_client, feed):
    url = reverse("milestones:calendar_feed", args=[feed.token])
    assert anon_client.head(url).status_code == 200
    assert anon_client.post(url).status_code == 405
