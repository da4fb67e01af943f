"""Signing in through allauth's backend: the password is hashed once whatever the outcome, and sessions
signed in under each backend we have listed still find their person."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
OUR_BACKEND = "recovery_network.backends.AuthenticationBackend"


@pytest.fixture
def person():
    return UserFactory()


@pytest.fixture
def hashed(monkeypatch, person):
    """The passwords hashed from here on (by the test settings' one hasher), once `person` is made."""
    calls = []
    encode = MD5PasswordHasher.encode

    def counting(self, password, salt):
        calls.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return calls


def test_signing_in_names_our_backend_in_the_session_and_hashes_once(client, person, hashed):
    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == OUR_BACKEND
    assert client.get(reverse("profile")).status_code == 200
    assert hashed == [TEST_PASSWORD]


@pytest.mark.parametrize("login", ["known", "unknown@example.org"])
def test_a_failed_sign_in_hashes_the_password_once_and_signs_nobody_in(client, person, hashed, login):
    email = person.email if login == "known" else login
    response = client.post(reverse("account_login"), {"login": email, "password": "not-the-passphrase"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert hashed == ["not-the-passphrase"]


def test_a_deactivated_person_with_the_right_password_is_told_so_and_not_signed_in(client):
    person = UserFactory(is_active=False)
    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("account_inactive")
    assert SESSION_KEY not in client.session


def signed_in_earlier(person, backend):
    """A browser holding a session signed in through `backend`, as one from an earlier release does."""
    session = SessionStore()
    session.update({SESSION_KEY: str(person.pk), BACKEND_SESSION_KEY: backend})
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    client = Client()
    client.cookies["sessionid"] = session.session_key
    return client


@pytest.mark.parametrize(
    "backend",
    [
        OUR_BACKEND,
        # Transitional: sessions signed in before 26 November 2026 (settings.AUTHENTICATION_BACKENDS).
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_naming_each_listed_backend_finds_its_person(person, backend):
    assert signed_in_earlier(person, backend).get(reverse("profile")).status_code == 200


def test_a_session_of_a_deactivated_person_finds_nobody(person):
    client = signed_in_earlier(person, OUR_BACKEND)
    type(person).objects.filter(pk=person.pk).update(is_active=False)
    assert client.get(reverse("profile")).status_code == 302  # to the sign-in page
