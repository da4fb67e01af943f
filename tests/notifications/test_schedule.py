"""Next-due times, computed on local wall clocks: DST in New York and Auckland, skipped and repeated times."""

import datetime as dt

import pytest

from milestones.models import Journey
from milestones.notification_kinds import DailyCheckIn, MilestoneToday
from recovery_network.models import User
from supports.models import Closeness, MeetingTime, PeerGroup, Supporter
from supports.notification_kinds import MeetingSoon, ReachOut

UTC = dt.UTC


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def person(zone, checkin=dt.time(9, 0), **fields):
    fields.setdefault("has_journey", True)  # in recovery: the check-in reminder is for them
    return User(email="p@example.org", time_zone=zone, checkin_time=checkin, **fields)


def occurrences(kind, recipient, subject, after, count):
    found = []
    for _ in range(count):
        occurrence = kind.next_occurrence(recipient, subject, after)
        found.append(occurrence)
        after = occurrence.occurs_at
    return found


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # New York springs forward on 8 March 2026: 09:00 is 14:00 UTC before, 13:00 UTC after.
        ("America/New_York", utc(2026, 3, 7, 0), [utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)]),
        # …and falls back on 1 November 2026.
        ("America/New_York", utc(2026, 10, 31, 0), [utc(2026, 10, 31, 13), utc(2026, 11, 1, 14), utc(2026, 11, 2, 14)]),
        # Auckland leaves daylight time on 5 April 2026 (UTC+13 → UTC+12).
        ("Pacific/Auckland", utc(2026, 4, 3, 0), [utc(2026, 4, 3, 20), utc(2026, 4, 4, 21), utc(2026, 4, 5, 21)]),
        # …and enters it on 27 September 2026 (UTC+12 → UTC+13).
        ("Pacific/Auckland", utc(2026, 9, 25, 0), [utc(2026, 9, 25, 21), utc(2026, 9, 26, 20), utc(2026, 9, 27, 20)]),
    ],
)
def test_a_nine_oclock_checkin_stays_at_nine_local_across_dst(zone, after, expected):
    recipient = person(zone)
    found = occurrences(DailyCheckIn(), recipient, recipient, after, 3)
    assert [o.occurs_at for o in found] == expected
    assert {o.occurs_at.astimezone(recipient.zone).time() for o in found} == {dt.time(9, 0)}


def test_a_time_that_does_not_exist_that_day_is_sent_once_an_hour_later():
    """02:30 is skipped when New York jumps from 02:00 to 03:00: the reminder comes at 03:30 that day."""
    recipient = person("America/New_York", checkin=dt.time(2, 30))
    found = occurrences(DailyCheckIn(), recipient, recipient, utc(2026, 3, 7, 12), 3)
    assert [o.key for o in found] == ["2026-03-08", "2026-03-09", "2026-03-10"]
    on_the_day = found[0].occurs_at.astimezone(recipient.zone)
    assert (on_the_day.date(), on_the_day.time()) == (dt.date(2026, 3, 8), dt.time(3, 30))
    assert found[1].occurs_at.astimezone(recipient.zone).time() == dt.time(2, 30)


def test_a_time_that_happens_twice_is_sent_once_the_first_time():
    """01:30 happens twice on 1 November in New York: one reminder, at the first (EDT) 01:30."""
    recipient = person("America/New_York", checkin=dt.time(1, 30))
    found = occurrences(DailyCheckIn(), recipient, recipient, utc(2026, 10, 31, 12), 2)
    assert [o.key for o in found] == ["2026-11-01", "2026-11-02"]
    assert found[0].occurs_at == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert found[1].occurs_at == utc(2026, 11, 2, 6, 30)  # 01:30 EST the next day


def test_checkin_key_is_the_local_date_not_the_utc_date():
    recipient = person("Pacific/Auckland", checkin=dt.time(8, 0))
    occurrence = DailyCheckIn().next_occurrence(recipient, recipient, utc(2026, 6, 1, 12))
    assert occurrence.key == "2026-06-02"
    assert occurrence.occurs_at == utc(2026, 6, 1, 20)


def test_checkin_grace_ends_at_local_midnight():
    recipient = person("America/Chicago", checkin=dt.time(23, 0))
    occurrence = DailyCheckIn().next_occurrence(recipient, recipient, utc(2026, 6, 1, 12))
    assert occurrence.expires_at.astimezone(recipient.zone) == dt.datetime(2026, 6, 2, 0, 0, tzinfo=recipient.zone)


def test_inactive_person_gets_no_checkin_reminder():
    recipient = person("UTC", is_active=False)
    assert DailyCheckIn().next_occurrence(recipient, recipient, utc(2026, 6, 1)) is None


