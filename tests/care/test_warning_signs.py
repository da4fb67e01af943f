"""Warning signs, told to whom the person chose: once per episode, in each one's own time, only within their
scope and only while it lasts, never with notes; the counselor's note names no one.

The pages (the person's choice, the family view, the client page, the caseload) are in test_warning_sign_pages.py.
"""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from milestones.models import CheckIn
from recovery_network.care import sharing, tasks, warning_signs
from recovery_network.care.models import AccessEvent, Consent, Grant, SignEpisode, SignWatch
from recovery_network.celery import app
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.models import Delivery, Notification, NotificationPreference
from tests.care.factories import ConsentFactory, GrantFactory, turn_on_two_factor
from tests.factories import UserFactory
from tests.milestones.factories import CheckInFactory, JourneyFactory

pytestmark = pytest.mark.django_db

# Noon in Chicago (the owner's zone) on Friday 4 December 2026.
NOON = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 4)
SUBJECT = "A note from Recovery Network"


@pytest.fixture
def journey(owner):
    return JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=60))


@pytest.fixture
def family_sees_checkins(family, owner):
    Grant.objects.filter(owner=owner, viewer=family).update(checkins=True)
    return family


def watch(owner, watcher, **signs):
    return SignWatch.objects.create(owner=owner, watcher=watcher, **signs)


def checkin(owner, day, craving=2, sober="yes", notes="PRIVATE-CHECKIN-NOTE"):
    with time_machine.travel(NOON, tick=False):
        return CheckInFactory(owner=owner, local_date=day, craving=craving, sober=sober, notes=notes)


def told(kind="warning_sign"):
    return list(Delivery.objects.filter(kind=kind).order_by("pk").values_list("recipient__email", "subject_id"))


def at(day, hour_utc):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour_utc), tzinfo=dt.UTC), tick=False)


def sent_emails():
    """Send every pending delivery of the kind, as the send task would, and return the emails."""
    for delivery in Delivery.objects.filter(kind="warning_sign", status="pending"):
        send_delivery(delivery.pk)
    return list(mail.outbox)


# Cravings


def test_three_days_of_strong_craving_tell_the_watcher_once(
    owner, journey, family_sees_checkins, django_capture_on_commit_callbacks
):
    watch(owner, family_sees_checkins, craving=True)
    with django_capture_on_commit_callbacks(execute=True):
        for days_ago, craving in ((3, 2), (2, 8), (1, 9), (0, 8)):
            checkin(owner, TODAY - dt.timedelta(days=days_ago), craving=craving)
    episode = SignEpisode.objects.get()
    assert episode.sign == "craving" and episode.started_on == TODAY - dt.timedelta(days=2)
    assert told() == [(family_sees_checkins.email, episode.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        checkin(owner, TODAY + dt.timedelta(days=1), craving=10)  # the same run goes on: told once
    warning_signs.checked_in(CheckIn.objects.latest("local_date"), now=NOON)  # and evaluated again: still once
    assert len(told()) == 1 and SignEpisode.objects.count() == 1


def test_a_run_longer_than_the_days_read_back_is_still_one_episode(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, craving=True)
    for days_ago in range(warning_signs.RUN_LOOKBACK + 5, -1, -1):
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=days_ago), craving=9), now=NOON)
    assert SignEpisode.objects.count() == 1 and len(told()) == 1


def test_a_watcher_chosen_while_a_run_goes_on_is_told_at_the_next_check_in(
    owner, journey, family_sees_checkins, counselor
):
    watch(owner, counselor, craving=True)
    for days_ago in (3, 2, 1):
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=days_ago), craving=9), now=NOON)
    watch(owner, family_sees_checkins, craving=True)
    warning_signs.checked_in(checkin(owner, TODAY, craving=9), now=NOON)
    assert [email for email, _ in told()] == [counselor.email, family_sees_checkins.email]
    assert SignEpisode.objects.get().started_on == TODAY - dt.timedelta(days=3)


def test_two_strong_days_or_a_gap_in_the_run_are_no_sign(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, craving=True)
    for days_ago in (4, 1, 0):  # three strong days, but not in a row
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=days_ago), craving=9), now=NOON)
    assert not SignEpisode.objects.exists() and told() == []


def test_a_run_that_ended_and_came_back_is_a_new_episode(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, craving=True)
    for day in range(1, 4):
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=10 - day), craving=9), now=NOON)
    warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=6), craving=3), now=NOON)
    assert SignEpisode.objects.get().ended_at is not None  # a craving below 8 ends it
    for day in range(3):
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=2 - day), craving=8), now=NOON)
    assert SignEpisode.objects.count() == 2 and len(told()) == 2


# Use


