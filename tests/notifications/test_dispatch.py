"""The dispatch: due rows become deliveries once; skips, holds, pauses, preferences and downtime."""

import datetime as dt

import pytest
from django.core import mail

from milestones.models import CheckIn
from recovery_network.models import User
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications import registry
from recovery_network.notifications.dispatch import reconcile, refresh_person, refresh_subjects
from recovery_network.notifications.models import Delivery, Notification, Reminder
from supports.models import Closeness
from supports.services import log_contact
from tests.milestones.factories import JourneyFactory
from tests.notifications.conftest import chicago
from tests.supports.factories import MeetingTimeFactory, PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db

EVENING = dt.time(20, 30)


@pytest.fixture
def person(owner):
    """Olive in Chicago, in recovery (a journey of her own): check-in at 20:30, quiet hours 22:00–07:00."""
    JourneyFactory(owner=owner, started_on=dt.date(2026, 1, 1))
    owner.checkin_time = EVENING
    owner.save()
    refresh_person(owner, now=chicago(2026, 6, 1, 12))
    return owner


def checkin_row(user):
    return Reminder.objects.get(recipient=user, kind="checkin")


def test_checkin_reminder_is_delivered_once_by_email_and_in_app(person, dispatch, enqueued):
    row = checkin_row(person)
    assert (row.occurrence, row.due_at) == ("2026-06-01", chicago(2026, 6, 1, 20, 30))

    assert dispatch(chicago(2026, 6, 1, 20, 29)).sent == 0
    result = dispatch(chicago(2026, 6, 1, 20, 30))
    assert result.sent == 1
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.occurrence, delivery.status) == ("checkin", "2026-06-01", "pending")
    assert enqueued == [delivery.pk]
    note = Notification.objects.get()
    assert (note.recipient, note.delivery, note.title) == (person, delivery, "Time for your check-in")

    # The row moved to tomorrow; running again in the same minute (a second beat) does nothing.
    assert checkin_row(person).occurrence == "2026-06-02"
    assert dispatch(chicago(2026, 6, 1, 20, 30)).sent == 0
    assert dispatch(chicago(2026, 6, 1, 20, 31)).sent == 0
    assert Delivery.objects.count() == Notification.objects.count() == 1
    assert enqueued == [delivery.pk]


def test_checkin_reminder_is_skipped_when_already_checked_in_that_local_day(person, dispatch, enqueued):
    CheckIn.objects.create(owner=person, local_date=dt.date(2026, 6, 1), sober="yes")
    result = dispatch(chicago(2026, 6, 1, 20, 30))
    assert (result.sent, result.skipped) == (0, 1)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.skip_reason) == ("skipped", "checked_in")
    assert not Notification.objects.exists() and enqueued == []
    # Tomorrow is another day.
    assert dispatch(chicago(2026, 6, 2, 20, 30)).sent == 1


def test_a_checkin_on_another_day_does_not_skip_today(person, dispatch):
    CheckIn.objects.create(owner=person, local_date=dt.date(2026, 5, 31), sober="yes")
    assert dispatch(chicago(2026, 6, 1, 20, 30)).sent == 1


def test_quiet_hours_hold_a_reminder_until_they_end(person, dispatch, enqueued):
    person.checkin_time = dt.time(6, 30)
    person.save()
    refresh_person(person, now=chicago(2026, 6, 1, 12))
    result = dispatch(chicago(2026, 6, 2, 6, 30))
    assert (result.held, result.sent) == (1, 0)
    row = checkin_row(person)
    assert (row.occurrence, row.due_at) == ("2026-06-02", chicago(2026, 6, 2, 7, 0))
    assert dispatch(chicago(2026, 6, 2, 6, 59)).sent == 0
    assert dispatch(chicago(2026, 6, 2, 7, 0)).sent == 1
    assert Delivery.objects.get().occurrence == "2026-06-02"
    assert checkin_row(person).due_at == chicago(2026, 6, 3, 6, 30)


