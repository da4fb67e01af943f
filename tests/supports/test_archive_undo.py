"""Archiving a supporter takes one click, so the page it lands on offers the undo."""

import pytest
from django.urls import reverse

from supports.models import Supporter
from tests.supports.factories import ContactFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def test_archiving_lands_on_the_supporter_with_an_undo(owner, owner_client):
    supporter = SupporterFactory(owner=owner, name="Tom")
    ContactFactory(supporter=supporter)
    response = owner_client.post(reverse("supports:supporter_archive", args=[supporter.pk]), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(reverse("supports:supporter_detail", args=[supporter.pk]), 302)]
    assert "Tom is archived. Their history is kept." in page and "undoes it" in page
    assert f'action="{reverse("supports:supporter_restore", args=[supporter.pk])}"' in page
    assert "Restore to my network" in page


def test_the_undo_puts_the_supporter_back_with_their_history(owner, owner_client):
    supporter = SupporterFactory(owner=owner, name="Tom")
    ContactFactory(supporter=supporter)
    owner_client.post(reverse("supports:supporter_archive", args=[supporter.pk]))
    assert Supporter.objects.get(pk=supporter.pk).is_archived
    owner_client.post(reverse("supports:supporter_restore", args=[supporter.pk]))
    supporter.refresh_from_db()
    assert not supporter.is_archived and supporter.contacts.count() == 1
    assert "Tom" in owner_client.get(reverse("supports:index")).content.decode()


@pytest.mark.parametrize("who", ["family_client", "counselor_client", "stranger_client"])
def test_no_one_else_can_archive_or_restore(owner, request, who):
    supporter = SupporterFactory(owner=owner, name="Tom")
    client = request.getfixturevalue(who)
    assert client.post(reverse("supports:supporter_archive", args=[supporter.pk])).status_code == 404
    supporter.archive()
    assert client.post(reverse("supports:supporter_restore", args=[supporter.pk])).status_code == 404
    assert Supporter.objects.get(pk=supporter.pk).is_archived


def test_anonymous_visitors_are_sent_to_sign_in(owner, anon_client):
    supporter = SupporterFactory(owner=owner)
    response = anon_client.post(reverse("supports:supporter_archive", args=[supporter.pk]))
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert not Supporter.objects.get(pk=supporter.pk).is_archived
