"""Milestones drawn as chips: an SVG coin for the eye, the words beside it for everyone, one announcement."""

import datetime as dt
import re

import pytest
import time_machine
from django.test.utils import override_settings
from django.urls import reverse

from milestones import schedule
from tests.milestones.factories import JourneyFactory, PersonalGoalFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)  # 30 March in Chicago: day 30 of a count begun 28 February


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False), override_settings(PAGE_CACHE=False):
        yield


@pytest.fixture
def journey(owner):
    return JourneyFactory(owner=owner, started_on=dt.date(2026, 2, 28))


def chips(body):
    return re.findall(r'<li class="chip[^"]*">.*?</li>', body, re.S)


def chip_for(body, label):
    return next(chip for chip in chips(body) if f'<span class="chip__label">{label}</span>' in chip)


def test_every_step_has_a_short_label_for_its_chip():
    shorts = {step.key: step.short for step in schedule.FIRST_STEPS}
    assert shorts == {
        "d1": "24h", "d7": "1w", "d30": "30d", "d60": "60d", "d90": "90d",
        "m6": "6m", "m9": "9m", "m12": "1y", "m18": "18m",
    }  # fmt: skip
    later = [step for step, _ in zip(schedule.steps(), range(12), strict=False)][9:]
    assert [step.short for step in later] == ["2y", "3y", "4y"]
    assert schedule.step_for_key("m120").short == "10y"


def test_day_counts_and_goals_have_short_labels_too(owner, journey):
    assert journey.milestone_for_days(45).short == "45d"
    assert journey.milestone_named("day100").short == "100d"
    assert journey.milestone_named("d90").short == "90d"
    assert PersonalGoalFactory(owner=owner, journey=journey, days=100, on_date=None).short == "100d"
    assert PersonalGoalFactory(owner=owner, on_date=dt.date(2026, 6, 1)).short == "★"


def test_reached_and_upcoming_chips_look_different_and_link_to_their_celebration(owner_client, journey):
    body = owner_client.get(reverse("milestones:journey", args=[journey.pk])).content.decode()
    reached, upcoming = chip_for(body, "30 days"), chip_for(body, "60 days")
    assert reached.startswith('<li class="chip chip--reached">')
    assert upcoming.startswith('<li class="chip">')
    assert 'class="chip-art chip-art--reached"' in reached and 'class="chip-art"' in upcoming
    assert f'href="{reverse("milestones:celebrate", args=[journey.pk, "d30"])}"' in reached
    assert ">30d</text>" in reached and ">60d</text>" in upcoming
    assert '<time datetime="2026-04-29">29 Apr 2026</time> · in 4' in upcoming


def test_the_drawing_is_hidden_from_screen_readers_and_coloured_by_the_stylesheet(owner_client, journey):
    body = owner_client.get(reverse("milestones:overview")).content.decode()
    assert chips(body)
    for chip in chips(body):
        svg = re.search(r"<svg.*?</svg>", chip, re.S).group(0)
        assert 'aria-hidden="true"' in svg and 'focusable="false"' in svg
        # Colours come from classes using the scheme's variables, so the dark scheme draws it too.
        assert "fill=" not in svg and "stroke=" not in svg and "style=" not in svg
        # The link's words are the label and the date, once: the short label is only drawn.
        words = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", chip, flags=re.S).split()
        assert not any(re.fullmatch(r"\d+[hdwmy]", word) for word in words), words


def test_the_persons_own_milestones_are_chips_too(owner, owner_client, journey):
    PersonalGoalFactory(owner=owner, title="100 days", journey=journey, days=100, on_date=None)
    PersonalGoalFactory(owner=owner, title="Mia's wedding", on_date=dt.date(2026, 3, 14))
    body = owner_client.get(reverse("milestones:overview")).content.decode()
    hundred, wedding = chip_for(body, "100 days"), chip_for(body, "Mia&#x27;s wedding")
    assert hundred.startswith('<li class="chip chip--goal">') and ">100d</text>" in hundred
    assert "· in 70 days" in hundred
    assert wedding.startswith('<li class="chip chip--goal chip--reached">') and ">★</text>" in wedding
    assert 'reached <time datetime="2026-03-14">14 Mar 2026</time>' in wedding


def test_the_celebration_draws_the_chip_large(owner_client, journey):
    today = owner_client.get(reverse("milestones:celebrate", args=[journey.pk, "d30"])).content.decode()
    assert '<section class="celebration celebration--reached celebration--today"' in today
    assert 'class="chip-art chip-art--reached chip-art--large"' in today
    assert '<g class="chip-art__rays">' in today and ">30d</text>" in today
    coming = owner_client.get(reverse("milestones:celebrate", args=[journey.pk, "m12"])).content.decode()
    assert 'class="chip-art chip-art--large"' in coming and ">1y</text>" in coming
    assert "chip-art__rays" not in coming
