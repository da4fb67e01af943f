"""Recovery capital seen by a counselor in real Chromium, on a phone and a desktop: signed in with the code from
an authenticator app, they find the client whose total fell below 47 first on the caseload, marked in words, and
open the client's page to the chart with its 47 line and the same numbers as a table. A client who doesn't share
it shows a dash. Nothing wider than the screen, no serious axe-core finding."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.care.factories import ConsentFactory
from tests.care.test_recovery_capital_sharing import check_up
from tests.e2e.test_care_counselor import totp_code
from tests.e2e.test_every_page import VIEWPORTS, _problems
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_counselor_sees_recovery_capital_on_the_caseload_and_the_client_page(new_page, live_server, device):
    counselor = UserFactory(email="dana@clinic.example.org", display_name="Dana Lee", time_zone="America/New_York")
    secret = generate_totp_secret()
    TOTP.activate(counselor, secret)
    steady = UserFactory(display_name="Abel")  # first by name: the fall must be what puts Olive before him
    ConsentFactory(owner=steady, counselor=counselor)
    check_up(steady, 30, 50)
    check_up(steady, 0, 52)
    olive = UserFactory(display_name="Olive")
    ConsentFactory(owner=olive, counselor=counselor)
    for days_ago, total in ((60, 48), (30, 50), (0, 44)):
        check_up(olive, days_ago, total)
    private = UserFactory(display_name="Ben")
    ConsentFactory(owner=private, counselor=counselor, recovery_capital=False)
    check_up(private, 0, 30)

    page = new_page(bypass_csp=True, **VIEWPORTS[device])  # CSP is bypassed only so the test can add axe's script
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(counselor.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto("/care/clients/")
    page.get_by_role("heading", name="Your caseload").wait_for()
    rows = page.locator("tbody tr.caseload__row")
    assert rows.first.get_by_role("rowheader").inner_text() == "Olive"
    capital = rows.first.locator('td[data-label="Recovery capital"]')
    words = " ".join(capital.inner_text().split())
    assert words.startswith("44 ↓6") and words.endswith("below 47 fell by 6")
    assert "down 6 since the check-up before" in words  # what a screen reader says for the arrow
    ben = page.locator("tbody tr", has=page.get_by_role("rowheader", name="Ben"))
    assert ben.locator('td[data-label="Recovery capital"]').inner_text() == "—"
    assert _problems(page) == []

    page.get_by_role("link", name="Olive").click()
    page.get_by_role("heading", name="Recovery capital").wait_for()
    chart = page.get_by_role("img", name="BARC-10 total, 10 to 60")
    assert chart.is_visible() and page.locator(".capital-line").count() == 1
    totals = page.get_by_role("table", name="Totals, newest first")
    assert totals.locator("tbody tr").first.locator("td").all_inner_texts() == ["44", "−6"]
    assert _problems(page) == []
