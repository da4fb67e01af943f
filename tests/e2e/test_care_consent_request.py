"""A counselor asks a client for consent in a real browser: the counselor, signed in with two-factor, sends
the request from the caseload; the client opens the emailed link, signs in, reads every element, changes one
and signs; the counselor finds the client on the caseload with no invitation to accept."""

import datetime as dt
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from milestones.models import Journey
from recovery_network.care.models import Consent, ConsentRequest
from tests.e2e.helpers import last_link_in_mail
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def totp_code(secret):
    # A code read in the last seconds of its 30-second window may reach the server in the next one, where it no
    # longer counts (allauth allows no drift): wait for a fresh window first.
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_here(page, user, secret=None):
    """The sign-in form the page is on, and the authenticator's code when the account has one."""
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if secret:
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Sign In").click()


def test_a_counselor_asks_the_client_signs_and_the_counselor_recommends(page, new_page, live_server, settings):
    settings.SITE_URL = live_server.url
    client = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    today = client.local_today()
    Journey.objects.create(owner=client, kind="alcohol", first_started_on=today - dt.timedelta(days=40),
                           started_on=today - dt.timedelta(days=40))  # fmt: skip
    counselor = UserFactory(email="dana@clinic.example.org", display_name="Dana Lee", time_zone="America/New_York")
    secret = generate_totp_secret()
    TOTP.activate(counselor, secret)

    # The counselor, with no clients yet, asks from the caseload.
    page.goto(f"{live_server.url}/accounts/login/?next=/care/clients/")
    sign_in_here(page, counselor, secret)
    page.get_by_role("heading", name="Your caseload").wait_for()
    page.get_by_role("link", name="Ask a client for consent").click()
    page.get_by_role("heading", name="Ask a client for consent").wait_for()
    page.get_by_label("Your client's email address").fill("olive@example.org")
    assert page.get_by_label("Your name, as the consent will name you").input_value() == "Dana Lee"
    page.get_by_label("Your practice or organisation").fill("Riverside Counseling")
    page.get_by_label("Setbacks", exact=True).check()
    page.get_by_label("A short note to them (optional)").fill("As we discussed on Tuesday.")
    page.get_by_role("button", name="Send the request").click()
    page.get_by_role("heading", name="Your caseload").wait_for()
    requests = page.locator("#consent-requests")
    assert "olive@example.org" in requests.inner_text() and "Waiting for an answer" in requests.inner_text()

    # The client opens the emailed link, signs in and comes straight back to the request.
    client_page = new_page()
    client_page.goto(last_link_in_mail("olive@example.org"))
    client_page.get_by_role("heading", name="A request for your consent").wait_for()
    assert "Dana" not in client_page.locator("main").inner_text()
    client_page.get_by_role("link", name="Sign in").last.click()
    sign_in_here(client_page, client)
    client_page.get_by_role("heading", name="Dana Lee asks for your consent").wait_for()
    terms = client_page.locator(".consent-terms").inner_text()
    for element in ("dana@clinic.example.org", "Riverside Counseling", "To support my treatment", "setbacks",
                    "As we discussed on Tuesday.", "revoke"):  # fmt: skip
        assert element in terms, element

    # Review and sign: the password again if the sign-in was not just now, then the form as Dana proposed it.
    client_page.get_by_role("link", name="Review and sign").click()
    client_page.get_by_role("heading", name="Consent for a counselor to see your recovery data").or_(
        client_page.get_by_label("Password")
    ).first.wait_for()
    if client_page.get_by_label("Password").count():
        client_page.get_by_label("Password").fill(TEST_PASSWORD)
        client_page.get_by_role("button", name="Confirm").click()
    client_page.get_by_role("heading", name="Consent for a counselor to see your recovery data").wait_for()
    assert client_page.get_by_label("Their practice or organisation").input_value() == "Riverside Counseling"
    setbacks = client_page.get_by_label("Setbacks (the dates, never what you wrote about them)")
    assert setbacks.is_checked()
    setbacks.uncheck()  # the client's to change
    client_page.get_by_label("I have read this consent").check()
    client_page.get_by_label("Your full name, as your signature").fill("Olive Owens")
    client_page.get_by_role("button", name="Sign the consent").click()
    client_page.get_by_role("heading", name="Consent to disclose recovery information").wait_for()
    assert client_page.get_by_text("In effect").is_visible()

    consent = Consent.objects.get(owner=client)
    assert consent.counselor == counselor and consent.is_valid()
    assert "setbacks" not in consent.scopes
    assert ConsentRequest.objects.get().consent == consent

    # The counselor finds Olive on the caseload, no invitation to accept.
    page.reload()
    page.get_by_role("link", name="Olive").wait_for()
    assert "Signed" in page.locator("#consent-requests").inner_text()
    page.get_by_role("link", name="Olive").click()
    page.get_by_role("heading", name="Olive").first.wait_for()
    # …and, with her consent in force, writes her a recommendation, which she finds on her home page.
    page.get_by_role("textbox", name="Recommendation").fill("Try the Thursday SMART meeting")
    page.get_by_role("button", name="Add the recommendation").click()
    page.get_by_text("Olive will see your recommendation.").wait_for()
    client_page.goto("/")
    client_page.get_by_text("Try the Thursday SMART meeting").wait_for()
