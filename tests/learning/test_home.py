"""The family home tied to the course: a milestone near points to celebrating without alcohol, a shared setback to
helping after one (with words from that lesson to send), each only where the person shares it, each look logged;
the course's own card suggests the next lesson. Fixed query counts whatever the number of people."""

import datetime as dt
import html

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from milestones.models import COURSE_PHRASES, READY_PHRASE_TEXT, Encouragement
from recovery_network.care.models import AccessEvent, Grant
from recovery_network.learning import content
from recovery_network.learning.models import LessonProgress, LessonSuggestion
from tests.care.factories import GrantFactory
from tests.factories import UserFactory
from tests.milestones.factories import JourneyFactory, SetbackFactory

pytestmark = pytest.mark.django_db
HOME = reverse("home")
# 15:00 UTC on 30 March 2026 is 10:00 in Chicago.
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 30)
CELEBRATING = reverse("learning:lesson", args=["rewarding-sober-time"]) + "#celebrating-without-alcohol"
AFTER_SETBACK = reverse("learning:lesson", args=["after-a-setback"])


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def share(owner, family, **scopes):
    Grant.objects.filter(owner=owner, viewer=family).update(**scopes)


def test_the_lessons_and_parts_the_pages_name_exist():
    """The templates name lessons by slug and parts by the ids Markdown gives their headings."""
    assert 'id="celebrating-without-alcohol"' in content.lesson("rewarding-sober-time").html
    assert content.lesson("after-a-setback") is not None
    assert 'id="phrases-to-try"' in content.lesson("listening-and-talking").html


def test_a_milestone_near_links_to_celebrating_without_alcohol(owner, family, family_client):
    JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=28))  # 30 days in 2 days
    page = family_client.get(HOME).content.decode()
    assert f'href="{CELEBRATING}"' in page and "Ideas for celebrating without alcohol" in page
    assert f"Send “{html.escape(READY_PHRASE_TEXT['proud'])}”" in page


def test_a_milestone_far_off_or_not_shared_links_to_nothing(owner, family, family_client):
    JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=10))  # 30 days in 20 days
    assert CELEBRATING not in family_client.get(HOME).content.decode()
    JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=28))
    share(owner, family, clean_time=False)
    assert CELEBRATING not in family_client.get(HOME).content.decode()


def test_a_shared_setback_points_to_helping_after_one_and_is_logged(owner, family, family_client):
    share(owner, family, setbacks=True)
    journey = JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=100))
    SetbackFactory(journey=journey, happened_on=TODAY - dt.timedelta(days=3), what_happened="PRIVATE-DETAIL")
    page = family_client.get(HOME).content.decode()
    assert "Olive recorded a setback on" in page and '<time datetime="2026-03-27">27 Mar</time>' in page
    assert f'href="{AFTER_SETBACK}"' in page and "PRIVATE-DETAIL" not in page
    assert f"Send “{html.escape(READY_PHRASE_TEXT['not_erased'])}”" in page
    lines = set(AccessEvent.objects.filter(owner=owner, actor=family).values_list("what", flat=True))
    assert "a setback: on their home page" in lines


def test_a_setback_not_shared_or_long_past_stays_off_the_home(owner, family, family_client):
    journey = JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=100))
    SetbackFactory(journey=journey, happened_on=TODAY - dt.timedelta(days=3))
    page = family_client.get(HOME).content.decode()
    assert "recorded a setback" not in page and AFTER_SETBACK not in page
    assert not AccessEvent.objects.filter(owner=owner, actor=family, what__contains="setback").exists()
    share(owner, family, setbacks=True)
    journey.setbacks.update(happened_on=TODAY - dt.timedelta(days=15))
    assert "recorded a setback" not in family_client.get(HOME).content.decode()


def test_the_two_weeks_follow_the_persons_own_calendar(owner, family, family_client):
    """At 10:00 in Chicago it is already 31 March in Auckland: a setback on 17 March is 14 days ago there, 13 in
    Chicago. The owner's zone decides."""
    owner.time_zone = "Pacific/Auckland"
    owner.save(update_fields=["time_zone"])
    share(owner, family, setbacks=True)
    journey = JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=100))
    setback = SetbackFactory(journey=journey, happened_on=dt.date(2026, 3, 17))
    assert "recorded a setback" in family_client.get(HOME).content.decode()
    setback.happened_on = dt.date(2026, 3, 16)  # 15 days ago in Auckland
    setback.save()
    assert "recorded a setback" not in family_client.get(HOME).content.decode()


def test_course_phrases_are_offered_and_sent(owner, family, family_client):
    page = family_client.get(reverse("care:person", args=[owner.pk])).content.decode()
    assert '<optgroup label="From Learning to help, the family course">' in page
    for key, _ in COURSE_PHRASES:
        assert f'value="{key}"' in page
    assert reverse("learning:lesson", args=["listening-and-talking"]) + "#phrases-to-try" in page
    family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "not_erased"})
    assert Encouragement.objects.get(owner=owner).message == READY_PHRASE_TEXT["not_erased"]


def test_the_course_card_suggests_the_first_then_the_next_lesson(family, family_client):
    course = content.lessons()
    page = family_client.get(HOME).content.decode()
    assert "Start with" in page and f'href="{reverse("learning:lesson", args=[course[0].slug])}"' in page
    assert "0 of 8 lessons done" in page
    LessonProgress.record(family, course[0], "", done=True)
    page = family_client.get(HOME).content.decode()
    assert "Next in the course" in page and reverse("learning:lesson", args=[course[1].slug]) in page
    assert "1 of 8 lessons done" in page
    for lesson in course:
        LessonProgress.record(family, lesson, "", done=True)
    assert "You've finished every lesson." in family_client.get(HOME).content.decode()


def test_people_in_recovery_and_counselors_get_no_course_card(owner_client, counselor_client):
    for client in (owner_client, counselor_client):
        assert 'id="home-learning-heading"' not in client.get(HOME).content.decode()


def test_the_family_home_runs_a_fixed_number_of_queries(family_client):
    family = UserFactory._meta.model.objects.get(email="family@example.org")
    Grant.objects.filter(viewer=family).delete()
    counts = []
    for size in (1, 6):
        while Grant.objects.filter(viewer=family).count() < size:
            person = UserFactory(time_zone="Europe/London")
            GrantFactory(owner=person, viewer=family, setbacks=True)
            journey = JourneyFactory(owner=person, started_on=TODAY - dt.timedelta(days=60))
            SetbackFactory(journey=journey, happened_on=TODAY - dt.timedelta(days=2))
            LessonSuggestion.objects.create(owner=person, viewer=family, lesson="after-a-setback")
        family_client.get(HOME)
        with CaptureQueriesContext(connection) as queries:
            response = family_client.get(HOME)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
