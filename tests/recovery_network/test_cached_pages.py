"""A cached rendering is shown only to someone it was made for: every key names everything its part shows.

Each page is rendered for one reader with the cache empty (cold), then for a second reader
who differs in zone, scopes or preferences, once after the first reader warmed the cache
and once with it empty: the two renderings for the second reader must be identical.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from milestones.models import CheckIn, Journey, Setback
from recovery_network.care.models import SCOPE_FIELDS, Consent
from supports.models import Supporter
from tests.care.factories import ConsentFactory, GrantFactory
from tests.factories import UserFactory, sign_in
from tests.supports.factories import AttendanceFactory, ContactFactory, PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub("", response.content.decode())


@pytest.fixture
def owner_with_history(owner):
    """Contacts at 03:00 UTC: the day before in the Americas, the same day in Europe and the Pacific."""
    now = timezone.now()
    late = now.replace(hour=3, minute=0, second=0, microsecond=0) - dt.timedelta(days=2)
    today = owner.local_today()
    for index in range(6):
        when = late - dt.timedelta(days=index)
        supporter = SupporterFactory(owner=owner, name=f"Supporter {index}", closeness=1 + index % 3)
        ContactFactory(supporter=supporter, happened_at=when)
        Supporter.objects.filter(pk=supporter.pk).update(last_contact_at=when)
    group = PeerGroupFactory(owner=owner, name="Tuesday Circle")
    AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=3))
    start = today - dt.timedelta(days=120)
    journey = Journey.objects.create(owner=owner, kind="alcohol", first_started_on=start, started_on=start)
    Setback.objects.create(
        owner=owner,
        journey=journey,
        happened_on=today - dt.timedelta(days=200),
        restart_on=today - dt.timedelta(days=199),
        previous_started_on=today - dt.timedelta(days=300),
    )
    for offset in range(20):
        CheckIn.objects.create(owner=owner, local_date=today - dt.timedelta(days=offset), mood=3, craving=offset % 7)
    return owner


def readers(owner, role):
    """Two readers of the owner's data who differ in zone and in what they may see."""
    first = UserFactory(display_name="Ana", time_zone="Pacific/Auckland")
    second = UserFactory(display_name="Lee", time_zone="America/Los_Angeles")
    if role == "family":
        GrantFactory(owner=owner, viewer=first, **dict.fromkeys(SCOPE_FIELDS, True))
        GrantFactory(owner=owner, viewer=second, clean_time=True, support_map=True)
    else:
        ConsentFactory(owner=owner, counselor=first)
        ConsentFactory(owner=owner, counselor=second, checkins=False, setbacks=False)
    return sign_in(Client(), first, two_factor=role == "counselor"), sign_in(
        Client(), second, two_factor=role == "counselor"
    )


def warm_and_cold(client, url):
    """The page as its kept parts make it, then rendered afresh: a kept part must be what a fresh one would be."""
    warm = page(client, url)
    cache.clear()
    return warm, page(client, url)


def cold_and_warm(first, second, url):
    cache.clear()
    cold = page(second, url)
    cache.clear()
    page(first, url)  # the first reader's renderings are in the cache now
    warm = page(second, url)
    return cold, warm


@pytest.mark.parametrize(
    ("role", "name"),
    [("family", "care:person"), ("counselor", "care:client"), ("counselor", "care:client_report")],
)
def test_a_reader_of_someone_elses_data_never_gets_another_readers_rendering(owner_with_history, role, name):
    owner = owner_with_history
    if name == "care:client_report":
        Consent.objects.filter(owner=owner).update(support_map=True)
    first, second = readers(owner, role)
    url = reverse(name, args=[owner.pk])
    cold, warm = cold_and_warm(first, second, url)
    assert warm == cold
    assert "Supporter 0" in cold


@pytest.mark.parametrize(
    "name", ["home", "supports:map", "milestones:checkin", "milestones:trends", "notifications:index"]
)
def test_a_persons_own_page_follows_their_zone_and_preferences(owner_with_history, owner_client, name):
    owner = owner_with_history
    url = reverse(name)
    page(owner_client, url)  # kept in the cache
    owner.time_zone, owner.checkin_time = "Asia/Kolkata", dt.time(6, 45)
    owner.save()
    warm, cold = warm_and_cold(owner_client, url)
    assert warm == cold


def test_two_family_viewers_with_the_same_scopes_in_different_zones_see_their_own_dates(owner_with_history):
    """The issue's case: a viewer in Los Angeles was shown a London viewer's dates."""
    owner = owner_with_history
    london = UserFactory(display_name="Lon", time_zone="Europe/London")
    los_angeles = UserFactory(display_name="Los", time_zone="America/Los_Angeles")
    for viewer in (london, los_angeles):
        GrantFactory(owner=owner, viewer=viewer, **dict.fromkeys(SCOPE_FIELDS, True))
    url = reverse("care:person", args=[owner.pk])
    first, second = sign_in(Client(), london), sign_in(Client(), los_angeles)
    cold, warm = cold_and_warm(first, second, url)
    assert warm == cold


def test_a_counselors_caseload_follows_their_zone(owner_with_history, counselor, counselor_client):
    url = reverse("care:caseload")
    page(counselor_client, url)  # kept in the cache
    counselor.time_zone = "Asia/Kolkata"
    counselor.save()
    warm, cold = warm_and_cold(counselor_client, url)
    assert warm == cold
