"""What helped, on a phone, for someone with a large network: find a supporter by name, tick them, save."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from milestones.models import CheckIn
from supports.models import Closeness, Supporter
from tests.e2e.helpers import login

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def large_network(owner):
    Supporter.objects.bulk_create(
        [
            Supporter(owner=owner, name=f"Friend {n:02}", closeness=Closeness.INNER, last_contact_at=timezone.now())
            for n in range(40)
        ]
    )
    return Supporter.objects.create(owner=owner, name="Rowan Ellis", closeness=Closeness.WIDER)


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_supporter_found_by_name_on_a_phone_is_saved_as_having_helped(phone_page, live_server, owner):
    rowan = large_network(owner)
    page = phone_page
    login(page, live_server, owner)
    page.goto("/progress/checkin/")
    page.get_by_label("Yes").check()
    page.get_by_text("More (optional)").click()
    assert page.locator("#id_supporters input[type=checkbox]").count() == 12

    search = page.get_by_label("Find someone else in your network")
    search.fill("row")  # results come as they type, without leaving the page
    search.press("Enter")  # searches too, rather than saving the check-in half done
    page.get_by_label("Rowan Ellis").check()
    assert not CheckIn.objects.exists()
    status = page.locator(".choice-search [role=status]")  # what a screen reader hears
    expect(status).to_have_text("1 other supporter matches “row”.")
    search.fill("friend 0")  # another search: Rowan stays chosen, now among the checkboxes above
    expect(status).to_have_text("10 other supporters match “friend 0”.")
    assert page.locator("#id_supporters").get_by_label("Rowan Ellis").is_checked()
    assert fits_the_phone(page)

    page.get_by_role("button", name="Save check-in").last.click()
    page.get_by_text("Checked in for today").wait_for()
    checkin = CheckIn.objects.get(owner=owner)
    assert list(checkin.helped_supporters.all()) == [rowan]
    page.get_by_role("link", name=re.compile(r"^[A-Z][a-z]{2} \d")).first.click()  # today's, in the recent list
    assert "Rowan Ellis" in page.locator(".checkin-summary").inner_text()


def test_without_javascript_the_search_button_finds_and_keeps_everything(new_page, live_server, owner):
    rowan = large_network(owner)
    page = new_page(java_script_enabled=False, **PHONE)
    login(page, live_server, owner)
    page.goto("/progress/checkin/")
    page.get_by_label("I'd rather not say").check()
    page.get_by_text("More (optional)").click()
    page.get_by_label("Something you're grateful for").fill("The lake")
    page.get_by_label("Find someone else in your network").fill("rowan")
    page.get_by_role("button", name="Search supporters").click()
    page.get_by_label("Rowan Ellis").check()
    assert page.get_by_label("Something you're grateful for").input_value() == "The lake"
    assert page.get_by_label("I'd rather not say").is_checked()
    assert fits_the_phone(page)
    page.get_by_role("button", name="Save check-in").last.click()
    page.get_by_text("Checked in for today").wait_for()
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.sober, checkin.gratitude, list(checkin.helped_supporters.all())) == ("unsaid", "The lake", [rowan])
