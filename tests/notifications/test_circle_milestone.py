"""Milestone celebrations for the people an owner shares clean time with: opted in, on their own
clock, never after a grant is revoked or a consent has lapsed, and discreet by email."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, Consent, Grant
from recovery_network.care.notification_kinds import CircleMilestone
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications import preferences as channel_prefs
from recovery_network.notifications import registry
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.dispatch import reconcile, refresh_subjects
from recovery_network.notifications.models import Delivery, Notification, NotificationPreference, Reminder
from tests.care.factories import ConsentFactory, GrantFactory, turn_on_two_factor
from tests.factories import UserFactory
from tests.milestones.factories import JourneyFactory
from tests.notifications.conftest import chicago
from tests.notifications.test_delivery import HEALTH_WORDS

pytestmark = pytest.mark.django_db

KEY = CircleMilestone.key
# Started 1 March 2026: 90 days on Saturday 30 May, in Olive's (Chicago) calendar.
STARTED = dt.date(2026, 3, 1)
BEFORE = chicago(2026, 5, 1, 12)


def opt_in(user, by_email=True, in_app=True):
    reminders.set_channels(user, KEY, by_email=by_email, in_app=in_app)


@pytest.fixture
def journey(owner):
    return JourneyFactory(owner=owner, started_on=STARTED)


@pytest.fixture
def fran(family):
    """Fran holds Olive's grant (clean time) and asked for celebrations."""
    opt_in(family)
    return family


def rows(kind=KEY):
    return set(Reminder.objects.filter(kind=kind).values_list("recipient__display_name", "occurrence", "due_at"))


def local(zone, *args):
    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def test_viewers_hear_nothing_unless_they_turn_it_on(owner, family, journey):
    assert channel_prefs.channels(family, registry.get_kind(KEY)) == (False, False)
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    assert rows() == set()


def test_turning_it_on_builds_the_rows_and_turning_it_off_removes_them(
    owner, family, journey, django_capture_on_commit_callbacks
):
    journey.started_on = dt.date.today() - dt.timedelta(days=10)
    journey.save()
    with django_capture_on_commit_callbacks(execute=True):
        opt_in(family, by_email=False, in_app=True)
    assert Reminder.objects.filter(kind=KEY, recipient=family, subject_id=journey.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        opt_in(family, by_email=False, in_app=False)
    assert not Reminder.objects.filter(kind=KEY).exists()


def test_the_day_before_and_the_day_at_nine_on_the_viewers_clock(owner, fran, journey, dispatch, enqueued):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    assert rows() == {("Fran", "d90:2026-05-30:eve", chicago(2026, 5, 29, 9))}

    assert dispatch(chicago(2026, 5, 29, 8, 59)).sent == 0
    assert dispatch(chicago(2026, 5, 29, 9)).sent == 1
    eve = Notification.objects.get(recipient=fran)
    assert eve.title == "Olive reaches 90 days tomorrow"
    assert "Saturday 30 May" in eve.body
    assert eve.url.endswith(f"/people/{owner.pk}/")
    assert rows() == {("Fran", "d90:2026-05-30:day", chicago(2026, 5, 30, 9))}
    # A second beat in the same minute sends nothing more.
    assert dispatch(chicago(2026, 5, 29, 9)).sent == 0

    assert dispatch(chicago(2026, 5, 30, 9)).sent == 1
    assert Notification.objects.filter(recipient=fran).first().title == "Olive reaches 90 days today"
    # Next: the eve of six months (1 September).
    assert rows() == {("Fran", "m6:2026-09-01:eve", chicago(2026, 8, 31, 9))}
    # Olive herself is not a recipient of this kind, and each delivery went to Fran once.
    assert set(Delivery.objects.values_list("recipient", "kind", "status")) == {(fran.pk, KEY, "pending")}
    assert Delivery.objects.count() == 2 and len(set(enqueued)) == 2


def test_each_delivery_leaves_a_line_in_the_owners_access_log(owner, fran, journey, dispatch):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    dispatch(chicago(2026, 5, 29, 9))
    event = AccessEvent.objects.for_owner(owner).get(actor=fran)
    assert (event.action, event.what) == ("viewed", "clean time and milestones: a celebration reminder")


def test_only_viewers_whose_grant_includes_clean_time(owner, fran, journey, dispatch):
    grant = Grant.objects.get(owner=owner, viewer=fran)
    sharing.change_scopes(grant, {"checkins"})
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    assert rows() == set()
    sharing.change_scopes(grant, {"clean_time"})
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    assert len(rows()) == 1


def test_a_stranger_who_opts_in_hears_of_no_one(owner, stranger, journey):
    opt_in(stranger)
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    assert not Reminder.objects.filter(recipient=stranger).exists()
    assert reconcile(now=BEFORE)[KEY] == (0, 0)


def test_revoking_the_grant_removes_the_reminder_at_once(owner, fran, journey, django_capture_on_commit_callbacks):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    with django_capture_on_commit_callbacks(execute=True):
        sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=fran))
    assert rows() == set()