def test_a_check_in_recording_use_is_told_once_and_never_its_notes(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, use=True)
    entry = checkin(owner, TODAY, sober="no", notes="PRIVATE-CHECKIN-NOTE")
    warning_signs.checked_in(entry, now=NOON)
    warning_signs.checked_in(entry, now=NOON)  # saved again (edited): still once
    assert len(told()) == 1
    episode = SignEpisode.objects.get()
    assert episode.sign == "use" and episode.ended_at is not None  # a day of use ends as it opens
    note = Notification.objects.get(recipient=family_sees_checkins, kind="warning_sign")
    assert note.title == f"{owner.name} may need a call today"
    [email] = sent_emails()
    assert email.subject == SUBJECT and email.to == [family_sees_checkins.email]
    everything = note.title + note.body + email.subject + email.body + email.alternatives[0][0]
    assert "PRIVATE-CHECKIN-NOTE" not in everything
    # The first lines, which a lock screen shows, say only that a note is waiting.
    preview = " ".join(email.body.strip().splitlines()[:3])
    assert "new note for you" in preview
    assert not any(detail in preview for detail in (owner.name, "call today", "recorded a use"))


def test_each_day_of_use_is_its_own_episode(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, use=True)
    for days_ago in (1, 0):
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=days_ago), sober="no"), now=NOON)
    assert SignEpisode.objects.filter(sign="use").count() == 2 and len(told()) == 2


def test_setbacks_alone_are_enough_to_be_told_of_use_but_not_of_cravings(owner, journey, family):
    Grant.objects.filter(owner=owner, viewer=family).update(setbacks=True)
    watch(owner, family, use=True, craving=True)
    for days_ago in (2, 1, 0):
        warning_signs.checked_in(
            checkin(owner, TODAY - dt.timedelta(days=days_ago), craving=9, sober="no" if days_ago == 0 else "yes"),
            now=NOON,
        )
    assert {episode.sign for episode in SignEpisode.objects.all()} == {"use", "craving"}
    assert [SignEpisode.objects.get(pk=subject).sign for _, subject in told()] == ["use"]


# Silence


def test_silence_is_told_when_each_watchers_own_number_of_days_is_reached(
    owner, journey, family_sees_checkins, counselor
):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=2)
    watch(owner, counselor, no_checkin=True, no_checkin_days=4)
    checkin(owner, TODAY)
    # Two of her days later at 1 AM in Chicago (07:00 UTC): the family's two days are reached, not the counselor's four.
    with at(dt.date(2026, 12, 6), 7):
        assert warning_signs.sweep_silence() == 1
        assert warning_signs.sweep_silence() == 0
    assert [email for email, _ in told()] == [family_sees_checkins.email]
    with at(dt.date(2026, 12, 7), 7):
        warning_signs.sweep_silence()
    assert len(told()) == 1
    with at(dt.date(2026, 12, 8), 7):
        warning_signs.sweep_silence()
        warning_signs.sweep_silence()
    assert sorted(email for email, _ in told()) == sorted([family_sees_checkins.email, counselor.email])
    assert SignEpisode.objects.get().started_on == TODAY


def test_silence_follows_the_persons_own_day(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=1)
    checkin(owner, TODAY)
    # 5 December 03:00 UTC is still 4 December (9 PM) in Chicago: no day has passed there yet.
    with at(dt.date(2026, 12, 5), 3):
        assert warning_signs.sweep_silence() == 0
    with at(dt.date(2026, 12, 5), 7):
        assert warning_signs.sweep_silence() == 1


def test_silence_is_counted_across_a_change_of_clocks_in_the_persons_zone(owner, family_sees_checkins):
    owner.time_zone = "Pacific/Auckland"
    owner.save(update_fields=["time_zone"])
    JourneyFactory(owner=owner, started_on=dt.date(2026, 3, 1))
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=3)
    CheckInFactory(owner=owner, local_date=dt.date(2026, 4, 3))
    # Auckland's clocks went back an hour at 3 AM on 5 April (UTC+13 to +12): 11:30 UTC on the 5th is still
    # 23:30 on the 5th there, two days on; 12:10 UTC is 00:10 on the 6th, three.
    with time_machine.travel(dt.datetime(2026, 4, 5, 11, 30, tzinfo=dt.UTC), tick=False):
        assert warning_signs.sweep_silence() == 0
    with time_machine.travel(dt.datetime(2026, 4, 5, 12, 10, tzinfo=dt.UTC), tick=False):
        assert warning_signs.sweep_silence() == 1


