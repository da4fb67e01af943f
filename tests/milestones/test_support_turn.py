"""A check-in that records a use or a high craving turns the day's pages from celebration to the person's own
people: no "celebrate", their crisis supporters one tap away (call or text), the crisis lines, and a setback
noted as learning."""

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse

from milestones.home import section
from tests.milestones.factories import CheckInFactory, JourneyFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

# 15:00 UTC on 30 March 2026 is 10:00 in Chicago: the journey below reaches 30 days today.
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
def crisis_supporter(owner):
    return SupporterFactory(owner=owner, name="Robin", phone="555-0101", gives_crisis=True)


def overview(client):
    return html.unescape(client.get(reverse("milestones:overview")).content.decode())


@pytest.mark.parametrize(("sober", "craving"), [("no", 2), ("yes", 8), ("unsaid", 10), ("no", None)])
def test_a_hard_day_shows_the_persons_people_and_no_celebration(
    owner_client, owner, journey, crisis_supporter, stranger, sober, craving
):
    SupporterFactory(owner=stranger, name="Someone Else", phone="555-0199", gives_crisis=True)
    owner_client.post(reverse("milestones:checkin"), {"sober": sober, "craving": craving or ""})
    page = overview(owner_client)
    assert "Thank you for checking in honestly" in page
    assert 'href="tel:5550101"' in page and 'href="sms:5550101"' in page
    assert "Text Robin" in page and "Call Robin" in page
    assert "Someone Else" not in page and "555-0199" not in page
    assert reverse("crisis") in page
    assert reverse("milestones:setback_create", args=[journey.pk]) in page
    assert "/celebrate/" not in page and "celebrate" not in page.lower().replace("celebration", "")
    assert not any(word in page.lower() for word in ("relapse", "failed", "failure"))


def test_a_good_day_celebrates(owner_client, journey, crisis_supporter):
    owner_client.post(reverse("milestones:checkin"), {"sober": "yes", "craving": "7"})
    page = overview(owner_client)
    assert "Today is 30 days — celebrate" in page
    assert "Thank you for checking in honestly" not in page and "sms:" not in page


def test_the_journey_page_and_the_home_hold_back_the_celebration_too(owner_client, owner, journey):
    CheckInFactory(owner=owner, local_date=TODAY, sober="no")
    journey_page = html.unescape(owner_client.get(reverse("milestones:journey", args=[journey.pk])).content.decode())
    assert "/celebrate/" not in journey_page and "reach out" in journey_page
    home = section(owner)
    assert home["support_today"] is True and home["checked_in_today"] is True


def test_a_hard_day_filled_in_later_does_not_turn_today(owner_client, owner, journey):
    CheckInFactory(owner=owner, local_date=TODAY - dt.timedelta(days=1), sober="no", entered_late=True)
    page = overview(owner_client)
    assert "Today is 30 days — celebrate" in page and "Thank you for checking in honestly" not in page
    assert section(owner)["support_today"] is False


def test_without_crisis_supporters_the_card_offers_to_add_one(owner_client, journey):
    owner_client.post(reverse("milestones:checkin"), {"sober": "no"})
    page = overview(owner_client)
    assert reverse("supports:supporter_create") in page and "tel:" not in page.split("today-heading")[0]
