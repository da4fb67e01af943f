"""allauth's device tracking runs once a minute per session, not on every request, and the device list still works."""

import pytest
from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recovery_network.middleware import seen_key
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_is_seen_on_its_first_request_then_once_a_minute(client, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    client.get(reverse("profile"))
    session_key = client.session.session_key
    row = UserSession.objects.get(session_key=session_key)
    first_seen = row.last_seen_at
    client.get(reverse("profile"))
    assert UserSession.objects.get(session_key=session_key).last_seen_at == first_seen  # within the minute
    time_machine.shift(30)
    client.get(reverse("profile"))
    assert UserSession.objects.get(session_key=session_key).last_seen_at == first_seen
    time_machine.shift(31)  # the minute is over
    client.get(reverse("profile"))
    assert UserSession.objects.get(session_key=session_key).last_seen_at > first_seen


def usersession_queries(client):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("profile"))
    return [query for query in queries if "usersessions_usersession" in query["sql"]]


def test_tracking_costs_no_queries_within_the_minute(owner_client, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    assert usersession_queries(owner_client)  # the session's first request records the device
    assert usersession_queries(owner_client) == []
    time_machine.shift(61)
    assert usersession_queries(owner_client)  # the minute is over: the device is seen again
    assert usersession_queries(owner_client) == []


def test_within_the_minute_a_process_does_not_ask_the_cache_again(owner_client, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    owner_client.get(reverse("profile"))
    key = seen_key(owner_client.session.session_key)
    cache.delete(key)  # were the cache asked, this request would record the device again
    assert usersession_queries(owner_client) == []
    time_machine.shift(61)
    assert usersession_queries(owner_client)


def test_a_session_another_process_saw_this_minute_is_not_recorded_again(client, owner, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    client.force_login(owner)
    client.get(reverse("profile"))
    elsewhere = type(client)()  # another process: its own middleware, the same cache
    elsewhere.cookies = client.cookies
    assert usersession_queries(elsewhere) == []


def test_a_session_made_without_signing_in_is_recorded_on_its_first_request(client, owner):
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(owner.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = owner.get_session_auth_hash()
    session.create()
    client.cookies["sessionid"] = session.session_key
    client.get(reverse("profile"))
    assert UserSession.objects.filter(session_key=session.session_key, user=owner).exists()


def test_the_cache_key_does_not_hold_the_session_key(owner_client):
    owner_client.get(reverse("profile"))
    session_key = owner_client.session.session_key
    assert session_key not in seen_key(session_key)
