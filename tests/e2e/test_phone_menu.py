"""On a phone the main navigation folds behind one "Menu" button, opened by touch or keyboard, while the crisis
button stays in the header; on a wide screen, and without script, every link shows."""

import pytest

from tests.e2e.helpers import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def person():
    return UserFactory(email="olive@example.org", display_name="Olive")


def test_on_a_phone_the_links_fold_behind_menu_and_the_crisis_button_stays(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    menu = page.get_by_role("button", name="Menu")
    progress = page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress")
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not progress.is_visible()
    assert page.get_by_role("banner").get_by_role("link", name="Get help now").is_visible()
    header_height = page.locator(".site-header").bounding_box()["height"]
    assert header_height < 140, header_height  # the brand, the crisis button and one row: not four rows of links

    menu.tap()
    assert menu.get_attribute("aria-expanded") == "true" and progress.is_visible()
    progress.tap()
    page.wait_for_url(f"{live_server.url}/progress/")
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "false"


def test_the_folded_menu_still_says_how_many_notifications_are_unread(new_page, live_server, person):
    person.unread_notifications = 3
    person.save(update_fields=["unread_notifications"])
    page = login(new_page(**PHONE), live_server, person)
    assert page.get_by_role("button", name="Menu 3 unread notifications").is_visible()


def test_the_menu_opens_and_closes_from_the_keyboard(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    menu = page.get_by_role("button", name="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Home"
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('site-nav__toggle')")


def test_a_wide_screen_shows_every_link_and_no_menu_button(new_page, live_server, person):
    page = login(new_page(viewport={"width": 1280, "height": 800}), live_server, person)
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").is_visible()


def test_without_script_a_phone_shows_every_link(new_page, live_server, person):
    page = login(new_page(java_script_enabled=False, **PHONE), live_server, person)
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").is_visible()


def test_on_a_phone_the_crisis_button_stays_in_reach_at_the_foot_of_a_long_page(new_page, live_server, person):
    page = login(new_page(**PHONE), live_server, person)
    page.goto("/help/")
    page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate("() => window.scrollY") > 200  # the page did scroll
    crisis = page.get_by_role("banner").get_by_role("link", name="Get help now")
    box = crisis.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    # A link to a part of a page brings it into view below the header, not under it.
    page.evaluate("""() => {
        const room = document.createElement("div");  // room below, so the part can come to the top
        room.style.height = "3000px";
        document.querySelector("main").append(room);
        location.hash = "meanwhile";
    }""")
    top = page.get_by_role("heading", name="While you reach out").bounding_box()["y"]
    header = page.locator(".site-header").bounding_box()
    assert top >= header["y"] + header["height"], (top, header)
