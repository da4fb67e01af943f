"""The progress pages and the reminder settings, kept in the cache, show each person their own current data.

Each kept page is rendered warm (after someone else's or an earlier rendering was kept)
and cold, and the two must be the same; a change the key names shows at once; long
histories are shown a page at a time with a link to the rest.
"""

import datetime as dt
import re

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from milestones.models import CheckIn, Journey, Setback
from milestones.views import CHECKINS_PER_PAGE, HISTORY_PER_PAGE
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.models import Reminder
from tests.care.factories import GrantFactory
from tests.factories import UserFactory, sign_in
from tests.recovery_network.test_cached_pages import owner_with_history, page, warm_and_cold  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

OWN_PAGES = [
    ("milestones:overview", None),
    ("milestones:trends", None),
    ("milestones:checkins", None),
    ("milestones:checkin_detail", "day"),
    ("milestones:journey", "journey"),
    ("milestones:journey_edit", "journey"),
    ("milestones:setback_create", "journey"),
    ("milestones:journey_create", None),
    ("milestones:goal_create", None),
    ("notifications:preferences", None),
]


def url_for(owner, name, arg):
    if arg == "journey":
        return reverse(name, args=[Journey.objects.filter(owner=owner).first().pk])
    if arg == "day":
        return reverse(name, args=[CheckIn.objects.filter(owner=owner).first().local_date.isoformat()])
    return reverse(name)


def history_like(owner, other):
    """`other` gets the same kind of history as `owner`: a journey, a setback, check-ins."""
    today = other.local_today()
    start = today - dt.timedelta(days=90)
    journey = Journey.objects.create(
        owner=other, kind="gambling", own_words="Free of betting", first_started_on=start, started_on=start
    )
    Setback.objects.create(
        owner=other,
        journey=journey,
        happened_on=start + dt.timedelta(days=5),
        previous_started_on=start,
        what_learned="Call Sam first",
    )
    for offset in range(10):
        CheckIn.objects.create(owner=other, local_date=today - dt.timedelta(days=offset), mood=2, craving=9)


@pytest.mark.parametrize(("name", "arg"), OWN_PAGES)
def test_a_persons_kept_progress_page_is_never_shown_to_another(owner_with_history, owner_client, name, arg):  # noqa: F811
    """Two people who differ in zone and in what they have: the second sees the same page warm and cold."""
    other = UserFactory(display_name="Noor", time_zone="Pacific/Auckland")
    history_like(owner_with_history, other)
    other_client = sign_in(Client(), other)
    other_url = url_for(other, name, arg)
    cache.clear()
    cold = page(other_client, other_url)
    cache.clear()
    page(owner_client, url_for(owner_with_history, name, arg))  # the owner's renderings are kept now
    page(other_client, other_url)
    warm = page(other_client, other_url)
    assert warm == cold
    assert "Olive" not in warm


@pytest.mark.parametrize(("name", "arg"), OWN_PAGES)
def test_a_kept_progress_page_follows_the_persons_zone(owner_with_history, owner_client, name, arg):  # noqa: F811
    owner = owner_with_history
    url = url_for(owner, name, arg)
    page(owner_client, url)  # kept in the cache
    owner.time_zone, owner.checkin_time = "Asia/Kolkata", dt.time(6, 45)
    owner.save()
    warm, cold = warm_and_cold(owner_client, url)
    assert warm == cold


def test_a_new_check_in_shows_at_once_on_the_kept_pages(owner_with_history, owner_client):  # noqa: F811
    owner = owner_with_history
    urls = [reverse("milestones:overview"), reverse("milestones:checkins"), reverse("milestones:trends")]
    for url in urls:
        page(owner_client, url)  # kept
    CheckIn.objects.filter(owner=owner, local_date=owner.local_today()).delete()
    before = {url: page(owner_client, url) for url in urls}
    response = owner_client.post(reverse("milestones:checkin"), {"sober": "yes", "mood": "1", "craving": "10"})
    assert response.status_code == 302
    owner_client.get(response.url)  # shows (and so clears) the "checked in" message
    for url in urls:
        after = page(owner_client, url)
        assert after != before[url], url
        cache.clear()
        assert after == page(owner_client, url), url


