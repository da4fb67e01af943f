"""Money and time back in real Chromium: the owner adds what the habit cost to a journey, and the home's counter
shows what the count has given back, on a phone and on a desktop, with nothing wider than the screen and no
serious axe-core finding."""

import datetime as dt

import pytest

from milestones import services
from milestones.models import Journey
from tests.e2e.helpers import login
from tests.e2e.test_every_page import VIEWPORTS, _problems


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_owner_enters_a_cost_and_sees_what_they_got_back_on_the_home(new_page, live_server, owner, device):
    today = owner.local_today()
    journey = services.start_journey(owner, kind="alcohol", started_on=today - dt.timedelta(days=100))
    # CSP is bypassed only so the test can add axe's script.
    page = new_page(bypass_csp=True, **VIEWPORTS[device])
    login(page, live_server, owner)
    assert "got back" not in page.locator("main").inner_text()

    page.goto(f"/progress/journeys/{journey.pk}/edit/")
    page.get_by_role("group", name="What it cost you").wait_for()
    assert _problems(page) == []
    page.get_by_label("Money a day (optional)").fill("lots")
    page.get_by_label("Hours a day (optional)").fill("3")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Enter the money as a number, for example 12.50.").wait_for()
    # Nothing typed is lost: the hours are still there to save with the corrected amount.
    assert page.get_by_label("Hours a day (optional)").input_value() == "3"
    page.get_by_label("Money a day (optional)").fill("18")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your journey is updated.").wait_for()
    assert "$1,800" in page.locator(".saved").inner_text()

    page.goto("/")
    saved = page.locator(".progress-home .saved")
    assert saved.inner_text() == (
        f"What you've got back since {journey.started_on:%-d %B %Y}: $1,800 and 300 hours — about 13 days."
    )
    assert saved.is_visible()
    assert _problems(page) == []
    journey = Journey.objects.get(pk=journey.pk)
    assert (str(journey.cost_per_day), journey.cost_currency, str(journey.hours_per_day)) == ("18.00", "USD", "3.0")
