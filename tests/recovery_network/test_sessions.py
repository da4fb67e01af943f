"""Sessions read from the cache (cached_db) stay revocable: whatever ends a session ends it in both places."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cached_sessions")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cached_sessions():
    # What production runs with REDIS_URL set, whatever this test run was given.
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db"):
        yield


def signed_in(user):
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200  # the device is recorded on its first request
    return client


def is_cached(client):
    return cache.get(KEY_PREFIX + client.cookies["sessionid"].value) is not None


def test_a_signed_in_request_reads_its_session_from_the_cache_not_the_database():
    client = signed_in(UserFactory())
    assert is_cached(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("profile")).status_code == 200
    assert not [query for query in queries if "django_session" in query["sql"]]


def test_signing_out_ends_the_session_in_the_cache_and_the_database():
    client = signed_in(UserFactory())
    session_key = client.cookies["sessionid"].value
    client.post(reverse("account_logout"))
    assert cache.get(KEY_PREFIX + session_key) is None
    assert not Session.objects.filter(session_key=session_key).exists()


def test_signing_out_other_devices_ends_their_cached_sessions():
    user = UserFactory()
    phone, laptop = signed_in(user), signed_in(user)
    assert is_cached(phone)
    laptop.post(reverse("usersessions_list"))
    assert not is_cached(phone)
    assert phone.get(reverse("profile")).status_code == 302
    assert laptop.get(reverse("profile")).status_code == 200


def test_a_password_change_signs_out_other_devices_whose_session_is_cached():
    user = UserFactory()
    phone, laptop = signed_in(user), signed_in(user)
    new_password = "another-long-passphrase-77"
    response = laptop.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    assert phone.get(reverse("profile")).status_code == 302
    assert laptop.get(reverse("profile")).status_code == 200


def test_a_session_found_only_in_the_database_still_signs_in():
    """After a Redis restart (or eviction) the database copy is read and cached again."""
    client = signed_in(UserFactory())
    cache.delete(KEY_PREFIX + client.cookies["sessionid"].value)
    assert client.get(reverse("profile")).status_code == 200
    assert is_cached(client)


def engine_with(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    clean.update({"DJANGO_SETTINGS_MODULE": "recovery_network.settings", "DEBUG": "1", **env})
    result = subprocess.run(
        [sys.executable, "-c", "from recovery_network import settings; print(settings.SESSION_ENGINE)"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sessions_are_cached_only_in_a_cache_every_process_shares():
    # A per-process cache (no Redis) would keep serving a session another process ended.
    assert engine_with() == "django.contrib.sessions.backends.db"
    assert engine_with(REDIS_URL="redis://127.0.0.1:6379/0") == "django.contrib.sessions.backends.cached_db"
