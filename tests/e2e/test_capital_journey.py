"""The monthly check-up in real Chromium: the owner answers the ten statements (one by keyboard, the rest by
tapping), is told plainly which one was missed without losing the others, and sees the total, the chart with its
47 line and the same numbers as a table; nothing wider than the screen, no serious axe-core finding."""

import datetime as dt

import pytest

from recovery_network.capital.models import ITEMS, CapitalCheck
from tests.capital.factories import CapitalCheckFactory
from tests.e2e.helpers import login
from tests.e2e.test_every_page import VIEWPORTS, _problems

ANSWERS = [
    "Agree",
    "Somewhat agree",
    "Somewhat agree",
    "Somewhat agree",
    "Agree",
    "Agree",
    "Somewhat agree",
    "Agree",
    "Somewhat agree",
    "Agree",
]  # fmt: skip  (45 in all)


def statement(page, number):
    return page.get_by_role("group", name=f"{number}. {ITEMS[number - 1][1]}")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_owner_answers_the_ten_statements_and_sees_the_trend(new_page, live_server, owner, device):
    today = owner.local_today()
    CapitalCheckFactory(owner=owner, taken_on=today - dt.timedelta(days=60), answers=[4] * 10)
    CapitalCheckFactory(owner=owner, taken_on=today - dt.timedelta(days=30), answers=[4] * 8 + [3, 3])
    page = new_page(bypass_csp=True, **VIEWPORTS[device])  # CSP is bypassed only so the test can add axe's script
    login(page, live_server, owner)

    page.goto("/progress/capital/")
    assert _problems(page) == []
    page.get_by_role("link", name="Answer the ten questions").click()
    statement(page, 1).wait_for()
    assert _problems(page) == []

    # Statement 1 by keyboard: into the group, then the arrow keys move the choice.
    statement(page, 1).get_by_label("Strongly disagree").focus()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    assert statement(page, 1).get_by_label("Agree", exact=True).is_checked()
    for number in range(2, 10):  # statement 10 left out
        statement(page, number).get_by_label(ANSWERS[number - 1], exact=True).check()
    page.get_by_role("button", name="Save my answers").click()

    alert = page.get_by_role("alert")
    alert.get_by_text("Please choose an answer for statement 10").wait_for()
    assert not CapitalCheck.objects.filter(taken_on=today).exists()
    assert statement(page, 1).get_by_label("Agree", exact=True).is_checked()
    assert statement(page, 9).get_by_label("Somewhat agree", exact=True).is_checked()
    assert _problems(page) == []
    alert.get_by_role("link").click()  # the message takes them to the statement
    statement(page, 10).get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Save my answers").click()

    page.get_by_text("Today's total: 45 of 60").wait_for()
    main = page.locator("main")
    assert "45 of 60" in main.locator(".capital-now__total").inner_text()
    chart = page.get_by_role("img", name="BARC-10 total, 10 to 60")
    assert chart.is_visible()
    assert page.locator(".capital-line").count() == 1 and page.locator(".chart__point").count() == 3
    totals = page.get_by_role("table", name="Totals, newest first")
    assert totals.locator("tbody tr").first.locator("td").all_inner_texts() == ["45", "+7"]
    assert _problems(page) == []
    assert CapitalCheck.objects.get(owner=owner, taken_on=today).total == 45
