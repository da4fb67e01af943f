"""A counselor in a real browser: the owner signs a consent after re-entering their password; the counselor,
signed in with two-factor, accepts it, finds the client on the caseload, writes a recommendation and opens
the printable report; the owner marks the recommendation done."""

import datetime as dt
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

from milestones.models import Journey
from recovery_network.care.models import Consent, Recommendation
from tests.e2e.helpers import last_link_in_mail, login
from tests.factories import TEST_PASSWORD, UserFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


def totp_code(secret):
    # A code read in the last seconds of its 30-second window may reach the server in the next one, where it no
    # longer counts (allauth allows no drift): wait for a fresh window first.
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_owner_consents_and_a_counselor_with_two_factor_works_with_the_client(page, new_page, live_server, settings):
    settings.SITE_URL = live_server.url
    owner = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    counselor = UserFactory(email="dana@clinic.example.org", display_name="Dana Lee", time_zone="America/New_York")
    secret = generate_totp_secret()
    TOTP.activate(counselor, secret)
    today = owner.local_today()
    Journey.objects.create(owner=owner, kind="alcohol", first_started_on=today - dt.timedelta(days=40),
                           started_on=today - dt.timedelta(days=40))  # fmt: skip
    SupporterFactory(owner=owner, name="Marisol Vega", relationship="sponsor", closeness=1, gives_crisis=True)

    # The owner signs a consent: first the password again, then every element of the form.
    login(page, live_server, owner)
    page.get_by_role("link", name="Circle", exact=True).click()
    page.get_by_role("link", name="Give a counselor consent").click()
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Consent for a counselor to see your recovery data").wait_for()
    page.get_by_label("Counselor's name").fill("Dana Lee")
    page.get_by_label("Their practice or organisation").fill("Riverside Counseling")
    page.get_by_label("Counselor's email address").fill("dana@clinic.example.org")
    page.get_by_label("Setbacks (the dates, never what you wrote about them)").uncheck()
    page.get_by_label("I have read this consent").check()
    page.get_by_label("Your full name, as your signature").fill("Olive Owens")
    page.get_by_role("button", name="Sign and send").click()
    page.get_by_role("heading", name="Consent to disclose recovery information").wait_for()
    assert page.get_by_text("Waiting for the counselor to accept").is_visible()
    assert page.get_by_role("button", name="Print").is_visible()
    consent = Consent.objects.get(owner=owner)
    assert consent.scopes == {"clean_time", "checkins", "support_map", "attendance"}

    # The counselor signs in with password and authenticator code, and lands back on the invitation.
    counselor_page = new_page()
    counselor_page.goto(last_link_in_mail("dana@clinic.example.org"))
    counselor_page.get_by_role("link", name="Sign in").last.click()
    counselor_page.get_by_label("Email").fill(counselor.email)
    counselor_page.get_by_label("Password").fill(TEST_PASSWORD)
    counselor_page.get_by_role("button", name="Sign In").click()
    counselor_page.get_by_label("Code").fill(totp_code(secret))
    counselor_page.get_by_role("button", name="Sign In").click()
    counselor_page.get_by_role("heading", name="Olive invited you into their circle of care").wait_for()
    counselor_page.get_by_role("button", name="Accept").click()

    # The caseload lists Olive; her page has the map and the gaps; a recommendation goes to her.
    counselor_page.get_by_role("heading", name="Your caseload").wait_for()
    counselor_page.get_by_role("link", name="Olive").click()
    counselor_page.get_by_role("heading", name="Where the network is thin").wait_for()
    assert "Marisol Vega" in counselor_page.locator("main").inner_text()
    counselor_page.get_by_role("textbox", name="Recommendation").fill("Join a SMART Recovery group")
    counselor_page.get_by_role("button", name="Add the recommendation").click()
    counselor_page.get_by_text("Olive will see your recommendation.").wait_for()
    counselor_page.get_by_role("link", name="Printable support-map report").click()
    counselor_page.get_by_role("heading", name="Support-map report: Olive").wait_for()
    assert counselor_page.locator(".support-map__svg").is_visible()

    # The owner sees it on the home page and marks it done.
    page.goto(f"{live_server.url}/")
    page.get_by_text("Join a SMART Recovery group").wait_for()
    page.get_by_role("link", name="See them and mark them done").click()
    page.locator("#recommendations").get_by_role("button", name="Mark done").click()
    page.get_by_text("Marked as done. Well done.").wait_for()
    assert Recommendation.objects.get(owner=owner).is_done


def test_a_counselor_signed_in_before_their_authenticator_confirms_with_a_code_and_goes_on(page, live_server):
    """A session from before TOTP was turned on sees the gate, enters a code, and lands on the client page."""
    owner = UserFactory(email="olive@example.org", display_name="Olive")
    today = owner.local_today()
    Journey.objects.create(owner=owner, kind="alcohol", first_started_on=today - dt.timedelta(days=40),
                           started_on=today - dt.timedelta(days=40))  # fmt: skip
    counselor = UserFactory(email="dana@clinic.example.org", display_name="Dana Lee")
    Consent.objects.create(
        owner=owner, counselor=counselor, recipient_name="Dana Lee", organisation="Riverside", purpose="Treatment",
        expires_on=today + dt.timedelta(days=30), signed_name="Olive", clean_time=True, checkins=True,
    )  # fmt: skip
    login(page, live_server, counselor)
    client_url = f"{live_server.url}/care/clients/{owner.pk}/"
    page.goto(client_url)
    page.get_by_role("heading", name="Turn on two-factor authentication first").wait_for()
    secret = generate_totp_secret()
    TOTP.activate(counselor, secret)  # turned on elsewhere, not through this session
    page.goto(client_url)
    page.get_by_role("heading", name="Confirm it's you with your authenticator app").wait_for()
    assert "Olive" not in page.locator("main").inner_text()
    page.get_by_role("link", name="Enter a code").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(client_url)
    page.get_by_role("heading", name="Olive").first.wait_for()