def test_a_reminder_still_held_when_it_goes_stale_is_skipped_not_sent_late(person, dispatch, enqueued):
    person.checkin_time = dt.time(23, 0)  # inside quiet hours (22:00–07:00) every day
    person.save()
    refresh_person(person, now=chicago(2026, 6, 1, 12))
    assert dispatch(chicago(2026, 6, 1, 23, 0)).held == 1
    result = dispatch(chicago(2026, 6, 2, 7, 0))
    assert (result.sent, result.skipped) == (0, 1)
    assert Delivery.objects.get().skip_reason == "missed"
    assert enqueued == []


def test_no_quiet_hours_means_no_hold(person, dispatch):
    person.quiet_hours_start = person.quiet_hours_end = None
    person.checkin_time = dt.time(23, 0)
    person.save()
    refresh_person(person, now=chicago(2026, 6, 1, 12))
    assert dispatch(chicago(2026, 6, 1, 23, 0)).sent == 1


def test_paused_reminders_are_skipped_until_the_pause_ends(person, dispatch, enqueued):
    person.reminders_paused_until = chicago(2026, 6, 3, 0, 0)
    person.save()
    for day in (1, 2):
        result = dispatch(chicago(2026, 6, day, 20, 30))
        assert (result.sent, result.skipped) == (0, 1)
    assert set(Delivery.objects.values_list("skip_reason", flat=True)) == {"paused"}
    assert dispatch(chicago(2026, 6, 3, 20, 30)).sent == 1
    assert enqueued == [Delivery.objects.get(occurrence="2026-06-03").pk]


def test_email_turned_off_delivers_in_app_only(person, dispatch, enqueued):
    reminders.set_channels(person, "checkin", by_email=False)
    assert dispatch(chicago(2026, 6, 1, 20, 30)).sent == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.by_email, delivery.in_app) == ("sent", False, True)
    assert Notification.objects.count() == 1 and enqueued == []


def test_in_app_turned_off_sends_email_only(person, dispatch, enqueued):
    reminders.set_channels(person, "checkin", in_app=False)
    dispatch(chicago(2026, 6, 1, 20, 30))
    assert not Notification.objects.exists()
    assert enqueued == [Delivery.objects.get().pk]


def test_an_unverified_address_gets_no_email_only_the_in_app_note(person, dispatch, enqueued):
    """A mistyped address at sign-up belongs to someone else: they must never get these notes."""
    person.emailaddress_set.update(verified=False)
    assert dispatch(chicago(2026, 6, 1, 20, 30)).sent == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.by_email, delivery.in_app) == ("sent", False, True)
    assert enqueued == [] and mail.outbox == []


def test_both_channels_off_skips(person, dispatch, enqueued):
    reminders.set_channels(person, "checkin", by_email=False, in_app=False)
    result = dispatch(chicago(2026, 6, 1, 20, 30))
    assert (result.sent, result.skipped) == (0, 1)
    assert Delivery.objects.get().skip_reason == "opted_out"


def test_after_short_downtime_a_missed_reminder_is_sent_once(person, dispatch, enqueued):
    """The system was down at 20:30; back at 21:15, inside the two-hour grace window."""
    result = dispatch(chicago(2026, 6, 1, 21, 15))
    assert result.sent == 1 and len(enqueued) == 1
    assert checkin_row(person).occurrence == "2026-06-02"


def test_after_long_downtime_old_reminders_are_skipped_not_sent_in_a_burst(person, dispatch, enqueued):
    """Down from 1 June to 4 June at 12:00: one skipped row, nothing sent, and the 4 June reminder still comes."""
    result = dispatch(chicago(2026, 6, 4, 12, 0))
    assert (result.sent, result.skipped) == (0, 1)
    assert list(Delivery.objects.values_list("occurrence", "skip_reason")) == [("2026-06-01", "missed")]
    assert checkin_row(person).occurrence == "2026-06-04"
    assert dispatch(chicago(2026, 6, 4, 20, 30)).sent == 1
    assert len(enqueued) == 1


def test_changed_checkin_time_the_same_day_does_not_remind_twice(person, dispatch, enqueued):
    dispatch(chicago(2026, 6, 1, 20, 30))
    person.checkin_time = dt.time(21, 0)
    person.save()
    refresh_person(person, now=chicago(2026, 6, 1, 20, 45))
    assert checkin_row(person).occurrence == "2026-06-01"
    assert dispatch(chicago(2026, 6, 1, 21, 0)).sent == 0
    # Only the first one exists (its email task, never run here, is re-queued as stalled).
    assert Delivery.objects.count() == 1 and set(enqueued) == {Delivery.objects.get().pk}


