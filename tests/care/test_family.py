"""Family and friends: a page per person they support, exactly the shared scopes, and encouragement."""

import pytest
from django.urls import reverse

from milestones.models import Encouragement
from recovery_network.care import sharing
from recovery_network.care.models import SCOPE_FIELDS, AccessEvent
from tests.care.conftest import PRIVATE, SCOPED

pytestmark = pytest.mark.django_db


def person_url(owner):
    return reverse("care:person", args=[owner.pk])


@pytest.mark.parametrize("scope", SCOPE_FIELDS)
def test_each_scope_shows_its_part_only_when_on(world, owner, grant, family_client, scope):
    for name in SCOPE_FIELDS:
        setattr(grant, name, False)
    grant.save()
    off = family_client.get(person_url(owner)).content.decode()
    assert SCOPED[scope] not in off
    setattr(grant, scope, True)
    grant.save()
    on = family_client.get(person_url(owner)).content.decode()
    assert SCOPED[scope] in on
    for other in SCOPE_FIELDS:
        if other != scope:
            assert SCOPED[other] not in on, other
    for marker in PRIVATE:
        assert marker not in on
    if scope != "attendance":
        assert "last went" not in on


def test_with_every_scope_private_words_still_never_show(world, owner, grant, family_client):
    sharing.change_scopes(grant, set(SCOPE_FIELDS))
    page = family_client.get(person_url(owner)).content.decode()
    for text in SCOPED.values():
        assert text in page
    for marker in PRIVATE:
        assert marker not in page


def test_clean_time_shows_the_next_milestone_and_days_to_it(world, owner, family_client):
    page = family_client.get(person_url(owner)).content.decode()
    assert "80" in page and "Next milestone: <strong>90 days</strong>" in page and "10 days to go" in page


def test_revoking_cuts_access_on_the_next_request(world, owner, owner_client, grant, family_client):
    assert family_client.get(person_url(owner)).status_code == 200
    owner_client.post(reverse("care:grant_revoke", args=[grant.pk]))
    assert family_client.get(person_url(owner)).status_code == 404
    assert family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "proud"}).status_code == 404
    assert AccessEvent.objects.filter(owner=owner, action="grant_revoked").exists()


def test_changing_scopes_applies_on_the_next_request(world, owner, owner_client, grant, family_client):
    assert SCOPED["support_map"] not in family_client.get(person_url(owner)).content.decode()
    response = owner_client.post(reverse("care:grant_edit", args=[grant.pk]), {"scopes": ["support_map"]})
    assert response.status_code == 302
    page = family_client.get(person_url(owner)).content.decode()
    assert SCOPED["support_map"] in page and SCOPED["clean_time"] not in page
    event = AccessEvent.objects.filter(owner=owner, action="grant_changed").get()
    assert "support map" in event.what


def test_a_ready_phrase_reaches_the_owners_home_and_celebration_page(world, owner, owner_client, family, family_client):
    response = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "one_day"})
    assert response.status_code == 302
    note = Encouragement.objects.get(sender=family)
    assert note.message == "One day at a time. I'm with you." and note.from_name == "Fran"
    assert note.journey == world["journey"] and note.milestone_key == "d90"
    home = owner_client.get(reverse("home")).content.decode()
    assert "From your circle" in home and "One day at a time. I&#x27;m with you." in home
    celebration = owner_client.get(reverse("milestones:celebrate", args=[world["journey"].pk, "d90"]))
    assert "One day at a time. I&#x27;m with you." in celebration.content.decode()


def test_own_words_are_sent_and_shown(world, owner, owner_client, family_client):
    family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"message": "  Proud of you, love.  "})
    assert Encouragement.objects.get(sender__isnull=False).message == "Proud of you, love."
    assert "Proud of you, love." in owner_client.get(reverse("home")).content.decode()


def test_encouragement_without_clean_time_still_reaches_home(world, owner, grant, owner_client, family_client):
    sharing.change_scopes(grant, set())
    family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "here"})
    note = Encouragement.objects.get(sender__isnull=False)
    assert note.journey is None and note.milestone_key == ""
    assert "I&#x27;m here if you want to talk." in owner_client.get(reverse("home")).content.decode()


def test_an_empty_or_double_encouragement_gets_a_plain_error(world, owner, family_client):
    empty = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"message": "   "})
    assert empty.status_code == 400 and "Pick a ready phrase or write a few words." in empty.content.decode()
    both = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "proud", "message": "Hi"})
    assert both.status_code == 400 and "not both" in both.content.decode()
    too_long = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"message": "x" * 501})
    assert too_long.status_code == 400
    assert not Encouragement.objects.filter(sender__isnull=False).exists()


def test_encouragement_from_a_linked_supporter_names_them(world, owner, family, family_client):
    world["supporter"].linked_user = family
    world["supporter"].save()
    family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "proud"})
    assert Encouragement.objects.get(sender=family).supporter == world["supporter"]


def test_the_circle_page_lists_who_shares_with_the_viewer(owner, family_client):
    page = family_client.get(reverse("care:circle")).content.decode()
    assert "People who share with you" in page and person_url(owner) in page


def test_how_to_help_is_warm_and_open_to_anyone(client):
    page = client.get(reverse("care:how_to_help")).content.decode()
    for words in ("Support without enabling", "Look after yourself", "Al-Anon", "Nar-Anon", "CRAFT"):
        assert words in page


def test_the_owners_network_shows_who_has_an_account(world, owner, owner_client, family):
    supporter = world["supporter"]
    detail = owner_client.get(reverse("supports:supporter_detail", args=[supporter.pk])).content.decode()
    assert f"{reverse('care:invite')}?supporter={supporter.pk}" in detail
    invite_form = owner_client.get(reverse("care:invite") + f"?supporter={supporter.pk}")
    assert invite_form.context["form"]["supporter"].value() == str(supporter.pk)
    supporter.linked_user = family
    supporter.save()
    for name, args in (("supports:supporter_detail", [supporter.pk]), ("supports:index", []), ("supports:map", [])):
        page = owner_client.get(reverse(name, args=args)).content.decode()
        assert "as an account" in page, name


def test_circle_pages_are_the_current_place_in_the_navigation(world, owner, owner_client, family_client):
    for client, url in ((family_client, reverse("care:person", args=[owner.pk])),
                        (owner_client, reverse("care:access_log"))):  # fmt: skip
        page = client.get(url).content.decode()
        assert f'href="{reverse("care:circle")}" aria-current="page">Circle' in page
        assert f'href="{reverse("supports:index")}" aria-current="page"' not in page
    network = owner_client.get(reverse("supports:index")).content.decode()
    assert f'href="{reverse("supports:index")}" aria-current="page">Network' in network


def test_a_deactivated_owners_grant_opens_nothing(owner, family, family_client):
    assert sharing.find_access(family, owner.pk) is not None
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    assert sharing.find_access(family, owner.pk) is None
    assert family_client.get(person_url(owner)).status_code == 404
