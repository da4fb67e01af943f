"""The two things that matter most at a bad moment work from the keyboard alone: reaching crisis help, and
checking in (a switch device or a keyboard on a tablet drives a browser exactly like this)."""

import pytest

from milestones.models import CheckIn
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def focused(page):
    return page.evaluate("(document.activeElement.textContent || '').trim()")


def tab_to(page, matches, limit):
    """Press Tab until the focused element satisfies `matches` (a JS predicate on it); the presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(element => {matches})(document.activeElement)"):
            return presses
    raise AssertionError(f"not reached in {limit} presses of Tab; focus is on {focused(page)!r}")


@pytest.mark.parametrize("signed_in", [True, False])
def test_crisis_help_is_three_key_presses_from_any_page(page, live_server, owner, signed_in):
    if signed_in:
        login(page, live_server, owner)
    page.goto(f"{live_server.url}/progress/" if signed_in else f"{live_server.url}/accounts/login/")
    presses = tab_to(page, "element.textContent.trim() === 'Get help now'", limit=5)
    assert presses <= 3, presses  # past the skip link and the site's name at most
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/help/")
    assert "988" in page.content()


def test_a_check_in_from_the_keyboard_alone(page, live_server, owner):
    login(page, live_server, owner)
    page.goto(f"{live_server.url}/progress/checkin/")
    tab_to(page, "element.name === 'sober'", limit=40)
    page.keyboard.press("Space")  # the first answer: yes
    tab_to(page, "element.name === 'mood'", limit=10)
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")  # arrows move the choice within a group of radio buttons
    tab_to(page, "element.type === 'submit' && element.textContent.trim() === 'Save check-in'", limit=120)
    page.keyboard.press("Enter")
    page.get_by_text("Checked in for today").wait_for()
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.sober, checkin.mood) == ("yes", 4)
