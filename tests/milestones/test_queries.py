"""Pages run a fixed number of queries whatever the length of the person's history."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from milestones import services
from milestones.models import CheckIn, Encouragement, PersonalGoal
from supports.models import Attendance, Contact, PeerGroup, Supporter

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 30)


def build_history(owner, days, journeys, setbacks, supporters):
    """A history of `days` daily check-ins, linked supporters and groups, setbacks, goals and meetings."""
    people = [Supporter.objects.create(owner=owner, name=f"Supporter {n}") for n in range(supporters)]
    groups = [PeerGroup.objects.create(owner=owner, name=f"Group {n}", fellowship="aa") for n in range(3)]
    start = TODAY - dt.timedelta(days=days + 10)
    for index in range(journeys):
        journey = services.start_journey(owner, kind="alcohol", started_on=start)
        for number in range(setbacks):
            happened_on = start + dt.timedelta(days=(number + 1) * days // (setbacks + 1))
            services.record_setback(journey, happened_on=happened_on, restart_on=happened_on + dt.timedelta(days=1))
        PersonalGoal.objects.create(owner=owner, title=f"Goal {index}", journey=journey, days=100)
        Encouragement.objects.create(
            owner=owner, journey=journey, milestone_key="d30", from_name="Jo", message="Hi", received_on=TODAY
        )
    checkins = CheckIn.objects.bulk_create(
        [
            CheckIn(
                owner=owner,
                local_date=TODAY - dt.timedelta(days=n),
                sober="yes",
                mood=1 + n % 5,
                craving=n % 11,
                triggers=["stress", f"own {n % 7}"],
                helped=["exercise"],
            )
            for n in range(days)
        ]
    )
    through = CheckIn.helped_supporters.through
    through.objects.bulk_create([through(checkin=c, supporter=p) for c in checkins for p in people[:3]])
    Attendance.objects.bulk_create(
        [
            Attendance(owner=owner, group=groups[n % 3], attended_on=TODAY - dt.timedelta(days=n))
            for n in range(0, days, 2)
        ]
    )
    Contact.objects.bulk_create(
        [
            Contact(owner=owner, supporter=people[n % len(people)], happened_at=NOW - dt.timedelta(days=n))
            for n in range(0, days, 3)
        ]
    )


def pages(journey_pk, goal_pk):
    return {
        "home": "/",
        "overview": reverse("milestones:overview"),
        "checkin": reverse("milestones:checkin"),
        "checkins": reverse("milestones:checkins"),
        "checkin_detail": reverse("milestones:checkin_detail", args=[TODAY.isoformat()]),
        "journey": reverse("milestones:journey", args=[journey_pk]),
        "celebrate": reverse("milestones:celebrate", args=[journey_pk, "d30"]),
        "goal_celebrate": reverse("milestones:goal_celebrate", args=[goal_pk]),
        "trends_30": reverse("milestones:trends") + "?days=30",
        "trends_365": reverse("milestones:trends") + "?days=365",
        "calendar": reverse("milestones:calendar"),
    }


def count_queries(client, url):
    # The rendering itself, not a copy of it from the page cache.
    with override_settings(PAGE_CACHE=False), CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


# Each page's own reads, on top of what every signed-in page costs (session, user,
# allauth's session tracking, context processors), measured on the profile page so
# cross-cutting additions elsewhere do not move these numbers. None depends on how
# long the history is. The home page is left out: other apps add sections to it.
OWN_QUERIES = {
    "overview": 5,
    "checkin": 7,
    "checkins": 3,
    "checkin_detail": 2,
    "journey": 3,  # the streak calendar's twelve weeks of check-ins: one query
    "celebrate": 5,  # who in the circle sees milestones, and who was told of this one: two queries
    "goal_celebrate": 3,
    "trends_30": 8,  # and the last 90 days' days with each supporter and group: six queries (network_effects.py)
    "trends_365": 8,
    "calendar": 0,  # the profile page's form costs as much as the feed lookup
}


@pytest.mark.parametrize("size", ["small", "large"])
def test_page_queries_stay_fixed_as_history_grows(owner, owner_client, size):
    with time_machine.travel(NOW, tick=False):
        if size == "small":
            build_history(owner, days=5, journeys=1, setbacks=0, supporters=3)
        else:
            build_history(owner, days=400, journeys=3, setbacks=4, supporters=40)
        journey_pk = owner.journeys.first().pk
        goal_pk = owner.personal_goals.first().pk
        baseline = count_queries(owner_client, reverse("profile"))
        counts = {name: count_queries(owner_client, url) for name, url in pages(journey_pk, goal_pk).items()}
    over = {
        name: (counts[name] - baseline, budget)
        for name, budget in OWN_QUERIES.items()
        if counts[name] - baseline > budget
    }
    assert not over, f"pages over their query budget ({size}, beyond {baseline} for any page): {over}"


def test_the_home_section_runs_two_queries_whatever_the_history(owner, django_assert_num_queries):
    from milestones.home import section

    with time_machine.travel(NOW, tick=False):
        build_history(owner, days=400, journeys=3, setbacks=4, supporters=5)
        owner = type(owner).objects.get(pk=owner.pk)
        with django_assert_num_queries(2):
            section(owner)


def test_the_same_pages_cost_the_same_at_both_sizes(owner, owner_client, stranger):
    """Measured side by side: a 5-day history and a 400-day one run exactly as many queries."""
    from tests.factories import UserFactory

    veteran = UserFactory(email="veteran@example.org", time_zone="America/Chicago")
    with time_machine.travel(NOW, tick=False):
        build_history(owner, days=5, journeys=1, setbacks=0, supporters=3)
        build_history(veteran, days=400, journeys=3, setbacks=4, supporters=40)
        small = {
            name: count_queries(owner_client, url)
            for name, url in pages(owner.journeys.first().pk, owner.personal_goals.first().pk).items()
        }
        owner_client.force_login(veteran)
        large = {
            name: count_queries(owner_client, url)
            for name, url in pages(veteran.journeys.first().pk, veteran.personal_goals.first().pk).items()
        }
    print("\nqueries per page (5 days / 400 days):", {name: (small[name], large[name]) for name in small})
    assert small == large


@pytest.mark.parametrize("size", ["small", "large"])
def test_a_missed_days_check_in_costs_at_most_todays_and_one_query_more(owner, owner_client, size):
    """The missed day's page asks once more: whether the day was checked in on the day itself (today's page, with
    today's check-in and its links, is the measure)."""
    missed = TODAY - dt.timedelta(days=6)
    with time_machine.travel(NOW, tick=False):
        if size == "small":
            build_history(owner, days=5, journeys=1, setbacks=0, supporters=3)
        else:
            build_history(owner, days=400, journeys=3, setbacks=4, supporters=40)
        CheckIn.objects.filter(owner=owner, local_date=missed).delete()
        today = count_queries(owner_client, reverse("milestones:checkin"))
        late = count_queries(owner_client, reverse("milestones:checkin_day", args=[missed]))
        assert late <= today + 1
        response = owner_client.post(reverse("milestones:checkin_day", args=[missed]), {"sober": "yes"})
        assert response.status_code == 302
        assert count_queries(owner_client, reverse("milestones:checkin_day", args=[missed])) <= today + 1
