"""The owner walks a whole network review on a phone, with the keyboard where a keyboard will do: begins it, answers
for each person and the group, writes a note on community and gaps, finishes, and lands on what changed. Every step
fits 390 px and passes axe there and at 1280 px."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from recovery_network.review.models import NetworkReview
from supports.models import Closeness, PeerGroup, Supporter
from tests.factories import sign_in
from tests.supports.factories import PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def problems(page):
    """What is wrong with this page at 390 px and at 1280 px: too wide, or axe's serious and critical findings."""
    found = []
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            found.append(f"{page.url}: {wide} px wide at {width}")
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(content=AXE)
        found += [
            f"{page.url} at {width}: axe {violation['id']} {[node['target'] for node in violation['nodes'][:3]]}"
            for violation in page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            )
            if violation["impact"] in ("serious", "critical")
        ]
    page.set_viewport_size({"width": 390, "height": 844})
    return found


def choose(page, label):
    """Pick a radio button or tick a box from the keyboard: focus it, then Space."""
    page.get_by_label(label, exact=isinstance(label, str)).focus()
    page.keyboard.press("Space")


def test_the_owner_reviews_their_network_on_a_phone(browser, live_server, owner):
    marisol = SupporterFactory(owner=owner, name="Marisol", closeness=Closeness.CLOSE, contact_every_days=7)
    jon = SupporterFactory(owner=owner, name="Jon", closeness=Closeness.WIDER)
    group = PeerGroupFactory(owner=owner, name="Tuesday Serenity")
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **PHONE)
    context.set_default_timeout(10_000)
    cookie = sign_in(Client(), owner).cookies
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page = context.new_page()
    seen = []

    # From the network page to the review's start.
    page.goto("/network/")
    page.get_by_role("link", name="Review your network").click()
    page.get_by_role("heading", name="Review your network").wait_for()
    seen += problems(page)
    page.get_by_role("button", name="Begin a review").focus()
    page.keyboard.press("Enter")

    # 1. People, one at a time: Marisol moves into the inner circle.
    page.get_by_role("heading", name="Marisol").wait_for()
    assert page.get_by_text("Step 1 of 5").count() and page.get_by_text("Person 1 of 2").is_visible()
    assert page.get_by_text("You wished to be in touch every week.").is_visible()
    seen += problems(page)
    choose(page, "Yes")
    choose(page, "Inner circle")
    page.keyboard.press("Enter")
    # Jon: not any more, and a step back for now.
    page.get_by_role("heading", name="Jon").wait_for()
    seen += problems(page)
    choose(page, "Not any more")
    page.get_by_label("How do they affect your recovery now?").select_option("neutral")
    choose(page, re.compile("^Step back from them for now"))
    page.get_by_role("button", name="Save and continue").focus()
    page.keyboard.press("Enter")

    # 2. The group.
    page.get_by_role("heading", name="Tuesday Serenity").wait_for()
    assert page.get_by_text("Step 2 of 5").count()
    seen += problems(page)
    choose(page, "Yes, still going")
    page.keyboard.press("Enter")

    # 3. Community, 4. gaps: a note each.
    page.get_by_role("heading", name="Community").wait_for()
    seen += problems(page)
    page.get_by_label(re.compile("community you'd like to remember")).fill("Try the food bank")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("heading", name="Where your network is thin").wait_for()
    seen += problems(page)
    page.get_by_label(re.compile("before the next review")).fill("Ask Marisol about Sundays")
    page.get_by_role("button", name="Save and continue").click()

    # 5. Finish: the summary, then what changed.
    page.get_by_role("heading", name="Finish your review").wait_for()
    assert page.get_by_text("You stepped back from Jon.").is_visible()
    seen += problems(page)
    page.get_by_role("button", name="Finish the review").focus()
    page.keyboard.press("Enter")
    review = NetworkReview.objects.get(owner=owner)
    page.wait_for_url(f"**/network/review/{review.pk}/changes/")
    context.close()

    assert seen == []
    review.refresh_from_db()
    assert review.is_finished and review.snapshot is not None and review.gaps_note == "Ask Marisol about Sundays"
    marisol.refresh_from_db()
    jon.refresh_from_db()
    assert marisol.closeness == Closeness.INNER and jon.is_archived and jon.influence == "neutral"
    assert Supporter.objects.filter(owner=owner).count() == 2 and not PeerGroup.objects.get(pk=group.pk).is_archived
