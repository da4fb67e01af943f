"""The circle's notifications in the browser: a family member turns celebrations on and sends
encouragement, and the owner finds it in the notification centre, once."""

import datetime as dt

import pytest
from django.urls import reverse

from milestones.models import Journey
from recovery_network.notifications.models import Notification, Reminder
from tests.care.factories import GrantFactory
from tests.e2e.helpers import login
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def circle(monkeypatch):
    queued = []
    # No broker in the test.
    monkeypatch.setattr("recovery_network.notifications.tasks.enqueue_deliveries", queued.extend)
    owner = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    mum = UserFactory(email="mum@example.org", display_name="Mum", time_zone="Europe/London")
    today = owner.local_today()
    Journey.objects.create(
        owner=owner,
        kind="alcohol",
        own_words="Sober from wine",
        first_started_on=today - dt.timedelta(days=80),
        started_on=today - dt.timedelta(days=80),
    )
    GrantFactory(owner=owner, viewer=mum)
    return owner, mum


def test_family_turns_celebrations_on_and_encourages_the_owner_who_sees_it_in_the_centre(
    page, new_page, live_server, circle
):
    owner, mum = circle
    mum_page = new_page()
    login(mum_page, live_server, mum)
    mum_page.goto(live_server.url + reverse("notifications:preferences"))
    celebrations = mum_page.get_by_role("group", name="Milestones of people you support")
    assert not celebrations.get_by_label("In the app").is_checked()
    assert mum_page.get_by_role("group", name="Weekly caseload digest").count() == 0
    celebrations.get_by_label("In the app").check()
    mum_page.get_by_role("button", name="Save reminder choices").click()
    mum_page.get_by_text("Your reminder choices are saved.").wait_for()
    assert Reminder.objects.filter(kind="circle_milestone", recipient=mum).count() == 1

    mum_page.goto(live_server.url + reverse("care:person", args=[owner.pk]))
    mum_page.get_by_label("Pick a ready phrase").select_option("proud")
    mum_page.get_by_role("button", name="Send").click()
    mum_page.get_by_text("Sent. Olive will see it on their home page.").wait_for()

    login(page, live_server, owner)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications 1 unread").click()
    page.get_by_role("heading", name="Mum sent you encouragement").wait_for()
    assert "I'm proud of you." in page.locator("main").inner_text()
    assert Notification.objects.filter(recipient=owner, kind="encouragement").count() == 1
