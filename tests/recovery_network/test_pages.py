import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_sees_landing_page_with_signup(anon_client):
    response = anon_client.get("/")
    assert response.status_code == 200
    assert b"Create your free account" in response.content
    assert reverse("account_signup").encode() in response.content


def test_signed_in_person_sees_home_in_their_own_zone(owner_client, owner):
    response = owner_client.get("/")
    assert response.status_code == 200
    assert f"Hello, {owner.display_name}".encode() in response.content
    assert b"America/Chicago" in response.content


@pytest.mark.parametrize("client_name", ["anon_client", "owner_client", "stranger_client"])
def test_crisis_page_is_open_to_everyone_with_the_default_lines(request, client_name):
    response = request.getfixturevalue(client_name).get(reverse("crisis"))
    assert response.status_code == 200
    assert b'href="tel:988"' in response.content
    assert b'href="sms:988"' in response.content
    assert b"18006624357" in response.content
    assert b'href="tel:911"' in response.content


@pytest.mark.parametrize("path", ["/", "/help/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_every_page_links_to_get_help_now(anon_client, path):
    response = anon_client.get(path)
    assert response.status_code == 200
    assert b'class="help-now" href="/help/"' in response.content


def test_crisis_lines_follow_settings_for_another_country(anon_client, settings):
    settings.CRISIS_RESOURCES = [{"name": "Samaritans", "detail": "Free, 24/7", "call": "116 123"}]
    response = anon_client.get(reverse("crisis"))
    assert b"Samaritans" in response.content
    assert b'href="tel:116123"' in response.content
    assert b"988" not in response.content


def test_allauth_pages_use_the_app_layout(anon_client):
    response = anon_client.get(reverse("account_login"))
    assert b"skip-link" in response.content
    assert b"/static/css/app.css" in response.content


def test_pages_send_a_content_security_policy_without_inline_script(anon_client):
    response = anon_client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
