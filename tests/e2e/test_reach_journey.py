"""Reach out now in real browsers: the person asks Maya, Maya accepts from the email; at a hard moment the
person taps "I need support now" on their phone; Maya taps "I'm reaching out now" from her alert, and the
person's page shows it within seconds without being reloaded. Without JavaScript the page refreshes itself; from
the keyboard alone the home page's button is a few presses of Tab away.

Set REACH_SCREENSHOTS to a folder to keep a picture of every page at each state, at 390 and 1280 px.
"""

import os
from pathlib import Path

import pytest
import sms
from django.core import mail

from milestones.models import Journey
from recovery_network.reach import links, sending, services
from recovery_network.reach.models import Alert, AlertContact, AlertSend
from tests.e2e.helpers import last_link_in_mail, login
from tests.e2e.test_every_page import VIEWPORTS, _problems
from tests.factories import UserFactory
from tests.reach.factories import AlertContactFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER_LINK = r"https?://\S+/reach/answer/\S+"


def send_pending():
    """What a Celery worker does with the alert's messages (the live server has none beside it)."""
    for send_id in AlertSend.objects.filter(status=AlertSend.Status.PENDING).values_list("pk", flat=True):
        sending.send_alert_message(send_id)


def shoot(page, name):
    """A full-page picture of what the browser shows, when REACH_SCREENSHOTS names a folder."""
    folder = os.environ.get("REACH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(folder) / f"{name}-{page.viewport_size['width']}.png", full_page=True)


@pytest.fixture(autouse=True)
def _no_texts_yet():
    sms.outbox = []


@pytest.fixture
def person(db):
    """Olive, in recovery, with Maya (an email address and a landline on her card) in her inner circle."""
    user = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    today = user.local_today()
    Journey.objects.create(owner=user, kind="alcohol", first_started_on=today, started_on=today)
    SupporterFactory(owner=user, name="Maya", email="maya@example.net", phone="+1 555 010 0199", closeness=1)
    return user


@pytest.fixture
def maya_agreed(person):
    return AlertContactFactory(owner=person, supporter=person.supporters.get(), email="maya@example.net")


def test_asked_accepted_alerted_and_the_answer_shows_live(phone_page, new_page, live_server, settings, person):
    settings.SITE_URL = live_server.url  # the emailed links point at this test's server
    page = login(phone_page, live_server, person)

    # Asking Maya, from the list of who is alerted.
    page.goto("/reach/people/")
    page.get_by_role("heading", name="Who is alerted when you need support").wait_for()
    page.get_by_role("button", name="Ask Maya").click()
    assert "Maya has been asked by email" in page.locator(".messages").inner_text()
    assert "Asked, no answer yet" in page.locator(".reach-contacts").inner_text()
    assert mail.outbox[-1].subject == "You have a request on Recovery Network"  # nothing about why

    # Maya, with no account, opens the email on her phone and accepts: alerts by text to her mobile too.
    maya = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    maya.goto(last_link_in_mail("maya@example.net"))
    maya.get_by_role("heading", name="Olive would like to be able to reach you when they are struggling").wait_for()
    mobile = maya.get_by_label("Mobile number for texts (optional)")
    assert mobile.input_value() == "+1 555 010 0199"  # the number on Olive's card, hers to change
    mobile.fill("+1 555 010 0142")
    maya.get_by_label("Alert me at night too (10 PM to 7 AM where I am)").check()
    maya.get_by_role("button", name="Yes, I'll be there").click()
    maya.get_by_role("heading", name="Thank you for being there").wait_for()
    contact = AlertContact.objects.get()
    assert (contact.status, contact.phone, contact.night_alerts) == ("accepted", "+1 555 010 0142", True)

    # A hard moment: one tap from home.
    page.goto("/")
    page.get_by_role("button", name="I need support now").click()
    page.get_by_role("heading", name="Your call for support").wait_for()
    live = page.locator("#alert-live")
    assert "Waiting for an answer" in live.inner_text()
    page.get_by_role("link", name="Refresh now").wait_for(state="hidden")  # with JavaScript the page keeps itself
    page.evaluate("window.notReloaded = true")  # gone if anything reloads the page from here on
    send_pending()
    assert AlertSend.objects.filter(status="sent").count() == 2  # an email and a text
    assert mail.outbox[-1].subject == "Olive would like to hear from you"
    (text,) = sms.outbox
    assert text.recipients == ["+1 555 010 0142"] and "Olive would like to hear from you now" in text.body

    # Maya opens her alert email and answers with one tap.
    maya.goto(last_link_in_mail("maya@example.net", ANSWER_LINK))
    maya.get_by_role("heading", name="Olive would like to hear from you now").wait_for()
    maya.get_by_role("button", name="I'm reaching out now").click()
    maya.get_by_role("heading", name="Olive can see you are coming").wait_for()

    # Olive's page shows it by itself (polled every 5 s), with Maya one tap away; it was never reloaded.
    page.get_by_role("heading", name="Maya is reaching out to you now").wait_for(timeout=10_000)
    assert page.evaluate("window.notReloaded === true")
    assert page.get_by_role("link", name="Call Maya").get_attribute("href") == "tel:+15550100199"
    assert Alert.objects.get().status == Alert.Status.ANSWERED


def test_without_javascript_the_page_refreshes_and_shows_the_answer(new_page, live_server, person, maya_agreed):
    page = new_page(java_script_enabled=False, viewport={"width": 390, "height": 844})
    login(page, live_server, person)
    page.get_by_role("button", name="I need support now").click()
    page.get_by_role("heading", name="Your call for support").wait_for()
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    assert "Waiting for an answer" in page.locator("#alert-live").inner_text()
    refresh = page.get_by_role("link", name="Refresh now")
    assert refresh.is_visible()

    # Maya answers from her alert in a browser without JavaScript either: it is a plain form.
    maya = new_page(java_script_enabled=False, viewport={"width": 390, "height": 844})
    maya.goto(links.answer_path(Alert.objects.get(), maya_agreed))
    maya.get_by_role("button", name="I'm reaching out now").click()
    maya.get_by_role("heading", name="Olive can see you are coming").wait_for()

    refresh.click()
    page.get_by_role("heading", name="Maya is reaching out to you now").wait_for()
    assert page.get_by_role("link", name="Refresh now").is_visible()  # more people may still come


def test_the_page_changes_only_with_news(page, live_server, person, maya_agreed):
    """A poll that brings nothing new leaves the live region alone, so a screen reader hears news rather than the
    same words every 5 s; one answered by the sign-in page (signed out in another tab) changes nothing either."""
    login(page, live_server, person)
    page.get_by_role("button", name="I need support now").click()
    page.get_by_role("heading", name="Your call for support").wait_for()
    page.evaluate("""() => {
        window.changes = 0;
        new MutationObserver(() => window.changes++).observe(document.getElementById("alert-live"),
                                                             {childList: true, subtree: true, characterData: true});
    }""")
    with page.expect_response(lambda response: response.url.endswith("/live/")):
        pass
    page.wait_for_timeout(300)
    assert page.evaluate("window.changes") == 0

    page.context.clear_cookies()
    with page.expect_response(lambda response: "/accounts/login/" in response.url):
        pass
    page.wait_for_timeout(300)
    assert page.evaluate("window.changes") == 0
    assert "Waiting for an answer" in page.locator("#alert-live").inner_text()


def test_the_button_is_reached_and_pressed_with_the_keyboard(page, live_server, person, maya_agreed):
    login(page, live_server, person)
    button = page.get_by_role("button", name="I need support now")
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the button")
    outline = button.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused button shows no focus ring"
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your call for support").wait_for()
    assert Alert.objects.count() == 1


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_each_step_fits_the_screen_and_passes_axe(browser, live_server, person, maya_agreed, device):
    """Every page of the journey at each of its states, as the person and as Maya (no account) see it."""
    sam = SupporterFactory(owner=person, name="Sam", email="sam@example.net", closeness=2)
    SupporterFactory(owner=person, name="Lee", phone="+1 555 010 0123", closeness=2)
    SupporterFactory(owner=person, name="Ira", closeness=3)  # no way to reach them yet
    asked = services.ask(person, sam)
    # Two browsers: Olive's, signed in, and Maya's, with no account. CSP is bypassed only to add axe's script.
    contexts = [browser.new_context(base_url=live_server.url, bypass_csp=True, **VIEWPORTS[device]) for _ in "om"]
    owner, maya = (context.new_page() for context in contexts)
    login(owner, live_server, person)
    report = []

    def look(page, name):
        shoot(page, name)
        report.extend(f"{name}: {problem}" for problem in _problems(page))

    look(owner, "home")
    for path, name in (("/reach/", "now"), ("/reach/people/", "people")):
        owner.goto(path)
        look(owner, name)
    maya.goto(links.request_path(asked))
    look(maya, "request")

    owner.goto("/reach/")
    owner.get_by_label("A few words (optional)").fill("A hard evening. Could someone call?")
    owner.get_by_role("button", name="Send now").click()
    owner.get_by_role("heading", name="Your call for support").wait_for()
    look(owner, "alert-waiting")
    alert = Alert.objects.get()
    maya.goto(links.answer_path(alert, maya_agreed))
    look(maya, "answer")
    maya.get_by_role("button", name="I'm reaching out now").click()
    maya.get_by_role("heading", name="Olive can see you are coming").wait_for()
    look(maya, "answer-done")
    owner.reload()
    owner.get_by_role("heading", name="Maya is reaching out to you now").wait_for()
    look(owner, "alert-answered")
    owner.goto("/reach/history/")
    look(owner, "history")
    maya.goto(links.stop_path(maya_agreed))
    look(maya, "stop")
    for context in contexts:
        context.close()
    assert report == [], "\n".join(report)
