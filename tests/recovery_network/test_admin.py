"""The site's administration: one way in (the account login, with two-factor)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.urls import reverse

from tests.care.factories import sign_in_with_two_factor, turn_on_two_factor
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def totp_code(secret, at_time):
    return format_hotp_value(hotp_value(secret, int(at_time) // 30))


def ends_at_account_login(response, next_path):
    final = urlsplit(response.redirect_chain[-1][0])
    return final.path == reverse("account_login") and parse_qs(final.query) == {"next": [next_path]}


@pytest.fixture
def staff(db):
    return UserFactory(email="staff@example.org", display_name="Sasha Staff", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff):
    return sign_in_with_two_factor(Client(), staff)


# Signing in: the account login, its rate limits and its two-factor stage are the only way in.


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/recovery_network/user/"])
def test_anonymous_people_are_sent_to_the_account_login(anon_client, path):
    response = anon_client.get(path, follow=True)
    expected_next = "/admin/" if path == "/admin/login/" else path
    assert ends_at_account_login(response, expected_next), response.redirect_chain
    assert response.status_code == 200


def test_a_password_posted_to_the_admin_login_signs_nobody_in(anon_client, staff):
    for attempt in range(12):
        response = anon_client.post("/admin/login/", {"username": staff.email, "password": f"wrong-{attempt}"})
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    response = anon_client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in anon_client.session


def test_a_staff_session_cannot_sign_in_as_another_staff_account_at_the_admin_login(staff, staff_client):
    other = UserFactory(email="other-staff@example.org", is_staff=True, is_superuser=True)
    response = staff_client.post("/admin/login/", {"username": other.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response.url == "/admin/"
    assert staff_client.session["_auth_user_id"] == str(staff.pk)


def test_the_account_login_throttles_a_staff_password_and_the_admin_stays_shut(anon_client, staff):
    # allauth's default login_failed limit: 5 failures per account in 5 minutes (ACCOUNT_RATE_LIMITS).
    login = f"{reverse('account_login')}?next=/admin/"
    for attempt in range(5):
        assert anon_client.post(login, {"login": staff.email, "password": f"wrong-{attempt}"}).status_code == 200
    response = anon_client.post(login, {"login": staff.email, "password": TEST_PASSWORD})
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in anon_client.session
    assert ends_at_account_login(anon_client.get("/admin/", follow=True), "/admin/")


def test_staff_with_totp_stop_at_the_code_then_the_code_opens_the_admin(anon_client, staff, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    secret = generate_totp_secret()
    turn_on_two_factor(staff, secret)
    response = anon_client.post(
        f"{reverse('account_login')}?next=/admin/", {"login": staff.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in anon_client.session
    # The admin sends them back to the sign-in, which is waiting for the code.
    shut = anon_client.get("/admin/", follow=True)
    assert shut.redirect_chain[-1][0] == reverse("mfa_authenticate") and b"Site administration" not in shut.content
    assert not anon_client.get("/").wsgi_request.user.is_authenticated

    response = anon_client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, 1780315200)})
    assert response.status_code == 302 and response.url == "/admin/"
    index = anon_client.get("/admin/")
    assert index.status_code == 200 and b"Site administration" in index.content


def test_staff_without_a_second_factor_in_this_session_get_the_two_factor_page(client, staff):
    client.force_login(staff)  # a password alone, and no authenticator on the account
    for path in ["/admin/", "/admin/recovery_network/user/"]:
        response = client.get(path, follow=True)
        assert response.status_code == 403
        page = response.content.decode()
        assert "Two-factor authentication required" in page and "Site administration" not in page
        assert reverse("mfa_activate_totp") in page and reverse("mfa_index") in page
        assert staff.email not in page.split("Two-factor authentication required", 1)[1]


def test_staff_with_totp_whose_session_passed_no_code_are_asked_for_one(client, staff, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    secret = generate_totp_secret()
    turn_on_two_factor(staff, secret)
    client.force_login(staff)
    response = client.get("/admin/recovery_network/user/", follow=True)
    assert response.status_code == 403
    confirm = f"{reverse('mfa_reauthenticate')}?next=/admin/recovery_network/user/"
    assert confirm in response.content.decode()

    response = client.post(confirm, {"code": totp_code(secret, 1780315200)})
    assert response.status_code == 302 and response.url == "/admin/recovery_network/user/"
    assert client.get("/admin/recovery_network/user/").status_code == 200


def test_a_second_factor_from_before_totp_was_turned_off_opens_nothing(staff, staff_client):
    Authenticator.objects.filter(user=staff).delete()
    assert staff_client.get("/admin/", follow=True).status_code == 403


@pytest.mark.parametrize("who", ["owner", "family", "counselor"])
def test_people_who_are_not_staff_never_reach_the_admin(request, who):
    user = request.getfixturevalue(who)
    client = sign_in_with_two_factor(Client(), user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert b"Site administration" not in response.content and b"Two-factor" not in response.content


def test_signed_in_staff_at_the_admin_login_go_on_to_a_safe_next(staff_client):
    response = staff_client.get("/admin/login/?next=/admin/recovery_network/user/")
    assert response.status_code == 302 and response.url == "/admin/recovery_network/user/"
    response = staff_client.get("/admin/login/?next=https://evil.example/")
    assert response.status_code == 302 and response.url == "/admin/"


def test_the_admins_password_change_is_allauths(staff_client):
    response = staff_client.get("/admin/password_change/")
    assert response.status_code == 302 and response.url == reverse("account_change_password")
