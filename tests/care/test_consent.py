"""Counselor consent: the 42 CFR Part 2 elements, reauthentication to sign, expiry on its own, revocation."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, Consent, Invitation
from tests.care.factories import ConsentFactory, turn_on_two_factor
from tests.factories import TEST_PASSWORD, UserFactory, sign_in

pytestmark = pytest.mark.django_db


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302


def consent_data(owner, **changes):
    data = {
        "recipient_name": "Dr Dana Lee",
        "organisation": "Riverside Counseling",
        "purpose": "To plan my treatment",
        "email": "dana@example.org",
        "scopes": ["support_map", "checkins"],
        "expires_on": (owner.local_today() + dt.timedelta(days=90)).isoformat(),
        "understood": "on",
        "signed_name": "Olive  Owens",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_signing_needs_the_password_again(owner_client):
    response = owner_client.get(reverse("care:consent_create"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    reauthenticate(owner_client)
    page = owner_client.get(reverse("care:consent_create"))
    assert page.status_code == 200
    text = page.content.decode()
    for element in ("Client:", "counselor&#x27;s name", "organisation", "Purpose", "Exactly which information",
                    "this consent ends on", "revoke this consent at any time", "your signature", "Date:"):  # fmt: skip
        assert element.lower() in text.lower(), element


def test_a_signed_consent_records_every_element_and_invites_the_counselor(owner, owner_client):
    reauthenticate(owner_client)
    response = owner_client.post(reverse("care:consent_create"), consent_data(owner))
    consent = Consent.objects.get(owner=owner)
    assert response.status_code == 302 and response.url == reverse("care:consent_detail", args=[consent.pk])
    assert (consent.recipient_name, consent.organisation, consent.purpose) == (
        "Dr Dana Lee",
        "Riverside Counseling",
        "To plan my treatment",
    )
    assert consent.scopes == {"support_map", "checkins"} and consent.signed_name == "Olive Owens"
    assert consent.counselor is None and not consent.is_valid()  # until the counselor accepts
    assert Invitation.objects.get(consent=consent).email == "dana@example.org"
    assert mail.outbox[0].to == ["dana@example.org"]
    event = AccessEvent.objects.get(owner=owner, action="consent_signed")
    assert "Dr Dana Lee" in event.what and "support map" in event.what


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expires_on": "2020-01-01"}, "Choose a date from today onwards."),
        ({"scopes": None}, "Choose at least one kind of information"),
        ({"signed_name": " "}, "This field is required."),
        ({"understood": None}, "This field is required."),
        ({"email": "owner@example.org"}, "your own address"),
    ],
)
def test_an_incomplete_consent_is_refused_in_plain_words(owner, owner_client, changes, message):
    reauthenticate(owner_client)
    response = owner_client.post(reverse("care:consent_create"), consent_data(owner, **changes))
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert response.context["form"]["recipient_name"].value() == "Dr Dana Lee"  # nothing typed is lost
    assert not Consent.objects.exists()


def test_a_consent_ends_at_the_end_of_its_day_in_the_clients_zone(owner, counselor):
    consent = Consent.objects.get(owner=owner, counselor=counselor)
    consent.expires_on = dt.date(2026, 3, 10)
    consent.save()
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    last_minute = dt.datetime(2026, 3, 10, 23, 59, tzinfo=chicago)  # already 11 March in UTC
    next_morning = dt.datetime(2026, 3, 11, 0, 1, tzinfo=chicago)
    assert sharing.find_access(counselor, owner.pk, now=last_minute) is not None
    assert sharing.find_access(counselor, owner.pk, now=next_morning) is None


def test_an_expired_consent_closes_the_client_page_with_no_one_acting(world, owner, counselor, counselor_client):
    url = reverse("care:client", args=[owner.pk])
    assert counselor_client.get(url).status_code == 200
    Consent.objects.filter(owner=owner).update(expires_on=owner.local_today() - dt.timedelta(days=1))
    assert counselor_client.get(url).status_code == 404


def test_revoking_closes_access_at_once_and_is_logged(world, owner, owner_client, counselor_client):
    consent = Consent.objects.get(owner=owner)
    url = reverse("care:client", args=[owner.pk])
    assert counselor_client.get(url).status_code == 200
    owner_client.post(reverse("care:consent_revoke", args=[consent.pk]))
    assert counselor_client.get(url).status_code == 404
    assert counselor_client.get(reverse("care:client_report", args=[owner.pk])).status_code == 404
    assert AccessEvent.objects.filter(owner=owner, action="consent_revoked").exists()
    # The revoked consent itself stays readable by both sides, marked as revoked.
    page = counselor_client.get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
    assert "Revoked on" in page


def test_both_sides_can_read_and_print_the_consent(owner, owner_client, counselor_client):
    consent = Consent.objects.get(owner=owner)
    for client in (owner_client, counselor_client):
        page = client.get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
        for text in ("Olive", "Casey Counselor", "Riverside Counseling", "To support my treatment", "support map",
                     "check-in trends", "revoke this consent at any time", "Olive Owner", "42 CFR Part 2",
                     "data-print"):  # fmt: skip
            assert text in page, text
    assert AccessEvent.objects.filter(owner=owner, what="the signed consent").count() == 1  # the counselor's read


def test_a_counselor_without_two_factor_is_shown_how_to_turn_it_on(world, owner):
    counselor = UserFactory(email="new@example.org")
    ConsentFactory(owner=owner, counselor=counselor)
    client = __import__("tests.care.conftest", fromlist=["client_for"]).client_for(counselor)
    response = client.get(reverse("care:client", args=[owner.pk]))
    assert response.status_code == 403
    assert reverse("mfa_activate_totp") in response.content.decode()
    assert "Marisol Vega" not in response.content.decode()
    assert not AccessEvent.objects.filter(owner=owner, actor=counselor, action="viewed").exists()
    turn_on_two_factor(counselor)
    # The account has it now, but this session never passed it (tests/care/test_two_factor.py).
    assert client.get(reverse("care:client", args=[owner.pk])).status_code == 403
    assert sign_in(client, counselor).get(reverse("care:client", args=[owner.pk])).status_code == 200


def test_a_consent_that_excludes_the_map_has_no_report(world, owner, counselor_client):
    Consent.objects.filter(owner=owner).update(support_map=False)
    assert counselor_client.get(reverse("care:client_report", args=[owner.pk])).status_code == 404
    page = counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()
    assert "Marisol Vega" not in page and "Sober from wine" in page


@pytest.mark.parametrize("zone", ["Pacific/Auckland", "Pacific/Honolulu", "America/New_York"])
def test_a_consent_lapses_on_the_clients_own_calendar_far_from_utc(owner, counselor, zone):
    owner.time_zone = zone
    owner.save()
    consent = Consent.objects.get(owner=owner, counselor=counselor)
    consent.expires_on = dt.date(2026, 11, 1)  # New York falls back this morning
    consent.save()
    local = zoneinfo.ZoneInfo(zone)
    assert sharing.find_access(counselor, owner.pk, now=dt.datetime(2026, 11, 1, 23, 30, tzinfo=local)) is not None
    assert sharing.find_access(counselor, owner.pk, now=dt.datetime(2026, 11, 2, 0, 30, tzinfo=local)) is None
