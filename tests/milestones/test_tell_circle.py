"""'Tell my circle' on a milestone's celebration: once per milestone, only to the family and friends who see
the owner's clean time and haven't turned such news off, discreet in what a notification list shows."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from milestones import services
from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, Grant
from recovery_network.care.notification_kinds import CircleNews
from recovery_network.notifications.dispatch import set_channels
from recovery_network.notifications.models import Delivery, Notification
from tests.care.factories import GrantFactory
from tests.factories import UserFactory, without_csrf_tokens
from tests.milestones.factories import JourneyFactory, PersonalGoalFactory
from tests.notifications.test_delivery import HEALTH_WORDS

pytestmark = pytest.mark.django_db

# 15:00 UTC on 30 March 2026 is 10:00 in Chicago (the owner's zone): 30 days since 28 February, today.
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TELL = {"tell_circle": "1"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def journey(owner):
    return JourneyFactory(owner=owner, started_on=dt.date(2026, 2, 28))


def hears(user, in_app=True, by_email=False):
    """The viewer's choice for "News from people you support" (in the app unless they turn it off)."""
    set_channels(user, CircleNews.key, by_email=by_email, in_app=in_app)
    return user


def celebrate_url(journey, key="d30"):
    return reverse("milestones:celebrate", args=[journey.pk, key])


def told_to(user):
    return list(Notification.objects.filter(recipient=user, kind=CircleNews.key))


