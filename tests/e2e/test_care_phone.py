"""The circle of care on a phone: every page fits the screen and the print button prints only the document."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from milestones.models import CheckIn, Journey
from recovery_network.care.models import SCOPE_FIELDS, Grant
from tests.care.factories import ConsentFactory, turn_on_two_factor
from tests.e2e.helpers import login
from tests.factories import UserFactory, sign_in
from tests.supports.factories import AttendanceFactory, PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_family_owner_and_counselor_pages_fit_a_phone(phone_page, live_server):
    owner = UserFactory(email="olive@example.org", display_name="Olive")
    today = owner.local_today()
    Journey.objects.create(
        owner=owner,
        kind="alcohol",
        own_words="A long name for a journey of recovery",
        first_started_on=today - dt.timedelta(days=300),
        started_on=today - dt.timedelta(days=30),
    )
    for offset in range(20):
        CheckIn.objects.create(
            owner=owner, local_date=today - dt.timedelta(days=offset), sober="yes", mood=3, craving=4
        )
    SupporterFactory.create_batch(12, owner=owner, closeness=1)
    group = PeerGroupFactory(owner=owner, name="Tuesday Serenity Circle of Friends in Recovery")
    AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=1))
    family = UserFactory(email="fran@example.org", display_name="Fran")
    Grant.objects.create(owner=owner, viewer=family, **dict.fromkeys(SCOPE_FIELDS, True))
    counselor = UserFactory(email="dana@example.org", display_name="Dana")
    turn_on_two_factor(counselor)
    consent = ConsentFactory(owner=owner, counselor=counselor)

    login(phone_page, live_server, family)
    for path in (f"/care/people/{owner.pk}/", "/care/helping/", "/care/"):
        phone_page.goto(f"{live_server.url}{path}")
        assert fits(phone_page), path

    phone_page.context.clear_cookies()
    login(phone_page, live_server, owner)
    owner_pages = ["/care/", "/care/log/", "/care/invite/"]
    for path in [*owner_pages, f"/care/consents/{consent.pk}/"]:
        phone_page.goto(f"{live_server.url}{path}")
        assert fits(phone_page), path
    phone_page.emulate_media(media="print")
    assert not phone_page.get_by_role("button", name="Print").is_visible()
    assert not phone_page.locator(".site-header").is_visible()
    phone_page.emulate_media(media="screen")

    phone_page.context.clear_cookies()
    client_pages = [f"/care/clients/{owner.pk}/", f"/care/clients/{owner.pk}/report/"]
    # Counselors sign in with a second factor (test_care_counselor.py); here the session is made directly.
    session_key = sign_in(Client(), counselor).cookies[settings.SESSION_COOKIE_NAME].value
    phone_page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": live_server.url}]
    )
    for path in ["/care/clients/", *client_pages]:
        response = phone_page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert fits(phone_page), path  # the caseload's wide table scrolls inside its own frame
