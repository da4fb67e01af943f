"""The main navigation marks the section a page belongs to (aria-current), read from one table
(context_processors.NAV_BY_APP / NAV_BY_PAGE) rather than worked out in the template."""

import re

import pytest
from django.urls import resolve, reverse

from recovery_network.context_processors import nav_section


def current(page):
    """The navigation entry marked as the current page."""
    found = re.findall(r'aria-current="page">([A-Za-z ]+)', page)
    return found[0].strip() if found else None


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/", "home"),
        ("/network/", "network"),
        ("/network/review/", "network"),
        ("/progress/", "progress"),
        ("/progress/checkin/", "checkin"),
        ("/progress/capital/", "progress"),
        ("/welcome/check-in/", ""),
        ("/care/", "circle"),
        ("/care/clients/", "caseload"),
        ("/care/clients/consents/", "caseload"),
        ("/care/clients/ask/", "caseload"),
        ("/care/clients/1/", "caseload"),
        ("/network/review/clients/1/", "caseload"),
        ("/notifications/", "notifications"),
    ],
)
def test_each_page_belongs_to_its_section(path, section):
    assert nav_section(resolve(path)) == section


def test_an_unresolved_page_belongs_to_none():
    assert nav_section(None) == ""


def test_the_counselors_consent_records_are_under_caseload(counselor_client):
    page = counselor_client.get(reverse("care:consent_records")).content.decode()
    assert current(page) == "Caseload"


def test_the_welcome_check_in_step_is_not_the_daily_check_in(owner_client):
    page = owner_client.get(reverse("welcome:checkin")).content.decode()
    assert current(page) != "Check in"


def test_the_circle_is_marked_on_the_circle(owner_client):
    assert current(owner_client.get(reverse("care:circle")).content.decode()) == "Circle"


def test_progress_is_marked_on_trends(owner_client):
    assert current(owner_client.get(reverse("milestones:trends")).content.decode()) == "Progress"
