"""Progress people can see, in real Chromium: the journey's chips and streak calendar and a milestone's celebration
fit a phone and pass axe-core in both schemes; the owner tells their circle, and the news arrives once."""

import datetime as dt
import re
from pathlib import Path

import pytest

from milestones import services
from milestones.models import CheckIn
from recovery_network.care.notification_kinds import CircleNews
from recovery_network.notifications.dispatch import set_channels
from recovery_network.notifications.models import Notification
from tests.e2e.helpers import login

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone, dark": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "color_scheme": "dark"},
}


@pytest.fixture
def journey(owner, family):
    """Olive's count reaches 30 days today; her twelve weeks hold every kind of day. Fran hears of milestones."""
    today = owner.local_today()
    journey = services.start_journey(owner, kind="alcohol", started_on=today - dt.timedelta(days=30))
    journey.first_started_on = today - dt.timedelta(days=50)
    journey.save(update_fields=["first_started_on"])
    answers = ["yes", "yes", "no", "unsaid", "yes"]
    CheckIn.objects.bulk_create(
        [
            CheckIn(owner=owner, local_date=today - dt.timedelta(days=n), sober=answers[n % 5])
            for n in range(1, 45)
            if n % 6
        ]
    )
    set_channels(family, CircleNews.key, by_email=False, in_app=True)
    return journey


def problems(page):
    """A horizontal scroll, and axe-core's serious and critical violations, on the open page."""
    found = []
    wide, screen = page.evaluate("document.documentElement.scrollWidth"), page.viewport_size["width"]
    if wide > screen:
        found.append(f"{wide} px wide on a {screen} px screen")
    page.add_script_tag(content=AXE)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    found += [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
    return found


@pytest.mark.parametrize("device", VIEWPORTS)
def test_the_journey_and_its_celebration_fit_the_screen_and_pass_axe(new_page, live_server, owner, journey, device):
    page = new_page(bypass_csp=True, reduced_motion="reduce", **VIEWPORTS[device])
    login(page, live_server, owner)
    report = []
    for path in (f"/progress/journeys/{journey.pk}/", f"/progress/journeys/{journey.pk}/celebrate/d30/", "/progress/"):
        page.goto(path)
        report += [f"{path}: {problem}" for problem in problems(page)]
    assert report == []


def test_the_calendar_names_each_day_and_the_chips_say_their_words_once(page, live_server, owner, journey):
    login(page, live_server, owner)
    page.goto(f"/progress/journeys/{journey.pk}/")
    calendar = page.get_by_role("table", name="Check-ins by day")
    today = owner.local_today()
    assert calendar.get_by_role("cell", name=f"Today, {today:%a} {today.day} {today:%b}: not checked in yet").count()
    used = today - dt.timedelta(days=2)  # answers[2]: "no"
    assert calendar.get_by_role("cell", name=f"{used:%a} {used.day} {used:%b}: checked in, use recorded").count()
    assert "Checked in on" in page.locator(".streak-summary").inner_text()
    today_label = f"{today.day} {today:%b %Y}"
    chip = page.get_by_role("link", name=f"30 days {today_label}", exact=True)
    assert chip.locator("svg").get_attribute("aria-hidden") == "true"
    # The coin's short label is drawn, not read: no link's name holds it.
    assert page.get_by_role("link", name=re.compile(r"\b(30d|24h|1w|60d)\b")).count() == 0


def test_the_celebration_moves_only_for_people_who_did_not_ask_for_less(new_page, live_server, owner, journey):
    url = f"/progress/journeys/{journey.pk}/celebrate/d30/"
    animation = "() => getComputedStyle(document.querySelector('.chip-art--large')).animationName"
    moving = new_page(reduced_motion="no-preference")
    login(moving, live_server, owner)
    moving.goto(url)
    assert moving.evaluate(animation) == "chip-arrive"
    still = new_page(reduced_motion="reduce")
    login(still, live_server, owner)
    still.goto(url)
    assert still.evaluate(animation) == "none"


def test_the_owner_tells_their_circle_from_a_phone_and_the_news_arrives_once(
    phone_page, new_page, live_server, owner, family, journey
):
    login(phone_page, live_server, owner)
    phone_page.goto(f"/progress/journeys/{journey.pk}/celebrate/d30/")
    phone_page.get_by_role("heading", name="30 days").wait_for()
    circle = phone_page.locator("#circle")
    assert "Fran will get a note from you" in circle.inner_text()
    circle.get_by_role("button", name="Tell my circle").click()
    phone_page.get_by_text("Told Fran. A note from you is waiting for them.").wait_for()
    assert "You told:" in phone_page.locator("#circle").inner_text()
    assert phone_page.get_by_role("button", name="Tell my circle").count() == 0
    assert Notification.objects.filter(recipient=family).count() == 1

    fran = new_page()
    login(fran, live_server, family)
    fran.goto("/notifications/")
    fran.get_by_role("link", name="Olive has news to share").click()
    fran.wait_for_url(f"**/care/people/{owner.pk}/")