def flash(response):
    """The message this response added (an earlier one, never shown, is still queued before it)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1:]


def test_the_owner_tells_their_circle_once(owner_client, owner, family, journey):
    body = owner_client.get(celebrate_url(journey)).content.decode()
    assert "Share it with your circle" in body
    assert "Fran will get a note from you saying “Olive has news to share”" in body
    assert '<button type="submit" name="tell_circle" value="1"' in body

    response = owner_client.post(celebrate_url(journey), TELL)
    assert response.status_code == 302 and response.url == celebrate_url(journey) + "#circle"
    assert flash(response) == ["Told Fran. A note from you is waiting for them."]
    [note] = told_to(family)
    # What a notification list or a shared screen shows names no milestone; opening it tells the news.
    assert note.title == "Olive has news to share" and not HEALTH_WORDS.search(note.title)
    assert note.body.startswith("Olive reached 30 days on Monday 30 March and wanted you to know.")
    assert note.url == reverse("care:person", args=[owner.pk])
    assert AccessEvent.objects.filter(owner=owner, actor=family, what__endswith="news you told them").count() == 1

    again = owner_client.post(celebrate_url(journey), TELL)
    assert flash(again) == ["There was no one new to tell: everyone who hears of your milestones knows."]
    assert len(told_to(family)) == 1
    assert Delivery.objects.filter(kind=CircleNews.key, recipient=family).count() == 1

    body = owner_client.get(celebrate_url(journey)).content.decode()
    assert "You told:" in body and "<li>Fran <span" in body
    assert "Tell my circle</button>" not in body


def test_someone_who_joins_later_is_told_and_no_one_twice(owner_client, owner, family, journey):
    hears(family)
    owner_client.post(celebrate_url(journey), TELL)
    jo = hears(UserFactory(display_name="Jo"))
    GrantFactory(owner=owner, viewer=jo)
    body = owner_client.get(celebrate_url(journey)).content.decode()
    assert "<li>Fran <span" in body and "Jo will get a note from you" in body
    response = owner_client.post(celebrate_url(journey), TELL)
    assert flash(response) == ["Told Jo. A note from you is waiting for them."]
    assert (len(told_to(family)), len(told_to(jo))) == (1, 1)


def test_only_viewers_whose_grant_includes_clean_time_are_told(owner_client, owner, family, journey):
    hears(family)
    no_clean_time = hears(UserFactory(display_name="Nico"))
    GrantFactory(owner=owner, viewer=no_clean_time, clean_time=False, checkins=True)
    revoked = hears(UserFactory(display_name="Rae"))
    sharing.revoke_grant(GrantFactory(owner=owner, viewer=revoked))
    someone_elses = hears(UserFactory(display_name="Sol"))
    GrantFactory(viewer=someone_elses)

    body = without_csrf_tokens(owner_client.get(celebrate_url(journey)).content.decode())
    assert "Nico" not in body and "Rae" not in body and "Sol" not in body
    owner_client.post(celebrate_url(journey), TELL)
    assert len(told_to(family)) == 1
    assert told_to(no_clean_time) == told_to(revoked) == told_to(someone_elses) == []


def test_a_grant_revoked_after_the_page_was_opened_is_not_told(owner_client, owner, family, journey):
    hears(family)
    assert "Fran will get a note" in owner_client.get(celebrate_url(journey)).content.decode()
    sharing.revoke_grant(Grant.objects.get(owner=owner, viewer=family))
    response = owner_client.post(celebrate_url(journey), TELL)
    assert flash(response) == ["There was no one new to tell: everyone who hears of your milestones knows."]
    assert told_to(family) == []


def test_a_viewer_who_turned_such_news_off_is_not_sent_one(owner_client, family, journey):
    hears(family, in_app=False, by_email=False)
    body = owner_client.get(celebrate_url(journey)).content.decode()
    assert "Fran can see your milestones when they look at your page, but chose not to get notes about them" in body
    assert "so there's no one to send a note to" in body
    assert "Tell my circle</button>" not in body
    owner_client.post(celebrate_url(journey), TELL)
    assert told_to(family) == [] and not Delivery.objects.exists()


def test_a_viewer_who_paused_reminders_is_not_sent_one(owner_client, family, journey):
    hears(family)
    type(family).objects.filter(pk=family.pk).update(reminders_paused_until=NOW + dt.timedelta(days=3))
    assert "chose not to get notes" in owner_client.get(celebrate_url(journey)).content.decode()
    owner_client.post(celebrate_url(journey), TELL)
    assert told_to(family) == []


def test_counselors_are_not_told(owner_client, counselor, journey):
    hears(counselor)
    body = owner_client.get(celebrate_url(journey)).content.decode()
    assert "Casey" not in body
    owner_client.post(celebrate_url(journey), TELL)
    assert told_to(counselor) == []


def test_with_no_one_who_sees_milestones_the_page_says_so_and_points_to_the_circle(owner_client, journey):
    body = owner_client.get(celebrate_url(journey)).content.decode()
    assert "No one in your circle can see your milestones yet." in body
    assert f'<a href="{reverse("care:circle")}">Share your clean time with someone on your circle page</a>' in body
    assert "Tell my circle</button>" not in body


def test_a_milestone_still_to_come_offers_no_telling(owner_client, family, journey):
    hears(family)
    body = owner_client.get(celebrate_url(journey, "d60")).content.decode()
    assert "Share it with your circle" not in body
    response = owner_client.post(celebrate_url(journey, "d60"), TELL)
    assert flash(response) == ["You can tell your circle once the day comes."]
    assert told_to(family) == []


def test_a_milestone_reached_earlier_can_still_be_told_and_any_day_count_too(owner_client, family, journey):
    hears(family)
    owner_client.post(celebrate_url(journey, "d7"), TELL)
    owner_client.post(celebrate_url(journey, "day12"), TELL)
    assert sorted(note.body.split(" and ")[0] for note in told_to(family)) == [
        "Olive reached 1 week on Saturday 7 March",
        "Olive reached 12 days on Thursday 12 March",
    ]


def test_a_new_count_reaches_its_milestone_again_and_may_tell_it_again(owner_client, owner, family):
    hears(family)
    journey = JourneyFactory(owner=owner, started_on=dt.date(2026, 1, 1))
    owner_client.post(celebrate_url(journey, "d30"), TELL)
    services.record_setback(journey, happened_on=dt.date(2026, 2, 27), restart_on=dt.date(2026, 2, 28))
    owner_client.post(celebrate_url(journey, "d30"), TELL)
    assert len(told_to(family)) == 2


def test_a_goal_of_ones_own_has_no_telling(owner_client, family):
    hears(family)
    goal = PersonalGoalFactory(owner=family.grants_held.get().owner, on_date=dt.date(2026, 3, 1))
    body = owner_client.get(reverse("milestones:goal_celebrate", args=[goal.pk])).content.decode()
    assert "Share it with your circle" not in body
    owner_client.post(reverse("milestones:goal_celebrate", args=[goal.pk]), TELL)
    assert told_to(family) == []


@pytest.mark.parametrize("client_name", ["family_client", "counselor_client", "stranger_client"])
def test_no_one_but_the_owner_can_tell_the_owners_circle(request, client_name, family, journey):
    hears(family)
    client = request.getfixturevalue(client_name)
    assert client.get(celebrate_url(journey)).status_code == 404
    assert client.post(celebrate_url(journey), TELL).status_code == 404
    assert told_to(family) == [] and not Delivery.objects.exists()


def test_anonymous_is_sent_to_sign_in(anon_client, family, journey):
    hears(family)
    response = anon_client.post(celebrate_url(journey), TELL)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert told_to(family) == []


def test_without_a_choice_of_their_own_a_viewer_gets_the_news_in_the_app_and_no_email(owner_client, family, journey):
    owner_client.post(celebrate_url(journey), TELL)
    delivery = Delivery.objects.get(kind=CircleNews.key, recipient=family)
    assert (delivery.in_app, delivery.by_email) == (True, False)
    assert len(told_to(family)) == 1
