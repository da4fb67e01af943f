"""Reminders in the browser: a nudge arrives in the notification centre and "I reached out" is one tap;
reminder settings are saved; an email's "I reached out" link works on a phone without signing in."""

import pytest
from django.urls import reverse
from django.utils import timezone

from recovery_network.notifications import delivery as sending
from recovery_network.notifications.models import Delivery, Notification
from supports.models import Closeness, Contact
from supports.notification_kinds import ReachOut
from tests.e2e.helpers import login
from tests.factories import UserFactory
from tests.supports.factories import SupporterFactory


@pytest.fixture
def nudged(transactional_db):
    """Olive, with a reach-out nudge about Marcus waiting in her notification centre."""
    owner = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    supporter = SupporterFactory(owner=owner, name="Marcus", closeness=Closeness.INNER, contact_every_days=3)
    delivery = Delivery.objects.create(
        recipient=owner, kind="reach_out", subject_id=supporter.pk, occurrence="o1", status="sent", in_app=True
    )
    sending.notification_for(delivery, ReachOut().message(delivery, supporter), timezone.now()).save()
    sending.count_new_notifications({owner.pk: 1})
    return owner, supporter


def test_nudge_in_the_notification_centre_and_one_tap_i_reached_out(page, live_server, nudged):
    owner, supporter = nudged
    login(page, live_server, owner)
    # The count is part of the link's accessible name, so a screen reader hears it too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications 1 unread").click()
    page.get_by_role("heading", name="Reach out to Marcus").wait_for()
    page.get_by_role("button", name="I reached out").click()
    page.get_by_text("Logged: you reached out to Marcus").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications", exact=True).wait_for()
    assert Contact.objects.filter(supporter=supporter).count() == 1


def test_reminder_settings_are_saved(page, live_server, nudged):
    owner, _ = nudged
    login(page, live_server, owner)
    page.goto(reverse("notifications:preferences"))
    check_in = page.get_by_role("group", name="Daily check-in")
    check_in.get_by_label("By email").uncheck()
    page.get_by_label("How long before a meeting").select_option("30")
    page.get_by_role("button", name="Save reminder choices").click()
    page.get_by_text("Your reminder choices are saved.").wait_for()
    assert not page.get_by_role("group", name="Daily check-in").get_by_label("By email").is_checked()
    owner.refresh_from_db()
    assert owner.meeting_reminder_minutes == 30


def test_reached_out_link_from_an_email_on_a_phone(phone_page, nudged):
    owner, supporter = nudged
    link = Notification.objects.get(recipient=owner).action_url
    phone_page.goto(link)
    phone_page.get_by_role("heading", name="Did you reach out to Marcus?").wait_for()
    phone_page.get_by_label("How").select_option("text")
    phone_page.get_by_role("button", name="I reached out").tap()
    phone_page.get_by_role("heading", name="Logged — thank you").wait_for()
    contact = Contact.objects.get(supporter=supporter)
    assert contact.channel == "text"