def test_inactive_person_loses_their_rows(person, dispatch):
    person.is_active = False
    person.save()
    result = dispatch(chicago(2026, 6, 1, 20, 30))
    # (The monthly check-up's row, not yet due, goes with the next reconcile.)
    assert result.removed == 1 and not Reminder.objects.exclude(kind="capital_check").exists()


def test_milestone_celebration_on_the_morning_of_the_day(person, dispatch):
    journey = JourneyFactory(owner=person, started_on=dt.date(2026, 5, 2), first_started_on=dt.date(2026, 5, 2))
    refresh_subjects("milestone", [journey.pk], now=chicago(2026, 5, 20))
    assert dispatch(chicago(2026, 6, 1, 9, 0)).sent == 1
    note = Notification.objects.get(kind="milestone")
    assert note.title == "30 days today — well done"
    assert note.url == f"/progress/journeys/{journey.pk}/celebrate/d30/"


def test_a_restarted_journey_reschedules_instead_of_celebrating_the_old_count(person, dispatch):
    journey = JourneyFactory(owner=person, started_on=dt.date(2026, 5, 2), first_started_on=dt.date(2026, 5, 2))
    refresh_subjects("milestone", [journey.pk], now=chicago(2026, 5, 20))
    # Changed behind the schedule's back (a bulk update): the dispatch follows the data.
    type(journey).objects.filter(pk=journey.pk).update(started_on=dt.date(2026, 5, 27))
    result = dispatch(chicago(2026, 6, 1, 9, 0))
    assert (result.sent, result.rescheduled) == (0, 1)
    row = Reminder.objects.get(kind="milestone")
    assert (row.occurrence, row.due_at) == ("d7:2026-06-03", chicago(2026, 6, 3, 9, 0))


def test_meeting_reminder_before_the_group_meets(person, dispatch):
    person.meeting_reminder_minutes = 30
    person.save()
    group = PeerGroupFactory(owner=person, name="Lakeside Tuesday", time_zone="America/New_York")
    slot = MeetingTimeFactory(group=group, weekday=1, start_time=dt.time(19, 0))  # Tuesday 19:00 New York
    refresh_subjects("meeting", [slot.pk], now=chicago(2026, 6, 1))
    # 19:00 New York is 18:00 Chicago; thirty minutes before is 17:30 Chicago on Tuesday 2 June.
    assert dispatch(chicago(2026, 6, 2, 17, 29)).sent == 0
    assert dispatch(chicago(2026, 6, 2, 17, 30)).sent == 1
    note = Notification.objects.get(kind="meeting")
    assert note.title == "Lakeside Tuesday meets at 7:00 PM"
    assert Reminder.objects.get(kind="meeting").occurrence == "2026-06-09"


def test_meeting_reminder_after_the_meeting_began_is_skipped(person, dispatch):
    slot = MeetingTimeFactory(group__owner=person, group__time_zone="America/Chicago", weekday=1)
    refresh_subjects("meeting", [slot.pk], now=chicago(2026, 6, 1))
    result = dispatch(chicago(2026, 6, 2, 19, 5))  # down until five minutes after it began
    assert result.sent == 0
    assert Delivery.objects.get(kind="meeting").skip_reason == "missed"


def test_reach_out_nudge_with_one_tap_action(person, dispatch, enqueued):
    supporter = SupporterFactory(owner=person, name="Marcus", closeness=Closeness.INNER, contact_every_days=3)
    log_contact(supporter, happened_at=chicago(2026, 5, 29, 18, 0))
    refresh_subjects("reach_out", [supporter.pk], now=chicago(2026, 5, 30))
    assert dispatch(chicago(2026, 6, 1, 18, 0)).sent == 1
    note = Notification.objects.get(kind="reach_out")
    assert note.title == "Reach out to Marcus"
    assert note.action_label == "I reached out" and note.action_url.startswith("/network/reached-out/")
    assert Reminder.objects.get(kind="reach_out").occurs_at == chicago(2026, 6, 4, 18, 0)


