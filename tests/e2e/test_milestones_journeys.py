"""Progress in real Chromium: a check-in from a phone, a setback recorded with the history still shown."""

import datetime as dt
import time

from milestones import services
from milestones.models import CheckIn, Setback
from tests.e2e.helpers import login


def test_a_minimal_check_in_from_a_phone_takes_seconds(phone_page, live_server, owner):
    login(phone_page, live_server, owner)
    started = time.monotonic()
    # On a phone the home's own button is the way in (the main navigation is folded behind "Menu").
    phone_page.get_by_role("link", name="Check in for today").click()
    phone_page.get_by_role("heading", name="Check in for").wait_for()
    phone_page.get_by_label("Yes").check()
    phone_page.get_by_label("4 · Good").check()
    phone_page.get_by_role("button", name="Save check-in").first.click()
    phone_page.get_by_text("Checked in for today").wait_for()
    elapsed = time.monotonic() - started
    print(f"\nminimal phone check-in took {elapsed:.2f} s")
    assert elapsed < 30
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.local_date, checkin.sober, checkin.mood) == (owner.local_today(), "yes", 4)
    # Nothing on the page is wider than the phone: no sideways scrolling.
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The big answers are proper tap targets.
    box = phone_page.get_by_role("link", name="Edit today's check-in").bounding_box()
    assert box["height"] >= 44


def test_the_optional_answers_open_and_are_saved(phone_page, live_server, owner):
    login(phone_page, live_server, owner)
    phone_page.goto("/progress/checkin/")
    phone_page.get_by_label("I'd rather not say").check()
    phone_page.get_by_text("More (optional)").click()
    phone_page.get_by_label("7", exact=True).check()
    phone_page.get_by_label("Stress").check()
    phone_page.get_by_label("Other triggers, in your own words").fill("payday")
    phone_page.get_by_label("Exercise or a walk").check()
    phone_page.get_by_label("Something you're grateful for").fill("My sister called")
    phone_page.get_by_role("button", name="Save check-in").last.click()
    phone_page.get_by_role("heading", name="Your progress").wait_for()
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.sober, checkin.craving, checkin.triggers, checkin.helped) == (
        "unsaid",
        7,
        ["stress", "payday"],
        ["exercise"],
    )
    assert checkin.gratitude == "My sister called"


def test_a_setback_is_recorded_and_the_history_is_still_shown(page, live_server, owner):
    today = owner.local_today()
    journey = services.start_journey(owner, kind="alcohol", started_on=today - dt.timedelta(days=100))
    login(page, live_server, owner)
    page.goto(f"/progress/journeys/{journey.pk}/")
    assert page.locator(".clean-time__days").inner_text() == "100"
    page.get_by_role("link", name="Record a setback").click()
    page.get_by_role("heading", name="Record a setback").wait_for()
    page.get_by_label("When did it happen?").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("What happened (optional)").fill("An argument, then the bar on the way home.")
    page.get_by_label("What did you learn? (optional)").fill("Call someone before I leave the house angry.")
    page.get_by_label("Start a new count from a new date").check()
    page.get_by_role("button", name="Save").click()

    page.get_by_text("every earlier day is still yours").wait_for()
    assert page.locator(".clean-time__days").inner_text() == "0"
    history = page.locator("#history")
    assert "99" in history.locator("table").inner_text()  # the earlier 99-day streak stays
    assert "An argument, then the bar on the way home." in history.inner_text()
    assert "Call someone before I leave the house angry." in history.inner_text()
    assert "99 sober days in all" in history.inner_text()
    assert Setback.objects.get().restart_on == today


def test_a_keyboard_user_can_check_in_without_a_mouse(page, live_server, owner):
    login(page, live_server, owner)
    page.goto("/progress/checkin/")
    page.get_by_label("Yes").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # into the mood group
    page.keyboard.press("ArrowRight")  # 1 -> 2
    page.keyboard.press("ArrowRight")  # 2 -> 3
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Save check-in"
    page.keyboard.press("Enter")
    page.get_by_text("Checked in for today").wait_for()
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.sober, checkin.mood) == ("yes", 3)
