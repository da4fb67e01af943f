"""What helped, for a network of any size: a few supporters (and groups) as checkboxes, anyone else by search."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from milestones.forms import OFFERED
from milestones.models import CheckIn
from milestones.views import FOUND_PER_PAGE
from supports.models import Closeness, PeerGroup, Supporter
from tests.milestones.factories import CheckInFactory
from tests.supports.factories import PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db
URL = reverse("milestones:checkin")
FIND = reverse("milestones:checkin_supporters")


def network(owner, size, **fields):
    return Supporter.objects.bulk_create(
        [Supporter(owner=owner, name=f"Friend {number:03}", **fields) for number in range(size)]
    )


def offered(body, name="supporters"):
    """The ids drawn as the field's own checkboxes (not search results)."""
    return [int(pk) for pk in re.findall(rf'name="{name}" value="(\d+)" id="id_{name}_\d+"', body)]


def found(body, name="supporters"):
    return [int(pk) for pk in re.findall(rf'name="{name}" value="(\d+)" id="id_{name}_found_\d+"', body)]


def test_a_small_network_is_all_checkboxes_without_a_search(owner_client, owner):
    people = network(owner, OFFERED)
    body = owner_client.get(URL).content.decode()
    assert sorted(offered(body)) == sorted(person.pk for person in people)
    assert 'name="supporters-q"' not in body


def test_a_large_network_offers_its_inner_circle_and_latest_contacts_and_a_search(owner_client, owner):
    now = timezone.now()
    network(owner, 40, closeness=Closeness.WIDER)
    inner = [
        SupporterFactory(
            owner=owner, name=f"Inner {n}", closeness=Closeness.INNER, last_contact_at=now - dt.timedelta(n)
        )
        for n in range(OFFERED + 2)
    ]
    body = owner_client.get(URL).content.decode()
    assert offered(body) == [person.pk for person in inner[:OFFERED]]  # the most recently in touch first
    assert '<label for="id_supporters-q">Find someone else in your network</label>' in body
    assert 'data-choice-search="/progress/checkin/supporters/"' in body
    assert 'role="status"' in body


def test_search_finds_only_the_owners_own_active_supporters_by_name(owner_client, owner, stranger):
    marcus = SupporterFactory(owner=owner, name="Marcus")
    omar = SupporterFactory(owner=owner, name="Omar")
    SupporterFactory(owner=owner, name="Marta", archived_at=timezone.now())
    SupporterFactory(owner=owner, name="Sam")
    SupporterFactory(owner=stranger, name="Mark")
    body = owner_client.get(FIND, {"q": "MAR"}).content.decode()
    assert found(body) == [marcus.pk, omar.pk]
    assert "2 other supporters match “MAR”." in body
    assert "Marta" not in body and "Mark" not in body


def test_search_leaves_out_those_the_form_already_shows(owner_client, owner):
    marcus, maria = SupporterFactory(owner=owner, name="Marcus"), SupporterFactory(owner=owner, name="Maria")
    body = owner_client.get(FIND, {"q": "mar", "shown": [marcus.pk, "x", "-1", "99999999999999999999999"]})
    assert found(body.content.decode()) == [maria.pk]
    body = owner_client.get(FIND, {"q": "mar", "shown": [marcus.pk, maria.pk]}).content.decode()
    assert "No other supporter matches “mar”." in body


def test_search_is_paginated_and_any_page_number_gives_a_page(owner_client, owner):
    people = network(owner, 2 * FOUND_PER_PAGE + 5)
    pages = [found(owner_client.get(FIND, {"q": "friend", "page": page}).content.decode()) for page in (1, 2, 3)]
    assert [len(page) for page in pages] == [FOUND_PER_PAGE, FOUND_PER_PAGE, 5]
    assert sum(pages, []) == [person.pk for person in people]  # by name, none twice
    assert found(owner_client.get(FIND, {"q": "friend", "page": "99"}).content.decode()) == pages[2]
    assert found(owner_client.get(FIND, {"q": "friend", "page": "x"}).content.decode()) == pages[0]
    body = owner_client.get(FIND, {"q": "friend", "page": "2"}).content.decode()
    assert "25 other supporters match “friend”, showing 11–20." in body
    assert 'name="find-supporters" value="1"' in body and 'name="find-supporters" value="3"' in body


def test_nothing_typed_finds_nothing_and_odd_text_is_no_failure(owner_client, owner):
    network(owner, 3)
    assert found(owner_client.get(FIND).content.decode()) == []
    assert found(owner_client.get(FIND, {"q": "   "}).content.decode()) == []
    for text in ("a\x00b", "x" * 500, "%_", "'\"<>"):
        response = owner_client.get(FIND, {"q": text})
        assert response.status_code == 200 and found(response.content.decode()) == []


def test_the_search_is_the_signed_in_persons_own(client, anon_client, owner, stranger):
    SupporterFactory(owner=owner, name="Marcus")
    assert anon_client.get(FIND, {"q": "mar"}).status_code == 302
    client.force_login(stranger)
    assert found(client.get(FIND, {"q": "mar"}).content.decode()) == []


