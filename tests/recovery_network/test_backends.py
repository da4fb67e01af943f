"""The authentication backend loads the same person the ORM would, and sessions signed in before it still work."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from recovery_network import backends
from recovery_network.backends import AuthenticationBackend
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def fields(user):
    return {field.attname: getattr(user, field.attname) for field in type(user)._meta.concrete_fields}


def test_get_user_loads_every_field_the_orm_loads():
    person = UserFactory(display_name="Rae", time_zone="Pacific/Auckland")
    ours, django = AuthenticationBackend().get_user(person.pk), ModelBackend().get_user(person.pk)
    assert fields(ours) == fields(django)
    assert ours.get_deferred_fields() == set()
    assert not ours._state.adding
    assert ours.zone.key == "Pacific/Auckland"


def test_where_columns_need_converting_get_user_loads_through_raw(monkeypatch):
    person = UserFactory(display_name="Rae", time_zone="Pacific/Auckland")
    sql, _ = backends.select_by_pk(type(person), "default")
    monkeypatch.setattr(backends, "select_by_pk", lambda model, alias: (sql, True))
    assert fields(AuthenticationBackend().get_user(person.pk)) == fields(ModelBackend().get_user(person.pk))
    assert AuthenticationBackend().get_user(person.pk + 1000) is None


def test_get_user_gives_nobody_for_a_missing_or_deactivated_person():
    person = UserFactory(is_active=False)
    assert AuthenticationBackend().get_user(person.pk) is None
    assert AuthenticationBackend().get_user(person.pk + 1000) is None


def test_signing_in_names_this_backend_in_the_session(client):
    person = UserFactory()
    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "recovery_network.backends.AuthenticationBackend"
    assert client.get(reverse("profile")).status_code == 200


def test_a_wrong_password_still_signs_nobody_in(client):
    person = UserFactory()
    client.post(reverse("account_login"), {"login": person.email, "password": "not-the-passphrase"})
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "backend", ["django.contrib.auth.backends.ModelBackend", "allauth.account.auth_backends.AuthenticationBackend"]
)
def test_a_session_signed_in_before_this_backend_still_works(backend):
    person = UserFactory()
    session = SessionStore()
    session.update({SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: backend})
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    client = Client()
    client.cookies["sessionid"] = session.session_key
    assert client.get(reverse("profile")).status_code == 200
