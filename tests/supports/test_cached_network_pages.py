"""The network's pages keep their parts in the cache: a kept part is the one the page would draw now.

Each page is drawn with the cache empty and again from it after something it shows changed (the
reader's zone and preferences, a record), and must be the same; another person never gets a part
kept for someone else; forms are kept only unbound, and every CSRF token is this request's.
"""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery_network.models import User
from supports.models import Attendance, Meeting, MeetingTime, PeerGroup, Supporter
from tests.factories import UserFactory, sign_in
from tests.recovery_network.test_cached_pages import owner_with_history, page, warm_and_cold  # noqa: F401 (a fixture)
from tests.supports.factories import (
    CommunityActivityFactory,
    ContactFactory,
    MeetingFactory,
    MeetingTimeFactory,
    PeerGroupFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db

OWN_PAGES = [
    ("supports:index", None),
    ("supports:index", "?q=Supporter&page=1"),
    ("supports:gaps", None),
    ("supports:group_list", None),
    ("supports:group_detail", "group"),
    ("supports:group_edit", "group"),
    ("supports:group_create", None),
    ("supports:meeting_list", None),
    ("supports:community_list", None),
    ("supports:supporter_detail", "supporter"),
    ("supports:supporter_edit", "supporter"),
    ("supports:supporter_create", None),
    ("supports:contact_create", None),
    ("supports:supporter_archived", None),
]


@pytest.fixture
def network(owner_with_history):  # noqa: F811 (the imported fixture)
    """The history of test_cached_pages, with a group meeting weekly, an archived supporter, a snapshot to
    compare with, community work and a meeting in the directory."""
    owner = owner_with_history
    group = PeerGroup.objects.for_owner(owner).get()
    group.time_zone = "Europe/London"  # so its next meetings are also given in the owner's time
    group.save()
    MeetingTimeFactory(group=group, weekday=1, start_time=dt.time(7, 30))
    SupporterFactory(owner=owner, name="Old Friend", archived_at=timezone.now() - dt.timedelta(days=40))
    CommunityActivityFactory(owner=owner, title="Food bank shift")
    MeetingFactory(name="Sunrise Serenity")
    Supporter.objects.for_owner(owner).filter(name="Supporter 0").update(contact_every_days=7)
    return {"owner": owner, "group": group, "supporter": Supporter.objects.for_owner(owner).get(name="Supporter 0")}


def url_of(network, name, extra):
    if extra in ("group", "supporter"):
        return reverse(name, args=[network[extra].pk])
    return reverse(name) + (extra or "")


@pytest.mark.parametrize(("name", "extra"), OWN_PAGES)
def test_a_kept_page_follows_the_persons_zone_and_preferences(network, owner_client, name, extra):
    owner = network["owner"]
    url = url_of(network, name, extra)
    first = page(owner_client, url)  # kept in the cache
    # Keeping the data version (any change to a person's row bumps it): the zone alone must part the keys.
    User.objects.filter(pk=owner.pk).update(
        time_zone="Asia/Kolkata", checkin_time=dt.time(6, 45), data_version=F("data_version")
    )
    warm, cold = warm_and_cold(owner_client, url)
    assert warm == cold
    if name in ("supports:group_detail", "supports:supporter_detail"):
        assert warm != first  # what it shows in the person's zone moved with it


@pytest.mark.parametrize(("name", "extra"), OWN_PAGES)
def test_a_kept_page_shows_a_change_at_once(network, owner_client, name, extra):
    owner = network["owner"]
    url = url_of(network, name, extra)
    page(owner_client, url)  # kept in the cache
    supporter = network["supporter"]
    supporter.name = "Supporter 0 Renamed"
    supporter.save()
    network["group"].meeting_times.update(start_time=dt.time(6, 15))
    Attendance.objects.create(owner=owner, group=network["group"], attended_on=owner.local_today())
    ContactFactory(supporter=supporter)
    warm, cold = warm_and_cold(owner_client, url)
    assert warm == cold


@pytest.mark.parametrize(("name", "extra"), [(name, extra) for name, extra in OWN_PAGES if extra is None])
def test_another_person_never_gets_the_persons_kept_parts(network, owner_client, name, extra):
    owner = network["owner"]
    other = UserFactory(display_name="Ana", time_zone=owner.time_zone)
    SupporterFactory(owner=other, name="Someone Else")
    PeerGroupFactory(owner=other, name="Other Circle")
    # The same zone and data version as the owner's: only whose they are parts the keys.
    User.objects.filter(pk=other.pk).update(data_version=User.objects.get(pk=owner.pk).data_version)
    other_client = sign_in(Client(), other)
    url = url_of(network, name, extra)
    cold = page(other_client, url)
    cache.clear()
    page(owner_client, url)  # the owner's parts are in the cache now
    assert page(other_client, url) == cold
    assert "Supporter 0" not in cold and "Tuesday Circle" not in cold


def cards(html):
    """The names on the network page's list of people: its supporter cards."""
    return re.findall(r'<li class="card supporter-card">\s*<h3><a [^>]*>([^<]+)</a>', html)


def test_the_network_page_keeps_each_search_and_page_apart(owner, owner_client):
    for index in range(30):
        SupporterFactory(owner=owner, name=f"Person {index:02d}", closeness=1)
    SupporterFactory(owner=owner, name="Zed Unique", closeness=1)
    url = reverse("supports:index")
    everyone = page(owner_client, url)
    second = page(owner_client, url + "?page=2")
    found = page(owner_client, url + "?q=Unique")
    # The cards of the list (overdue people and gaps, above it, may name anyone on any page).
    everyone_cards, second_cards, found_cards = (cards(html) for html in (everyone, second, found))
    assert "Person 00" in everyone_cards and "Zed Unique" not in everyone_cards and 'href="?page=2"' in everyone
    assert "Zed Unique" in second_cards and "Person 00" not in second_cards
    assert "People (1 named “Unique”)" in found and 'value="Unique"' in found and "Person 00" not in found_cards
    assert page(owner_client, url) == everyone


def test_an_edit_form_shows_the_saved_record_and_never_a_rejected_post(network, owner_client):
    group = network["group"]
    url = reverse("supports:group_edit", args=[group.pk])
    assert 'value="Tuesday Circle"' in page(owner_client, url)  # kept
    rejected = owner_client.post(url, {"name": "", "format": "online", "times-TOTAL_FORMS": "0"})
    assert rejected.status_code == 400 and "Please check the highlighted answers" in rejected.content.decode()
    again = page(owner_client, url)
    assert "Please check the highlighted answers" not in again and 'value="Tuesday Circle"' in again
    group.name = "Wednesday Circle"
    group.save()
    assert 'value="Wednesday Circle"' in page(owner_client, url)

    supporter = network["supporter"]
    url = reverse("supports:supporter_edit", args=[supporter.pk])
    assert 'value="Supporter 0"' in page(owner_client, url)
    assert owner_client.post(url, {"name": ""}).status_code == 400
    assert "Please check the highlighted answers" not in page(owner_client, url)


def test_a_new_contact_form_offers_the_minute_it_is_now(owner, owner_client, settings):
    supporter = SupporterFactory(owner=owner)
    url = reverse("supports:supporter_detail", args=[supporter.pk])
    now = timezone.localtime(timezone.now(), owner.zone)
    assert f'value="{now:%Y-%m-%dT%H:%M}"' in page(owner_client, url)
    owner.time_zone = "Asia/Kolkata"
    owner.save()
    now = timezone.localtime(timezone.now(), owner.zone)
    assert f'value="{now:%Y-%m-%dT%H:%M}"' in page(owner_client, url)  # not the kept Chicago minute


def csrf_client(user):
    client = sign_in(Client(enforce_csrf_checks=True), user)
    client.get(reverse("home"))  # the CSRF cookie
    return client


def form_token(html, form_id):
    match = re.search(rf'<form id="{form_id}"[^>]*><input type="hidden" name="csrfmiddlewaretoken" value="(\w+)"', html)
    assert match, form_id
    return match.group(1)


@pytest.mark.parametrize(
    ("name", "form_id", "button", "data"),
    [
        ("supports:group_list", "went-today", "supports:group_attend", {"attended_on": None}),
        ("supports:meeting_list", "join-meeting", "supports:meeting_join", {}),
        ("supports:supporter_archived", "restore", "supports:supporter_restore", {}),
    ],
)
def test_a_kept_lists_buttons_post_with_this_sessions_csrf_token(owner, name, form_id, button, data):
    group = PeerGroupFactory(owner=owner)
    meeting = MeetingFactory(name="Sunrise Serenity")
    archived = SupporterFactory(owner=owner, archived_at=timezone.now())
    target = {"supports:group_attend": group, "supports:meeting_join": meeting}.get(button, archived)
    data = {key: value or owner.local_today().isoformat() for key, value in data.items()}
    csrf_client(owner).get(reverse(name))  # another session keeps the list
    client = csrf_client(owner)
    html = client.get(reverse(name)).content.decode()
    action = reverse(button, args=[target.pk])
    assert f'form="{form_id}" formaction="{action}"' in html
    response = client.post(action, {"csrfmiddlewaretoken": form_token(html, form_id), **data})
    assert response.status_code == 302


def test_a_meeting_list_upload_shows_at_once(owner, owner_client):
    from supports.feeds import import_feed

    url = reverse("supports:meeting_list")
    assert "Evening Hope" not in page(owner_client, url)  # kept
    feed = b'[{"name": "Evening Hope", "slug": "evening-hope", "day": 1, "time": "19:00", "address": "1 Main St"}]'
    import_feed(feed, owner=owner)
    assert Meeting.objects.filter(owner=owner).exists()
    assert "Evening Hope" in page(owner_client, url)


def test_a_kept_group_page_moves_its_next_meeting_with_the_meeting_time(network, owner_client):
    group = network["group"]
    url = reverse("supports:group_detail", args=[group.pk])
    assert "7:30 AM" in page(owner_client, url)
    MeetingTime.objects.filter(group=group, start_time=dt.time(7, 30)).update(start_time=dt.time(8, 45))
    warm = page(owner_client, url)
    assert "8:45 AM" in warm and "7:30 AM" not in warm
