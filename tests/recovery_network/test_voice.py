"""The product's voice everywhere: allauth's pages and emails in our words, our own 403, 404 and 500 pages with the
crisis link, and emailed links that follow the address the app is served on."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import path, reverse

from recovery_network import urls as project_urls
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PERSONAS = ["owner_client", "family_client", "counselor_client", "stranger_client", "anon_client"]


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("a bug")


def _database_gone(request):
    raise OperationalError("terminating connection due to administrator command")


# The project's URLs and three that fail on purpose, so the real handlers (handler500 included) are used.
urlpatterns = [
    *project_urls.urlpatterns,
    path("test-forbidden/", _forbidden),
    path("test-broken/", _broken),
    path("test-database-gone/", _database_gone),
]
handler500 = project_urls.handler500


# allauth's pages


@pytest.mark.parametrize(
    ("name", "heading", "button"),
    [
        ("account_login", "<h1>\n        Sign in\n    </h1>", "Sign in"),
        ("account_signup", "Create an account", "Create an account"),
        ("account_reset_password", "Reset your password", "Email me a reset link"),
    ],
)
def test_account_pages_speak_in_sentence_case(anon_client, name, heading, button):
    page = anon_client.get(reverse(name)).content.decode()
    assert heading in page
    assert re.search(rf"<button[^>]*>\s*{button}\s*</button>", page)
    for shouting in ("Sign In", "Sign Up", "Password Reset", "Reset My Password", "Signup"):
        assert shouting not in page


def test_the_sign_in_page_offers_to_create_an_account(anon_client):
    page = anon_client.get(reverse("account_login")).content.decode()
    assert f'<a href="{reverse("account_signup")}">Create an account</a>' in page


def test_a_wrong_password_is_said_once(anon_client):
    user = UserFactory()
    page = anon_client.post(reverse("account_login"), {"login": user.email, "password": "nope-nope-nope"})
    assert page.content.decode().count("you specified are not correct") == 1


def test_the_login_lockout_is_said_once(anon_client):
    user = UserFactory()
    for n in range(7):
        anon_client.post(reverse("account_login"), {"login": user.email, "password": f"wrong-{n}"})
    page = anon_client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert page.content.decode().count("Too many failed login attempts") == 1


# allauth's emails


def _sign_up(client, email="new@example.org"):
    password = "quiet-harbor-morning-42"
    data = {"email": email, "password1": password, "password2": password, "time_zone": "Europe/Berlin"}
    return client.post(reverse("account_signup"), data)


def _assert_in_our_voice(message):
    assert "Hello from" not in message.body and "Thank you for using" not in message.body
    assert message.body.startswith("Hello,\n")
    assert message.body.rstrip().endswith("— Recovery Network")
    for host in ("127.0.0.1", "localhost", "testserver"):
        greeting_and_signature = message.body.split("\n", 1)[0] + message.body.rstrip().rsplit("\n", 1)[-1]
        assert host not in greeting_and_signature
        assert host not in message.subject


def test_the_verification_email_is_warm_and_discreet(anon_client):
    _sign_up(anon_client)
    (message,) = mail.outbox
    assert message.subject == "[Recovery Network] Please confirm your email address"
    _assert_in_our_voice(message)
    assert "/accounts/confirm-email/" in message.body
    assert "recovery" not in message.body.lower().replace("recovery network", "")


def test_the_password_reset_email_is_warm_and_discreet(anon_client):
    user = UserFactory()
    anon_client.post(reverse("account_reset_password"), {"email": user.email})
    (message,) = mail.outbox
    assert message.subject == "[Recovery Network] Reset your password"
    _assert_in_our_voice(message)
    assert "/accounts/password/reset/key/" in message.body


def test_signing_up_again_with_a_taken_address_tells_its_owner_kindly(anon_client):
    UserFactory(email="taken@example.org")
    _sign_up(anon_client, email="taken@example.org")
    (message,) = mail.outbox
    assert message.subject == "[Recovery Network] You already have an account"
    _assert_in_our_voice(message)


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("account/email/password_changed", "Your password was changed."),
        ("account/email/email_changed", "Your email address was changed from old@example.org to new@example.org."),
        ("mfa/email/totp_activated", "Two-factor authentication with an authenticator app was turned on."),
    ],
)
def test_a_security_notice_says_what_changed_in_our_words(template, says):
    """allauth sends these when ACCOUNT_EMAIL_NOTIFICATIONS is on; they are ready in our voice if it is."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    context = {"from_email": "old@example.org", "to_email": "new@example.org", "ip": "203.0.113.9",
               "user_agent": "Firefox", "timestamp": "4 Jul 2026"}  # fmt: skip
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}_message.txt", context)
    _assert_in_our_voice(EmailMessage(subject=subject, body=body))
    assert says in body and "203.0.113.9" in body
    assert subject[0].isupper() and subject[1:] == subject[1:].lower()  # sentence case


