"""Encouragement received (an event kind, once per encouragement) and the counselors' weekly digest."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, CaseloadView, Consent
from recovery_network.care.notification_kinds import CaseloadDigest, encouragement_received
from recovery_network.notifications import delivery as sending
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.dispatch import reconcile, refresh_subjects, release_held
from recovery_network.notifications.models import Delivery, Notification, Reminder
from tests.care.factories import ConsentFactory
from tests.factories import UserFactory
from tests.milestones.factories import CheckInFactory
from tests.notifications.conftest import chicago
from tests.notifications.test_delivery import HEALTH_WORDS

pytestmark = pytest.mark.django_db

MIDDAY = chicago(2026, 6, 1, 12)


def encourage(owner, viewer, now=MIDDAY, **words):
    access = sharing.find_access(viewer, owner.pk, now)
    return sharing.send_encouragement(access, now=now, **(words or {"message": "Proud of you."}))


# Encouragement received


def test_an_encouragement_reaches_the_owner_once_in_the_app_and_by_email(
    owner, family, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        encouragement = encourage(owner, family)
    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.kind, delivery.status) == (owner, "encouragement", "pending")
    assert (delivery.subject_id, delivery.occurrence) == (encouragement.pk, f"e{encouragement.pk}")
    note = Notification.objects.get(recipient=owner)
    assert note.title == "Fran sent you encouragement" and "Proud of you." in note.body
    assert enqueued == [delivery.pk]
    # The hook run again for the same encouragement (a retried request) adds nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert encouragement_received(encouragement, now=MIDDAY) is None
    assert Delivery.objects.count() == Notification.objects.count() == 1 and enqueued == [delivery.pk]
    owner.refresh_from_db()
    assert owner.unread_notifications == 1
    # The sender hears nothing of their own note.
    assert not Notification.objects.filter(recipient=family).exists()


def test_each_encouragement_is_its_own_occurrence(owner, family):
    encourage(owner, family, message="One")
    encourage(owner, family, message="Two")
    assert Notification.objects.filter(recipient=owner, kind="encouragement").count() == 2


def test_the_email_is_discreet_and_the_words_are_in_the_body(owner, family, enqueued):
    encourage(owner, family, message="Ninety days, wow.")
    assert send_delivery(Delivery.objects.get().pk, now=MIDDAY).status == "sent"
    message = mail.outbox[0]
    assert message.subject == "A note from Recovery Network"
    assert not HEALTH_WORDS.search(" ".join(message.body.split())[:200])
    assert "Ninety days, wow." in message.body and "Fran sent you encouragement" in message.body
    assert "/notifications/unsubscribe/" in message.extra_headers["List-Unsubscribe"]


def test_owner_preferences_choose_the_channels(owner, family, enqueued):
    reminders.set_channels(owner, "encouragement", by_email=False, in_app=True)
    encourage(owner, family, message="App only")
    assert Delivery.objects.get().status == "sent" and Notification.objects.count() == 1
    reminders.set_channels(owner, "encouragement", by_email=False, in_app=False)
    encourage(owner, family, message="Nothing")
    assert Delivery.objects.filter(skip_reason="opted_out").count() == 1
    assert Notification.objects.count() == 1


def test_a_pause_is_respected(owner, family):
    owner.reminders_paused_until = MIDDAY + dt.timedelta(days=1)
    owner.save()
    encourage(owner, family)
    assert Delivery.objects.get().skip_reason == "paused" and not Notification.objects.exists()


def test_quiet_hours_hold_the_email_but_not_the_note_in_the_app(owner, family, dispatch, enqueued):
    late = chicago(2026, 6, 1, 23, 30)
    encourage(owner, family, now=late)
    delivery = Delivery.objects.get()
    assert Notification.objects.filter(recipient=owner).exists()
    assert delivery.next_attempt_at == chicago(2026, 6, 2, 7, 0) and enqueued == []
    # Nobody can send it early, and the dispatch leaves it until the quiet hours end…
    assert delivery.status == "held"
    assert send_delivery(delivery.pk, now=late) == sending.Outcome("held")
    assert dispatch(chicago(2026, 6, 2, 6, 59)).requeued == 0 and enqueued == []
    # …then queues it once.
    dispatch(chicago(2026, 6, 2, 7, 0))
    assert enqueued == [delivery.pk]
    assert release_held(chicago(2026, 6, 2, 7, 1), enqueued.extend) == 0
    assert send_delivery(delivery.pk, now=chicago(2026, 6, 2, 7, 0, 5)).status == "sent"
    assert len(mail.outbox) == 1


def test_the_notification_opens_the_celebration_when_it_is_tied_to_a_milestone(owner, family):
    from tests.milestones.factories import JourneyFactory

    journey = JourneyFactory(owner=owner, started_on=dt.date(2026, 5, 20))
    encourage(owner, family)
    assert Notification.objects.get().url == f"/milestones/journeys/{journey.pk}/celebrate/d30/" or (
        Notification.objects.get().url.endswith(f"/journeys/{journey.pk}/celebrate/d30/")
    )


# The counselors' weekly digest

KEY = CaseloadDigest.key


def new_york(*args):
    return dt.datetime(*args, tzinfo=ZoneInfo("America/New_York")).astimezone(dt.UTC)


def digest_row(user):
    return Reminder.objects.get(kind=KEY, recipient=user)


def test_only_counselors_with_a_consent_have_a_digest(owner, counselor, family, stranger):
    reconcile(now=MIDDAY)
    assert set(Reminder.objects.filter(kind=KEY).values_list("recipient", flat=True)) == {counselor.pk}


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Casey is in New York: Monday 08:00 there, before and after the spring change (Sunday 8 March).
        (new_york(2026, 3, 4, 12), new_york(2026, 3, 9, 8)),
        (new_york(2026, 3, 9, 8), new_york(2026, 3, 16, 8)),
        # …and the autumn one (Sunday 1 November).
        (new_york(2026, 10, 27, 12), new_york(2026, 11, 2, 8)),
        # A Monday before eight is that same Monday.
        (new_york(2026, 6, 1, 7, 59), new_york(2026, 6, 1, 8)),
    ],
)
def test_the_digest_comes_monday_at_eight_on_the_counselors_clock(counselor, after, expected):
    occurrence = CaseloadDigest().next_occurrence(counselor, counselor, after)
    assert occurrence.occurs_at == expected
    assert occurrence.key == expected.astimezone(ZoneInfo("America/New_York")).date().isoformat()


def test_the_digest_in_auckland_across_its_autumn_change(counselor):
    counselor.time_zone = "Pacific/Auckland"
    auckland = ZoneInfo("Pacific/Auckland")
    # Auckland falls back on Sunday 5 April 2026: 08:00 on the Mondays either side.
    first = CaseloadDigest().next_occurrence(counselor, counselor, dt.datetime(2026, 3, 25, tzinfo=auckland))
    second = CaseloadDigest().next_occurrence(counselor, counselor, first.occurs_at)
    assert [o.occurs_at.astimezone(auckland).time() for o in (first, second)] == [dt.time(8)] * 2
    assert second.occurs_at - first.occurs_at == dt.timedelta(days=7, hours=1)


def test_the_digest_counts_clients_needing_attention_names_none_and_logs_the_look(owner, counselor, dispatch, enqueued):
    refresh_subjects(KEY, [counselor.pk], now=new_york(2026, 5, 30, 12))
    CheckInFactory(owner=owner, local_date=dt.date(2026, 5, 20))
    result = dispatch(new_york(2026, 6, 1, 8))
    assert result.sent == 1
    note = Notification.objects.get(recipient=counselor)
    assert note.title == "Your weekly digest: 1 client may need attention"
    # Who and why are client data: behind the caseload's second factor, not in a notification or an email.
    assert "1 of your 1 client may need attention" in note.body
    assert "Olive" not in note.body and "check-in" not in note.body
    assert note.url.endswith("/clients/")
    [line] = sharing.access_log(owner, size=10_000)[0]  # the digest is a look at the caseload, logged as one
    assert line.actor_name.startswith("Casey Counselor") and line.what.startswith("caseload summary")
    assert CaseloadView.objects.get(roster__entries__owner=owner).path == "weekly digest"
    # Next week's is scheduled; this one went once.
    assert digest_row(counselor).occurrence == "2026-06-08"
    assert dispatch(new_york(2026, 6, 1, 8, 1)).sent == 0


def test_a_revoked_or_lapsed_consent_leaves_no_digest(owner, counselor, dispatch):
    refresh_subjects(KEY, [counselor.pk], now=new_york(2026, 5, 30, 12))
    Consent.objects.filter(counselor=counselor).update(expires_on=dt.date(2026, 5, 31))
    result = dispatch(new_york(2026, 6, 1, 8))
    assert (result.sent, result.skipped) == (0, 1)
    assert Delivery.objects.get().skip_reason == "gone"
    assert not Notification.objects.exists() and not AccessEvent.objects.filter(actor=counselor).exists()
    assert not CaseloadView.objects.exists()


def test_a_counselor_without_two_factor_gets_no_digest(owner, counselor, dispatch):
    from allauth.mfa.models import Authenticator

    refresh_subjects(KEY, [counselor.pk], now=new_york(2026, 5, 30, 12))
    Authenticator.objects.filter(user=counselor).delete()
    assert dispatch(new_york(2026, 6, 1, 8)).skipped == 1
    assert Delivery.objects.get().skip_reason == "gone" and not AccessEvent.objects.filter(actor=counselor).exists()
    assert not CaseloadView.objects.exists()


def test_the_digest_email_is_discreet_until_opened(owner, counselor, dispatch, enqueued):
    refresh_subjects(KEY, [counselor.pk], now=new_york(2026, 5, 30, 12))
    CheckInFactory(owner=owner, local_date=dt.date(2026, 5, 20))
    dispatch(new_york(2026, 6, 1, 8))
    assert send_delivery(enqueued[0], now=new_york(2026, 6, 1, 8, 0, 5)).status == "sent"
    message = mail.outbox[0]
    assert message.subject == "A note from Recovery Network" and message.to == [counselor.email]
    assert not HEALTH_WORDS.search(" ".join(message.body.split())[:200])
    assert "1 of your 1 client may need attention" in message.body
    assert "Olive" not in message.body and "without a check-in" not in message.body


def test_a_consent_revoked_before_the_email_goes_out_stops_it(owner, counselor, dispatch, enqueued):
    refresh_subjects(KEY, [counselor.pk], now=new_york(2026, 5, 30, 12))
    dispatch(new_york(2026, 6, 1, 8))
    sharing.revoke_consent(Consent.objects.get(counselor=counselor))
    assert send_delivery(enqueued[0], now=new_york(2026, 6, 1, 8, 0, 5)).status == "skipped"
    assert mail.outbox == []


def test_a_client_whose_consent_lapsed_is_left_out_of_the_digest(owner, counselor, dispatch):
    other = UserFactory(display_name="Omar")
    ConsentFactory(owner=other, counselor=counselor, expires_on=dt.date(2026, 5, 31))
    refresh_subjects(KEY, [counselor.pk], now=new_york(2026, 5, 30, 12))
    dispatch(new_york(2026, 6, 1, 8))
    body = Notification.objects.get(recipient=counselor).body
    assert "Omar" not in body
    assert not sharing.access_log(other, size=10_000)[0]  # not on the page, so not in their log
    assert len(sharing.access_log(owner, size=10_000)[0]) == 1


def test_the_digest_costs_the_same_queries_for_3_or_30_clients(counselor, dispatch):
    counts = []
    for size, monday in ((3, dt.date(2026, 6, 1)), (30, dt.date(2026, 6, 8))):
        while Consent.objects.filter(counselor=counselor).count() < size:
            client = UserFactory(time_zone="America/Chicago")
            ConsentFactory(owner=client, counselor=counselor)
            CheckInFactory(owner=client, local_date=monday - dt.timedelta(days=5))
        refresh_subjects(KEY, [counselor.pk], now=new_york(*monday.timetuple()[:3], 0))
        Delivery.objects.update(status="sent")  # last week's email went out
        with CaptureQueriesContext(connection) as queries:
            assert dispatch(new_york(*monday.timetuple()[:3], 8)).sent == 1
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