def test_the_kept_overview_turns_over_at_the_persons_midnight(owner, owner_client):
    owner.time_zone = "America/Chicago"
    owner.save()
    # 05:30 UTC is 23:30 in Chicago in winter; an hour later it is the next day there.
    with time_machine.travel(dt.datetime(2026, 1, 15, 5, 30, tzinfo=dt.UTC), tick=False):
        assert "Wednesday 14 January" in page(owner_client, reverse("milestones:overview"))
    with time_machine.travel(dt.datetime(2026, 1, 15, 6, 30, tzinfo=dt.UTC), tick=False):
        assert "Thursday 15 January" in page(owner_client, reverse("milestones:overview"))


def test_a_kept_progress_page_reads_none_of_the_persons_records(owner_with_history, owner_client):  # noqa: F811
    """On a hit only the access check is asked (the journey a URL names, the day's check-in)."""
    owner = owner_with_history
    journey = Journey.objects.filter(owner=owner).first()
    reads = {
        reverse("milestones:overview"): [],
        reverse("milestones:trends"): [],
        reverse("milestones:checkins"): [],
        reverse("milestones:journey", args=[journey.pk]): ["milestones_journey"],
        reverse("milestones:journey_edit", args=[journey.pk]): ["milestones_journey"],
        reverse("milestones:setback_create", args=[journey.pk]): ["milestones_journey"],
        reverse("milestones:goal_create"): [],
    }
    for url, allowed in reads.items():
        page(owner_client, url)  # kept
        with CaptureQueriesContext(connection) as captured:
            page(owner_client, url)
        tables = {
            table
            for query in captured
            for table in re.findall(r'"((?:milestones|supports)_[a-z_]+)"', query["sql"])
            if table not in allowed
        }
        assert not tables, (url, tables)


def test_check_in_history_shows_thirty_a_page_and_links_older_ones(owner, owner_client):
    today = owner.local_today()
    CheckIn.objects.bulk_create(
        CheckIn(owner=owner, local_date=today - dt.timedelta(days=n), sober="yes", mood=3) for n in range(45)
    )
    url = reverse("milestones:checkins")
    first = page(owner_client, url)
    assert len(re.findall(r"<tr>\s*<th scope=\"row\">", first)) == CHECKINS_PER_PAGE
    assert '<a href="?page=2">Older</a>' in first
    second = page(owner_client, url + "?page=2")
    assert len(re.findall(r"<tr>\s*<th scope=\"row\">", second)) == 45 - CHECKINS_PER_PAGE
    oldest = (today - dt.timedelta(days=44)).isoformat()
    assert oldest in second and oldest not in first
    assert '<a href="?page=1">Newer</a>' in second


def test_a_journeys_setbacks_show_ten_at_a_time_and_every_one_stays_reachable(owner, owner_client):
    today = owner.local_today()
    start = today - dt.timedelta(days=400)
    journey = Journey.objects.create(owner=owner, kind="alcohol", first_started_on=start, started_on=start)
    for number in range(HISTORY_PER_PAGE + 3):
        Setback.objects.create(
            owner=owner,
            journey=journey,
            happened_on=start + dt.timedelta(days=10 + 20 * number),
            restart_on=None,
            previous_started_on=start,
            what_learned=f"Lesson {number}",
        )
    url = reverse("milestones:journey", args=[journey.pk])
    newest = page(owner_client, url)
    assert newest.count('class="setback"') == HISTORY_PER_PAGE
    assert "Lesson 12" in newest and "Lesson 2<" not in newest
    assert '<a href="?page=2#history">Earlier streaks and setbacks</a>' in newest
    older = page(owner_client, url + "?page=2")
    assert older.count('class="setback"') == 3
    assert all(f"Lesson {number}<" in older for number in range(3))
    assert '<a href="?page=1#history">More recent</a>' in older
    assert "Earlier streaks and setbacks" not in older


