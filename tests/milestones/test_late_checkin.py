"""A missed day filled in later: up to a week back, marked as filled in later, counted like any other day, and
changeable until the week has passed. Other days get a plain message, never an error page."""

import datetime as dt
import html
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import strip_tags

from milestones import streak_calendar, wins
from milestones.models import FILL_IN_DAYS, CheckIn, days_to_fill_in
from tests.milestones.factories import CheckInFactory, JourneyFactory

pytestmark = pytest.mark.django_db

# 15:00 UTC on Monday 30 March 2026 is 10:00 in Chicago (the owner's zone): their 30 March.
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 30)
YESTERDAY = dt.date(2026, 3, 29)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def day_url(day):
    return reverse("milestones:checkin_day", args=[day])


def text(response):
    return html.unescape(response.content.decode())


def test_a_missed_day_is_filled_in_later_and_marked_so(owner_client, owner):
    page = text(owner_client.get(day_url(YESTERDAY)))
    assert "Check in for Sunday 29 March (filled in later)" in " ".join(strip_tags(page).split())
    response = owner_client.post(day_url(YESTERDAY), {"sober": "yes", "mood": "4", "notes": "Slept early"})
    assert response.status_code == 302 and response.url == reverse("milestones:overview")
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.local_date, checkin.entered_late, checkin.notes) == (YESTERDAY, True, "Slept early")
    assert "Your check-in for Sunday 29 March is saved (filled in later)" in text(
        owner_client.get(reverse("milestones:overview"))
    )


def test_todays_check_in_is_not_marked_late_and_its_address_is_the_usual_one(owner_client, owner):
    assert owner_client.get(day_url(TODAY)).url == reverse("milestones:checkin")
    owner_client.post(reverse("milestones:checkin"), {"sober": "yes"})
    assert CheckIn.objects.get(owner=owner).entered_late is False


def test_a_week_back_is_the_oldest_day_that_can_be_filled_in(owner_client, owner):
    oldest = TODAY - dt.timedelta(days=FILL_IN_DAYS)
    assert owner_client.post(day_url(oldest), {"sober": "yes"}).status_code == 302
    too_old = oldest - dt.timedelta(days=1)
    page = owner_client.get(day_url(too_old))
    assert page.status_code == 200
    assert "up to 7 days back" in text(page) and "Sunday 22 March 2026 is further back" in text(page)
    assert owner_client.post(day_url(too_old), {"sober": "yes"}).status_code == 400
    assert list(CheckIn.objects.values_list("local_date", flat=True)) == [oldest]


def test_a_day_still_to_come_gets_a_plain_message(owner_client):
    page = owner_client.get(day_url(TODAY + dt.timedelta(days=1)))
    assert page.status_code == 200 and "Tuesday 31 March hasn't come yet" in text(page)
    assert owner_client.get(day_url(dt.date(9999, 12, 31))).status_code == 200
    assert owner_client.get(day_url(dt.date(1, 1, 1))).status_code == 200
    assert not CheckIn.objects.exists()


def test_a_day_checked_in_on_the_day_itself_stays_as_it_was_lived(owner_client, owner):
    CheckInFactory(owner=owner, local_date=YESTERDAY, mood=2)
    page = text(owner_client.get(day_url(YESTERDAY)))
    assert "stays as you lived the day" in page
    assert reverse("milestones:checkin_detail", args=[YESTERDAY]) in page
    assert owner_client.post(day_url(YESTERDAY), {"sober": "yes", "mood": "5"}).status_code == 400
    assert CheckIn.objects.get().mood == 2


def test_a_day_filled_in_later_can_be_changed_until_the_week_has_passed(owner_client, owner):
    owner_client.post(day_url(YESTERDAY), {"sober": "yes", "mood": "3"})
    detail = text(owner_client.get(reverse("milestones:checkin_detail", args=[YESTERDAY])))
    assert "(filled in later)" in detail and "Edit this check-in" in detail
    assert "You filled in this day already" in text(owner_client.get(day_url(YESTERDAY)))
    owner_client.post(day_url(YESTERDAY), {"sober": "yes", "mood": "5"})
    checkin = CheckIn.objects.get()
    assert (checkin.mood, checkin.entered_late) == (5, True)
    with time_machine.travel(NOW + dt.timedelta(days=FILL_IN_DAYS + 1), tick=False):
        detail = text(owner_client.get(reverse("milestones:checkin_detail", args=[YESTERDAY])))
        assert "Edit this check-in" not in detail and "(filled in later)" in detail
        assert owner_client.post(day_url(YESTERDAY), {"sober": "yes", "mood": "1"}).status_code == 400
    assert CheckIn.objects.get().mood == 5


