"""Trends: craving and mood on days with each supporter and each group, against days without."""

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from milestones import network_effects, trends
from milestones.models import CheckIn
from supports.models import Attendance, Contact, PeerGroup, Supporter
from tests.factories import without_csrf_tokens

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)  # 30 March in Chicago, 31 March in Auckland
TODAY = dt.date(2026, 3, 30)
DISCLAIMER = "These show what went together, not what caused what. A hard day may be the reason you called."


def day(days_ago, today=TODAY):
    return today - dt.timedelta(days=days_ago)


def checkins(owner, days_ago, today=TODAY, **answers):
    answers.setdefault("sober", "yes")
    return CheckIn.objects.bulk_create(CheckIn(owner=owner, local_date=day(ago, today), **answers) for ago in days_ago)


def contacts(owner, supporter, days_ago, at=dt.time(12, 0), today=TODAY):
    for ago in days_ago:
        happened_at = dt.datetime.combine(day(ago, today), at, tzinfo=owner.zone)
        Contact.objects.create(owner=owner, supporter=supporter, happened_at=happened_at)


def trends_page(client, days=30):
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("milestones:trends") + f"?days={days}")
    assert response.status_code == 200
    return without_csrf_tokens(response.content.decode())


def test_four_days_with_someone_is_not_enough_to_show_them(owner, owner_client):
    jo = Supporter.objects.create(owner=owner, name="Jo")
    checkins(owner, range(14), craving=3, mood=3)
    contacts(owner, jo, range(4))
    effects = network_effects.network_effects(owner, TODAY)
    assert (effects.people, effects.people_waiting) == ([], 1)
    body = trends_page(owner_client)
    assert "Jo" not in body
    assert "1 person will appear once there are at least 5 check-in days with them and 5 without." in body
    assert "Nothing to compare yet" in body


def test_five_days_with_and_five_without_shows_them_with_the_counts(owner, owner_client):
    jo = Supporter.objects.create(owner=owner, name="Jo")
    sam = Supporter.objects.create(owner=owner, name="Sam")
    checkins(owner, range(10), craving=3, mood=3)
    contacts(owner, jo, range(5))
    contacts(owner, sam, range(6))  # six days with, only four without: not yet
    effects = network_effects.network_effects(owner, TODAY)
    assert [(row.name, row.comparison.with_days, row.comparison.without_days) for row in effects.people] == [
        ("Jo", 5, 5)
    ]
    assert effects.people_waiting == 1
    body = trends_page(owner_client)
    assert '<th scope="row">Jo</th><td data-label="Days with">5</td><td data-label="Days without">5</td>' in body
    assert "Sam" not in body
    assert "1 more person will appear once there are at least 5 check-in days with them and 5 without." in body
    assert DISCLAIMER in body


def test_days_are_the_persons_own_dates_far_from_utc(owner):
    owner.time_zone = "Pacific/Auckland"  # UTC+13 in March
    owner.save()
    jo = Supporter.objects.create(owner=owner, name="Jo")
    checkins(owner, [1, 2, 3, 4, 5], craving=2, mood=4)
    checkins(owner, [0, 6, 7, 8, 9, 10, 11], craving=6, mood=2)
    # 23:30 on the 29th in Auckland is 10:30 UTC on the 29th; 00:30 on the 28th is 11:30 UTC on the 27th.
    # Counted by the UTC date, these five contacts would fall on three days.
    contacts(owner, jo, [1, 3, 5], at=dt.time(23, 30))
    contacts(owner, jo, [2, 4], at=dt.time(0, 30))
    [row] = network_effects.network_effects(owner, TODAY).people
    comparison = row.comparison
    assert (comparison.with_days, comparison.with_craving, comparison.with_mood) == (5, 2.0, 4.0)
    assert (comparison.without_days, comparison.without_craving, comparison.without_mood) == (7, 6.0, 2.0)
    assert comparison.craving_difference == 4.0


