"""The support map on a phone (390 × 844): the whole map fits the screen, and zoomed in with the keyboard every word
on it is at least 12 px while the page still never scrolls sideways; the table of everyone follows the map, and
axe-core finds nothing serious in either colour scheme, zoomed in or out."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from recovery_network import demo
from supports import demo_data
from supports.models import Closeness, Influence, PeerGroup, Supporter
from tests.e2e.helpers import login
from tests.factories import TEST_PASSWORD, UserFactory
from tests.supports.factories import CommunityActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
# The longest names the forms allow: half without a space to break at, half with.
LONG_NAMES = ["Bartholomew" * 10 + "Alexandrina"[:10], "Bartholomew Alexandrina " * 5]
RELATIONSHIPS = ["friend", "family", "sponsor", "counselor", "therapist", "coworker"]

# Each word's font size times the map's scale, and the height of its box: CSS pixels as drawn.
WORD_SIZES = """() => [...document.querySelectorAll('svg.support-map__svg text')].map(text => ({
  text: text.textContent,
  px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
  height: text.getBoundingClientRect().height,
}))"""


def demo_owner():
    cast = demo.ensure_cast()
    demo_data.seed_cast(cast, timezone.now())
    return cast["owner"], demo.DEMO_PASSWORD


def owner_of_thirty_with_long_names():
    owner = UserFactory(email="thirty@example.org")
    Supporter.objects.bulk_create(
        Supporter(
            owner=owner,
            name=LONG_NAMES[number % 2][:120],
            relationship=RELATIONSHIPS[number % len(RELATIONSHIPS)],
            closeness=Closeness.values[number % 3],
            influence=Influence.RISK if number % 7 == 0 else Influence.SUPPORTIVE,
            gives_emotional=number % 2 == 0,
            contact_every_days=7,
            contact_due_at=timezone.now() + dt.timedelta(days=-1 if number % 5 == 0 else 3),
        )
        for number in range(30)
    )
    PeerGroup.objects.create(owner=owner, name=LONG_NAMES[0][:100], fellowship="aa", is_home_group=True)
    CommunityActivityFactory(owner=owner)
    return owner, TEST_PASSWORD


@pytest.fixture
def open_map(browser, live_server):
    """Sign `who()` in on a phone and open their map; CSP is bypassed only so the test can add axe's script."""
    contexts = []

    def open_map(who, **options):
        owner, password = who()
        context = browser.new_context(base_url=live_server.url, bypass_csp=True, **PHONE, **options)
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        login(page, live_server, owner, password)
        page.goto("/network/map/")
        return page, owner

    yield open_map
    for context in contexts:
        context.close()


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def map_width(page):
    return page.locator("svg.support-map__svg").bounding_box()["width"]


def serious_axe_violations(page):
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def tab_to(page, name, presses=40):
    """Press Tab until the button called `name` has the focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"{name!r} is not reachable with Tab")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("who", [demo_owner, owner_of_thirty_with_long_names], ids=["demo", "thirty long names"])
def test_zoomed_in_by_keyboard_every_word_on_the_map_is_at_least_12_px(open_map, who, scheme):
    page, owner = open_map(who, color_scheme=scheme)
    screen = page.viewport_size["width"]
    # At first the whole map fits the screen, too small to read: the buttons and the table say what to do.
    assert page_width(page) <= screen and map_width(page) <= screen
    assert min(word["px"] for word in page.evaluate(WORD_SIZES)) < 12
    assert page.get_by_role("status").text_content() == "The whole map. Zoom in to read it."
    zoom_in, zoom_out = (page.get_by_role("button", name=name) for name in ("Zoom in", "Zoom out"))
    assert zoom_out.get_attribute("aria-disabled") == "true"
    table = page.get_by_role("table", name="People in your network, by closeness")
    drawn = Supporter.objects.filter(owner=owner).active().count()  # fewer than a ring holds: all of them
    assert table.get_by_role("row").count() == 1 + drawn
    assert serious_axe_violations(page) == []

    tab_to(page, "Zoom in")
    page.keyboard.press("Enter")
    words = page.evaluate(WORD_SIZES)
    assert len(words) >= drawn  # a name or initials for each person drawn, and the rings, sectors and "You"
    small = [word for word in words if word["px"] < 12 or word["height"] < 12]
    assert small == [], small
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zoom in"
    assert page.get_by_role("status").text_content().startswith("Zoomed in.")
    # The map is wider than the screen and its frame scrolls; the page itself does not.
    assert map_width(page) > screen and page_width(page) <= screen
    frame = page.get_by_role("region", name="Support map")
    assert frame.evaluate("frame => frame.scrollWidth > frame.clientWidth")
    # The view is centred on "You".
    you, seen = page.locator(".support-map__svg .map-you").bounding_box(), frame.bounding_box()
    middle = you["x"] + you["width"] / 2
    assert seen["x"] < middle < seen["x"] + seen["width"]
    assert abs(middle - (seen["x"] + seen["width"] / 2)) < 2
    # The frame takes the focus, scrolls with the arrow keys and zooms with + and -.
    frame.focus()
    before = frame.evaluate("frame => frame.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("before => document.getElementById('map-frame').scrollLeft > before", arg=before)
    readable = int(page.locator(".map-zoom").get_attribute("data-readable-width"))
    page.keyboard.press("+")
    assert map_width(page) == pytest.approx(1.5 * readable, abs=1)
    page.keyboard.press("-")
    assert map_width(page) == pytest.approx(readable, abs=1)
    page.keyboard.press("+")
    assert page_width(page) <= screen
    assert serious_axe_violations(page) == []

    # Back to the buttons: all the way in, then out again with the other, never losing the keyboard's focus.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    for _ in range(3):  # one step more than there is: at its limit, the button does nothing
        page.keyboard.press("Space")
    assert zoom_in.get_attribute("aria-disabled") == "true"
    assert map_width(page) == pytest.approx(2 * readable, abs=1)
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zoom in"
    page.keyboard.press("Tab")
    for _ in range(4):
        page.keyboard.press("Enter")
    assert zoom_out.get_attribute("aria-disabled") == "true"
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zoom out"
    assert page.get_by_role("status").text_content() == "The whole map. Zoom in to read it."
    assert map_width(page) <= screen and page_width(page) <= screen


def test_without_script_the_whole_map_and_its_table_show(open_map):
    page, _ = open_map(owner_of_thirty_with_long_names, java_script_enabled=False)
    screen = page.viewport_size["width"]
    assert page_width(page) <= screen and map_width(page) <= screen
    assert page.get_by_role("button", name="Zoom in").count() == 0  # hidden: they need the script
    assert page.get_by_role("table", name="People in your network, by closeness").is_visible()
