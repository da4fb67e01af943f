"""A consent renewed before it ends, in a real browser: the counselor's reminder (naming no one) opens the
consent's page, behind two-factor, where one click asks the client to renew; the client opens the emailed link,
reviews the consent as it stands, signs it again, and the renewal takes over with no gap."""

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from recovery_network.care.consent_reminders import ConsentEndingCounselor
from recovery_network.care.models import Consent, ConsentRequest
from recovery_network.notifications import dispatch as reminders
from recovery_network.notifications.models import Reminder
from tests.care.factories import ConsentFactory
from tests.e2e.helpers import last_link_in_mail
from tests.e2e.test_care_consent_request import sign_in_here
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_counselor_renews_from_the_reminder_and_the_client_signs(
    page, new_page, live_server, settings, monkeypatch
):
    settings.SITE_URL = live_server.url
    monkeypatch.setattr("recovery_network.notifications.tasks.enqueue_deliveries", [].extend)  # no broker here
    client = UserFactory(email="olive@example.org", display_name="Olive", time_zone="America/Chicago")
    counselor = UserFactory(email="dana@clinic.example.org", display_name="Dana Lee", time_zone="America/New_York")
    secret = generate_totp_secret()
    TOTP.activate(counselor, secret)
    consent = ConsentFactory(
        owner=client,
        counselor=counselor,
        recipient_name="Dana Lee",
        signed_at=timezone.now() - dt.timedelta(days=70),
        expires_on=client.local_today() + dt.timedelta(days=20),
        setbacks=False,
    )

    # Fourteen days before it ends, at 09:00 on Dana's clock, the reminder reaches her.
    row = Reminder.objects.get(kind=ConsentEndingCounselor.key, subject_id=consent.pk)
    assert reminders.dispatch(now=row.occurs_at, enqueue=[].extend).sent >= 1

    page.goto(f"{live_server.url}/accounts/login/?next=/notifications/")
    sign_in_here(page, counselor, secret)
    page.get_by_role("heading", name="Notifications").wait_for()
    note = page.get_by_role("link", name="A consent ends in 14 days")
    assert "Olive" not in page.locator(".notification-list").inner_text()
    note.click()

    # The consent's page names Olive (behind two-factor) and asks her in one click; a second click sends nothing.
    page.get_by_role("heading", name="Consent to disclose recovery information").wait_for()
    assert page.get_by_role("heading", name="This consent ends in 20 days").is_visible()
    page.get_by_role("button", name="Ask Olive to renew").click()
    page.get_by_text("We asked Olive to renew this consent.").wait_for()
    assert "waiting for their answer" in page.locator("#renew").inner_text()
    assert page.get_by_role("button", name="Ask Olive to renew").count() == 0
    assert ConsentRequest.objects.get().renews == consent

    # Olive opens the emailed link, signs in, and reads that it renews the consent she gave.
    client_page = new_page()
    client_page.goto(last_link_in_mail("olive@example.org"))
    client_page.get_by_role("link", name="Sign in").last.click()
    sign_in_here(client_page, client)
    client_page.get_by_role("heading", name="Dana Lee asks for your consent").wait_for()
    assert "renew the consent you gave them" in client_page.locator("main").inner_text()
    client_page.get_by_role("link", name="Review and sign").click()
    form_heading = client_page.get_by_role("heading", name="Consent for a counselor to see your recovery data")
    form_heading.or_(client_page.get_by_label("Password")).first.wait_for()
    if client_page.get_by_label("Password").count():
        client_page.get_by_label("Password").fill(TEST_PASSWORD)
        client_page.get_by_role("button", name="Confirm").click()
    form_heading.wait_for()

    # The form holds the consent as it stands, for as long a term again (90 days from today); she signs it.
    assert client_page.get_by_label("Their practice or organisation").input_value() == "Riverside Counseling"
    assert client_page.get_by_label("Check-in summaries", exact=False).is_checked()
    assert not client_page.get_by_label("Setbacks (the dates, never what you wrote about them)").is_checked()
    new_end = client.local_today() + dt.timedelta(days=90)
    assert client_page.get_by_label("This consent ends on").input_value() == new_end.isoformat()
    client_page.get_by_label("I have read this consent").check()
    client_page.get_by_label("Your full name, as your signature").fill("Olive Owens")
    client_page.get_by_role("button", name="Sign the consent").click()
    client_page.get_by_role("heading", name="Consent to disclose recovery information").wait_for()
    assert client_page.get_by_text("In effect").is_visible()

    renewal = Consent.objects.get(owner=client, renewed_by__isnull=True)
    consent.refresh_from_db()
    assert consent.renewed_by == renewal and consent.revoked_at == renewal.signed_at
    assert renewal.counselor == counselor and renewal.expires_on == new_end

    # Dana's copy of the old consent now says it was renewed, and points at the one that took over.
    page.reload()
    page.get_by_text("Renewed", exact=True).wait_for()
    page.get_by_role("link", name="read the consent that took over").click()
    page.get_by_text("In effect").wait_for()
    page.goto(f"{live_server.url}/care/clients/")
    assert page.get_by_role("link", name="Olive").count() == 1
