"""Small steps shared by browser journeys."""

import re

from django.core import mail

from tests.factories import TEST_PASSWORD


def login(page, live_server, user, password=TEST_PASSWORD):
    """Sign in through the real login form and wait for the home page."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def last_link_in_mail(to, pattern=r"https?://\S+"):
    """The first link in the newest email sent to this address."""
    for message in reversed(mail.outbox):
        if to in message.to:
            match = re.search(pattern, message.body)
            if match:
                return match.group(0)
    raise AssertionError(f"no email with a link was sent to {to}")
