"""Warning signs, told to whom the person chose: once per episode, in each one's own time, only within their
scope, never with notes; the counselor's note names no one and the caseload puts the client first."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import warning_signs
from recovery_network.care.models import Grant, SignEpisode, SignWatch
from recovery_network.care.sharing import revoke_grant
from recovery_network.notifications.delivery import send_delivery
from recovery_network.notifications.models import Delivery, Notification
from tests.milestones.factories import CheckInFactory, JourneyFactory

pytestmark = pytest.mark.django_db

# Noon in Chicago on Friday 4 December 2026.
NOON = dt.datetime(2026, 12, 4, 18, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 4)


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
    return list(Delivery.objects.filter(kind=kind).values_list("recipient__email", "subject_id"))


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
    assert len(told()) == 1


def test_a_run_that_ended_and_came_back_is_a_new_episode(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, craving=True)
    for day in range(1, 4):
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=10 - day), craving=9), now=NOON)
    warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=6), craving=3), now=NOON)
    assert SignEpisode.objects.get().ended_at is not None
    for day in range(3):
        warning_signs.checked_in(checkin(owner, TODAY - dt.timedelta(days=2 - day), craving=8), now=NOON)
    assert SignEpisode.objects.count() == 2 and len(told()) == 2


def test_a_check_in_recording_use_is_told_once_and_never_its_notes(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, use=True)
    entry = checkin(owner, TODAY, sober="no", notes="PRIVATE-CHECKIN-NOTE")
    warning_signs.checked_in(entry, now=NOON)
    warning_signs.checked_in(entry, now=NOON)  # saved again (edited): still once
    assert len(told()) == 1
    note = Notification.objects.get(recipient=family_sees_checkins, kind="warning_sign")
    assert note.title == f"{owner.name} may need a call today"
    everything = note.title + note.body + "".join(m.subject + m.body for m in mail.outbox)
    assert "PRIVATE-CHECKIN-NOTE" not in everything
    assert all(m.subject == "A note from Recovery Network" for m in mail.outbox)


def test_silence_is_told_when_each_watchers_own_number_of_days_is_reached(
    owner, journey, family_sees_checkins, counselor
):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=2)
    watch(owner, counselor, no_checkin=True, no_checkin_days=4)
    checkin(owner, TODAY)
    # Two of her days later at 1 AM in Chicago (07:00 UTC): the family's two days are reached, not the counselor's four.
    with time_machine.travel(dt.datetime(2026, 12, 6, 7, 0, tzinfo=dt.UTC), tick=False):
        assert warning_signs.sweep_silence() == 1
        warning_signs.sweep_silence()
    assert [email for email, _ in told()] == [family_sees_checkins.email]
    with time_machine.travel(dt.datetime(2026, 12, 8, 7, 0, tzinfo=dt.UTC), tick=False):
        warning_signs.sweep_silence()
    assert sorted(email for email, _ in told()) == sorted([family_sees_checkins.email, counselor.email])
    assert SignEpisode.objects.get().started_on == TODAY


def test_silence_follows_the_persons_own_day(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=1)
    checkin(owner, TODAY)
    # 5 December 03:00 UTC is still 4 December (9 PM) in Chicago: no day has passed there yet.
    with time_machine.travel(dt.datetime(2026, 12, 5, 3, 0, tzinfo=dt.UTC), tick=False):
        assert warning_signs.sweep_silence() == 0
    with time_machine.travel(dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC), tick=False):
        assert warning_signs.sweep_silence() == 1


def test_a_check_in_ends_the_silence_and_a_new_one_fires_again(owner, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, no_checkin=True, no_checkin_days=2)
    checkin(owner, TODAY)
    with time_machine.travel(dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.UTC), tick=False):
        warning_signs.sweep_silence()
        warning_signs.checked_in(checkin(owner, dt.date(2026, 12, 7)))
    assert SignEpisode.objects.get().ended_at is not None
    with time_machine.travel(dt.datetime(2026, 12, 10, 7, 0, tzinfo=dt.UTC), tick=False):
        warning_signs.sweep_silence()
    assert len(told()) == 2


def test_without_the_scope_nothing_is_told(owner, journey, family):
    watch(owner, family, craving=True, use=True, no_checkin=True)  # the default grant: clean time only
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    with time_machine.travel(NOON + dt.timedelta(days=5), tick=False):
        warning_signs.sweep_silence()
    assert told() == []


def test_a_revoked_grant_stops_what_was_waiting_to_be_sent(owner, journey, family_sees_checkins):
    family_sees_checkins.quiet_hours_start, family_sees_checkins.quiet_hours_end = dt.time(0, 0), dt.time(23, 59)
    family_sees_checkins.save()
    watch(owner, family_sees_checkins, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    delivery = Delivery.objects.get(kind="warning_sign")
    assert delivery.status == "held"  # their quiet hours hold the email
    revoke_grant(Grant.objects.get(owner=owner, viewer=family_sees_checkins))
    Delivery.objects.filter(pk=delivery.pk).update(status="pending", next_attempt_at=None)  # as release_held does
    assert send_delivery(delivery.pk).status == "skipped"


def test_the_counselors_note_names_no_one_and_the_caseload_puts_the_client_first(
    owner, journey, counselor, counselor_client
):
    watch(owner, counselor, use=True)
    warning_signs.checked_in(checkin(owner, timezone.now().date(), sober="no"))
    note = Notification.objects.get(recipient=counselor, kind="warning_sign")
    assert owner.name not in note.title + note.body and note.title == "A client may need a call today"
    page = counselor_client.get(reverse("care:caseload")).content.decode()
    assert "Warning sign: a check-in recording use" in page


def test_the_caseload_does_not_show_a_sign_the_client_did_not_choose_for_this_counselor(
    owner, journey, counselor, counselor_client, family_sees_checkins
):
    watch(owner, family_sees_checkins, use=True)  # the family is told; the counselor is not
    warning_signs.checked_in(checkin(owner, timezone.now().date(), sober="no"))
    assert "Warning sign" not in counselor_client.get(reverse("care:caseload")).content.decode()


def test_the_family_view_shows_the_sign_they_are_told_of(owner, journey, family_sees_checkins, family_client):
    watch(owner, family_sees_checkins, use=True)
    warning_signs.checked_in(checkin(owner, timezone.now().date(), sober="no"))
    page = family_client.get(reverse("care:person", args=[owner.pk])).content.decode()
    assert f"{owner.name} may need a call today" in page and "PRIVATE-CHECKIN-NOTE" not in page


# The person's page


def test_the_owner_chooses_who_is_told_of_what(owner, owner_client, family_sees_checkins, counselor):
    page = owner_client.get(reverse("care:warning_signs"))
    assert page.status_code == 200
    prefix = f"w{family_sees_checkins.pk}"
    response = owner_client.post(
        reverse("care:warning_signs"),
        {f"{prefix}-craving": "on", f"{prefix}-no_checkin": "on", f"{prefix}-no_checkin_days": "5",
         f"w{counselor.pk}-no_checkin_days": "3"},
    )  # fmt: skip
    assert response.status_code == 302
    saved = SignWatch.objects.get(watcher=family_sees_checkins)
    assert saved.craving and saved.no_checkin and saved.no_checkin_days == 5 and not saved.use
    assert not SignWatch.objects.filter(watcher=counselor).exists()  # nothing ticked: no row


def test_a_sign_the_scope_does_not_show_cannot_be_chosen(owner, owner_client, family):
    prefix = f"w{family.pk}"  # clean time only
    page = owner_client.get(reverse("care:warning_signs")).content.decode()
    assert "Only if you share check-in trends" in page
    owner_client.post(reverse("care:warning_signs"), {f"{prefix}-use": "on", f"{prefix}-no_checkin_days": "3"})
    assert not SignWatch.objects.filter(watcher=family, use=True).exists()


@pytest.mark.parametrize("days", ["0", "31", "-1", "many", "9" * 50, "3\x00"])
def test_bad_days_get_a_clear_message_and_nothing_is_saved(owner, owner_client, family_sees_checkins, days):
    prefix = f"w{family_sees_checkins.pk}"
    response = owner_client.post(
        reverse("care:warning_signs"), {f"{prefix}-no_checkin": "on", f"{prefix}-no_checkin_days": days}
    )
    assert response.status_code == 400 and b"nothing was saved" in response.content
    assert not SignWatch.objects.exists()


def test_the_history_says_what_was_told_to_whom(owner, owner_client, journey, family_sees_checkins):
    watch(owner, family_sees_checkins, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    page = owner_client.get(reverse("care:warning_signs")).content.decode()
    assert "A check-in recording use" in page and f"{family_sees_checkins.name} (" in page


@pytest.mark.parametrize("viewer", ["family_client", "counselor_client", "stranger_client"])
def test_others_get_only_their_own_empty_page(owner, family_sees_checkins, viewer, request):
    watch(owner, family_sees_checkins, use=True)
    page = request.getfixturevalue(viewer).get(reverse("care:warning_signs"))
    assert page.status_code == 200 and owner.name not in page.content.decode()


def test_anonymous_is_sent_to_sign_in(anon_client):
    response = anon_client.get(reverse("care:warning_signs"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_counselor_without_two_factor_still_gets_the_nameless_note(owner, journey, counselor):
    counselor.authenticator_set.all().delete()
    watch(owner, counselor, use=True)
    warning_signs.checked_in(checkin(owner, TODAY, sober="no"), now=NOON)
    assert Notification.objects.get(recipient=counselor).title == "A client may need a call today"