def test_the_window_is_the_last_90_days_whatever_period_the_charts_show(owner, owner_client):
    jo = Supporter.objects.create(owner=owner, name="Jo")
    checkins(owner, range(40, 50), craving=4, mood=3)  # all before the 30-day charts' period
    contacts(owner, jo, range(40, 45))
    checkins(owner, [90, 91], craving=9)  # the day before the 90 days began, and the one before: left out
    contacts(owner, jo, [90, 91])
    effects = network_effects.network_effects(owner, TODAY)
    assert effects.first_day == day(89)
    assert effects.checkin_days == 10
    assert effects.people[0].comparison.with_days == 5
    body = trends_page(owner_client, days=30)
    assert "No check-ins in this period yet." in body
    assert '<th scope="row">Jo</th>' in body


def test_a_groups_days_are_its_meetings_and_check_ins_naming_it(owner, owner_client):
    group = PeerGroup.objects.create(owner=owner, name="Tuesday Step Group", fellowship="aa")
    checkins(owner, range(12), craving=5, mood=3)
    Attendance.objects.bulk_create(Attendance(owner=owner, group=group, attended_on=day(ago)) for ago in range(5))
    named = CheckIn.objects.get(owner=owner, local_date=day(8))
    named.craving = 0
    named.save()
    named.helped_groups.add(group)
    [row] = network_effects.network_effects(owner, TODAY).groups
    assert (row.comparison.with_days, row.comparison.without_days) == (6, 6)
    assert row.comparison.with_craving == pytest.approx(25 / 6)
    assert row.comparison.without_craving == 5.0
    body = trends_page(owner_client)
    assert '<th scope="row">Tuesday Step Group</th><td data-label="Days with">6</td>' in body
    assert "Groups: average craving" in body


def test_a_check_in_naming_a_supporter_who_helped_counts_as_a_day_with_them(owner):
    jo = Supporter.objects.create(owner=owner, name="Jo")
    days = checkins(owner, range(10), craving=5)
    contacts(owner, jo, range(3))
    for checkin in CheckIn.objects.filter(owner=owner, local_date__in=[day(2), day(3), day(4)]):
        checkin.helped_supporters.add(jo)  # the 2nd was a contact day too: counted once
    assert len(days) == 10
    [row] = network_effects.network_effects(owner, TODAY).people
    assert (row.comparison.with_days, row.comparison.without_days) == (5, 5)


def test_rows_go_by_how_much_lower_craving_was_with_them_then_by_name(owner):
    people = {name: Supporter.objects.create(owner=owner, name=name) for name in ("Ana", "bea", "Cal", "Dee")}
    checkins(owner, range(5), craving=2)
    checkins(owner, range(5, 10), craving=6)
    checkins(owner, range(10, 15), craving=4)
    contacts(owner, people["Ana"], range(10, 15))  # 4 with, 4 without: no difference
    contacts(owner, people["bea"], range(5))  # 2 with, 5 without: 3 lower
    contacts(owner, people["Cal"], range(5))  # the same as bea: then by name, whatever the case
    contacts(owner, people["Dee"], range(5, 10))  # 6 with, 3 without: craving higher on days with Dee
    rows = network_effects.network_effects(owner, TODAY).people
    assert [row.name for row in rows] == ["bea", "Cal", "Ana", "Dee"]
    assert [row.comparison.craving_difference for row in rows] == [3.0, 3.0, 0.0, -3.0]


def test_archived_people_show_only_when_they_had_days_in_the_window(owner, owner_client):
    kept = Supporter.objects.create(owner=owner, name="Riley")
    old_friend = Supporter.objects.create(owner=owner, name="Morgan")
    Supporter.objects.create(owner=owner, name="Quinn").archive()  # no days: not shown, not waiting
    Supporter.objects.create(owner=owner, name="Avery")  # current, no days: waiting
    checkins(owner, range(10), craving=5)
    contacts(owner, kept, range(5))
    contacts(owner, old_friend, range(5))
    old_friend.archive()
    effects = network_effects.network_effects(owner, TODAY)
    assert [(row.name, row.archived) for row in effects.people] == [("Morgan", True), ("Riley", False)]
    assert effects.people_waiting == 1
    body = trends_page(owner_client)
    assert '<th scope="row">Morgan (archived)</th>' in body
    assert "Quinn" not in body