def test_a_supporter_found_by_search_is_saved_as_having_helped(owner_client, owner):
    network(owner, 30, closeness=Closeness.INNER)
    rowan = SupporterFactory(owner=owner, name="Rowan", closeness=Closeness.WIDER)
    assert rowan.pk not in offered(owner_client.get(URL).content.decode())
    assert found(owner_client.get(FIND, {"q": "row"}).content.decode()) == [rowan.pk]
    response = owner_client.post(URL, {"sober": "yes", "supporters": [rowan.pk]})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(owner=owner)
    assert list(checkin.helped_supporters.all()) == [rowan]
    assert "supporter" in checkin.helped
    # Editing the day, they are offered among the checkboxes, already ticked.
    body = owner_client.get(URL).content.decode()
    assert offered(body)[-1] == rowan.pk
    assert re.search(rf'value="{rowan.pk}" id="id_supporters_\d+" checked', body)


def test_searching_without_javascript_keeps_every_answer_and_choice_and_saves_nothing(owner_client, owner):
    network(owner, 30, closeness=Closeness.INNER)
    rowan = SupporterFactory(owner=owner, name="Rowan", closeness=Closeness.WIDER)
    robin = SupporterFactory(owner=owner, name="Robin", closeness=Closeness.WIDER)
    answers = {"mood": "2", "triggers": ["stress"], "notes": "A long day", "supporters": [rowan.pk]}
    response = owner_client.post(URL, answers | {"supporters-q": "ro", "find-supporters": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and not CheckIn.objects.exists()
    assert "This field is required" not in body and "form-errors" not in body  # sober isn't answered yet
    assert "A long day" in body and 'value="2" id="id_mood_1" checked' in body
    assert rowan.pk in offered(body) and re.search(rf'value="{rowan.pk}" id="id_supporters_\d+" checked', body)
    assert found(body) == [robin.pk]  # Rowan is already above
    assert 'value="ro"' in body and '<details class="checkin-more" open>' in body
    # A second search: Rowan stays chosen.
    response = owner_client.post(URL, answers | {"supporters-q": "friend", "find-supporters": "2"})
    body = response.content.decode()
    assert re.search(rf'value="{rowan.pk}" id="id_supporters_\d+" checked', body)
    assert len(found(body)) == 30 - OFFERED - FOUND_PER_PAGE  # the second page of those not shown above


@pytest.mark.parametrize("odd", ["a\x00b", "9" * 300, "-1", "99999999999999999999999", "'\"<>"])
def test_a_search_posted_with_odd_values_is_no_failure(owner_client, owner, odd):
    network(owner, 30)
    data = {"supporters-q": odd, "find-supporters": odd, "supporters": [odd, "1"], "groups": [odd], "mood": odd}
    response = owner_client.post(URL, data)
    assert response.status_code == 200 and not CheckIn.objects.exists()


def test_an_archived_or_someone_elses_supporter_is_refused(owner_client, owner, stranger):
    archived = SupporterFactory(owner=owner, name="Old Friend", archived_at=timezone.now())
    theirs = SupporterFactory(owner=stranger, name="Not yours")
    for pk in (archived.pk, theirs.pk):
        response = owner_client.post(URL, {"sober": "yes", "supporters": [pk]})
        assert response.status_code == 200
        assert f"Select a valid choice. {pk} is not one of the available choices." in response.content.decode()
    assert not CheckIn.objects.exists()


def test_a_long_list_of_groups_is_bounded_and_searchable_too(owner_client, owner):
    groups = [PeerGroupFactory(owner=owner, name=f"Serenity {n:02}") for n in range(OFFERED + 3)]
    body = owner_client.get(URL).content.decode()
    assert offered(body, "groups") == [group.pk for group in groups[:OFFERED]]
    assert 'data-choice-search="/progress/checkin/groups/"' in body
    found_groups = owner_client.get(
        reverse("milestones:checkin_groups"), {"q": "seren", "shown": offered(body, "groups")}
    )
    assert found(found_groups.content.decode(), "groups") == [group.pk for group in groups[OFFERED:]]
    owner_client.post(URL, {"sober": "yes", "groups": [groups[-1].pk]})
    assert list(CheckIn.objects.get().helped_groups.all()) == [groups[-1]]


def build(owner, supporters):
    network(owner, supporters, closeness=Closeness.INNER, last_contact_at=timezone.now())
    PeerGroup.objects.bulk_create([PeerGroup(owner=owner, name=f"Group {n}", fellowship="aa") for n in range(3)])
    checkin = CheckInFactory(owner=owner, local_date=owner.local_today(), triggers=["stress", "payday"])
    checkin.helped_supporters.set(Supporter.objects.filter(owner=owner)[:2])
    checkin.helped_groups.set(PeerGroup.objects.filter(owner=owner)[:1])
    CheckInFactory(owner=owner, local_date=owner.local_today() - dt.timedelta(days=1), triggers=["the old bar"])


@pytest.mark.parametrize("supporters", [8, 500])
def test_the_check_in_costs_the_same_queries_for_8_supporters_or_500(
    owner_client, owner, supporters, django_assert_max_num_queries
):
    build(owner, supporters)
    owner_client.get(reverse("profile"))  # the session's first request records the device
    with django_assert_max_num_queries(9):  # session and user, then the page's own seven
        body = owner_client.get(URL).content.decode()
    assert len(offered(body)) == min(supporters, OFFERED)
    with django_assert_max_num_queries(4):  # session and user, a count and a page
        owner_client.get(FIND, {"q": "friend", "page": "2"})
    with django_assert_max_num_queries(20):  # mostly save_checkin's writes; nothing per supporter
        response = owner_client.post(URL, {"sober": "yes", "triggers": ["payday"], "supporters": offered(body)[:3]})
    assert response.status_code == 302
