"""The owner builds their network in a real browser: add a supporter, log a contact,
join a group, and watch the map and the gaps change."""

import datetime as dt

import pytest

from supports.models import Contact, PeerGroup, Supporter
from supports.support_map import CELL_LIMIT
from tests.e2e.helpers import login
from tests.factories import UserFactory
from tests.supports.factories import MeetingFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_adds_a_supporter_logs_a_contact_joins_a_group_and_sees_map_and_gaps_change(page, live_server):
    owner = UserFactory(email="journey@example.org", display_name="Jo", time_zone="America/Chicago")
    MeetingFactory(name="Sunrise Serenity", weekdays=",0,3,", start_time=dt.time(7), time_zone="America/Chicago")
    login(page, live_server, owner)

    # Before: the map is empty and the gaps say so.
    page.get_by_role("link", name="Network", exact=True).click()
    page.get_by_role("heading", name="Your network", exact=True).wait_for()
    page.get_by_role("link", name="Gaps").click()
    page.get_by_role("heading", name="Your network is empty so far").wait_for()
    assert page.get_by_role("heading", name="No peer group").is_visible()
    assert page.get_by_role("heading", name="No one gives you crisis support (someone to call at 3 a.m.)").is_visible()

    # Add a supporter who is there for crisis support.
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Add a supporter").first.click()
    page.get_by_label("Name").fill("Marisol")
    page.get_by_label("Relationship").select_option("sponsor")
    page.get_by_label("Inner circle").check()
    page.get_by_label("Crisis support").check()
    page.get_by_label("Emotional support").check()
    page.get_by_label("How often you'd like to be in touch").select_option("7")
    page.get_by_role("button", name="Add to my network").click()
    page.get_by_text("Marisol is in your network.").wait_for()
    supporter = Supporter.objects.get(owner=owner)
    assert supporter.gives_crisis and supporter.closeness == 1

    # Log a contact in a few taps: the time is already now.
    page.get_by_label("Phone call").check()
    page.get_by_label("Very helpful").check()
    page.get_by_role("button", name="Log contact").click()
    page.get_by_text("Logged your contact with Marisol.").wait_for()
    assert Contact.objects.get().supporter == supporter
    assert page.locator(".contact-log").get_by_text("Phone call · Very helpful").is_visible()

    # Join a meeting from the imported list.
    page.get_by_role("link", name="Find a meeting").click()
    page.get_by_label("Day").select_option("3")
    page.get_by_role("button", name="Search").click()
    page.locator(".meeting-card", has_text="Sunrise Serenity").get_by_role("button", name="Join as a group").click()
    page.get_by_text("You joined Sunrise Serenity.").wait_for()
    group = PeerGroup.objects.get(owner=owner)
    assert group.meeting_times.count() == 2
    page.get_by_role("button", name="I went").click()
    page.get_by_text("Well done for going.").wait_for()

    # The map now shows Marisol in the personal sector and the group in its own.
    page.get_by_role("link", name="Map").click()
    svg = page.locator("svg.support-map__svg")
    assert "Marisol" in svg.text_content()
    assert "Personal (1)" in svg.text_content() and "Peer groups (1)" in svg.text_content()
    assert page.get_by_role("row", name="Marisol").count() == 1

    # And the gaps have changed: crisis support and a peer group are covered.
    page.get_by_role("link", name="Gaps").click()
    page.get_by_role("heading", name="Where your network is thin").wait_for()
    assert page.get_by_role("heading", name="No peer group").count() == 0
    assert page.get_by_role("heading", name="No one gives you crisis support (someone to call at 3 a.m.)").count() == 0
    assert page.get_by_role("heading", name="No professional in your network").is_visible()


def test_map_fits_a_phone_and_its_table_is_reachable_by_keyboard(phone_page, live_server):
    owner = UserFactory(email="phone@example.org")
    Supporter.objects.bulk_create(
        Supporter(owner=owner, name=f"Person {n}", closeness=1 + n % 3, gives_emotional=True) for n in range(40)
    )
    login(phone_page, live_server, owner)
    phone_page.goto("/network/map/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"]
    box = phone_page.locator("svg.support-map__svg").bounding_box()
    assert box["width"] <= phone_page.viewport_size["width"]
    # Each person is drawn at its place, ringed by its support-kind marks (a pattern each node uses); a ring
    # holding more than the map draws ends in a "+N" node.
    people = phone_page.locator(".map-node:has(use)")
    assert people.count() == 3 * (CELL_LIMIT - 1)
    assert phone_page.locator(".map-node .map-node__shape--more").count() == 3
    for index in (0, people.count() - 1):
        node = people.nth(index)
        shape, marks = node.locator(".map-node__shape").bounding_box(), node.locator("use").bounding_box()
        assert box["x"] <= shape["x"] and shape["x"] + shape["width"] <= box["x"] + box["width"]
        assert marks["width"] > shape["width"] and marks["height"] > shape["height"]
        assert abs((marks["x"] + marks["width"] / 2) - (shape["x"] + shape["width"] / 2)) < 1
        assert abs((marks["y"] + marks["height"] / 2) - (shape["y"] + shape["height"] / 2)) < 1
    link = phone_page.get_by_role("link", name="Person 0", exact=True)
    link.focus()
    assert phone_page.evaluate("document.activeElement.textContent") == "Person 0"


def test_map_prints_on_paper(page, live_server):
    owner = UserFactory(email="print@example.org")
    Supporter.objects.create(owner=owner, name="Sam", gives_crisis=True)
    login(page, live_server, owner)
    page.goto("/network/map/")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("svg.support-map__svg").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_every_network_page_fits_a_phone_without_sideways_scrolling(phone_page, live_server):
    from tests.supports.factories import AttendanceFactory, CommunityActivityFactory, MeetingTimeFactory

    owner = UserFactory(email="narrow@example.org")
    supporter = Supporter.objects.create(
        owner=owner, name="Alexandria Montgomery-Whitfield", gives_crisis=True, gives_emotional=True, notes="x" * 300
    )
    Contact.objects.create(owner=owner, supporter=supporter, note="A long note " * 20)
    group = PeerGroup.objects.create(owner=owner, name="Tuesday Night Big Book Step Study", fellowship="aa")
    MeetingTimeFactory(group=group)
    AttendanceFactory(group=group)
    CommunityActivityFactory(owner=owner)
    MeetingFactory(name="Sunrise Serenity")
    login(phone_page, live_server, owner)
    pages = [
        "/network/",
        f"/network/supporters/{supporter.pk}/",
        "/network/supporters/new/",
        "/network/groups/",
        f"/network/groups/{group.pk}/",
        f"/network/groups/{group.pk}/edit/",
        "/network/meetings/",
        "/network/meetings/import/",
        "/network/community/",
        "/network/gaps/",
        "/network/map/",
        "/network/contacts/new/",
    ]
    for path in pages:
        phone_page.goto(path)
        width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert width <= phone_page.viewport_size["width"], f"{path} scrolls sideways ({width}px)"