def test_meeting_reminder_follows_the_groups_zone_across_its_dst_change():
    """A Wednesday 19:00 Chicago meeting, for a person in London, with 60 minutes' notice."""
    recipient = person("Europe/London", meeting_reminder_minutes=60)
    group = PeerGroup(name="Lakeside", time_zone="America/Chicago")
    slot = MeetingTime(group=group, weekday=2, start_time=dt.time(19, 0))
    found = occurrences(MeetingSoon(), recipient, slot, utc(2026, 3, 1), 2)
    assert [o.key for o in found] == ["2026-03-04", "2026-03-11"]
    # 19:00 CST = 01:00 UTC next day; 19:00 CDT = 00:00 UTC next day. An hour before each.
    assert [o.occurs_at for o in found] == [utc(2026, 3, 5, 0), utc(2026, 3, 11, 23)]
    assert [o.expires_at for o in found] == [utc(2026, 3, 5, 1), utc(2026, 3, 12, 0)]


def test_meeting_reminder_inside_the_lead_time_moves_to_the_next_meeting():
    recipient = person("UTC", meeting_reminder_minutes=30)
    slot = MeetingTime(group=PeerGroup(time_zone="UTC"), weekday=0, start_time=dt.time(12, 0))
    # Monday 11:45: this meeting's reminder time (11:30) has passed, so next Monday's.
    occurrence = MeetingSoon().next_occurrence(recipient, slot, utc(2026, 6, 1, 11, 45))
    assert occurrence.key == "2026-06-08"


def test_archived_group_has_no_meeting_reminders():
    slot = MeetingTime(group=PeerGroup(time_zone="UTC", archived_at=utc(2026, 1, 1)), weekday=0, start_time=dt.time(9))
    assert MeetingSoon().next_occurrence(person("UTC"), slot, utc(2026, 6, 1)) is None


def test_milestone_reminder_comes_at_nine_on_the_local_day_even_on_a_dst_day():
    recipient = person("America/New_York")
    journey = Journey(pk=7, started_on=dt.date(2026, 2, 6), first_started_on=dt.date(2026, 2, 6))
    occurrence = MilestoneToday().next_occurrence(recipient, journey, utc(2026, 3, 1))
    # 30 days after 6 February is 8 March, the day clocks change: 09:00 EDT.
    assert occurrence.key == "d30:2026-03-08"
    assert occurrence.occurs_at == utc(2026, 3, 8, 13)
    following = MilestoneToday().next_occurrence(recipient, journey, occurrence.occurs_at)
    assert following.key == "d60:2026-04-07"


def test_milestone_due_today_after_nine_moves_to_the_next_one():
    recipient = person("UTC")
    journey = Journey(started_on=dt.date(2026, 5, 1), first_started_on=dt.date(2026, 5, 1))
    occurrence = MilestoneToday().next_occurrence(recipient, journey, utc(2026, 5, 8, 10))
    assert occurrence.key == "d30:2026-05-31"


def test_reach_out_nudges_when_due_and_again_every_period_while_out_of_touch():
    supporter = Supporter(
        closeness=Closeness.INNER, contact_every_days=7, contact_due_at=utc(2026, 6, 1, 18, 15, 30, 123)
    )
    recipient = person("UTC")
    found = occurrences(ReachOut(), recipient, supporter, utc(2026, 5, 30), 3)
    assert [o.occurs_at for o in found] == [
        utc(2026, 6, 1, 18, 15, 30, 123),
        utc(2026, 6, 8, 18, 15, 30, 123),
        utc(2026, 6, 15, 18, 15, 30, 123),
    ]
    assert found[0].key == "2026-06-01T18:15:30+00:00"
    # Long overdue: the next nudge is the next step of the rhythm, not a backlog.
    late = ReachOut().next_occurrence(recipient, supporter, utc(2026, 7, 1))
    assert late.occurs_at == utc(2026, 7, 6, 18, 15, 30, 123)


@pytest.mark.parametrize(
    "changes",
    [{"closeness": Closeness.CLOSE}, {"contact_every_days": None}, {"archived_at": utc(2026, 1, 1)}],
)
def test_reach_out_only_for_active_inner_circle_with_a_frequency(changes):
    fields = {"closeness": Closeness.INNER, "contact_every_days": 7, "contact_due_at": utc(2026, 6, 1)} | changes
    assert ReachOut().next_occurrence(person("UTC"), Supporter(**fields), utc(2026, 5, 1)) is None


def test_quiet_hours_end_is_computed_in_the_persons_zone():
    recipient = person("America/New_York", quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7))
    # 23:00 on 7 March local: quiet hours end at 07:00 on 8 March, after the spring-forward (EDT).
    now = utc(2026, 3, 8, 4)
    assert recipient.in_quiet_hours(now)
    assert recipient.quiet_hours_end_after(now) == utc(2026, 3, 8, 11)
    # 03:30 EDT, past midnight, same end.
    assert recipient.quiet_hours_end_after(utc(2026, 3, 8, 7, 30)) == utc(2026, 3, 8, 11)
