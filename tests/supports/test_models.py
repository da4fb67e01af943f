import datetime as dt

import pytest
from django.http import Http404
from django.utils import timezone

from supports.models import Closeness, Influence, MeetingTime, PeerGroup, Supporter
from supports.services import attendance_stats, delete_contact, join_meeting, log_contact, record_attendance
from tests.factories import UserFactory
from tests.supports.factories import (
    AttendanceFactory,
    ContactFactory,
    MeetingFactory,
    PeerGroupFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 18, 0, tzinfo=UTC)


def test_new_supporter_with_a_rhythm_is_due_one_interval_after_being_added(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=7, created_at=NOW)
    assert supporter.contact_due_at == NOW + dt.timedelta(days=7)
    assert not supporter.is_overdue(NOW + dt.timedelta(days=6))
    assert supporter.is_overdue(NOW + dt.timedelta(days=8))


def test_supporter_without_a_rhythm_is_never_overdue(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=None, created_at=NOW - dt.timedelta(days=400))
    assert supporter.contact_due_at is None
    assert not supporter.is_overdue(NOW)
    assert not Supporter.objects.overdue(NOW).exists()


def test_logging_a_contact_moves_last_contact_and_due_time(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=7, created_at=NOW - dt.timedelta(days=30))
    assert supporter.is_overdue(NOW)
    contact = log_contact(supporter, happened_at=NOW - dt.timedelta(days=1), channel="video", helpfulness=4)
    supporter.refresh_from_db()
    assert contact.owner == owner
    assert supporter.last_contact_at == NOW - dt.timedelta(days=1)
    assert supporter.contact_due_at == NOW + dt.timedelta(days=6)
    assert not supporter.is_overdue(NOW)
    assert list(Supporter.objects.overdue(NOW)) == []


def test_logging_an_older_contact_keeps_the_latest_as_last_contact(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=7)
    log_contact(supporter, happened_at=NOW - dt.timedelta(days=1))
    log_contact(supporter, happened_at=NOW - dt.timedelta(days=20))
    supporter.refresh_from_db()
    assert supporter.last_contact_at == NOW - dt.timedelta(days=1)


def test_logging_contacts_agrees_with_recomputing_from_the_log_and_marks_pages_stale_once(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=14, created_at=NOW - dt.timedelta(days=90))
    for days_ago in (30, 2, 45, 2, 9):
        version = type(owner).objects.get(pk=owner.pk).data_version
        log_contact(supporter, happened_at=NOW - dt.timedelta(days=days_ago))
        assert type(owner).objects.get(pk=owner.pk).data_version == version + 1
        supporter.refresh_from_db()
        logged = (supporter.last_contact_at, supporter.contact_due_at)
        supporter.refresh_contact_state(save=False)  # the standard: read the whole log again
        assert logged == (supporter.last_contact_at, supporter.contact_due_at)
    assert supporter.last_contact_at == NOW - dt.timedelta(days=2)


def test_removing_the_latest_contact_falls_back_to_the_one_before(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=7, created_at=NOW - dt.timedelta(days=60))
    log_contact(supporter, happened_at=NOW - dt.timedelta(days=10))
    latest = log_contact(supporter, happened_at=NOW - dt.timedelta(days=1))
    delete_contact(latest)
    supporter.refresh_from_db()
    assert supporter.last_contact_at == NOW - dt.timedelta(days=10)
    assert supporter.is_overdue(NOW)


def test_changing_the_rhythm_recomputes_the_due_time(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=30)
    log_contact(supporter, happened_at=NOW - dt.timedelta(days=10))
    supporter.refresh_from_db()
    supporter.contact_every_days = 7
    supporter.save(update_fields=["contact_every_days"])
    supporter.refresh_from_db()
    assert supporter.contact_due_at == NOW - dt.timedelta(days=3)


