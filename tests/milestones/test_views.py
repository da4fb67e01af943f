"""Every progress page for every role: the owner sees and does; everyone else gets 404 or the sign-in page."""

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse

from milestones.models import CheckIn, Encouragement, Journey, PersonalGoal, Setback
from supports.models import Contact, PeerGroup, Supporter
from tests.factories import sign_in
from tests.milestones.factories import CheckInFactory, EncouragementFactory, JourneyFactory, PersonalGoalFactory

pytestmark = pytest.mark.django_db

# 15:00 UTC on 30 March 2026 is 10:00 in Chicago (the owner's zone): their 30 March.
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 30)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def journey(owner):
    return JourneyFactory(owner=owner, started_on=dt.date(2026, 2, 28))


@pytest.fixture
def goal(owner):
    return PersonalGoalFactory(owner=owner, title="Sober birthday", on_date=dt.date(2026, 6, 1))


@pytest.fixture
def checkin(owner):
    return CheckInFactory(owner=owner, local_date=dt.date(2026, 3, 29), gratitude="The dog, the sun")


def _owned_urls(journey, goal, checkin):
    return [
        reverse("milestones:journey", args=[journey.pk]),
        reverse("milestones:journey_edit", args=[journey.pk]),
        reverse("milestones:setback_create", args=[journey.pk]),
        reverse("milestones:celebrate", args=[journey.pk, "d30"]),
        reverse("milestones:celebrate", args=[journey.pk, "day12"]),
        reverse("milestones:goal_celebrate", args=[goal.pk]),
        reverse("milestones:checkin_detail", args=[checkin.local_date.isoformat()]),
    ]


def test_owner_sees_every_page_of_their_own(owner_client, journey, goal, checkin):
    for url in _owned_urls(journey, goal, checkin):
        response = owner_client.get(url)
        assert response.status_code == 200, url
    for name in ["overview", "checkin", "checkins", "trends", "calendar", "journey_create", "goal_create"]:
        assert owner_client.get(reverse(f"milestones:{name}")).status_code == 200, name


@pytest.mark.parametrize("client_name", ["family_client", "counselor_client", "stranger_client"])
def test_other_people_get_404_for_the_owners_journey_goal_and_days(request, client_name, journey, goal, checkin):
    client = request.getfixturevalue(client_name)
    for url in _owned_urls(journey, goal, checkin):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("milestones:goal_delete", args=[goal.pk])).status_code == 404
    assert PersonalGoal.objects.filter(pk=goal.pk).exists()


@pytest.mark.parametrize("client_name", ["family_client", "counselor_client", "stranger_client"])
def test_other_people_see_only_their_own_empty_progress(request, client_name, journey, checkin):
    client = request.getfixturevalue(client_name)
    body = client.get(reverse("milestones:overview")).content.decode()
    assert "Add a journey" in body
    assert journey.name not in body
    trends = client.get(reverse("milestones:trends")).content.decode()
    assert "No check-ins in this period yet" in trends
    assert "The dog, the sun" not in client.get(reverse("milestones:checkins")).content.decode()


def test_anonymous_is_sent_to_sign_in_everywhere(anon_client, journey, goal, checkin):
    names = ["overview", "checkin", "checkins", "trends", "calendar", "journey_create", "goal_create"]
    for url in _owned_urls(journey, goal, checkin) + [reverse(f"milestones:{name}") for name in names]:
        response = anon_client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login")), url


def test_overview_shows_clean_time_in_days_and_in_months(owner_client, journey):
    body = owner_client.get(reverse("milestones:overview")).content.decode()
    # 28 Feb to 30 Mar 2026: 30 days, which is 1 month and 2 days by the calendar.
    assert '<span class="clean-time__days">30</span>' in body
    assert "1 month, 2 days" in body
    assert "Today is 30 days" in body
    assert "60 days" in body  # coming up


def test_overview_asks_for_a_check_in_then_confirms_it(owner_client, owner, journey):
    assert "Check in now" in owner_client.get(reverse("milestones:overview")).content.decode()
    CheckInFactory(owner=owner, local_date=TODAY)
    assert "You've checked in today" in owner_client.get(reverse("milestones:overview")).content.decode()


def test_owner_starts_a_journey_in_their_own_words(owner_client, owner):
    response = owner_client.post(
        reverse("milestones:journey_create"),
        {"kind": "alcohol", "own_words": "Free from drinking", "started_on": "2026-03-01"},
    )
    journey = Journey.objects.get(owner=owner)
    assert response.url == reverse("milestones:journey", args=[journey.pk])
    assert journey.name == "Free from drinking"
    assert journey.first_started_on == journey.started_on == dt.date(2026, 3, 1)