def test_a_supporter_already_overdue_is_nudged_now_not_a_period_later(person, dispatch):
    supporter = SupporterFactory(owner=person, name="Ana", closeness=Closeness.INNER, contact_every_days=7)
    log_contact(supporter, happened_at=chicago(2026, 5, 10, 18, 0))  # due 17 May, overdue since
    refresh_subjects("reach_out", [supporter.pk], now=chicago(2026, 6, 1, 12, 0))
    row = Reminder.objects.get(kind="reach_out")
    assert row.occurs_at == chicago(2026, 5, 31, 18, 0)  # the latest step of the weekly rhythm
    assert dispatch(chicago(2026, 6, 1, 12, 1)).sent == 1
    assert Reminder.objects.get(kind="reach_out").occurs_at == chicago(2026, 6, 7, 18, 0)
    # Rebuilding the row (an edit to the supporter) does not nudge twice for the same step.
    refresh_subjects("reach_out", [supporter.pk], now=chicago(2026, 6, 1, 12, 5))
    assert dispatch(chicago(2026, 6, 1, 12, 6)).sent == 0
    assert Delivery.objects.filter(kind="reach_out").count() == 1


def test_contact_logged_without_signals_reschedules_the_nudge_instead_of_sending(person, dispatch):
    supporter = SupporterFactory(owner=person, closeness=Closeness.INNER, contact_every_days=3)
    log_contact(supporter, happened_at=chicago(2026, 5, 29, 18, 0))
    refresh_subjects("reach_out", [supporter.pk], now=chicago(2026, 5, 30))
    # Logged on 31 May; the row still says 1 June because the refresh runs on commit.
    log_contact(supporter, happened_at=chicago(2026, 5, 31, 12, 0))
    result = dispatch(chicago(2026, 6, 1, 18, 0))
    assert (result.sent, result.rescheduled) == (0, 1)
    assert Reminder.objects.get(kind="reach_out").due_at == chicago(2026, 6, 3, 12, 0)


def test_deleted_subject_removes_its_row(person, dispatch):
    journey = JourneyFactory(owner=person, started_on=dt.date(2026, 5, 31), first_started_on=dt.date(2026, 5, 31))
    refresh_subjects("milestone", [journey.pk], now=chicago(2026, 5, 31, 12))
    type(journey).objects.filter(pk=journey.pk).delete()
    assert dispatch(chicago(2026, 6, 1, 9, 0)).removed == 1
    assert not Reminder.objects.filter(kind="milestone").exists()


def test_reconcile_adds_rows_for_bulk_created_subjects_and_drops_stale_ones(owner, stranger):
    Reminder.objects.all().delete()
    inner = SupporterFactory(owner=owner, closeness=Closeness.INNER, contact_every_days=7)
    wider = SupporterFactory(owner=owner, closeness=Closeness.WIDER, contact_every_days=7)
    group = PeerGroupFactory(owner=owner)
    slot = MeetingTimeFactory(group=group)
    journey = JourneyFactory(owner=owner)
    report = reconcile(now=chicago(2026, 6, 1))
    rows = set(Reminder.objects.values_list("kind", "subject_id"))
    # Stan has no journey of his own: no check-in reminder for him.
    assert rows == {
        ("checkin", owner.pk),
        ("reach_out", inner.pk),
        ("meeting", slot.pk),
        ("milestone", journey.pk),
        ("capital_check", owner.pk),  # a journey of her own: the monthly check-up
        ("network_review", owner.pk),  # in recovery, with a network to look over now and then
    }
    assert report["checkin"] == (1, 0)
    assert ("reach_out", wider.pk) not in rows
    # Archived through a bulk update: the next reconcile removes the row.
    type(group).objects.filter(pk=group.pk).update(archived_at=chicago(2026, 6, 1))
    assert reconcile(now=chicago(2026, 6, 1))["meeting"] == (0, 1)
    scheduled = [key for key, kind in registry.kinds().items() if kind.scheduled]
    assert reconcile(now=chicago(2026, 6, 1)) == dict.fromkeys(scheduled, (0, 0))