def test_a_journeys_streaks_show_ten_at_a_time(owner, owner_client):
    today = owner.local_today()
    start = today - dt.timedelta(days=400)
    journey = Journey.objects.create(owner=owner, kind="alcohol", first_started_on=start, started_on=start)
    day = start
    for _ in range(HISTORY_PER_PAGE + 1):  # eleven restarts: twelve streaks
        Setback.objects.create(
            owner=owner,
            journey=journey,
            happened_on=day + dt.timedelta(days=20),
            restart_on=day + dt.timedelta(days=21),
            previous_started_on=day,
        )
        day += dt.timedelta(days=21)
    Journey.objects.filter(pk=journey.pk).update(started_on=day)
    url = reverse("milestones:journey", args=[journey.pk])
    rows = re.compile(r"<tr(?: class=\"streaks__current\")?>\s*<td><time")
    assert len(rows.findall(page(owner_client, url))) == HISTORY_PER_PAGE
    older = page(owner_client, url + "?page=2")
    assert len(rows.findall(older)) == 2
    assert start.strftime("%-d %b %Y") in older


def test_a_form_with_errors_is_never_kept(owner_with_history, owner_client):  # noqa: F811
    owner = owner_with_history
    journey = Journey.objects.filter(owner=owner).first()
    url = reverse("milestones:setback_create", args=[journey.pk])
    kept = page(owner_client, url)
    future = (owner.local_today() + dt.timedelta(days=3)).isoformat()
    response = owner_client.post(url, {"happened_on": future, "count": "restart"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "after today" in body
    assert future in body
    assert page(owner_client, url) == kept


def test_the_kept_journey_form_is_the_journeys_own(owner, owner_client):
    start = owner.local_today() - dt.timedelta(days=30)
    first = Journey.objects.create(
        owner=owner, kind="alcohol", own_words="Dry", first_started_on=start, started_on=start
    )
    second = Journey.objects.create(
        owner=owner, kind="gambling", own_words="No bets", first_started_on=start, started_on=start
    )
    assert 'value="Dry"' in page(owner_client, reverse("milestones:journey_edit", args=[first.pk]))
    assert 'value="No bets"' in page(owner_client, reverse("milestones:journey_edit", args=[second.pk]))
    Journey.objects.filter(pk=first.pk).update(own_words="Dry at last")
    assert 'value="Dry at last"' in page(owner_client, reverse("milestones:journey_edit", args=[first.pk]))


def test_the_goal_form_keeps_the_journey_it_was_opened_from(owner, owner_client):
    start = owner.local_today() - dt.timedelta(days=30)
    journeys = [
        Journey.objects.create(owner=owner, kind=kind, first_started_on=start, started_on=start)
        for kind in ("alcohol", "gambling")
    ]
    for journey in journeys:
        body = page(owner_client, reverse("milestones:goal_create") + f"?journey={journey.pk}")
        assert f'<option value="{journey.pk}" selected>' in body


def test_kept_reminder_settings_follow_a_changed_choice(owner, owner_client):
    """A preference row is not the person's data version: the kept form is keyed on the choices themselves."""
    url = reverse("notifications:preferences")
    assert 'name="checkin_email" id="id_checkin_email" checked' in page(owner_client, url)
    reminders.set_channels(owner, "checkin", by_email=False)
    warm = page(owner_client, url)
    assert 'name="checkin_email" id="id_checkin_email" checked' not in warm
    cache.clear()
    assert warm == page(owner_client, url)


def test_kept_reminder_settings_offer_the_circles_kinds_once_someone_shares(owner, stranger, stranger_client):
    url = reverse("notifications:preferences")
    assert "Milestones of people you support" not in page(stranger_client, url)
    GrantFactory(owner=owner, viewer=stranger)
    assert "Milestones of people you support" in page(stranger_client, url)


def test_kept_reminder_settings_show_the_reminders_as_they_move(owner, owner_client):
    now = timezone.now()
    reminder = Reminder.objects.create(
        recipient=owner,
        kind="checkin",
        subject_id=owner.pk,
        occurrence="x",
        occurs_at=now,
        expires_at=now + dt.timedelta(days=1),
        due_at=dt.datetime(2030, 5, 6, 14, 0, tzinfo=dt.UTC),
    )
    url = reverse("notifications:preferences")
    assert "Mon 6 May, 9:00 AM" in page(owner_client, url)  # Chicago, summer time
    Reminder.objects.filter(pk=reminder.pk).update(due_at=dt.datetime(2030, 5, 7, 14, 0, tzinfo=dt.UTC))
    assert "Tue 7 May, 9:00 AM" in page(owner_client, url)
    owner.time_zone = "Europe/London"
    owner.save()
    assert "Tue 7 May, 3:00 PM" in page(owner_client, url)