# Links follow the address the app is served on


def _site_url(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "DJANGO_SETTINGS_MODULE")}
    clean.update(env)
    code = "import recovery_network.settings as s; print(s.SITE_URL, s.CSRF_TRUSTED_ORIGINS[0])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.split()


def test_links_in_emails_follow_the_port_the_app_is_served_on():
    assert _site_url() == ["http://127.0.0.1:8000", "http://127.0.0.1:8000"]
    assert _site_url(PORT="8001") == ["http://127.0.0.1:8001", "http://127.0.0.1:8001"]
    assert _site_url(PORT="8001", SITE_URL="https://recovery.example.org/")[0] == "https://recovery.example.org"


def test_the_readme_says_how_to_pick_a_port():
    readme = (ROOT / "README.md").read_text()
    assert "PORT=8001 python3 dev.py run" in readme and "| `PORT` |" in readme


# Error pages


@pytest.mark.parametrize("who", PERSONAS)
def test_a_missing_page_is_ours_with_the_crisis_link_for_everyone(request, who):
    client = request.getfixturevalue(who)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>We can't find that page</h1>" in page
    assert f'href="{reverse("crisis")}">Get help now</a>' in page
    assert '<header class="site-header">' in page  # the site's own layout


@pytest.mark.parametrize("who", PERSONAS)
def test_someone_elses_supporter_is_our_404(request, who, owner):
    from tests.supports.factories import SupporterFactory

    supporter = SupporterFactory(owner=UserFactory(), name="Hidden Person")
    client = request.getfixturevalue(who)
    response = client.get(reverse("supports:supporter_detail", args=[supporter.pk]))
    if who == "anon_client":
        assert response.status_code == 302  # to sign in first
        return
    assert response.status_code == 404 and "Hidden Person" not in response.content.decode()
    assert "Get help now" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("who", PERSONAS)
def test_a_refused_page_is_ours_with_the_crisis_link(request, who):
    response = request.getfixturevalue(who).get("/test-forbidden/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>This page isn't open to you</h1>" in page and f'href="{reverse("crisis")}">Get help now</a>' in page


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize("who", PERSONAS)
def test_a_server_error_is_ours_with_the_crisis_lines(request, who):
    client = request.getfixturevalue(who)
    client.raise_request_exception = False
    response = client.get("/test-broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in page
    assert 'href="/help/">' in page and "Get help now" in page
    assert 'href="tel:988"' in page  # the crisis lines themselves, from settings


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_database_that_went_away_asks_to_try_again_with_the_crisis_lines(owner_client):
    """tests/recovery_network/test_postgres_faults.py has this from a real PostgreSQL, restarted and cut."""
    owner_client.raise_request_exception = False
    response = owner_client.get("/test-database-gone/")
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "<h1>We can't reach your records just now</h1>" in page and "Please try again in a minute" in page
    assert 'href="tel:988"' in page and 'href="/help/">' in page


def test_the_500_page_renders_with_no_request_and_no_database(django_assert_num_queries):
    from django.test import RequestFactory

    from recovery_network.views import server_error

    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Get help now" in response.content


def test_the_500_template_renders_even_with_an_empty_context():
    """Were handler500 ever Django's own again, which renders 500.html with an empty context."""
    from django.template import loader

    page = loader.get_template("500.html").render({})
    assert 'href="/help/">' in page and "Recovery Network" in page


def test_no_one_signed_in_still_reaches_sign_in_from_a_404():
    page = Client().get("/nowhere/").content.decode()
    assert f'href="{reverse("account_login")}"' in page


# Forms say a thing once, and choose nothing for the person


def test_the_encouragement_form_says_its_error_once(owner, family_client):
    response = family_client.post(reverse("care:person_encourage", args=[owner.pk]), {"phrase": "", "message": " "})
    assert response.status_code == 400
    assert response.content.decode().count("Pick a ready phrase or write a few words.") == 1


def test_the_journey_form_has_no_blank_kind_chosen_in_advance(owner_client):
    page = owner_client.get(reverse("milestones:journey_create")).content.decode()
    assert "---------" not in page
    assert 'value="alcohol"' in page and 'value=""' not in page.split('name="kind"', 1)[0][-200:]
    assert not re.search(r'name="kind"[^>]*value=""', page) and not re.search(r'value=""[^>]*name="kind"', page)


def test_every_clock_a_page_shows_reads_the_same_way():
    """One clock for everyone: "7:30 PM", as the check-in time and the access log print it, never "19:30" beside it
    (forms' <input type="time"> keep their 24-hour value; that is the browser's to display)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    mixed = [
        f"{path.relative_to(root)}: {line.strip()[:80]}"
        for path in root.rglob("*.html")
        for line in path.read_text().splitlines()
        if re.search(r'(time|date):"[^"]*(H:i|\bP\b)[^"]*"', line)
    ]
    assert mixed == []
