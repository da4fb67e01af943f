"""Who may see and do what: the owner gets their pages; everyone else gets 404 on the
owner's objects (family and counselor too, until the owner shares); anonymous is sent to sign in."""

import datetime as dt

import pytest
from django.urls import reverse

from supports.models import CommunityActivity, Contact, PeerGroup, Supporter
from tests.supports.factories import (
    CommunityActivityFactory,
    ContactFactory,
    MeetingFactory,
    MeetingTimeFactory,
    PeerGroupFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db

OTHER_PEOPLE = ["family_client", "counselor_client", "stranger_client"]


@pytest.fixture
def network(owner):
    supporter = SupporterFactory(owner=owner, name="Marisol Vega", contact_every_days=7)
    contact = ContactFactory(supporter=supporter, note="Talked about the weekend")
    group = PeerGroupFactory(owner=owner, name="Tuesday Serenity Circle")
    MeetingTimeFactory(group=group)
    activity = CommunityActivityFactory(owner=owner, title="Recovery walk volunteer")
    return {"supporter": supporter, "contact": contact, "group": group, "activity": activity}


LIST_PAGES = [
    "supports:index",
    "supports:supporter_create",
    "supports:supporter_archived",
    "supports:contact_create",
    "supports:group_list",
    "supports:group_create",
    "supports:meeting_list",
    "supports:meeting_import",
    "supports:community_list",
    "supports:map",
    "supports:gaps",
]

OBJECT_PAGES = [
    ("supports:supporter_detail", "supporter"),
    ("supports:supporter_edit", "supporter"),
    ("supports:supporter_contact_create", "supporter"),
    ("supports:contact_delete", "contact"),
    ("supports:group_detail", "group"),
    ("supports:group_edit", "group"),
    ("supports:community_edit", "activity"),
    ("supports:community_delete", "activity"),
]

OBJECT_ACTIONS = [
    ("supports:supporter_archive", "supporter"),
    ("supports:supporter_restore", "supporter"),
    ("supports:supporter_contact_create", "supporter"),
    ("supports:supporter_edit", "supporter"),
    ("supports:contact_delete", "contact"),
    ("supports:group_attend", "group"),
    ("supports:group_archive", "group"),
    ("supports:group_restore", "group"),
    ("supports:group_edit", "group"),
    ("supports:community_edit", "activity"),
    ("supports:community_delete", "activity"),
]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_owner_sees_every_network_page(owner_client, network, name):
    response = owner_client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("client_name", OTHER_PEOPLE)
def test_other_people_see_their_own_empty_network_not_the_owners(request, network, name, client_name):
    response = request.getfixturevalue(client_name).get(reverse(name))
    assert response.status_code == 200
    for private in (b"Marisol Vega", b"Tuesday Serenity Circle", b"Recovery walk volunteer"):
        assert private not in response.content


@pytest.mark.parametrize("name", LIST_PAGES)
def test_anonymous_is_sent_to_sign_in_for_every_list_page(anon_client, name):
    response = anon_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(("name", "key"), OBJECT_PAGES)
def test_owner_opens_each_of_their_objects(owner_client, network, name, key):
    response = owner_client.get(reverse(name, args=[network[key].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "key"), OBJECT_PAGES)
@pytest.mark.parametrize("client_name", OTHER_PEOPLE)
def test_other_people_get_404_for_the_owners_objects(request, network, name, key, client_name):
    response = request.getfixturevalue(client_name).get(reverse(name, args=[network[key].pk]))
    assert response.status_code == 404
    assert b"Marisol Vega" not in response.content


@pytest.mark.parametrize(("name", "key"), OBJECT_PAGES)
def test_anonymous_is_sent_to_sign_in_for_objects(anon_client, network, name, key):
    response = anon_client.get(reverse(name, args=[network[key].pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(("name", "key"), OBJECT_ACTIONS)
@pytest.mark.parametrize("client_name", OTHER_PEOPLE)
def test_other_people_cannot_change_the_owners_objects(request, network, name, key, client_name):
    supporter, group = network["supporter"], network["group"]
    data = {
        "name": "Hijacked",
        "happened_at": "2026-01-01T10:00",
        "channel": "phone",
        "attended_on": "2026-01-01",
        "title": "Hijacked",
        "kind": "volunteering",
        "happened_on": "2026-01-01",
        "hours": "1",
    }
    response = request.getfixturevalue(client_name).post(reverse(name, args=[network[key].pk]), data)
    assert response.status_code == 404
    supporter.refresh_from_db()
    group.refresh_from_db()
    assert supporter.name == "Marisol Vega" and supporter.archived_at is None
    assert group.name == "Tuesday Serenity Circle" and group.archived_at is None
    assert Contact.objects.filter(supporter=supporter).count() == 1
    assert not group.attendances.exists()
    assert CommunityActivity.objects.get(pk=network["activity"].pk).title == "Recovery walk volunteer"


@pytest.mark.parametrize(("name", "key"), OBJECT_ACTIONS)
def test_anonymous_cannot_change_anything(anon_client, network, name, key):
    response = anon_client.post(reverse(name, args=[network[key].pk]), {"name": "Hijacked"})
    assert response.status_code == 302
    assert Supporter.objects.get(pk=network["supporter"].pk).name == "Marisol Vega"


def test_nonexistent_ids_are_404_for_the_owner_too(owner_client):
    assert owner_client.get(reverse("supports:supporter_detail", args=[999999])).status_code == 404
    assert owner_client.get(reverse("supports:group_detail", args=[999999])).status_code == 404


def test_another_persons_uploaded_meeting_cannot_be_joined(owner, stranger_client, stranger):
    private = MeetingFactory(owner=owner, name="Owner's private list entry")
    response = stranger_client.post(reverse("supports:meeting_join", args=[private.pk]))
    assert response.status_code == 404
    assert not PeerGroup.objects.filter(owner=stranger).exists()
    listing = stranger_client.get(reverse("supports:meeting_list"))
    assert b"Owner&#x27;s private list entry" not in listing.content


def test_quick_contact_form_cannot_pick_someone_elses_supporter(stranger_client, stranger, network):
    SupporterFactory(owner=stranger, name="Stan's friend")
    response = stranger_client.post(
        reverse("supports:contact_create"),
        {"supporter": network["supporter"].pk, "happened_at": "2026-01-01T10:00", "channel": "phone"},
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert Contact.objects.count() == 1


def test_a_group_form_cannot_name_someone_elses_supporter_as_sponsor(stranger_client, network):
    response = stranger_client.post(
        reverse("supports:group_create"),
        {
            "name": "Sneaky",
            "fellowship": "aa",
            "format": "in_person",
            "time_zone": "UTC",
            "address": "Somewhere",
            "sponsor": network["supporter"].pk,
            "times-TOTAL_FORMS": "0",
            "times-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not PeerGroup.objects.filter(name="Sneaky").exists()


def test_home_section_shows_only_the_owners_network(owner_client, stranger_client, network, owner):
    network["supporter"].created_at = network["supporter"].created_at - dt.timedelta(days=30)
    Supporter.objects.filter(pk=network["supporter"].pk).update(
        contact_due_at=network["supporter"].created_at, last_contact_at=None
    )
    mine = owner_client.get("/")
    assert b"Your network" in mine.content
    assert b"Marisol Vega" in mine.content  # overdue, so named on the home page
    theirs = stranger_client.get("/")
    assert b"Marisol Vega" not in theirs.content
    assert b"Add the first person to your network" in theirs.content
