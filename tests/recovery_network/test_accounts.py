"""The whole account flow through allauth, as a person would go through it."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client
from django.urls import reverse

from recovery_network.models import User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def link_in(message, path_fragment):
    match = re.search(rf"https?://[^\s]+{re.escape(path_fragment)}[^\s]*", message.body)
    assert match, f"no {path_fragment} link in: {message.body}"
    return match.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def sign_up(client, email="new@example.org", password="quiet-harbor-morning-42", **extra):
    data = {"email": email, "password1": password, "password2": password, "time_zone": "Europe/Berlin", **extra}
    return client.post(reverse("account_signup"), data)


def reauthenticate(client, password=TEST_PASSWORD):
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content


def totp_code(secret, at_time):
    return format_hotp_value(hotp_value(secret, int(at_time) // 30))


def test_signup_sends_a_verification_email_and_does_not_sign_in_until_verified(client):
    response = sign_up(client, display_name="Rae")
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.org")
    assert user.display_name == "Rae"
    assert user.time_zone == "Europe/Berlin"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "confirm" in mail.outbox[0].subject.lower()
    assert client.get(reverse("profile")).status_code == 302


def test_following_the_link_verifies_and_signs_in(client):
    sign_up(client)
    confirm_path = link_in(mail.outbox[0], "/accounts/confirm-email/")
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.org").verified
    assert client.get("/").context["user"].email == "new@example.org"


def test_unverified_person_cannot_log_in(client, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    sign_up(client)
    client.logout()
    mail.outbox.clear()
    time_machine.move_to("2026-06-01 12:10:00+00:00", tick=False)
    response = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": "quiet-harbor-morning-42"}
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1  # a fresh verification email is sent


def test_signup_rejects_a_weak_password_with_a_plain_message(client):
    response = sign_up(client, password="password")
    assert response.status_code == 200
    assert b"This password is too common" in response.content
    assert not User.objects.filter(email="new@example.org").exists()


def test_signup_with_a_taken_email_does_not_reveal_the_account_but_tells_its_owner(client):
    UserFactory(email="taken@example.org")
    response = sign_up(client, email="taken@example.org")
    # Same answer as a new sign-up, so nobody can probe who has an account here.
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@example.org").count() == 1
    assert mail.outbox[0].to == ["taken@example.org"]
    assert "already" in mail.outbox[0].body.lower()


def test_login_and_logout(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/"
    assert client.get("/").context["user"] == user
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_wrong_password_gets_a_message_not_a_session(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert b"The email address and/or password you specified are not correct." in response.content


def test_login_attempts_are_rate_limited(client):
    user = UserFactory()
    statuses = [
        client.post(reverse("account_login"), {"login": user.email, "password": f"wrong-{n}"}).status_code
        for n in range(7)
    ]
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert statuses[0] == 200
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    reset_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    response = client.get(reset_path)
    assert response.status_code == 302  # allauth moves the key into the session
    set_password_path = response.url
    response = client.post(
        set_password_path, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")


def test_used_password_reset_link_says_so(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    reset_path = link_in(mail.outbox[0], "/accounts/password/reset/key/")
    set_password_path = client.get(reset_path).url
    client.post(set_password_path, {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"})
    other = type(client)()
    response = other.get(reset_path, follow=True)
    assert response.status_code == 200
    assert b"Bad Token" in response.content or b"invalid" in response.content.lower()


def test_change_of_email_requires_verifying_the_new_address(client):
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    reauthenticate(client)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "moved@example.org"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=user, email="moved@example.org", verified=False).exists()
    assert any("moved@example.org" in m.to for m in mail.outbox)


def test_enable_totp_then_log_in_with_a_code(client, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    reauthenticate(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret, 1780315200)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    client.post(reverse("account_logout"))

    time_machine.move_to("2026-06-01 12:05:00+00:00", tick=False)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret, 1780315500)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_recovery_code_signs_in_once(client):
    user = UserFactory()
    client.force_login(user)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(user, generate_totp_secret())
    codes = RecoveryCodes.activate(user).generate_codes()
    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 200  # a used recovery code is refused
    assert "_auth_user_id" not in client.session


def test_session_list_lets_a_person_sign_out_other_devices(client):
    user = UserFactory()
    phone = type(client)()
    phone.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.get(reverse("usersessions_list"))
    assert response.status_code == 200
    assert len(response.context["sessions"]) == 2
    client.post(reverse("usersessions_list"))
    assert phone.get(reverse("profile")).status_code == 302
    assert client.get(reverse("profile")).status_code == 200


def test_security_changes_ask_for_the_password_again_and_it_lasts_a_few_minutes(client, time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    user = UserFactory()
    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    wrong = client.post(reverse("account_reauthenticate"), {"password": "not-my-password"})
    assert wrong.status_code == 200
    reauthenticate(client)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    time_machine.move_to("2026-06-01 12:10:00+00:00", tick=False)
    assert client.get(reverse("mfa_activate_totp")).status_code == 302


# Sign-in rate limits are kept per client, behind the proxy too


def failed_sign_ins(client, times, forwarded_for):
    for attempt in range(times):
        data = {"login": f"nobody{attempt}@example.org", "password": "wrong-password-123"}
        client.post(reverse("account_login"), data, headers={"X-Forwarded-For": forwarded_for})


def signs_in(client, user, forwarded_for):
    data = {"login": user.email, "password": TEST_PASSWORD}
    response = client.post(reverse("account_login"), data, headers={"X-Forwarded-For": forwarded_for})
    return response.status_code == 302


def test_behind_one_proxy_each_client_has_its_own_sign_in_bucket(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    stranger, person = Client(), Client()
    # The proxy appends the address it saw; whatever the client sent before it is not believed.
    failed_sign_ins(stranger, 12, forwarded_for="203.0.113.5")
    assert not signs_in(stranger, user, forwarded_for="203.0.113.5")  # that client is throttled
    assert not signs_in(Client(), user, forwarded_for="198.51.100.7, 203.0.113.5")  # a forged prefix
    assert signs_in(person, user, forwarded_for="198.51.100.7")  # everyone else still signs in


def test_with_no_proxy_trusted_a_forged_forwarded_for_does_not_escape_the_limit(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    user = UserFactory()
    failed_sign_ins(Client(), 12, forwarded_for="203.0.113.5")
    assert not signs_in(Client(), user, forwarded_for="198.51.100.7")  # same address, same bucket


@pytest.mark.parametrize("next_url", ["http://[::1", "//[::1", "http://%5B", "https://[", "http://[::1]:99999/"])
@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_a_next_address_that_cannot_be_parsed_is_ignored_not_a_server_error(path, next_url):
    assert Client().get(path, {"next": next_url}).status_code == 200


def test_a_malformed_next_after_signing_in_goes_home(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login") + "?next=http://[::1", {"login": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("home")


@pytest.mark.parametrize("forwarded_for", ["1.2.3.4", "", "garbage", "[::1"])
def test_a_proxy_setup_that_does_not_match_the_request_signs_in_all_the_same(settings, caplog, forwarded_for):
    """Two proxies promised but one entry (or none, or nonsense): the connection's own address is used and the
    misconfiguration is logged, instead of every request failing."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    user = UserFactory()
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": TEST_PASSWORD},
        headers={"X-Forwarded-For": forwarded_for},
    )
    assert response.status_code == 302
    assert client.get(reverse("profile"), headers={"X-Forwarded-For": forwarded_for}).status_code == 200
    if forwarded_for:
        assert "TRUSTED_PROXY_COUNT" in caplog.text