def test_a_grant_revoked_behind_the_schedules_back_is_never_sent(owner, fran, journey, dispatch):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    # A bulk update no signal sees: the dispatch asks the sharing rules afresh and drops the row.
    Grant.objects.filter(viewer=fran).update(revoked_at=BEFORE)
    result = dispatch(chicago(2026, 5, 29, 9))
    assert (result.sent, result.removed) == (0, 1)
    assert not Delivery.objects.exists() and not Notification.objects.exists()


def test_a_grant_revoked_between_dispatch_and_send_gets_no_email(owner, fran, journey, dispatch, enqueued):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    dispatch(chicago(2026, 5, 29, 9))
    Grant.objects.filter(viewer=fran).update(revoked_at=chicago(2026, 5, 29, 9))
    assert send_delivery(enqueued[0], now=chicago(2026, 5, 29, 9, 0, 5)).status == "skipped"
    assert Delivery.objects.get().skip_reason == "gone" and mail.outbox == []


@pytest.fixture
def casey(owner):
    """A counselor in New York whose consent (clean time only) ends on Friday 29 May, Olive's date."""
    counselor = UserFactory(display_name="Casey", time_zone="America/New_York")
    turn_on_two_factor(counselor)
    ConsentFactory(owner=owner, counselor=counselor, expires_on=dt.date(2026, 5, 29), checkins=False)
    opt_in(counselor)
    return counselor


def test_a_counselor_hears_until_the_consent_lapses_and_never_after(owner, casey, journey, dispatch):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    # The eve (29 May, 09:00 in New York) is within the consent; the day itself is not.
    assert rows() == {("Casey", "d90:2026-05-30:eve", local("America/New_York", 2026, 5, 29, 9))}
    assert dispatch(local("America/New_York", 2026, 5, 29, 9)).sent == 1
    note = Notification.objects.get(recipient=casey)
    assert note.url.endswith(f"/clients/{owner.pk}/")
    # Who it is waits behind the client page's second factor: the note names no one.
    assert note.title == "A client reaches 90 days tomorrow" and owner.name not in note.title + note.body
    assert rows() == set()
    assert dispatch(local("America/New_York", 2026, 5, 30, 9)).sent == 0
    assert Delivery.objects.count() == 1


def test_a_counselor_without_two_factor_hears_nothing(owner, casey, journey):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=casey).delete()
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    assert rows() == set()


def test_a_consent_lapsing_while_the_email_waits_stops_the_email(owner, casey, journey, dispatch, enqueued):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    dispatch(local("America/New_York", 2026, 5, 29, 9))
    # Olive's 29 May ends at midnight in Chicago: an email still waiting then is not sent.
    assert send_delivery(enqueued[0], now=chicago(2026, 5, 30, 0, 0, 1)).status == "skipped"
    assert mail.outbox == []


def test_a_revoked_consent_removes_the_reminder(owner, casey, journey, django_capture_on_commit_callbacks):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    with django_capture_on_commit_callbacks(execute=True):
        sharing.revoke_consent(Consent.objects.get(counselor=casey))
    assert rows() == set()


