"""Filling in a missed day on a phone: from the journey's calendar to a saved check-in marked as filled in later."""

import datetime as dt

from milestones.models import CheckIn
from tests.e2e.helpers import login
from tests.milestones.factories import CheckInFactory, JourneyFactory


def test_owner_fills_in_yesterday_from_the_calendar_on_a_phone(phone_page, live_server, owner):
    today = owner.local_today()
    yesterday = today - dt.timedelta(days=1)
    journey = JourneyFactory(owner=owner, started_on=today - dt.timedelta(days=20), own_words="Sober from drinking")
    CheckInFactory(owner=owner, local_date=today - dt.timedelta(days=2))
    login(phone_page, live_server, owner)

    phone_page.goto(f"/progress/journeys/{journey.pk}/")
    calendar = phone_page.locator("#calendar")
    fill_in = calendar.get_by_role("link", name=f"Fill in {yesterday:%A} {yesterday.day} {yesterday:%B}")
    fill_in.scroll_into_view_if_needed()
    box = fill_in.bounding_box()
    assert box["height"] >= 44  # a thumb's target
    fill_in.click()

    heading = phone_page.get_by_role("heading", level=1)
    assert " ".join(heading.inner_text().split()) == (
        f"Check in for {yesterday:%A} {yesterday.day} {yesterday:%B} (filled in later)"
    )
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_page.get_by_label("Yes").check()
    phone_page.get_by_role("button", name="Save check-in").first.click()
    phone_page.get_by_text("saved (filled in later)").wait_for()

    checkin = CheckIn.objects.get(owner=owner, local_date=yesterday)
    assert checkin.entered_late and checkin.sober == "yes"
    phone_page.goto(f"/progress/journeys/{journey.pk}/")
    assert phone_page.locator("#calendar").get_by_role("link", name=f"Fill in {yesterday:%A}").count() == 0
    square = phone_page.locator("#calendar .streak-day--sober", has_text=str(yesterday.day)).last
    assert square.is_visible()