def test_archived_supporter_is_kept_with_history_and_can_be_restored(owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=7, created_at=NOW - dt.timedelta(days=30))
    ContactFactory(supporter=supporter)
    supporter.archive(NOW)
    assert list(Supporter.objects.for_owner(owner).active()) == []
    assert list(Supporter.objects.for_owner(owner).archived()) == [supporter]
    assert not supporter.is_overdue(NOW + dt.timedelta(days=60))
    assert not Supporter.objects.overdue(NOW + dt.timedelta(days=60)).exists()
    assert supporter.contacts.count() == 1
    supporter.restore()
    assert list(Supporter.objects.for_owner(owner).active()) == [supporter]


def test_professional_and_personal_follow_the_relationship(owner):
    counselor = SupporterFactory(owner=owner, relationship="counselor")
    friend = SupporterFactory(owner=owner, relationship="friend")
    assert counselor.is_professional and counselor.kind_label == "Professional"
    assert not friend.is_professional
    assert list(Supporter.objects.for_owner(owner).professional()) == [counselor]
    assert list(Supporter.objects.for_owner(owner).personal()) == [friend]


def test_support_kinds_lists_only_what_is_given(owner):
    supporter = SupporterFactory(owner=owner, gives_emotional=True, gives_crisis=True)
    assert supporter.support_kinds == [("gives_emotional", "Emotional"), ("gives_crisis", "Crisis")]


def test_for_owner_never_returns_another_persons_supporters(owner, stranger):
    mine = SupporterFactory(owner=owner)
    SupporterFactory(owner=stranger)
    assert list(Supporter.objects.for_owner(owner)) == [mine]
    with pytest.raises(Http404):
        Supporter.objects.get_for_owner_or_404(stranger, pk=mine.pk)
    with pytest.raises(Http404):
        Supporter.objects.get_for_owner_or_404(owner, pk="not-a-number")


def test_meeting_times_are_owned_through_their_group(owner, stranger):
    group = PeerGroupFactory(owner=owner)
    slot = MeetingTime.objects.create(group=group, weekday=0, start_time=dt.time(7))
    assert list(MeetingTime.objects.for_owner(owner)) == [slot]
    assert list(MeetingTime.objects.for_owner(stranger)) == []


@pytest.mark.parametrize(
    ("zone", "after_utc", "expected_local"),
    [
        # New York springs forward on Sunday 8 March 2026: a Monday 19:00 meeting stays 19:00 local.
        ("America/New_York", dt.datetime(2026, 3, 7, 12, 0, tzinfo=UTC), dt.datetime(2026, 3, 9, 19, 0)),
        # ... and falls back on Sunday 1 November 2026.
        ("America/New_York", dt.datetime(2026, 10, 31, 12, 0, tzinfo=UTC), dt.datetime(2026, 11, 2, 19, 0)),
        # Auckland leaves daylight time on Sunday 5 April 2026.
        ("Pacific/Auckland", dt.datetime(2026, 4, 4, 0, 0, tzinfo=UTC), dt.datetime(2026, 4, 6, 19, 0)),
    ],
)
def test_next_meeting_keeps_its_local_wall_clock_time_across_dst(owner, zone, after_utc, expected_local):
    group = PeerGroupFactory(owner=owner, time_zone=zone)
    slot = MeetingTime.objects.create(group=group, weekday=0, start_time=dt.time(19))
    start = slot.next_start(after_utc)
    assert start.replace(tzinfo=None) == expected_local
    assert start.utcoffset() == expected_local.replace(tzinfo=group.zone).utcoffset()


def test_new_york_offsets_differ_before_and_after_the_spring_change(owner):
    group = PeerGroupFactory(owner=owner, time_zone="America/New_York")
    slot = MeetingTime.objects.create(group=group, weekday=0, start_time=dt.time(19))
    before = slot.next_start(dt.datetime(2026, 3, 1, 12, tzinfo=UTC))
    after = slot.next_start(dt.datetime(2026, 3, 8, 12, tzinfo=UTC))
    assert before.astimezone(UTC).hour == 0  # 19:00 EST = 00:00 UTC
    assert after.astimezone(UTC).hour == 23  # 19:00 EDT = 23:00 UTC


