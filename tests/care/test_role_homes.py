"""A front door for each role an account holds: the person in recovery sees their own day; a family member or
friend sees the people who share with them; a counselor sees their caseload. One account may hold several."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from milestones.models import Encouragement, Journey
from milestones.notification_kinds import DailyCheckIn
from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent
from recovery_network.models import User
from recovery_network.notifications.dispatch import refresh_person
from recovery_network.notifications.models import Reminder
from tests.care.factories import ConsentFactory, GrantFactory, RecommendationFactory
from tests.conftest import _client_for
from tests.factories import UserFactory
from tests.milestones.factories import JourneyFactory

pytestmark = pytest.mark.django_db
HOME = reverse("home")
# 15:00 UTC on 30 March 2026 is 10:00 in Chicago.
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def fresh(user):
    return User.objects.get(pk=user.pk)


def nav(page):
    return page[page.index('<nav class="site-nav"') : page.index("</nav>")]


def test_the_roles_follow_grants_consents_and_journeys(owner, family, counselor, stranger):
    assert (fresh(family).views_someone, fresh(family).in_recovery) == (True, False)
    assert (fresh(counselor).counsels_someone, fresh(counselor).in_recovery) == (True, False)
    assert fresh(stranger).in_recovery  # no one brought them into a circle: a newcomer starts as in recovery
    journey = JourneyFactory(owner=family)
    assert fresh(family).has_journey and fresh(family).in_recovery
    journey.delete()
    assert not fresh(family).has_journey
    sharing.revoke_grant(family.grants_held.get())
    assert not fresh(family).views_someone
    sharing.revoke_consent(counselor.consents_held.get())
    assert not fresh(counselor).counsels_someone


def test_a_family_members_home_is_the_people_they_support_with_no_check_in(family_client, owner, family):
    JourneyFactory(owner=owner, started_on=dt.date(2026, 2, 28))  # 30 days today
    page = family_client.get(HOME).content.decode()
    assert "People you support" in page and f'href="{reverse("care:person", args=[owner.pk])}">Olive</a>' in page
    assert '<span class="stat__value">30</span>' in page and "Today is 30 days" in page
    assert "Check in for today" not in page and "Your network" not in page and "Daily check-in reminder" not in page
    assert f'action="{reverse("care:person_encourage", args=[owner.pk])}"' in page
    assert "How to help without enabling" in page
    menu = nav(page)
    assert "Check in" not in menu and "Progress" not in menu and "Network" not in menu and "Circle" in menu
    # What the home showed of Olive is a look like any other: a line in her access log.
    line = AccessEvent.objects.get(owner=owner, actor=family)
    assert (line.action, line.what) == ("viewed", "clean time and milestones: on their home page")


def test_what_a_family_member_is_not_shared_stays_off_their_home(owner, family, family_client):
    family.grants_held.update(clean_time=False, checkins=True)
    JourneyFactory(owner=owner)
    page = family_client.get(HOME).content.decode()
    assert "Olive" in page and "stat__value" not in page and "Olive shares: check-in trends." in page
    assert not AccessEvent.objects.filter(owner=owner, actor=family).exists()


def test_a_milestone_near_nudges_the_family_member_to_celebrate(owner, family, family_client):
    JourneyFactory(owner=owner, started_on=dt.date(2026, 3, 2))  # 28 days: 30 days on 1 April, in 2 days
    page = family_client.get(HOME).content.decode()
    assert "in 2 days: a good moment to celebrate with them" in page


def test_one_tap_on_the_home_sends_a_kind_word(owner, family, family_client):
    page = family_client.get(HOME).content.decode()
    assert "Send “Thinking of you today.”" in page
    response = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "thinking"})
    assert response.status_code == 302
    assert Encouragement.objects.get(owner=owner, sender=family).message == "Thinking of you today."


def test_a_counselors_home_and_navigation_lead_to_the_caseload_naming_no_client(counselor_client, owner):
    page = counselor_client.get(HOME).content.decode()
    assert "Your caseload" in page and "1 client with a consent in force." in page
    assert f'href="{reverse("care:caseload")}"' in nav(page) and "Caseload" in nav(page)
    assert owner.name not in page.replace(owner.email, "")  # the client's name is behind the second factor
    assert "Check in for today" not in page and "Check in" not in nav(page)


def test_the_counselor_sees_how_many_consents_lapse_soon(counselor, counselor_client, owner):
    other = UserFactory(time_zone="America/Chicago")
    ConsentFactory(owner=other, counselor=counselor, expires_on=dt.date(2026, 4, 5))
    page = counselor_client.get(HOME).content.decode()
    assert "2 clients with a consent in force." in page and "1 lapses within 14 days" in page


def test_someone_in_recovery_who_also_supports_others_sees_their_own_day_first(family, family_client, owner):
    JourneyFactory(owner=family)
    page = family_client.get(HOME).content.decode()
    assert page.index("Your progress") < page.index("People you support")
    assert "Check in" in nav(page)


def test_the_owner_sees_no_supporting_sections_of_their_own(owner_client):
    page = owner_client.get(HOME).content.decode()
    assert "People you support" not in page and "Your caseload" not in page and "Caseload" not in nav(page)
    assert "Check in" in nav(page)


def test_the_family_home_reads_a_fixed_number_of_rows(family, django_assert_max_num_queries):
    for number in range(8):
        owner = UserFactory(display_name=f"Person {number}", time_zone="America/Chicago")
        GrantFactory(owner=owner, viewer=family, clean_time=True)
        JourneyFactory(owner=owner)
    client = _client_for(family)
    client.get(HOME)
    with django_assert_max_num_queries(9):
        page = client.get(HOME).content.decode()
    assert page.count('class="home-family__person"') == 9  # Olive and the eight


def test_no_check_in_reminder_for_an_account_without_a_journey(family, owner):
    refresh_person(fresh(family))
    assert not Reminder.objects.filter(recipient=family, kind=DailyCheckIn.key).exists()
    assert not DailyCheckIn().eligible().filter(pk=family.pk).exists()
    JourneyFactory(owner=family)
    refresh_person(fresh(family))
    assert Reminder.objects.filter(recipient=family, kind=DailyCheckIn.key).exists()
    assert Journey.objects.filter(owner=family).exists()


def test_the_counselors_suggestions_on_the_home_are_one_per_line_with_their_own_punctuation(owner, owner_client):
    RecommendationFactory(owner=owner, text="Go to two meetings this week.")
    RecommendationFactory(owner=owner, text="Call your sponsor.")
    page = owner_client.get(HOME).content.decode()
    assert "<li><strong>Go to two meetings this week.</strong></li>" in page
    assert ".;" not in page and "..<" not in page
