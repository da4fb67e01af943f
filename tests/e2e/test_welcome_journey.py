"""A newcomer on a phone signs up, confirms their email and is taken through the first run: a journey, two people
for a bad night, a meeting from the shared directory; they skip the check-in time, finish, and land home with it
all in place. Every screen fits 390 px and passes axe, in the light and the dark scheme."""

import re
from pathlib import Path

import pytest
from django.core import mail

from milestones.models import Journey
from recovery_network.models import User
from recovery_network.welcome.models import FirstRun
from supports.models import Meeting, PeerGroup, Supporter
from tests.e2e.helpers import last_link_in_mail

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def problems(page):
    found = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > 390:
        found.append(f"{page.url}: {wide} px wide")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    for violation in page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"):
        if violation["impact"] in ("serious", "critical"):
            found.append(f"{page.url}: axe {violation['id']} {[n['target'] for n in violation['nodes'][:3]]}")
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_newcomer_builds_their_network_on_a_phone(browser, live_server, scheme):
    Meeting.objects.create(slug="serenity", name="Serenity Tuesday", weekdays=",2,", location="Library")
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, color_scheme=scheme, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    seen = []

    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("What should we call you?").fill("Nia")
    page.get_by_label("Password:", exact=True).fill("quiet-harbor-morning-42")
    page.get_by_label("Password (again)").fill("quiet-harbor-morning-42")
    page.get_by_role("button", name=re.compile(r"^(sign up|create an account)$", re.I)).click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert len(mail.outbox) == 1
    page.goto(last_link_in_mail("nia@example.org", r"https?://\S+/accounts/confirm-email/\S+"))
    page.get_by_role("button", name=re.compile("^confirm$", re.I)).click()

    # Straight into the first run.
    page.get_by_role("heading", name="Let's build your support network").wait_for()
    seen += problems(page)
    page.get_by_role("link", name="Start").click()

    # 1. What they're recovering from, and since when: the keyboard works the choices.
    page.get_by_role("progressbar", name="Step 1 of 5").wait_for()
    seen += problems(page)
    page.get_by_label("Alcohol").check()
    page.get_by_label("Since when?").fill("2026-11-01")
    page.get_by_role("button", name="Save and continue").click()

    # 2. People for a bad night: a mistake is named, then fixed; the third row stays empty.
    page.get_by_role("progressbar", name="Step 2 of 5").wait_for()
    seen += problems(page)
    first, second = page.get_by_role("group", name="Person 1"), page.get_by_role("group", name="Person 2")
    first.get_by_label("Name").fill("Marisol")
    second.get_by_label("Name").fill("Dev")
    second.get_by_label("Phone number").fill("555 0102")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Add a phone number for Marisol").wait_for()
    seen += problems(page)
    page.get_by_role("group", name="Person 1").get_by_label("Phone number").fill("555 0101")
    page.get_by_role("button", name="Save and continue").click()

    # 3. A meeting from the shared directory.
    page.get_by_role("progressbar", name="Step 3 of 5").wait_for()
    page.get_by_label("Name, place or area").fill("serenity")
    page.get_by_role("button", name="Search").click()
    seen += problems(page)
    page.get_by_role("button", name=re.compile(r"^Join\W+Serenity Tuesday$")).click()

    # 4. The check-in time: skipped.
    page.get_by_role("progressbar", name="Step 4 of 5").wait_for()
    seen += problems(page)
    page.get_by_role("button", name="Skip this step").click()

    # 5. Who sees what, then home.
    page.get_by_role("progressbar", name="Step 5 of 5").wait_for()
    seen += problems(page)
    page.get_by_role("button", name="All done").click()
    page.get_by_role("heading", name="Hello, Nia").wait_for()
    assert page.url == f"{live_server.url}/"
    assert page.get_by_text("You're set up").is_visible()
    assert page.get_by_text("Continue setting up").count() == 0
    seen += problems(page)
    context.close()

    user = User.objects.get(email="nia@example.org")
    assert Journey.objects.get(owner=user).kind == "alcohol"
    assert sorted(Supporter.objects.filter(owner=user, gives_crisis=True).values_list("name", flat=True)) == [
        "Dev",
        "Marisol",
    ]
    assert list(PeerGroup.objects.filter(owner=user).values_list("name", flat=True)) == ["Serenity Tuesday"]
    run = FirstRun.objects.get(owner=user)
    assert run.finished_at is not None and run.steps["checkin"] == "skipped" and run.done_count == 4
    assert seen == []
