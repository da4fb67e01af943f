"""What changed since the last network review, in Chromium: the owner opens a seeded comparison on a phone
(390 px, in the light and the dark scheme) and a desktop (1280 px), where nothing is wider than the screen and
axe-core finds nothing serious; a counselor signed in with their authenticator code follows "Network reviews"
from the client's page to the same comparison."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.care.factories import ConsentFactory
from tests.e2e.helpers import login
from tests.e2e.test_care_counselor import totp_code
from tests.e2e.test_every_page import VIEWPORTS, _problems
from tests.factories import TEST_PASSWORD, UserFactory
from tests.review.history import seed_history

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("device", VIEWPORTS)
def test_owner_reads_what_changed_on_a_phone_and_a_desktop(browser, live_server, device):
    owner = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    first, second = seed_history(owner)
    # CSP is bypassed only so the test can add axe's script.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **VIEWPORTS[device])
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, live_server, owner)
    page.goto(f"/network/review/{second.pk}/changes/")
    page.get_by_role("heading", name="What changed since your last review").wait_for()
    main = page.locator("main")
    assert "Jo (close → inner circle)" in main.inner_text()
    assert main.get_by_role("heading", name="Drifted away").is_visible()
    assert main.get_by_role("table", name="Meetings in the 90 days before each review").is_visible()
    assert _problems(page) == []
    page.get_by_role("link", name="What changed at your review of").click()
    page.get_by_text("This is your first review — next time this page will show what changed.").wait_for()
    assert _problems(page) == []
    context.close()


def test_counselor_opens_the_clients_comparison_from_their_page(page, live_server):
    owner = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    counselor = UserFactory(email="dana@clinic.example.org", display_name="Dana Lee", time_zone="America/New_York")
    secret = generate_totp_secret()
    TOTP.activate(counselor, secret)
    ConsentFactory(owner=owner, counselor=counselor)
    seed_history(owner)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(counselor.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"/care/clients/{owner.pk}/")
    page.get_by_role("link", name="Network reviews").click()
    page.get_by_role("heading", name="Olive’s network review").wait_for()
    main = page.locator("main").inner_text()
    assert "Sam (inner circle → wider circle)" in main
    assert "49 of 60" in main  # the consent shares recovery capital too