def test_other_peoples_contacts_and_meetings_do_not_count(owner, stranger):
    jo = Supporter.objects.create(owner=owner, name="Jo")
    theirs = Supporter.objects.create(owner=stranger, name="Theirs")
    their_group = PeerGroup.objects.create(owner=stranger, name="Their group", fellowship="aa")
    checkins(owner, range(10), craving=5)
    contacts(stranger, theirs, range(5))
    Attendance.objects.bulk_create(
        Attendance(owner=stranger, group=their_group, attended_on=day(ago)) for ago in range(5)
    )
    effects = network_effects.network_effects(owner, TODAY)
    # Jo, with no days yet, is the one person waiting; the stranger's people and group are not the owner's.
    assert (effects.people, effects.groups, effects.people_waiting, effects.groups_waiting) == ([], [], 1, 0)
    assert jo.archived_at is None


def test_a_person_with_no_check_ins_is_told_what_will_show_it(owner, owner_client):
    jo = Supporter.objects.create(owner=owner, name="Jo")
    contacts(owner, jo, range(10))
    effects = network_effects.network_effects(owner, TODAY)
    assert (effects.checkin_days, effects.people, effects.people_waiting) == (0, [], 0)
    body = trends_page(owner_client)
    assert "0 days with a check-in" in body
    assert "Check in on days you see your people and on days you don't" in body
    assert DISCLAIMER not in body


def test_someone_with_check_ins_but_no_network_is_told_how_to_add_it(owner, owner_client):
    checkins(owner, range(10), craving=5)
    body = trends_page(owner_client)
    assert 'Add the <a href="/network/">people</a>' in body


def test_the_overall_comparison_waits_for_five_days_each_and_says_the_counts(owner, owner_client):
    group = PeerGroup.objects.create(owner=owner, name="Home", fellowship="aa")
    Attendance.objects.bulk_create(Attendance(owner=owner, group=group, attended_on=day(ago)) for ago in range(4))
    checkins(owner, range(4), craving=2)
    checkins(owner, range(4, 9), craving=6)
    comparison = trends.trends_for(owner, 30, TODAY)["comparison"]
    assert (comparison.with_days, comparison.without_days, comparison.enough_days) == (4, 5, False)
    body = trends_page(owner_client)
    assert "your average craving was" not in body
    assert "So far in this period: 4 check-ins on days with a meeting or a supporter contact, and 5 on other" in body

    Attendance.objects.create(owner=owner, group=group, attended_on=day(4))
    CheckIn.objects.create(owner=owner, local_date=day(9), sober="yes", craving=6)
    assert trends.trends_for(owner, 30, TODAY)["comparison"].enough_days
    body = trends_page(owner_client)
    assert "your average craving was <strong>2.8</strong> of 10; on other days it was <strong>6.0</strong>" in body


def build_network(owner, people, groups, days):
    supporters = Supporter.objects.bulk_create(Supporter(owner=owner, name=f"Person {n}") for n in range(people))
    peer_groups = PeerGroup.objects.bulk_create(
        PeerGroup(owner=owner, name=f"Group {n}", fellowship="aa") for n in range(groups)
    )
    made = checkins(owner, range(days), craving=4, mood=3)
    through = CheckIn.helped_supporters.through
    through.objects.bulk_create(through(checkin=c, supporter=supporters[n % people]) for n, c in enumerate(made))
    through = CheckIn.helped_groups.through
    through.objects.bulk_create(through(checkin=c, peergroup=peer_groups[n % groups]) for n, c in enumerate(made))
    Contact.objects.bulk_create(
        Contact(owner=owner, supporter=supporters[n % people], happened_at=NOW - dt.timedelta(days=n))
        for n in range(0, days, 2)
    )
    Attendance.objects.bulk_create(
        Attendance(owner=owner, group=peer_groups[n % groups], attended_on=day(n)) for n in range(0, days, 3)
    )
    supporters[0].archive()