def test_dispatch_works_in_batches(person, stranger, family, dispatch, enqueued):
    for user in (stranger, family):
        JourneyFactory(owner=user)
        user.checkin_time, user.time_zone = EVENING, "America/Chicago"
        user.save()
        refresh_person(user, now=chicago(2026, 6, 1, 12))
    assert dispatch(chicago(2026, 6, 1, 20, 30), batch_size=2).sent == 3
    assert len(set(enqueued)) == 3


def test_an_occurrence_another_run_wrote_is_left_to_it_while_the_rest_of_the_batch_goes_out(
    person, stranger, family, dispatch, enqueued
):
    for user in (stranger, family):
        JourneyFactory(owner=user)
        user.checkin_time, user.time_zone = EVENING, "America/Chicago"
        user.save()
        refresh_person(user, now=chicago(2026, 6, 1, 12))
    theirs = Delivery.objects.create(
        recipient=stranger, kind="checkin", subject_id=stranger.pk, occurrence="2026-06-01", by_email=True
    )
    result = dispatch(chicago(2026, 6, 1, 20, 30))
    assert (result.sent, result.skipped) == (2, 0)
    assert Delivery.objects.count() == 3
    assert set(Notification.objects.values_list("recipient", flat=True)) == {person.pk, family.pk}
    assert theirs.pk not in enqueued and len(enqueued) == 2
    unread = dict(User.objects.values_list("pk", "unread_notifications"))
    assert (unread[person.pk], unread[stranger.pk], unread[family.pk]) == (1, 0, 1)
    assert Reminder.objects.filter(kind="checkin", occurrence="2026-06-02").count() == 3


def test_signals_keep_rows_current_after_commit(django_capture_on_commit_callbacks, owner):
    with django_capture_on_commit_callbacks(execute=True):
        JourneyFactory(owner=owner)  # a first journey starts the check-in reminder
    assert Reminder.objects.filter(kind="checkin", recipient=owner).exists()
    with django_capture_on_commit_callbacks(execute=True):
        supporter = SupporterFactory(owner=owner, closeness=Closeness.INNER, contact_every_days=7)
    first = Reminder.objects.get(kind="reach_out", subject_id=supporter.pk).due_at
    with django_capture_on_commit_callbacks(execute=True):
        log_contact(supporter)
    assert Reminder.objects.get(kind="reach_out", subject_id=supporter.pk).due_at > first
    with django_capture_on_commit_callbacks(execute=True):
        supporter.archive()
    assert not Reminder.objects.filter(kind="reach_out").exists()
    with django_capture_on_commit_callbacks(execute=True):
        owner.checkin_time = dt.time(7, 15)
        owner.save()
    row = Reminder.objects.get(kind="checkin", recipient=owner)
    assert row.occurs_at.astimezone(owner.zone).time() == dt.time(7, 15)


def test_sign_in_does_not_recompute_reminders(django_capture_on_commit_callbacks, owner):
    with django_capture_on_commit_callbacks() as callbacks:
        owner.save(update_fields=["last_login"])
    assert callbacks == []


def test_no_mail_is_sent_by_the_dispatch_itself(person, dispatch):
    dispatch(chicago(2026, 6, 1, 20, 30))
    assert mail.outbox == []


def _people_due(count, now):
    from recovery_network.models import User
    from tests.factories import UserFactory

    User.objects.all().delete()
    people = UserFactory.create_batch(count, time_zone="UTC", quiet_hours_start=None, quiet_hours_end=None)
    User.objects.filter(pk__in=[p.pk for p in people]).update(checkin_time=dt.time(9, 0), has_journey=True)
    Reminder.objects.all().delete()
    reconcile(now=now - dt.timedelta(hours=1))
    return people


def test_dispatch_runs_the_same_queries_for_5_or_60_people(dispatch):
    """Set-based: a batch costs a fixed number of queries whatever its size (here one batch each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for day, count in ((1, 5), (2, 60)):
        now = dt.datetime(2026, 6, day, 9, 0, tzinfo=dt.UTC)
        _people_due(count, now)
        with CaptureQueriesContext(connection) as queries:
            assert dispatch(now).sent == count
        counts.append(len(queries))
    # Due rows (with their preferences and verified addresses), check-ins, insert deliveries and read back this
    # run's, insert notifications, bump unread counters, move the rows on, the empty second batch, held and
    # stalled deliveries, and savepoints.
    assert counts[0] == counts[1] <= 14, counts
