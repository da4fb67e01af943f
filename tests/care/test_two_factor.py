"""Client data opens only in a session that passed two-factor, not merely for an account that has it.

allauth records in the session how it was signed in; these tests go through its real
forms (password, the authenticator's code, reauthentication, adding and removing an
authenticator) rather than writing those records by hand.
"""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.urls import reverse

from recovery_network.care.models import AccessEvent
from tests.care.factories import ConsentFactory
from tests.factories import TEST_PASSWORD, UserFactory, sign_in

pytestmark = pytest.mark.django_db

NOW = 1780315200  # 2026-06-01 12:00 UTC


def code(secret, at):
    return format_hotp_value(hotp_value(secret, at // 30))


def password_sign_in(user):
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client, response


def client_pages(owner):
    return [
        reverse("care:caseload"),
        reverse("care:client", args=[owner.pk]),
        reverse("care:client_report", args=[owner.pk]),
    ]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to("2026-06-01 12:00:00+00:00", tick=False)
    return time_machine


@pytest.fixture
def new_counselor(world, owner):
    """A counselor holding the owner's consent, with a password and no authenticator yet."""
    counselor = UserFactory(email="new-counselor@example.org", display_name="Noor")
    ConsentFactory(owner=owner, counselor=counselor)
    return counselor


def test_a_session_signed_in_before_totp_was_added_elsewhere_is_ended(
    clock, owner, new_counselor, django_capture_on_commit_callbacks
):
    laptop, _ = password_sign_in(new_counselor)
    phone, _ = password_sign_in(new_counselor)
    assert laptop.get(reverse("care:caseload")).status_code == 403  # no authenticator yet
    # On the phone: reauthenticate, add an authenticator app.
    phone.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    secret = phone.get(reverse("mfa_activate_totp")).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):  # allauth announces it once the change commits
        assert phone.post(reverse("mfa_activate_totp"), {"code": code(secret, NOW)}).status_code == 302
    # The laptop's password-only session is gone: back to the sign-in page, no client data.
    response = laptop.get(reverse("care:client", args=[owner.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not AccessEvent.objects.filter(owner=owner, actor=new_counselor, action="viewed").exists()


def test_a_password_only_session_of_an_account_with_totp_is_asked_for_a_code(clock, world, owner, new_counselor):
    laptop, _ = password_sign_in(new_counselor)
    # TOTP added behind the session's back (not through allauth, so no session was ended).
    TOTP.activate(new_counselor, generate_totp_secret())
    for url in client_pages(owner):
        response = laptop.get(url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert reverse("mfa_reauthenticate") in page and "Enter a code" in page
        assert "Marisol Vega" not in page and "Sober from wine" not in page
    response = laptop.post(reverse("care:client_recommend", args=[owner.pk]), {"text": "Call your sponsor"})
    assert response.status_code == 403
    assert not AccessEvent.objects.filter(owner=owner, actor=new_counselor).exists()


def test_a_code_entered_to_reauthenticate_opens_client_data_in_that_session(clock, world, owner, new_counselor):
    secret = generate_totp_secret()
    laptop, _ = password_sign_in(new_counselor)
    TOTP.activate(new_counselor, secret)
    gate = laptop.get(reverse("care:client", args=[owner.pk]))
    assert gate.status_code == 403
    wrong = laptop.post(reverse("mfa_reauthenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert laptop.get(reverse("care:client", args=[owner.pk])).status_code == 403
    clock.move_to("2026-06-01 12:01:00+00:00", tick=False)
    next_url = reverse("care:client", args=[owner.pk])
    response = laptop.post(f"{reverse('mfa_reauthenticate')}?next={next_url}", {"code": code(secret, NOW + 60)})
    assert response.status_code == 302 and response.url == next_url
    page = laptop.get(next_url)
    assert page.status_code == 200 and "Sober from wine" in page.content.decode()
    assert laptop.get(reverse("care:caseload")).status_code == 200


def test_signing_in_with_password_and_code_opens_client_data(clock, world, owner, new_counselor):
    secret = generate_totp_secret()
    TOTP.activate(new_counselor, secret)
    client, response = password_sign_in(new_counselor)
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("care:caseload")).status_code == 302  # not signed in until the code
    assert client.post(reverse("mfa_authenticate"), {"code": code(secret, NOW)}).status_code == 302
    for url in client_pages(owner):
        assert client.get(url).status_code == 200, url


def test_removing_the_authenticator_ends_other_sessions_and_closes_client_data_here(clock, world, owner, new_counselor):
    secret = generate_totp_secret()
    TOTP.activate(new_counselor, secret)
    devices = []
    for minute in (0, 1):
        clock.move_to(f"2026-06-01 12:0{minute}:00+00:00", tick=False)
        client, _ = password_sign_in(new_counselor)
        client.post(reverse("mfa_authenticate"), {"code": code(secret, NOW + 60 * minute)})
        assert client.get(reverse("care:caseload")).status_code == 200
        devices.append(client)
    laptop, phone = devices
    clock.move_to("2026-06-01 12:02:00+00:00", tick=False)
    phone.post(reverse("mfa_reauthenticate"), {"code": code(secret, NOW + 120)})
    totp = Authenticator.objects.get(user=new_counselor, type=Authenticator.Type.TOTP)
    assert phone.post(reverse("mfa_deactivate_totp"), {"id": totp.pk}).status_code == 302
    assert not Authenticator.objects.filter(user=new_counselor, type=Authenticator.Type.TOTP).exists()
    response = laptop.get(reverse("care:caseload"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    # The phone is still signed in, but with no authenticator the account is asked to set one up.
    gate = phone.get(reverse("care:caseload"))
    assert gate.status_code == 403 and reverse("mfa_activate_totp") in gate.content.decode()


def test_a_password_only_session_reads_nothing_of_clients_in_the_notification_centre(clock, world, owner, counselor):
    from recovery_network.care.notification_kinds import CaseloadDigest
    from recovery_network.notifications.models import Notification

    message = CaseloadDigest().message(None, counselor)  # what the weekly digest stores in the centre
    Notification.objects.create(recipient=counselor, kind="caseload_digest", title=message.title, body=message.body)
    client = sign_in(Client(), counselor, two_factor=False)
    page = client.get(reverse("notifications:index")).content.decode()
    assert "weekly digest" in page and "Olive" not in page and "Sober from wine" not in page


def test_the_counselors_copy_of_a_consent_asks_for_this_sessions_second_factor(world, owner, counselor):
    from recovery_network.care.models import Consent

    consent = Consent.objects.get(counselor=counselor)
    url = reverse("care:consent_detail", args=[consent.pk])
    gate = sign_in(Client(), counselor, two_factor=False).get(url)
    assert gate.status_code == 403 and "Olive" not in gate.content.decode()
    assert consent.purpose not in gate.content.decode()
    assert not AccessEvent.objects.filter(owner=owner, actor=counselor).exists()
    assert sign_in(Client(), counselor).get(url).status_code == 200
    assert sign_in(Client(), owner).get(url).status_code == 200  # the client's own copy asks nothing more
