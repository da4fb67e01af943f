"""The network page's actions follow what the network holds."""

import pytest
from django.urls import reverse

from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def test_log_a_contact_is_offered_only_once_there_is_someone_to_log_it_with(owner_client, owner):
    url = reverse("supports:index")
    empty = owner_client.get(url).content.decode()
    assert "Log a contact" not in empty and "Add the first person" in empty
    SupporterFactory(owner=owner, name="Maya")
    assert "Log a contact" in owner_client.get(url).content.decode()
