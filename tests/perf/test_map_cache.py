"""The support map's rendering is cached under a key made of what it shows, so it is never stale."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from supports.models import Supporter
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def cached_fragments():
    return [key for key in cache._cache if "template.cache." in key]


def test_the_map_is_rendered_once_and_reused(owner_client, owner):
    SupporterFactory(owner=owner, name="Marisol")
    assert b"Marisol" in owner_client.get(reverse("supports:map")).content
    fragments = cached_fragments()
    assert (
        len(fragments) == 3
    )  # the map part of the page, and within it the drawing and the table (keyed on their data)
    assert b"Marisol" in owner_client.get(reverse("supports:map")).content
    assert cached_fragments() == fragments


def test_a_change_shows_at_once_though_the_map_is_cached(owner_client, owner):
    supporter = SupporterFactory(owner=owner, name="Marisol")
    assert b"Marisol" in owner_client.get(reverse("supports:map")).content
    # A bulk update sends no signal: the key, made of the data, changes anyway.
    Supporter.objects.filter(pk=supporter.pk).update(name="Beatriz")
    page = owner_client.get(reverse("supports:map")).content
    assert b"Beatriz" in page and b"Marisol" not in page


def test_the_family_view_of_the_map_is_keyed_apart_from_the_owners(owner_client, family_client, owner, family):
    from recovery_network.care import sharing
    from recovery_network.care.models import SCOPE_FIELDS, Grant

    SupporterFactory(owner=owner, name="Marisol")
    sharing.change_scopes(Grant.objects.get(owner=owner, viewer=family), set(SCOPE_FIELDS))
    owner_page = owner_client.get(reverse("supports:map")).content.decode()
    family_page = family_client.get(reverse("care:person", args=[owner.pk])).content.decode()
    supporter_url = reverse("supports:supporter_detail", args=[Supporter.objects.get(owner=owner).pk])
    assert supporter_url in owner_page
    assert "Marisol" in family_page and supporter_url not in family_page  # viewers get no links


def test_a_kept_map_builds_nothing(owner_client, owner, django_assert_max_num_queries):
    """Everything the map shows is read inside its cached part: a hit reads no supporter."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    SupporterFactory(owner=owner, name="Marisol")
    owner_client.get(reverse("supports:map"))
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(reverse("supports:map")).status_code == 200
    assert not [query for query in queries if "supports_supporter" in query["sql"]]