@pytest.mark.parametrize(
    ("zone", "started", "eve", "day"),
    [
        # New York springs forward on Sunday 8 March 2026: 30 days from 6 February.
        ("America/New_York", dt.date(2026, 2, 6), (2026, 3, 7, 9), (2026, 3, 8, 9)),
        # Auckland falls back on Sunday 5 April 2026: 30 days from 6 March.
        ("Pacific/Auckland", dt.date(2026, 3, 6), (2026, 4, 4, 9), (2026, 4, 5, 9)),
    ],
)
def test_nine_oclock_stays_nine_oclock_across_a_dst_change(owner, family, zone, started, eve, day, dispatch):
    family.time_zone = zone
    family.save()
    opt_in(family)
    journey = JourneyFactory(owner=owner, started_on=started)
    refresh_subjects(KEY, [journey.pk], now=local(zone, *eve) - dt.timedelta(days=3))
    assert rows() == {("Fran", f"d30:{day[0]}-{day[1]:02}-{day[2]:02}:eve", local(zone, *eve))}
    assert dispatch(local(zone, *eve)).sent == 1
    assert rows() == {("Fran", f"d30:{day[0]}-{day[1]:02}-{day[2]:02}:day", local(zone, *day))}
    # The two sends are 23 or 25 hours apart in UTC: the same 09:00 on the wall.
    gap = local(zone, *day) - local(zone, *eve)
    assert gap == dt.timedelta(hours=23 if zone == "America/New_York" else 25)


def test_quiet_hours_hold_the_celebration_until_they_end(owner, fran, journey, dispatch):
    fran.quiet_hours_start, fran.quiet_hours_end = dt.time(22, 0), dt.time(10, 0)
    fran.save()
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    assert dispatch(chicago(2026, 5, 29, 9)).held == 1
    assert dispatch(chicago(2026, 5, 29, 10)).sent == 1


def test_email_says_nothing_in_the_subject_or_preview_and_the_milestone_in_the_body(
    owner, fran, journey, dispatch, enqueued
):
    refresh_subjects(KEY, [journey.pk], now=BEFORE)
    dispatch(chicago(2026, 5, 29, 9))
    assert send_delivery(enqueued[0], now=chicago(2026, 5, 29, 9, 0, 5)).status == "sent"
    message = mail.outbox[0]
    assert message.subject == "A note from Recovery Network"
    preview = " ".join(message.body.split())[:200]
    assert not HEALTH_WORDS.search(message.subject + " " + preview), preview
    html = message.alternatives[0].content
    preheader = re.search(r'<span class="preheader">(.*?)</span>', html, re.S).group(1)
    assert not HEALTH_WORDS.search(preheader)
    assert "Olive reaches 90 days tomorrow" in message.body
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_unsubscribing_from_the_email_keeps_the_in_app_note(owner, fran, journey, client):
    token = channel_prefs.unsubscribe_token(fran, KEY)
    client.post(f"/notifications/unsubscribe/{token}/")
    assert channel_prefs.channels(fran, registry.get_kind(KEY)) == (False, True)


def test_dispatch_of_celebrations_costs_the_same_queries_for_2_or_20_viewers(owner, journey, dispatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (2, 20):
        Reminder.objects.all().delete()
        for _ in range(size - Grant.objects.filter(owner=owner).count()):
            viewer = UserFactory(time_zone="America/Chicago")
            GrantFactory(owner=owner, viewer=viewer)
            opt_in(viewer, by_email=True, in_app=True)
        refresh_subjects(KEY, [journey.pk], now=BEFORE)
        Delivery.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            assert dispatch(chicago(2026, 5, 29, 9)).sent == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_reconcile_builds_rows_only_for_journeys_with_a_viewer_who_asked(owner, family, journey):
    Reminder.objects.all().delete()
    assert reconcile(now=BEFORE)[KEY] == (0, 0)
    opt_in(family)
    assert reconcile(now=BEFORE)[KEY] == (1, 0)
    assert rows() == {("Fran", "d90:2026-05-30:eve", chicago(2026, 5, 29, 9))}
    # Turned off behind the page's back: the next reconcile drops the row.
    NotificationPreference.objects.filter(user=family).update(by_email=False, in_app=False)
    assert reconcile(now=BEFORE)[KEY] == (0, 1)