def test_a_check_in_ends_the_silence_and_a_new_one_fires_again(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=2)
    checkin(owner, TODAY)
    with at(dt.date(2026, 12, 7), 7):
        warning_signs.sweep_silence()
        warning_signs.checked_in(checkin(owner, dt.date(2026, 12, 7)))
    assert SignEpisode.objects.get().ended_at is not None
    with at(dt.date(2026, 12, 8), 7):
        assert warning_signs.sweep_silence() == 0  # a day since the last check-in: not yet
    with at(dt.date(2026, 12, 10), 7):
        assert warning_signs.sweep_silence() == 1
    assert len(told()) == 2
    assert sorted(SignEpisode.objects.values_list("started_on", flat=True)) == [TODAY, dt.date(2026, 12, 7)]


def test_silence_before_any_check_in_counts_from_the_journeys_start(owner, family_sees_checkins):
    JourneyFactory(owner=owner, started_on=TODAY)
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=3)
    with at(dt.date(2026, 12, 7), 18):
        assert warning_signs.sweep_silence() == 1
    assert SignEpisode.objects.get().started_on == TODAY


def test_no_one_without_a_journey_or_without_a_watch_is_looked_at(owner, family_sees_checkins, stranger):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=1)  # the owner has no journey
    JourneyFactory(owner=stranger, started_on=TODAY - dt.timedelta(days=30))  # a journey, no watch
    with at(dt.date(2026, 12, 20), 18):
        assert warning_signs.sweep_silence() == 0
    assert not SignEpisode.objects.exists()


def _silent_people(count, family):
    """`count` people, silent for a week, each watched by the family member (holding check-in trends)."""
    for _ in range(count):
        person = UserFactory()
        JourneyFactory(owner=person, started_on=TODAY - dt.timedelta(days=60))
        CheckInFactory(owner=person, local_date=TODAY - dt.timedelta(days=7))
        GrantFactory(owner=person, viewer=family, checkins=True)
        watch(person, family, no_checkin=True, no_checkin_days=2)


def _sweep_queries():
    with CaptureQueriesContext(connection) as captured:
        warning_signs.sweep_silence()
    return len(captured)


def test_the_sweep_reads_everyone_watched_in_a_fixed_number_of_queries(family):
    with time_machine.travel(NOON, tick=False):
        _silent_people(2, family)
        _sweep_queries()  # opens their episodes and tells the family member
        at_two = _sweep_queries()
        _silent_people(6, family)
        _sweep_queries()
        at_eight = _sweep_queries()
    assert Delivery.objects.filter(kind="warning_sign").count() == 8
    print(f"sweep queries: {at_two} at two people, {at_eight} at eight")
    assert at_two == at_eight <= 5


def test_beat_sweeps_for_silence_every_quarter_hour(settings, owner, journey, family_sees_checkins):
    beat = settings.CELERY_BEAT_SCHEDULE["warning-signs"]
    assert beat == {"task": "recovery_network.care.tasks.sweep_silence", "schedule": 900.0}
    assert beat["task"] in app.tasks and tasks.sweep_silence.name == beat["task"]
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=2)
    checkin(owner, TODAY)
    with at(dt.date(2026, 12, 6), 18):
        assert tasks.sweep_silence.apply().get() == 1
        assert tasks.sweep_silence.apply().get() == 0  # safe to run twice
    assert len(told()) == 1


# Scopes and access


def test_without_the_scope_nothing_is_told(owner, journey, family):
    watch(owner, family, craving=True, use=True, no_checkin=True)  # the default grant: clean time only
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    with time_machine.travel(NOON + dt.timedelta(days=5), tick=False):
        warning_signs.sweep_silence()
    assert told() == []


def test_a_watcher_no_longer_in_the_circle_is_told_nothing(owner, journey, family_sees_checkins, counselor):
    watch(owner, family_sees_checkins, use=True)
    watch(owner, counselor, use=True)
    sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=family_sees_checkins))
    sharing.revoke_consent(Consent.objects.get(owner=owner, counselor=counselor))
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    assert told() == []


def _held_note(owner, watcher):
    """A note of use told to `watcher` whose email waits out their quiet hours."""
    watcher.quiet_hours_start, watcher.quiet_hours_end = dt.time(0, 0), dt.time(23, 59)
    watcher.save()
    watch(owner, watcher, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    delivery = Delivery.objects.get(kind="warning_sign", recipient=watcher)
    assert delivery.status == "held"
    return delivery


def _released(delivery, now=None):
    Delivery.objects.filter(pk=delivery.pk).update(status="pending", next_attempt_at=None)  # as release_held does
    return send_delivery(delivery.pk, now=now).status


def test_a_revoked_grant_stops_what_was_waiting_to_be_sent(owner, journey, family_sees_checkins):
    delivery = _held_note(owner, family_sees_checkins)
    sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=family_sees_checkins))
    assert _released(delivery) == "skipped" and mail.outbox == []