def test_a_start_date_in_the_future_gets_a_plain_message(owner_client, owner):
    response = owner_client.post(reverse("milestones:journey_create"), {"kind": "alcohol", "started_on": "2026-04-02"})
    assert response.status_code == 200
    assert "can't be after today" in html.unescape(response.content.decode())
    assert not Journey.objects.exists()


def test_a_broken_date_is_a_form_error_not_a_500(owner_client):
    response = owner_client.post(reverse("milestones:journey_create"), {"kind": "alcohol", "started_on": "31/31/31"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_owner_records_a_setback_and_restarts_with_history_kept(owner_client, owner, journey):
    response = owner_client.post(
        reverse("milestones:setback_create", args=[journey.pk]),
        {
            "happened_on": "2026-03-20",
            "what_happened": "A wedding, an open bar.",
            "what_learned": "Leave early, bring a friend.",
            "reach_out_to": "My sponsor",
            "count": "restart",
        },
    )
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.started_on == dt.date(2026, 3, 21)
    assert journey.first_started_on == dt.date(2026, 2, 28)
    body = owner_client.get(response.url).content.decode()
    assert "every earlier day is still yours" in body
    assert "A wedding, an open bar." in body
    assert "Leave early, bring a friend." in body
    # The earlier streak of 20 days is still shown, and totals count it.
    assert "<td>20</td>" in body
    assert "29</strong> sober days in all" in body
    for unkind in ["fail", "relapsed", "reset to zero", "lost"]:
        assert unkind not in body.lower()


def test_owner_records_a_setback_and_keeps_counting(owner_client, journey):
    owner_client.post(
        reverse("milestones:setback_create", args=[journey.pk]), {"happened_on": "2026-03-20", "count": "keep"}
    )
    journey.refresh_from_db()
    assert journey.started_on == dt.date(2026, 2, 28)
    setback = Setback.objects.get()
    assert setback.restart_on is None
    assert (
        "you kept your count going"
        in owner_client.get(reverse("milestones:journey", args=[journey.pk])).content.decode()
    )


def test_a_restart_before_the_current_count_is_refused_kindly(owner_client, journey):
    response = owner_client.post(
        reverse("milestones:setback_create", args=[journey.pk]), {"happened_on": "2026-01-10", "count": "restart"}
    )
    assert response.status_code == 200
    assert "This journey began on 28 February 2026" in response.content.decode()
    assert not Setback.objects.exists()


def test_celebration_gathers_the_encouragement_received(owner_client, owner, journey):
    EncouragementFactory(owner=owner, journey=journey, milestone_key="d30", message="Thirty days! Proud of you.")
    EncouragementFactory(owner=owner, received_on=TODAY, from_name="Sam", message="Thinking of you today.")
    EncouragementFactory(owner=owner, journey=journey, milestone_key="d7", message="One week!")
    body = owner_client.get(reverse("milestones:celebrate", args=[journey.pk, "d30"])).content.decode()
    assert "Thirty days! Proud of you." in body
    assert "Thinking of you today." in body
    assert "One week!" not in body
    assert "You made it here one day at a time" in body


def test_celebration_mentions_supporters_in_touch_that_day(owner_client, owner, journey):
    supporter = Supporter.objects.create(owner=owner, name="Aunt Jo")
    Contact.objects.create(owner=owner, supporter=supporter, happened_at=NOW - dt.timedelta(hours=2))
    body = owner_client.get(reverse("milestones:celebrate", args=[journey.pk, "d30"])).content.decode()
    assert "you were in touch with Aunt Jo" in body


@pytest.mark.parametrize("key", ["m99999999999999999996", "m" + "1" * 5000, "day" + "1" * 5000, "day36501", "m1212"])
def test_a_celebration_of_a_count_past_a_hundred_years_is_a_404(owner_client, journey, key):
    assert owner_client.get(reverse("milestones:celebrate", args=[journey.pk, key])).status_code == 404


def test_a_celebration_a_hundred_years_in_is_a_page(owner_client, journey):
    for key in ("m1200", "day36500"):
        assert owner_client.get(reverse("milestones:celebrate", args=[journey.pk, key])).status_code == 200


def test_owner_keeps_a_kind_word_on_the_celebration_page(owner_client, owner, journey):
    url = reverse("milestones:celebrate", args=[journey.pk, "d30"])
    response = owner_client.post(url, {"from_name": "Dad", "message": "Keep going, kid.", "received_on": "2026-03-30"})
    assert response.status_code == 302
    encouragement = Encouragement.objects.get()
    assert (encouragement.owner, encouragement.journey, encouragement.milestone_key) == (owner, journey, "d30")
    assert "Keep going, kid." in owner_client.get(url).content.decode()


def test_encouragement_cannot_name_another_persons_supporter(owner_client, stranger, journey):
    theirs = Supporter.objects.create(owner=stranger, name="Not yours")
    url = reverse("milestones:celebrate", args=[journey.pk, "d30"])
    response = owner_client.post(url, {"supporter": theirs.pk, "message": "Hi", "received_on": "2026-03-30"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Encouragement.objects.exists()


def test_unknown_or_absurd_milestones_are_404(owner_client, journey):
    for key in ["m7", "nonsense", "day0", "day99999999", "m13"]:
        assert owner_client.get(reverse("milestones:celebrate", args=[journey.pk, key])).status_code == 404, key


def test_a_future_milestone_shows_days_to_go(owner_client, journey):
    body = owner_client.get(reverse("milestones:celebrate", args=[journey.pk, "d90"])).content.decode()
    assert "60 days to go" in body


def test_owner_adds_a_day_count_goal_and_a_date_goal(owner_client, owner, journey):
    owner_client.post(reverse("milestones:goal_create"), {"title": "100 days", "days": "100"})
    owner_client.post(reverse("milestones:goal_create"), {"title": "Mia's wedding", "on_date": "2026-09-12"})
    goals = {goal.title: goal for goal in PersonalGoal.objects.filter(owner=owner)}
    assert goals["100 days"].journey == journey
    assert goals["100 days"].due_on == dt.date(2026, 6, 8)
    assert goals["Mia's wedding"].due_on == dt.date(2026, 9, 12)
    body = owner_client.get(reverse("milestones:overview")).content.decode()
    assert "100 days" in body and "Mia&#x27;s wedding" in body


def test_a_goal_needs_a_day_count_or_a_date(owner_client):
    response = owner_client.post(reverse("milestones:goal_create"), {"title": "Something"})
    assert "Give either a day count or a date." in response.content.decode()
    assert not PersonalGoal.objects.exists()


def test_owner_removes_a_goal(owner_client, goal):
    assert owner_client.get(reverse("milestones:goal_delete", args=[goal.pk])).status_code == 405
    owner_client.post(reverse("milestones:goal_delete", args=[goal.pk]))
    assert not PersonalGoal.objects.exists()


def test_past_check_in_is_read_only_and_todays_is_editable(owner_client, owner, checkin):
    past = owner_client.get(reverse("milestones:checkin_detail", args=["2026-03-29"])).content.decode()
    assert "can be changed on that day only" in past
    CheckInFactory(owner=owner, local_date=TODAY)
    today = owner_client.get(reverse("milestones:checkin_detail", args=["2026-03-30"])).content.decode()
    assert "Edit today's check-in" in today


def test_a_malformed_day_is_404(owner_client):
    assert owner_client.get(reverse("milestones:checkin_detail", args=["2026-02-30"])).status_code == 404
    assert owner_client.get("/progress/checkins/yesterday/").status_code == 404  # no URL to reverse: <date:…>


def test_history_pages_through_check_ins(owner_client, owner):
    CheckIn.objects.bulk_create(
        [CheckIn(owner=owner, local_date=TODAY - dt.timedelta(days=n), sober="yes") for n in range(45)]
    )
    first = owner_client.get(reverse("milestones:checkins")).content.decode()
    assert "Page 1 of 2" in first
    second = owner_client.get(reverse("milestones:checkins") + "?page=2").content.decode()
    assert "Page 2 of 2" in second


def test_home_page_shows_clean_time_check_in_status_and_next_milestone(owner_client, owner, journey):
    body = owner_client.get("/").content.decode()
    assert "Your progress" in body
    assert "30 days" in body
    assert "Today is 30 days" in body
    assert "Check in for today" in body
    CheckInFactory(owner=owner, local_date=TODAY)
    assert "You've checked in today" in owner_client.get("/").content.decode()


def test_nav_offers_check_in_and_progress(owner_client):
    body = owner_client.get(reverse("milestones:trends")).content.decode()
    assert f'href="{reverse("milestones:checkin")}"' in body
    assert f'href="{reverse("milestones:overview")}" aria-current="page">Progress' in body


def test_pages_link_their_own_stylesheet_and_use_no_inline_style(owner_client, journey, checkin):
    for url in [reverse("milestones:overview"), reverse("milestones:trends"), reverse("milestones:checkin")]:
        body = owner_client.get(url).content.decode()
        assert "/static/css/milestones.css" in body
        assert "style=" not in body
        assert "<script>" not in body


def test_group_choices_on_the_check_in_are_the_owners_own(owner_client, owner, stranger):
    PeerGroup.objects.create(owner=owner, name="Tuesday Night Group", fellowship="aa")
    PeerGroup.objects.create(owner=stranger, name="Someone else's group", fellowship="aa")
    body = owner_client.get(reverse("milestones:checkin")).content.decode()
    assert "Tuesday Night Group" in body
    assert "Someone else" not in body


def test_overview_counts_down_to_the_owners_own_milestones(owner_client, goal):
    body = owner_client.get(reverse("milestones:overview")).content.decode()
    assert '<span class="chip__label">Sober birthday</span>' in body
    assert '<time datetime="2026-06-01">1 Jun 2026</time> · in 63 days' in body


def test_editing_the_start_date_after_a_restart_cannot_reach_back_before_it(owner_client, owner, journey):
    from milestones import services

    services.record_setback(journey, happened_on=dt.date(2026, 3, 10), restart_on=dt.date(2026, 3, 11))
    url = reverse("milestones:journey_edit", args=[journey.pk])
    response = owner_client.post(url, {"kind": "alcohol", "started_on": "2026-03-01"})
    assert "Your current count began after the setback on 10 March 2026" in response.content.decode()
    owner_client.post(url, {"kind": "alcohol", "started_on": "2026-03-12", "own_words": "Dry"})
    journey.refresh_from_db()
    assert (journey.first_started_on, journey.started_on, journey.name) == (
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 12),
        "Dry",
    )


def test_editing_the_start_date_without_setbacks_moves_the_whole_history(owner_client, journey):
    owner_client.post(
        reverse("milestones:journey_edit", args=[journey.pk]), {"kind": "alcohol", "started_on": "2026-02-20"}
    )
    journey.refresh_from_db()
    assert journey.first_started_on == journey.started_on == dt.date(2026, 2, 20)


def test_the_admin_holds_nothing_of_anyones_progress(client, admin_user, checkin, journey):
    sign_in(client, admin_user, two_factor=True)
    for name in ["journey", "setback", "checkin", "personalgoal", "encouragement", "calendarfeed"]:
        assert client.get(f"/admin/milestones/{name}/").status_code == 404, name
    assert client.get(f"/admin/milestones/checkin/{checkin.pk}/change/").status_code == 404


def test_encouragement_from_a_supporter_takes_their_name(owner_client, owner, journey):
    sam = Supporter.objects.create(owner=owner, name="Sam")
    url = reverse("milestones:celebrate", args=[journey.pk, "d30"])
    owner_client.post(url, {"supporter": sam.pk, "message": "Proud of you", "received_on": "2026-03-30"})
    assert Encouragement.objects.get().from_name == "Sam"
    response = owner_client.post(url, {"message": "Anonymous?", "received_on": "2026-03-30"})
    assert "Say who it came from" in response.content.decode()


def test_a_setback_can_name_whom_they_will_reach_out_to_from_their_network(owner_client, owner, stranger, journey):
    marcus = Supporter.objects.create(owner=owner, name="Marcus")
    theirs = Supporter.objects.create(owner=stranger, name="Not yours")
    url = reverse("milestones:setback_create", args=[journey.pk])
    response = owner_client.post(url, {"happened_on": "2026-03-20", "count": "keep", "reach_out_supporter": theirs.pk})
    assert "Select a valid choice" in response.content.decode()
    owner_client.post(url, {"happened_on": "2026-03-20", "count": "keep", "reach_out_supporter": marcus.pk})
    assert Setback.objects.get().reach_out_supporter == marcus
    body = owner_client.get(reverse("milestones:journey", args=[journey.pk])).content.decode()
    assert f'href="{reverse("supports:supporter_detail", args=[marcus.pk])}">Marcus</a>' in body


def test_a_count_restarting_tomorrow_can_still_be_renamed(owner_client, journey):
    from milestones import services

    services.record_setback(journey, happened_on=TODAY, restart_on=TODAY + dt.timedelta(days=1))
    url = reverse("milestones:journey_edit", args=[journey.pk])
    response = owner_client.post(url, {"kind": "alcohol", "own_words": "Dry", "started_on": "2026-03-31"})
    assert response.status_code == 302
    body = owner_client.get(reverse("milestones:journey", args=[journey.pk])).content.decode()
    assert '<span class="clean-time__days">0</span>' in body
    assert "Dry" in body
