"""Reminders before a consent ends: 14 and 3 days before, at 09:00 on each side's own clock, each once; none for a
consent revoked, lapsed, renewed or replaced, none to a counselor without two-factor; the counselor's names no one.

Olive (the client, Chicago) gave Casey (the counselor, New York, two-factor on) a consent whose last day is Friday
20 March 2026. Clocks in both zones go forward on Sunday 8 March: the 14-day reminders fall in winter time, the
3-day ones in summer time, at 09:00 local all the same.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import renewals, sharing
from recovery_network.care.consent_reminders import ConsentEnding, ConsentEndingCounselor
from recovery_network.care.models import Consent
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.dispatch import reconcile, refresh_subjects
from recovery_network.notifications.models import Delivery, Notification, Reminder
from tests.care.factories import ConsentFactory, turn_on_two_factor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CLIENT, COUNSELOR = ConsentEnding.key, ConsentEndingCounselor.key
LAST_DAY = dt.date(2026, 3, 20)
SIGNED = dt.datetime(2025, 12, 20, 15, tzinfo=dt.UTC)  # a 90-day term
BEFORE = dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)
# Words that must never be in a subject line or a preview (tests/notifications/test_delivery.py has the engine's).
HEALTH_WORDS = re.compile(r"consent|counsel|sober|recover(?!y network)|clean|treatment|therapy|rehab|relapse", re.I)


def local(zone, *args):
    return dt.datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def chicago(*args):
    return local("America/Chicago", *args)


def new_york(*args):
    return local("America/New_York", *args)


@pytest.fixture
def consent(owner, counselor):
    consent = Consent.objects.get(owner=owner, counselor=counselor)
    Consent.objects.filter(pk=consent.pk).update(expires_on=LAST_DAY, signed_at=SIGNED)
    consent.refresh_from_db()
    return consent


@pytest.fixture
def clock(time_machine):
    """The clock, held: which consents are eligible for reminders is asked of it, as the dispatch is."""
    time_machine.move_to(BEFORE, tick=False)

    def move_to(moment):
        time_machine.move_to(moment, tick=False)
        return moment

    return move_to


def schedule(*consents, now=BEFORE):
    for key in (CLIENT, COUNSELOR):
        refresh_subjects(key, [consent.pk for consent in consents], now=now)


@pytest.fixture
def scheduled(consent, clock):
    schedule(consent)
    return consent


@pytest.fixture
def dispatch(monkeypatch):
    queued = []
    monkeypatch.setattr("recovery_network.notifications.tasks.enqueue_deliveries", queued.extend)

    def run(now):
        return reminders.dispatch(now=now, enqueue=queued.extend)

    run.queued = queued
    return run


def rows():
    return set(
        Reminder.objects.filter(kind__in=(CLIENT, COUNSELOR)).values_list(
            "kind", "recipient__display_name", "occurrence", "due_at"
        )
    )


def test_both_sides_hear_14_and_3_days_before_at_nine_on_their_own_clock_across_the_dst_change(scheduled, dispatch):
    assert rows() == {
        (CLIENT, "Olive", "14d:2026-03-20", chicago(2026, 3, 6, 9)),
        (COUNSELOR, "Casey Counselor", "14d:2026-03-20", new_york(2026, 3, 6, 9)),
    }
    assert chicago(2026, 3, 6, 9).hour == 15  # winter time: UTC-6

    assert dispatch(new_york(2026, 3, 6, 8, 59)).sent == 0
    assert dispatch(new_york(2026, 3, 6, 9)).sent == 1  # Casey's 09:00 is Olive's 08:00
    assert dispatch(chicago(2026, 3, 6, 9)).sent == 1
    assert rows() == {
        (CLIENT, "Olive", "3d:2026-03-20", chicago(2026, 3, 17, 9)),
        (COUNSELOR, "Casey Counselor", "3d:2026-03-20", new_york(2026, 3, 17, 9)),
    }
    assert chicago(2026, 3, 17, 9).hour == 14  # summer time since 8 March: UTC-5, still 09:00 on her clock

    assert dispatch(new_york(2026, 3, 17, 9)).sent == 1
    assert dispatch(chicago(2026, 3, 17, 9)).sent == 1
    assert rows() == set()  # nothing more to say: it ends on the 20th unless renewed
    assert sorted(Delivery.objects.values_list("kind", "occurrence")) == [
        (CLIENT, "14d:2026-03-20"),
        (CLIENT, "3d:2026-03-20"),
        (COUNSELOR, "14d:2026-03-20"),
        (COUNSELOR, "3d:2026-03-20"),
    ]


def test_each_reminder_goes_once_however_often_the_dispatch_runs(owner, counselor, scheduled, dispatch, clock):
    for _ in range(2):
        dispatch(chicago(2026, 3, 6, 9))
        dispatch(chicago(2026, 3, 6, 9, 1))
    for _ in range(2):
        dispatch(chicago(2026, 3, 17, 9))
    assert Delivery.objects.filter(recipient=owner, kind=CLIENT).count() == 2
    assert Delivery.objects.filter(recipient=counselor, kind=COUNSELOR).count() == 2
    assert Notification.objects.filter(kind__in=(CLIENT, COUNSELOR)).count() == 4
    # Queued to be sent (one later dispatch queues again those no worker took: there is none here).
    assert set(dispatch.queued) == set(Delivery.objects.values_list("pk", flat=True))
    # A schedule rebuilt after it was sent (a save, reconcile) finds nothing more to send.
    later = clock(chicago(2026, 3, 17, 9, 5))
    schedule(scheduled, now=later)
    reconcile(now=later)
    assert dispatch(chicago(2026, 3, 19, 9)).sent == 0
    assert Delivery.objects.filter(kind__in=(CLIENT, COUNSELOR)).count() == 4


def test_a_consent_with_less_than_14_days_left_hears_only_the_3_day_reminder(scheduled, clock):
    schedule(scheduled, now=clock(chicago(2026, 3, 10, 12)))
    assert {occurrence for _, _, occurrence, _ in rows()} == {"3d:2026-03-20"}


def test_reconcile_builds_the_rows_of_a_consent_written_behind_the_schedules_back(owner, counselor, consent, clock):
    Reminder.objects.all().delete()
    report = reconcile(now=BEFORE)
    assert report[CLIENT][0] >= 1 and report[COUNSELOR][0] >= 1
    assert len(rows()) == 2


def test_a_revoked_consent_is_reminded_of_no_more(owner, scheduled, dispatch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sharing.revoke_consent(scheduled)
    assert rows() == set()
    assert dispatch(chicago(2026, 3, 6, 9)).sent == 0 and not Delivery.objects.exists()


def test_a_consent_revoked_behind_the_schedules_back_is_never_sent(scheduled, dispatch):
    Consent.objects.filter(pk=scheduled.pk).update(revoked_at=BEFORE)  # a bulk update no signal sees
    assert dispatch(chicago(2026, 3, 6, 9)).sent == 0
    assert rows() == set()
    assert not Delivery.objects.exists() and not Notification.objects.exists()


def test_a_consent_revoked_between_dispatch_and_send_gets_no_email(scheduled, dispatch):
    dispatch(chicago(2026, 3, 6, 9))
    Consent.objects.filter(pk=scheduled.pk).update(revoked_at=chicago(2026, 3, 6, 9, 1))
    for delivery in Delivery.objects.all():
        assert send_delivery(delivery.pk, now=chicago(2026, 3, 6, 9, 2)).status == "skipped"
    assert set(Delivery.objects.values_list("status", "skip_reason")) == {("skipped", "gone")}
    assert mail.outbox == []


def test_a_lapsed_consent_has_no_reminders(scheduled, clock):
    after = clock(chicago(2026, 3, 21, 0, 1))
    schedule(scheduled, now=after)
    assert rows() == set()
    assert reconcile(now=after)[CLIENT] == (0, 0)


def test_a_renewed_consent_is_reminded_of_no_more_and_its_renewal_has_its_own(owner, scheduled, dispatch, clock):
    clock(chicago(2026, 3, 2, 10))
    renewal = renewals.renew_consent(
        scheduled,
        owner,
        scopes={"clean_time"},
        recipient_name=scheduled.recipient_name,
        organisation=scheduled.organisation,
        purpose=scheduled.purpose,
        expires_on=dt.date(2026, 5, 31),
        signed_name="Olive Owens",
    )
    assert dispatch(chicago(2026, 3, 6, 9)).sent == 0  # the old one's rows are dropped, nothing sent
    assert not Delivery.objects.exists()
    schedule(scheduled, renewal, now=chicago(2026, 3, 2, 10))
    assert {(kind, occurrence) for kind, _, occurrence, _ in rows()} == {
        (CLIENT, "14d:2026-05-31"),
        (COUNSELOR, "14d:2026-05-31"),
    }
    assert set(Reminder.objects.values_list("subject_id", flat=True)) >= {renewal.pk}
    assert not Reminder.objects.filter(subject_id=scheduled.pk, kind__in=(CLIENT, COUNSELOR)).exists()


def test_a_later_consent_to_the_same_counselor_silences_the_earlier(owner, counselor, scheduled):
    later = ConsentFactory(owner=owner, counselor=counselor, expires_on=dt.date(2026, 9, 1))
    schedule(scheduled, later)
    assert set(Reminder.objects.values_list("subject_id", flat=True)) == {later.pk}


def test_a_counselor_without_two_factor_hears_nothing_and_the_client_still_does(owner, dispatch, clock):
    plain = UserFactory(email="plain@example.org", display_name="Pat", time_zone="America/New_York")
    consent = ConsentFactory(owner=owner, counselor=plain, expires_on=LAST_DAY, signed_at=SIGNED)
    schedule(consent)
    assert (CLIENT, "Olive", "14d:2026-03-20", chicago(2026, 3, 6, 9)) in rows()
    assert not Reminder.objects.filter(kind=COUNSELOR, recipient=plain).exists()
    dispatch(chicago(2026, 3, 6, 9))
    assert not Delivery.objects.filter(recipient=plain).exists()
    assert Delivery.objects.filter(recipient=owner, kind=CLIENT, subject_id=consent.pk).count() == 1


def test_a_consent_whose_client_erased_their_account_has_no_reminders(scheduled, dispatch):
    Consent.objects.filter(pk=scheduled.pk).update(owner=None)
    schedule(scheduled)
    assert rows() == set()
    assert reconcile(now=BEFORE)[COUNSELOR] == (0, 0)


def test_the_counselors_note_names_no_one_and_its_email_is_discreet(owner, counselor, scheduled, dispatch):
    dispatch(new_york(2026, 3, 6, 9))
    note = Notification.objects.get(recipient=counselor)
    assert note.title == "A consent ends in 14 days"
    assert note.url == reverse("care:consent_detail", args=[scheduled.pk]) + "#renew"
    assert note.about_id == owner.pk  # it goes with Olive's account if she erases it
    delivery = Delivery.objects.get(recipient=counselor)
    assert send_delivery(delivery.pk, now=new_york(2026, 3, 6, 9, 1)).status == "sent"
    [message] = mail.outbox
    assert message.subject == settings.REMINDER_EMAIL_SUBJECT
    preview = " ".join(message.body.split())[:200].replace(counselor.name, "")  # "Hello Casey Counselor,"
    assert not HEALTH_WORDS.search(message.subject + " " + preview), preview
    html = message.alternatives[0].content
    for text in (note.title, note.body, message.body, html):
        for hidden in ("Olive", owner.email, "Owner"):
            assert hidden not in text, (hidden, text[:80])
    assert "Friday 20 March" in message.body and note.url in message.body


def test_the_clients_note_says_whose_consent_ends_when_and_links_to_renewing_it(owner, scheduled, dispatch):
    dispatch(chicago(2026, 3, 6, 9))
    note = Notification.objects.get(recipient=owner)
    assert note.title == "Your consent for Casey Counselor ends in 14 days"
    assert "Riverside Counseling" in note.body and "Friday 20 March" in note.body
    assert note.url == reverse("care:consent_renew", args=[scheduled.pk])
    send_delivery(Delivery.objects.get(recipient=owner).pk, now=chicago(2026, 3, 6, 9, 1))
    [message] = mail.outbox
    assert message.subject == settings.REMINDER_EMAIL_SUBJECT
    assert not HEALTH_WORDS.search(" ".join(message.body.split())[:200])
    assert note.url in message.body


def test_quiet_hours_hold_the_reminder_until_they_end(owner, scheduled, dispatch):
    owner.quiet_hours_start, owner.quiet_hours_end = dt.time(8, 0), dt.time(10, 0)
    owner.save()
    assert dispatch(chicago(2026, 3, 6, 9)).held == 1
    assert not Delivery.objects.filter(recipient=owner).exists()
    assert dispatch(chicago(2026, 3, 6, 10)).sent == 1


def test_the_kinds_are_offered_to_whom_they_concern(owner, counselor, family, stranger):
    client_kind, counselor_kind = ConsentEnding(), ConsentEndingCounselor()
    assert client_kind.offered_to(owner) and not client_kind.offered_to(family)
    counselor.refresh_from_db()
    assert counselor_kind.offered_to(counselor) and not counselor_kind.offered_to(stranger)
    assert not counselor_kind.offered_to(owner)


def test_a_consent_accepted_by_invitation_is_scheduled_when_accepted(owner, django_capture_on_commit_callbacks):
    """Accepting sets the counselor by a bulk UPDATE: the sharing door's signal builds the rows."""
    invited = UserFactory(email="dana@example.org", display_name="Dana", time_zone="America/Denver")
    turn_on_two_factor(invited)
    with django_capture_on_commit_callbacks(execute=True):
        consent = sharing.sign_consent(
            owner,
            email="dana@example.org",
            scopes={"clean_time"},
            recipient_name="Dana",
            organisation="Hillside",
            purpose="Care",
            expires_on=owner.local_today() + dt.timedelta(days=30),
            signed_name="Olive",
        )
    assert not Reminder.objects.filter(kind__in=(CLIENT, COUNSELOR), subject_id=consent.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        sharing.accept_invitation(consent.invitation, invited)
    assert set(Reminder.objects.filter(subject_id=consent.pk).values_list("kind", "recipient")) >= {
        (CLIENT, owner.pk),
        (COUNSELOR, invited.pk),
    }
    assert timezone.now() < Reminder.objects.filter(kind=COUNSELOR, subject_id=consent.pk).get().due_at