# The period's check-ins, meeting days and contacts (trends_for), then this section's six reads: on top of what every
# signed-in page costs, measured on the profile page as tests/milestones/test_queries.py does.
TRENDS_OWN_QUERIES = 3 + 6


@pytest.mark.parametrize(("people", "groups", "days"), [(2, 1, 12), (60, 12, 90)])
def test_queries_stay_fixed_as_the_network_grows(
    owner, owner_client, people, groups, days, django_assert_max_num_queries
):
    build_network(owner, people, groups, days)
    with django_assert_max_num_queries(6):
        effects = network_effects.network_effects(owner, TODAY)
    assert effects.checkin_days == days
    assert len(effects.people) + effects.people_waiting == people  # the archived one had days: still counted
    with override_settings(PAGE_CACHE=False), time_machine.travel(NOW, tick=False):
        owner_client.get(reverse("profile"))  # the session's first request records it: not counted
        with CaptureQueriesContext(connection) as baseline:
            owner_client.get(reverse("profile"))
        with django_assert_max_num_queries(len(baseline.captured_queries) + TRENDS_OWN_QUERIES):
            response = owner_client.get(reverse("milestones:trends") + "?days=90")
    assert response.status_code == 200


def test_the_section_is_kept_with_the_page_and_changes_when_data_changes(owner, owner_client):
    jo = Supporter.objects.create(owner=owner, name="Jo")
    checkins(owner, range(10), craving=4)
    contacts(owner, jo, range(4))
    assert "Jo" not in trends_page(owner_client)
    contacts(owner, jo, [4])
    assert '<th scope="row">Jo</th>' in trends_page(owner_client)


@pytest.mark.parametrize("reader", ["family_client", "counselor_client", "stranger_client"])
def test_no_one_else_sees_the_owners_people(request, owner, reader):
    jo = Supporter.objects.create(owner=owner, name="Jojo Privatename")
    checkins(owner, range(10), craving=4)
    contacts(owner, jo, range(5))
    client = request.getfixturevalue(reader)
    # Their own trends page is theirs alone: no one else's people.
    assert "Jojo Privatename" not in trends_page(client)
    # Nor in what family and counselors are shown of the owner.
    with time_machine.travel(NOW, tick=False):
        shared = {
            "family_client": reverse("care:person", args=[owner.pk]),
            "counselor_client": reverse("care:client", args=[owner.pk]),
            "stranger_client": reverse("care:person", args=[owner.pk]),
        }[reader]
        response = client.get(shared)
    assert response.status_code == (404 if reader == "stranger_client" else 200)
    # A counselor whose consent covers the support map sees the owner's people there, but never this comparison.
    assert "Days with each person and group" not in response.content.decode()
    assert "Craving with" not in response.content.decode()


def test_the_trends_page_asks_anyone_signed_out_to_sign_in(anon_client):
    response = anon_client.get(reverse("milestones:trends"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_days_without_someone_are_every_day_less_the_days_with_them():
    """_compare works the side without them out from the totals: the same figures as averaging it directly."""
    rng = random.Random(22)
    start = dt.date(2026, 9, 1)
    for _ in range(50):
        days = {
            start + dt.timedelta(days=n): (rng.choice([None, 1, 2, 3, 4, 5]), rng.choice([None, *range(11)]))
            for n in rng.sample(range(90), rng.randint(0, 90))
        }
        days_with = {start + dt.timedelta(days=n) for n in rng.sample(range(95), rng.randint(0, 40))}
        got = network_effects._compare(days, days_with, network_effects._sums(list(days.values())))
        with_them = [answers for day, answers in days.items() if day in days_with]
        without = [answers for day, answers in days.items() if day not in days_with]
        assert (got.with_days, got.without_days) == (len(with_them), len(without))
        assert got.with_mood == trends.mean(mood for mood, _ in with_them)
        assert got.with_craving == trends.mean(craving for _, craving in with_them)
        assert got.without_mood == pytest.approx(trends.mean(mood for mood, _ in without))
        assert got.without_craving == pytest.approx(trends.mean(craving for _, craving in without))