def test_a_meeting_later_today_is_the_next_one(owner):
    group = PeerGroupFactory(owner=owner, time_zone="America/Chicago")
    slot = MeetingTime.objects.create(group=group, weekday=0, start_time=dt.time(19))
    monday_noon_chicago = dt.datetime(2026, 6, 15, 12, 0, tzinfo=group.zone)
    assert slot.next_start(monday_noon_chicago.astimezone(UTC)).date() == dt.date(2026, 6, 15)
    monday_evening = dt.datetime(2026, 6, 15, 19, 30, tzinfo=group.zone)
    assert slot.next_start(monday_evening.astimezone(UTC)).date() == dt.date(2026, 6, 22)


def test_attendance_is_logged_once_per_group_and_day(owner):
    group = PeerGroupFactory(owner=owner)
    day = dt.date(2026, 6, 1)
    _, created = record_attendance(group, day)
    _, again = record_attendance(group, day)
    assert created and not again
    assert group.attendances.count() == 1


def test_attendance_counts_and_streak_in_local_days():
    user = UserFactory(time_zone="Pacific/Auckland")
    today = dt.date(2026, 6, 15)
    home = PeerGroupFactory(owner=user)
    other = PeerGroupFactory(owner=user)
    for days_back in range(0, 5):  # today and the four days before
        AttendanceFactory(group=home, attended_on=today - dt.timedelta(days=days_back))
    AttendanceFactory(group=other, attended_on=today)  # two meetings in one day
    AttendanceFactory(group=home, attended_on=today - dt.timedelta(days=10))
    AttendanceFactory(group=home, attended_on=today - dt.timedelta(days=120))
    stats = attendance_stats(user, today)
    assert stats.meetings_90 == 7
    assert stats.days_90 == 6
    assert stats.streak_days == 5
    assert stats.total == 8
    assert not stats.ninety_in_ninety


def test_streak_still_counts_when_todays_meeting_is_not_logged_yet(owner):
    today = dt.date(2026, 6, 15)
    group = PeerGroupFactory(owner=owner)
    for days_back in range(1, 4):
        AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=days_back))
    assert attendance_stats(owner, today).streak_days == 3
    assert attendance_stats(owner, today + dt.timedelta(days=1)).streak_days == 0


def test_ninety_meetings_in_ninety_days(owner):
    today = dt.date(2026, 6, 15)
    group = PeerGroupFactory(owner=owner)
    for days_back in range(90):
        AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=days_back))
    stats = attendance_stats(owner, today)
    assert stats.meetings_90 == 90 and stats.streak_days == 90 and stats.ninety_in_ninety


def test_joining_a_meeting_creates_a_group_with_its_weekly_times_once(owner):
    meeting = MeetingFactory(weekdays=",0,3,", start_time=dt.time(7), end_time=dt.time(8), time_zone="America/Denver")
    group, created = join_meeting(owner, meeting)
    assert created
    assert group.owner == owner and group.meeting == meeting and group.time_zone == "America/Denver"
    assert [(slot.weekday, slot.start_time) for slot in group.meeting_times.all()] == [
        (0, dt.time(7)),
        (3, dt.time(7)),
    ]
    again, created_again = join_meeting(owner, meeting)
    assert again == group and not created_again
    assert PeerGroup.objects.for_owner(owner).count() == 1


def test_groups_and_closeness_defaults(owner):
    supporter = Supporter.objects.create(owner=owner, name="Kim")
    assert supporter.closeness == Closeness.CLOSE
    assert supporter.influence == Influence.SUPPORTIVE
    assert str(supporter) == "Kim"


def test_contact_default_time_is_now(owner):
    supporter = SupporterFactory(owner=owner)
    before = timezone.now()
    contact = log_contact(supporter)
    assert contact.happened_at >= before