def test_a_narrowed_grant_stops_what_was_waiting_to_be_sent(owner, journey, family_sees_checkins):
    delivery = _held_note(owner, family_sees_checkins)
    sharing.change_scopes(Grant.objects.get(owner=owner, viewer=family_sees_checkins), {"clean_time"})
    assert _released(delivery) == "skipped" and mail.outbox == []


def test_a_consent_that_lapsed_stops_what_was_waiting_to_be_sent(owner, journey, counselor):
    Consent.objects.filter(owner=owner, counselor=counselor).update(expires_on=TODAY)
    delivery = _held_note(owner, counselor)
    # 5 December in Chicago: the consent ended with the 4th.
    assert _released(delivery, now=dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC)) == "skipped"
    assert mail.outbox == []


def test_the_person_turning_a_sign_off_stops_what_was_waiting_to_be_sent(owner, journey, family_sees_checkins):
    delivery = _held_note(owner, family_sees_checkins)
    warning_signs.choose(owner, family_sees_checkins.pk, {"craving"}, 3)
    assert _released(delivery) == "skipped"


def test_a_note_still_allowed_is_sent_once_its_quiet_hours_end(owner, journey, family_sees_checkins):
    delivery = _held_note(owner, family_sees_checkins)
    assert _released(delivery) == "sent" and len(mail.outbox) == 1


# What the notes say


def test_the_familys_note_names_the_person_and_the_sign_and_nothing_more(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=3)
    checkin(owner, TODAY)
    with at(dt.date(2026, 12, 7), 18):
        warning_signs.sweep_silence()
    note = Notification.objects.get(recipient=family_sees_checkins)
    assert note.title == "Olive may need a call today"
    assert note.body.startswith("Olive hasn't checked in for 3 days.")
    assert note.url == f"/care/people/{owner.pk}/"
    with at(dt.date(2026, 12, 8), 18):  # sent a day later: it still says what it said when it was written
        [email] = sent_emails()
    assert "Olive hasn't checked in for 3 days." in email.body and email.subject == SUBJECT


def test_the_counselors_note_names_no_one(owner, journey, counselor):
    watch(owner, counselor, use=True, craving=True)
    for days_ago in (2, 1, 0):
        warning_signs.checked_in(
            checkin(owner, TODAY - dt.timedelta(days=days_ago), craving=9, sober="no" if days_ago == 0 else "yes"),
            now=NOON,
        )
    notes = list(Notification.objects.filter(recipient=counselor))
    emails = sent_emails()
    assert len(notes) == len(emails) == 2
    for note in notes:
        assert note.title == "A client may need a call today" and note.url == "/care/clients/"
    everything = "".join(note.title + note.body for note in notes)
    everything += "".join(email.subject + email.body + email.alternatives[0][0] for email in emails)
    for detail in (owner.name, owner.email, "PRIVATE-CHECKIN-NOTE", "craving", "recorded a use", "check-in"):
        assert detail not in everything


def test_a_counselor_without_two_factor_still_gets_the_nameless_note(owner, journey, counselor):
    counselor.authenticator_set.all().delete()
    watch(owner, counselor, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    assert Notification.objects.get(recipient=counselor).title == "A client may need a call today"


def test_someone_who_is_both_family_and_counselor_gets_the_nameless_note(owner, journey, family_sees_checkins):
    turn_on_two_factor(family_sees_checkins)
    ConsentFactory(owner=owner, counselor=family_sees_checkins)
    watch(owner, family_sees_checkins, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    assert Notification.objects.get(recipient=family_sees_checkins).title == "A client may need a call today"


def test_each_note_is_a_line_in_the_persons_access_log(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    line = AccessEvent.objects.get(owner=owner, actor=family_sees_checkins)
    assert line.what == "warning sign: a check-in recording use"


def test_a_watcher_who_turned_the_notes_off_is_not_sent_them(owner, journey, family_sees_checkins):
    NotificationPreference.objects.create(user=family_sees_checkins, kind="warning_sign", by_email=False, in_app=False)
    watch(owner, family_sees_checkins, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    assert Delivery.objects.get().status == "skipped" and not Notification.objects.exists()


# The check-in is never at risk


def test_a_failure_to_evaluate_never_costs_the_check_in(owner, journey, django_capture_on_commit_callbacks, caplog):
    failing = mock.patch.object(warning_signs, "checked_in", side_effect=RuntimeError("boom"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        entry = checkin(owner, TODAY, sober="no")
    assert CheckIn.objects.filter(pk=entry.pk).exists()
    assert "could not be evaluated" in caplog.text
