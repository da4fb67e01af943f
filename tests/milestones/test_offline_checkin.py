"""A check-in kept on a phone while offline and sent when the connection returns: saved once per key the phone
made, for the day the person filled it in (within a week), never overwriting what they changed since."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from milestones.models import CheckIn, CheckInReceipt

pytestmark = pytest.mark.django_db
URL = reverse("milestones:checkin")
# 15:00 UTC on Wednesday 1 April 2026 is 10:00 the same day in Chicago, the owner's zone.
NOW = dt.datetime(2026, 4, 1, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def sent(key, filled_on=TODAY, **answers):
    return {"sober": "yes", "device_key": str(key), "filled_on": filled_on.isoformat(), **answers}


def test_a_check_in_sent_from_the_phone_is_saved_and_answered_with_no_content(owner_client, owner):
    response = owner_client.post(URL, sent(uuid.uuid4(), mood="4"))
    assert response.status_code == 204
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.local_date, checkin.mood) == (TODAY, 4)
    # The page's script goes on to the overview, which says it was saved.
    assert "Checked in for today" in owner_client.get(reverse("milestones:overview")).content.decode()


def test_the_same_key_sent_twice_saves_once_and_never_overwrites_a_later_change(owner_client, owner):
    key = uuid.uuid4()
    assert owner_client.post(URL, sent(key, mood="2")).status_code == 204
    owner_client.post(URL, {"sober": "yes", "mood": "5"})  # changed on the laptop since
    again = owner_client.post(URL, sent(key, mood="2"))
    assert again.status_code == 204
    assert CheckIn.objects.filter(owner=owner).count() == 1
    assert CheckIn.objects.get(owner=owner).mood == 5
    assert CheckInReceipt.objects.filter(owner=owner).count() == 1
    assert "already saved" in owner_client.get(reverse("milestones:overview")).content.decode()


def test_a_check_in_filled_in_yesterday_is_saved_for_yesterday(owner_client, owner):
    yesterday = TODAY - dt.timedelta(days=1)
    assert owner_client.post(URL, sent(uuid.uuid4(), filled_on=yesterday)).status_code == 204
    assert CheckIn.objects.get(owner=owner).local_date == yesterday
    assert "Tuesday 31 March is saved" in owner_client.get(reverse("milestones:overview")).content.decode()


@pytest.mark.parametrize(
    ("filled_on", "problem"),
    [
        (TODAY - dt.timedelta(days=8), "more than 7 days ago"),
        (TODAY + dt.timedelta(days=1), "dated after today"),
    ],
)
def test_a_check_in_too_old_or_from_the_future_is_refused_with_a_reason(owner_client, owner, filled_on, problem):
    response = owner_client.post(URL, sent(uuid.uuid4(), filled_on=filled_on))
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not CheckIn.objects.exists() and not CheckInReceipt.objects.exists()


def test_a_week_ago_is_still_accepted(owner_client, owner):
    week_ago = TODAY - dt.timedelta(days=7)
    assert owner_client.post(URL, sent(uuid.uuid4(), filled_on=week_ago)).status_code == 204
    assert CheckIn.objects.get(owner=owner).local_date == week_ago


def test_a_malformed_key_or_a_missing_day_is_a_400_and_saves_nothing(owner_client):
    assert owner_client.post(URL, {"sober": "yes", "device_key": "not-a-key"}).status_code == 400
    assert owner_client.post(URL, {"sober": "yes", "device_key": str(uuid.uuid4())}).status_code == 400
    assert not CheckIn.objects.exists()


def test_missing_answers_from_the_phone_are_a_400_not_a_saved_check_in(owner_client):
    response = owner_client.post(URL, {"device_key": str(uuid.uuid4()), "filled_on": TODAY.isoformat()})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not CheckIn.objects.exists() and not CheckInReceipt.objects.exists()


def test_the_offline_pages_short_form_keeps_the_days_other_answers(owner_client, owner):
    owner_client.post(URL, {"sober": "yes", "mood": "2", "gratitude": "My sister's call", "helped": ["exercise"]})
    response = owner_client.post(URL, sent(uuid.uuid4(), mood="4", answers="core"))
    assert response.status_code == 204
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.mood, checkin.gratitude, checkin.helped) == (4, "My sister's call", ["exercise"])


def test_a_key_is_the_senders_own(owner_client, stranger_client, owner, stranger):
    key = uuid.uuid4()
    owner_client.post(URL, sent(key))
    assert stranger_client.post(URL, sent(key, filled_on=stranger.local_today())).status_code == 204
    assert set(CheckIn.objects.values_list("owner_id", flat=True)) == {owner.pk, stranger.pk}


def test_an_anonymous_send_goes_to_sign_in_and_stays_on_the_phone(anon_client):
    # A redirect, not 204 or 400: the page's script keeps the check-in and tries again after sign-in.
    response = anon_client.post(URL, sent(uuid.uuid4()))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not CheckIn.objects.exists()


def test_without_the_script_the_check_in_is_todays_as_always(owner_client, owner):
    response = owner_client.post(URL, {"sober": "yes", "filled_on": "2026-03-30"})
    assert response.status_code == 302
    assert CheckIn.objects.get(owner=owner).local_date == TODAY


def test_the_check_in_form_tells_the_script_the_persons_zone(owner_client):
    page = owner_client.get(URL).content.decode()
    assert 'data-offline-checkin data-zone="America/Chicago"' in page
