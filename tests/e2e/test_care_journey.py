"""The circle of care in two real browsers: the owner invites a family member, who accepts,
sees only what is shared and sends encouragement; the owner sees it, then revokes."""

import datetime as dt

import pytest
from django.core import mail

from milestones.models import CheckIn, Journey
from recovery_network.care.models import Grant
from tests.e2e.helpers import last_link_in_mail, login
from tests.factories import TEST_PASSWORD, UserFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_invites_family_who_accepts_encourages_and_loses_access_on_revocation(
    page, new_page, live_server, settings
):
    settings.SITE_URL = live_server.url  # the emailed link points at this test's server
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
    CheckIn.objects.create(owner=owner, local_date=today, sober="yes", mood=4, craving=2, notes="A private thought")
    SupporterFactory(owner=owner, name="Mum", relationship="family", closeness=1)
    SupporterFactory(owner=owner, name="Marisol Vega", relationship="sponsor", closeness=1)

    # The owner invites Mum to see clean time only, and says who she is in the network.
    login(page, live_server, owner)
    page.get_by_role("link", name="Circle", exact=True).click()
    page.get_by_role("heading", name="Your circle of care").wait_for()
    page.get_by_role("link", name="Invite family or a friend").click()
    page.get_by_label("Their email address").fill("mum@example.org")
    page.get_by_label("Who are they in your network? (optional)").select_option(label="Mum")
    assert page.get_by_label("Clean time and milestones").is_checked()
    assert not page.get_by_label("Your support map and where it is thin").is_checked()
    page.get_by_role("button", name="Send the invitation").click()
    page.get_by_text("Invitation sent to mum@example.org.").wait_for()
    assert page.get_by_role("heading", name="Invitations waiting for an answer").is_visible()
    link = last_link_in_mail("mum@example.org")
    assert mail.outbox[-1].subject == "You have an invitation on Recovery Network"

    # Mum opens the link in her own browser, signs in and comes straight back to accept.
    mum_page = new_page()
    mum_page.goto(link)
    mum_page.get_by_role("heading", name="You've been invited").wait_for()
    mum_page.get_by_role("link", name="Sign in").last.click()
    mum_page.get_by_label("Email").fill(mum.email)
    mum_page.get_by_label("Password").fill(TEST_PASSWORD)
    mum_page.get_by_role("button", name="Sign In").click()
    mum_page.get_by_role("heading", name="Olive invited you into their circle of care").wait_for()
    mum_page.get_by_label("Show Olive that “Mum” in their network is me").check()
    mum_page.get_by_role("button", name="Accept").click()
    mum_page.get_by_text("You're now in Olive's circle of care.").wait_for()

    # She sees the clean time and the next milestone, and nothing else.
    mum_page.get_by_role("heading", name="Clean time").wait_for()
    assert mum_page.get_by_text("Next milestone:").is_visible()
    body = mum_page.locator("main").inner_text()
    assert "Sober from wine" in body and "80" in body
    for hidden in ("Support map", "Meetings", "Setbacks", "How the last 30 days have gone", "Marisol Vega",
                   "A private thought"):  # fmt: skip
        assert hidden not in body, hidden

    # She sends a ready phrase.
    mum_page.get_by_label("Pick a ready phrase").select_option("proud")
    mum_page.get_by_role("button", name="Send").click()
    mum_page.get_by_text("Sent. Olive will see it on their home page.").wait_for()
    person_url = mum_page.url

    # Her own home is about Olive now, with no check-in of her own to do; one tap sends another kind word.
    mum_page.goto(f"{live_server.url}/")
    mum_page.get_by_role("heading", name="People you support").wait_for()
    menu = mum_page.get_by_role("navigation", name="Main")
    assert not menu.get_by_role("link", name="Check in").count()
    mum_page.get_by_role("button", name="Send “Thinking of you today.”").click()
    mum_page.get_by_text("Sent. Olive will see it on their home page.").wait_for()

    # The owner sees it on the home page, and who looked on the access log.
    page.goto(f"{live_server.url}/")
    home = page.locator(".home-circle")
    home.get_by_text("I'm proud of you.").wait_for()
    home.get_by_text("Thinking of you today.").wait_for()
    assert "Mum" in home.inner_text()
    page.get_by_role("link", name="Circle", exact=True).click()
    page.get_by_role("link", name="Who has seen my data").click()
    assert page.get_by_role("cell", name="Mum (mum@example.org)").first.is_visible()
    assert page.get_by_role("cell", name="Viewed").first.is_visible()

    # The owner revokes; Mum's next page load is gone.
    page.get_by_role("link", name="Sharing").click()
    page.get_by_role("button", name="Stop sharing with Mum").click()
    page.get_by_text("Mum no longer sees anything of yours.").wait_for()
    assert not Grant.objects.active().filter(viewer=mum).exists()
    response = mum_page.goto(person_url)
    assert response.status == 404
    assert "Sober from wine" not in mum_page.content()