def test_a_day_filled_in_later_counts_in_streaks_wins_and_the_calendar(owner, owner_client):
    journey = JourneyFactory(owner=owner, started_on=dt.date(2026, 3, 1))
    CheckInFactory(owner=owner, local_date=TODAY)
    CheckInFactory(owner=owner, local_date=TODAY - dt.timedelta(days=2))
    assert wins.small_wins(owner, TODAY).checkin_streak == 1
    owner_client.post(day_url(YESTERDAY), {"sober": "yes"})
    assert wins.small_wins(owner, TODAY).checkin_streak == 3
    calendar = streak_calendar.for_journey(owner, journey, TODAY)
    states = {day.date: day.state for week in calendar.weeks for day in week}
    assert states[YESTERDAY] is streak_calendar.SOBER
    assert YESTERDAY not in calendar.to_fill_in


def test_the_journeys_calendar_offers_fill_in_for_missed_days_of_the_last_week_only(owner, owner_client):
    journey = JourneyFactory(owner=owner, started_on=dt.date(2026, 3, 1))
    CheckInFactory(owner=owner, local_date=TODAY - dt.timedelta(days=3))
    page = text(owner_client.get(reverse("milestones:journey", args=[journey.pk])))
    assert "Fill in Sunday 29 March" in strip_tags(page)
    assert day_url(YESTERDAY) in page
    assert day_url(TODAY - dt.timedelta(days=3)) not in page  # checked in
    assert day_url(TODAY - dt.timedelta(days=7)) in page
    assert day_url(TODAY - dt.timedelta(days=8)) not in page  # missed, but further back than a week
    assert day_url(TODAY) not in page  # today is the ordinary check-in


def test_past_check_ins_offer_the_missed_days_and_say_which_were_filled_in_later(owner, owner_client):
    CheckInFactory(owner=owner, local_date=TODAY - dt.timedelta(days=2), entered_late=True)
    CheckInFactory(owner=owner, local_date=TODAY - dt.timedelta(days=20))
    page = text(owner_client.get(reverse("milestones:checkins")))
    assert "filled in later" in page
    assert day_url(YESTERDAY) in page and day_url(TODAY - dt.timedelta(days=2)) not in page
    assert day_url(TODAY - dt.timedelta(days=20)) not in page
    assert days_to_fill_in({YESTERDAY}, TODAY)[0] == TODAY - dt.timedelta(days=2)


def test_a_phone_that_was_offline_fills_in_a_missed_day_once(owner_client, owner):
    key = str(uuid.uuid4())
    sent = {"sober": "yes", "device_key": key, "filled_on": TODAY.isoformat()}
    assert owner_client.post(day_url(YESTERDAY), sent).status_code == 204
    assert owner_client.post(day_url(YESTERDAY), {**sent, "sober": "no"}).status_code == 204
    checkin = CheckIn.objects.get()
    assert (checkin.local_date, checkin.sober, checkin.entered_late) == (YESTERDAY, "yes", True)


def test_a_check_in_kept_on_the_phone_since_yesterday_is_not_filled_in_later(owner_client, owner):
    sent = {"sober": "yes", "device_key": str(uuid.uuid4()), "filled_on": YESTERDAY.isoformat()}
    assert owner_client.post(reverse("milestones:checkin"), sent).status_code == 204
    assert CheckIn.objects.get().entered_late is False


def test_a_search_on_a_missed_days_page_stays_on_that_day(owner_client, owner):
    from tests.supports.factories import SupporterFactory

    for number in range(14):
        SupporterFactory(owner=owner, name=f"Friend {number:02}")
    response = owner_client.post(day_url(YESTERDAY), {"sober": "yes", "supporters-q": "Friend", "find-supporters": "1"})
    page = text(response)
    assert "(filled in later)" in page and "Sunday 29 March" in page
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("client_name", ["family_client", "counselor_client", "stranger_client"])
def test_everyone_else_fills_in_only_their_own_day(request, client_name, owner):
    CheckInFactory(owner=owner, local_date=YESTERDAY, entered_late=True, notes="Owner's private words")
    client = request.getfixturevalue(client_name)
    page = client.get(day_url(YESTERDAY))
    assert page.status_code == 200 and "Owner's private words" not in text(page)
    assert "You filled in this day already" not in text(page)
    assert client.get(reverse("milestones:checkin_detail", args=[YESTERDAY])).status_code == 404
    client.post(day_url(YESTERDAY), {"sober": "yes"})
    assert CheckIn.objects.get(owner=owner).notes == "Owner's private words"
    assert CheckIn.objects.exclude(owner=owner).get().local_date <= YESTERDAY + dt.timedelta(days=1)


def test_anonymous_is_sent_to_sign_in(anon_client):
    for method in ("get", "post"):
        response = getattr(anon_client, method)(day_url(YESTERDAY))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not CheckIn.objects.exists()
