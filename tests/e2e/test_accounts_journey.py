"""A newcomer signs up, follows the verification link from the email, lands on the home page."""

from django.core import mail

from recovery_network.models import User
from tests.e2e.helpers import last_link_in_mail


def test_newcomer_signs_up_verifies_email_and_starts_building_their_network(page, live_server):
    page.goto("/")
    page.get_by_role("link", name="Create your free account").click()
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("What should we call you?").fill("Nia")
    # The browser's own zone (the test browser's: UTC) is kept unless typed over; suggestions as one types.
    page.get_by_label("Time zone").fill("America/Denver")
    page.get_by_label("Password:", exact=True).fill("quiet-harbor-morning-42")
    page.get_by_label("Password (again)").fill("quiet-harbor-morning-42")
    page.get_by_role("button", name="Create an account").click()

    page.get_by_role("heading", name="Verify your email address").wait_for()
    assert len(mail.outbox) == 1
    link = last_link_in_mail("newcomer@example.org", r"https?://\S+/accounts/confirm-email/\S+")

    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Let's build your support network").wait_for()
    assert page.url == f"{live_server.url}/welcome/"
    page.goto("/profile/")
    assert page.get_by_label("Time zone").input_value() == "America/Denver"
    user = User.objects.get(email="newcomer@example.org")
    assert user.emailaddress_set.get().verified


def test_get_help_now_is_one_tap_away_on_a_phone(phone_page):
    phone_page.goto("/")
    phone_page.get_by_role("link", name="Get help now").first.click()
    phone_page.get_by_role("heading", name="Get help now").wait_for()
    call = phone_page.get_by_role("link", name="Call 988")
    assert call.get_attribute("href") == "tel:988"


def test_keyboard_user_can_skip_to_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"


def test_sign_up_guesses_the_zone_from_the_browser_and_suggests_zones_as_one_types(new_page):
    page = new_page(timezone_id="America/Denver", viewport={"width": 390, "height": 844})
    page.goto("/accounts/signup/")
    zone = page.get_by_label("Time zone")
    assert zone.input_value() == "America/Denver"  # guessed by static/js/app.js
    suggested = page.evaluate("Array.from(document.getElementById('id_time_zone-zones').options).map(o => o.value)")
    assert "America/Denver" in suggested and "Europe/London" in suggested
