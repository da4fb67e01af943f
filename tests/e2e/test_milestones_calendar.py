"""The calendar feed in Chromium: turn it on, copy the address, replace it."""

from milestones.models import CalendarFeed
from tests.e2e.helpers import login


def test_owner_turns_on_the_feed_and_makes_a_new_address(page, live_server, owner):
    login(page, live_server, owner)
    page.goto("/progress/calendar/")
    page.get_by_role("button", name="Turn on my calendar feed").click()
    address = page.get_by_label("Calendar address")
    first = address.input_value()
    assert first.startswith(live_server.url) and first.endswith(".ics")
    assert page.get_by_role("button", name="Copy address").is_visible()  # the script found the clipboard

    page.once("dialog", lambda dialog: dialog.accept())  # "Make a new address? The old one will stop working."
    page.get_by_role("button", name="Make a new address").click()
    page.get_by_text("The old one no longer works").wait_for()
    second = page.get_by_label("Calendar address").input_value()
    assert second != first
    assert page.request.get(first).status == 404
    feed = page.request.get(second)
    assert feed.status == 200
    assert feed.text().startswith("BEGIN:VCALENDAR")
    assert CalendarFeed.objects.get(owner=owner).token in second
