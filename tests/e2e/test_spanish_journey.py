"""En español, in real Chromium on a phone: a newcomer opens the sign-up page, switches it to Spanish, signs up,
confirms the Spanish email, walks the first run in Spanish and checks in; every screen is Spanish
(`<html lang="es">`), fits 390 px and passes axe. The words the test looks for come from the catalogue itself
(`t`), so a revised translation never breaks it and a missing one does."""

import re

import pytest
from django.core import mail
from django.utils import translation

from milestones.models import CheckIn, Journey
from recovery_network.models import User
from supports.models import Meeting
from tests.e2e.helpers import last_link_in_mail
from tests.e2e.test_welcome_journey import PHONE, problems

pytestmark = pytest.mark.django_db(transaction=True)


def t(text, context=None):
    with translation.override("es"):
        return str(translation.pgettext(context, text) if context else translation.gettext(text))


def spanish(page):
    assert page.evaluate("document.documentElement.lang") == "es", page.url
    return problems(page)


def test_a_newcomer_signs_up_and_checks_in_in_spanish(browser, live_server):
    Meeting.objects.create(slug="serenidad", name="Serenidad Martes", weekdays=",2,", location="Biblioteca")
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    seen = []

    page.goto("/accounts/signup/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("button", name="Español").click()
    page.wait_for_function("document.documentElement.lang === 'es'")
    seen += spanish(page)
    page.get_by_label(t("Email")).first.fill("lucia@example.org")
    page.get_by_label(t("What should we call you?")).fill("Lucía")
    page.get_by_label(f"{t('Password')}:", exact=True).fill("quiet-harbor-morning-42")
    page.get_by_label(t("Password (again)")).fill("quiet-harbor-morning-42")
    page.locator("form.signup button[type=submit], form[action$='/signup/'] button[type=submit]").first.click()
    page.wait_for_url("**/accounts/confirm-email/")
    seen += spanish(page)
    assert User.objects.get(email="lucia@example.org").language == "es"
    assert len(mail.outbox) == 1 and "Hello" not in mail.outbox[0].body
    page.goto(last_link_in_mail("lucia@example.org", r"https?://\S+/accounts/confirm-email/\S+"))
    seen += spanish(page)
    page.get_by_role("button", name=re.compile(f"^{re.escape(t('Confirm'))}$", re.I)).click()

    page.get_by_role("heading", name=t("Let's build your support network")).wait_for()
    seen += spanish(page)
    page.get_by_role("link", name=t("Start")).click()
    page.get_by_label(t("Alcohol")).first.check()
    page.get_by_label(t("Since when?")).fill("2026-11-01")
    seen += spanish(page)
    page.get_by_role("button", name=t("Save and continue")).click()
    page.wait_for_url("**/welcome/people/")
    seen += spanish(page)
    page.get_by_role("button", name=t("Finish later")).click()
    page.wait_for_url(f"{live_server.url}/")
    seen += spanish(page)
    assert Journey.objects.filter(owner__email="lucia@example.org").exists()

    page.goto("/progress/checkin/")
    seen += spanish(page)
    page.locator("input[name=sober]").first.check()
    page.locator("input[name=mood][value='4']").check()
    with page.expect_navigation():  # the page it lands on may be /progress/checkin/ itself: wait for the answer
        page.get_by_role("button", name=t("Save check-in")).click()
    page.wait_for_load_state()
    seen += spanish(page)
    checkin = CheckIn.objects.get(owner__email="lucia@example.org")
    assert (checkin.sober, checkin.mood) == ("yes", 4)
    assert seen == []
    context.close()
