"""Reach out now in real browsers: the person asks Maya, Maya accepts from the email; at a hard moment the
person taps "I need support now" on their phone; Maya taps "I'm reaching out now" from her alert, and the
person's page shows it within seconds without being reloaded. Without JavaScript the page refreshes itself."""

import pytest

from milestones.models import Journey
from recovery_network.reach import links, sending, services
from recovery_network.reach.models import Alert, AlertContact, AlertSend
from tests.e2e.helpers import last_link_in_mail, login
from tests.e2e.test_every_page import VIEWPORTS, _problems
from tests.factories import UserFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


def send_pending():
    """What a Celery worker does with the alert's messages (the live server has none beside it)."""
    for send_id in AlertSend.objects.filter(status=AlertSend.Status.PENDING).values_list("pk", flat=True):
        sending.send_alert_message(send_id)


@pytest.fixture
def person(db):
    user = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    today = user.local_today()
    Journey.objects.create(owner=user, kind="alcohol", first_started_on=today, started_on=today)
    SupporterFactory(owner=user, name="Maya", email="maya@example.net", phone="+1 555 010 0199", closeness=1)
    return user


def test_asked_accepted_alerted_and_the_answer_shows_live(phone_page, new_page, live_server, settings, person):
    settings.SITE_URL = live_server.url
    page = login(phone_page, live_server, person)

    # Asking Maya: from the home page's card to the list.
    page.get_by_role("link", name="Who is alerted").click()
    page.get_by_role("heading", name="Who is alerted when you need support").wait_for()
    page.get_by_role("button", name="Ask Maya").click()
    assert "Maya has been asked by email" in page.locator(".messages").inner_text()

    # Maya, with no account, accepts from the email: texts too, not at night.
    maya = new_page(viewport={"width": 390, "height": 844})
    maya.goto(last_link_in_mail("maya@example.net"))
    maya.get_by_role("heading", name="Olive would like to be able to reach you when they are struggling").wait_for()
    assert maya.get_by_label("Mobile number for texts (optional)").input_value() == "+1 555 010 0199"
    maya.get_by_role("button", name="Yes, I'll be there").click()
    maya.get_by_role("heading", name="Thank you for being there").wait_for()
    assert AlertContact.objects.get().status == AlertContact.Status.ACCEPTED

    # A hard moment: one tap from home.
    page.goto("/")
    page.get_by_role("button", name="I need support now").click()
    page.get_by_role("heading", name="Your call for support").wait_for()
    assert "Waiting for an answer" in page.locator("#alert-live").inner_text()
    send_pending()
    assert AlertSend.objects.filter(status="sent").count() == 2  # an email and a text

    # Maya opens her alert and answers with one tap.
    maya.goto(last_link_in_mail("maya@example.net", r"https?://\S+/reach/answer/\S+"))
    maya.get_by_role("heading", name="Olive would like to hear from you now").wait_for()
    maya.get_by_role("button", name="I'm reaching out now").click()
    maya.get_by_role("heading", name="Olive can see you are coming").wait_for()

    # Olive's page shows it by itself (polling every 5 s), with Maya one tap away.
    page.get_by_role("heading", name="Maya is reaching out to you now").wait_for(timeout=15_000)
    assert page.get_by_role("link", name="Call Maya").get_attribute("href") == "tel:+15550100199"
    assert Alert.objects.get().status == Alert.Status.ANSWERED


def test_without_javascript_the_page_refreshes_itself(new_page, live_server, person):
    AlertContact.objects.create(owner=person, supporter=person.supporters.get(), status="accepted",
                                email="maya@example.net", night_alerts=True)  # fmt: skip
    page = new_page(java_script_enabled=False)
    login(page, live_server, person)
    page.get_by_role("button", name="I need support now").click()
    page.get_by_role("heading", name="Your call for support").wait_for()
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    assert page.get_by_role("link", name="Refresh now").is_visible()


def test_the_button_is_reached_and_pressed_with_the_keyboard(page, live_server, person):
    AlertContact.objects.create(owner=person, supporter=person.supporters.get(), status="accepted",
                                email="maya@example.net", night_alerts=True)  # fmt: skip
    login(page, live_server, person)
    button = page.get_by_role("button", name="I need support now")
    for _ in range(40):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the button")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your call for support").wait_for()
    assert Alert.objects.count() == 1


@pytest.mark.parametrize("device", ["phone", "desktop", "phone, dark"])
def test_the_supporters_pages_fit_the_screen_and_pass_axe(browser, live_server, person, device):
    """The pages a supporter opens from a link, with no account: the request, the alert, stopping."""
    contact = AlertContact.objects.create(
        owner=person, supporter=person.supporters.get(), status="asked", email="maya@example.net"
    )
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, **VIEWPORTS[device])
    page = context.new_page()
    page.goto(links.request_path(contact))
    assert _problems(page) == []
    AlertContact.objects.filter(pk=contact.pk).update(status="accepted")
    alert, _ = services.raise_alert(person, "A hard evening")
    for path in (links.answer_path(alert, contact), links.stop_path(contact)):
        page.goto(path)
        assert _problems(page) == [], path
    context.close()
