"""Renewing a consent: the client from their reminder, or the counselor asking in one click; the renewal takes
over the moment it is signed, with no gap and never two consents in force.

The cast (tests/conftest.py): `owner` (Olive, the client), `counselor` (Casey, two-factor on, holding Olive's
consent for 90 days), `family`, `stranger`, anonymous.
"""

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import consent_requests, renewals, sharing
from recovery_network.care.caseload import client_consents
from recovery_network.care.models import AccessEvent, Consent, ConsentRequest
from tests.care.factories import ConsentFactory
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def consent(owner, counselor):
    return Consent.objects.select_related("owner", "counselor").get(owner=owner, counselor=counselor)


@pytest.fixture
def people(owner, family, counselor, stranger):
    """Each of the cast signed in; the owner with their password just typed again (renewing needs it)."""
    return {
        "owner": sign_in(Client(), owner, reauthenticated=True),
        "counselor": sign_in(Client(), counselor),
        "counselor_password_only": sign_in(Client(), counselor, two_factor=False),
        "family": sign_in(Client(), family),
        "stranger": sign_in(Client(), stranger),
        "anonymous": Client(),
    }


def renew_url(consent):
    return reverse("care:consent_renew", args=[consent.pk])


def ask_url(consent):
    return reverse("care:consent_ask_renewal", args=[consent.pk])


def form_data(consent, **changes):
    """What the renewal form posts when the client signs it as it starts."""
    terms = renewals.renewal_terms(consent, consent.owner.local_today())
    return {
        "recipient_name": terms["recipient_name"],
        "organisation": terms["organisation"],
        "purpose": terms["purpose"],
        "expires_on": terms["expires_on"].isoformat(),
        "scopes": terms["scopes"],
        "understood": "on",
        "signed_name": "Olive Owens",
        **changes,
    }


def in_force(owner, counselor, now=None):
    return [consent for consent in Consent.objects.filter(owner=owner, counselor=counselor) if consent.is_valid(now)]


def in_force_at(owner, counselor, moment):
    """The consents the records say were in force at a past `moment`: signed by then, not yet ended."""
    return [
        consent
        for consent in Consent.objects.filter(owner=owner, counselor=counselor)
        if consent.signed_at <= moment
        and (consent.revoked_at is None or moment < consent.revoked_at)
        and not Consent.lapsed(consent.expires_on, owner.zone, moment)
    ]


# The consent's page: when it ends, and "Renew" on both sides


def test_the_client_sees_when_it_ends_and_can_renew(consent, people):
    body = people["owner"].get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
    assert "This consent ends in 90 days" in body
    assert f"{consent.expires_on:%-d %B %Y}" in body
    assert f'href="{renew_url(consent)}"' in body and "Renew this consent" in body
    assert ask_url(consent) not in body


def test_the_counselor_sees_when_it_ends_and_can_ask_the_client_to_renew(consent, people):
    body = people["counselor"].get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
    assert "This consent ends in 90 days" in body
    assert f'action="{ask_url(consent)}"' in body and "Ask Olive to renew" in body
    new_end = renewals.renewal_expires_on(consent, consent.owner.local_today())
    assert f"{new_end:%-d %B %Y}" in body
    assert renew_url(consent) not in body


def test_the_circle_page_offers_to_renew(consent, owner, people):
    body = people["owner"].get(reverse("care:circle")).content.decode()
    assert renew_url(consent) in body


# The counselor's one click


@pytest.mark.parametrize(
    ("role", "status"),
    [("counselor", 302), ("counselor_password_only", 403), ("owner", 404), ("family", 404), ("stranger", 404)],
)
def test_asking_to_renew_is_the_counselors_alone(consent, people, role, status):
    response = people[role].post(ask_url(consent))
    assert response.status_code == status
    assert ConsentRequest.objects.exists() == (status == 302)
    if status == 403:
        assert "authenticator" in response.content.decode()


def test_anonymous_asking_to_renew_signs_in_first(consent, people):
    response = people["anonymous"].post(ask_url(consent))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert not ConsentRequest.objects.exists()


def test_opening_the_ask_address_changes_nothing(consent, people):
    assert people["counselor"].get(ask_url(consent)).status_code == 405
    assert not ConsentRequest.objects.exists() and not mail.outbox


def test_one_click_asks_the_client_with_the_consent_as_it_stands(consent, owner, counselor, people, settings):
    response = people["counselor"].post(ask_url(consent))
    assert response.url == reverse("care:consent_detail", args=[consent.pk]) + "#renew"
    consent_request = ConsentRequest.objects.get()
    assert consent_request.renews == consent and consent_request.counselor == counselor
    assert consent_request.email == owner.email and consent_request.is_pending()
    assert consent_request.scopes == consent.scopes
    assert (consent_request.recipient_name, consent_request.organisation, consent_request.purpose) == (
        consent.recipient_name,
        consent.organisation,
        consent.purpose,
    )
    # As long a term as before (90 days), from the client's today.
    assert consent_request.expires_on == owner.local_today() + dt.timedelta(days=90)

    [message] = mail.outbox  # the consent-request email, with its fixed subject
    assert message.to == [owner.email]
    assert message.subject == f"You have a request on {settings.SITE_NAME}"
    assert "renew the consent you gave them" in message.body
    # The emailed link opens this request: its token's payload is this request's (the token also carries the
    # second it was signed, so it is compared without it).
    emailed = re.search(r"https?://\S+", message.body).group(0)
    token = consent_requests.consent_request_token(consent_request)
    assert emailed.split(":")[-3].endswith(reverse("care:consent_request", args=[token]).split(":")[0])
    page = people["counselor"].get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
    assert "waiting for their answer" in page and f'action="{ask_url(consent)}"' not in page
    caseload = people["counselor"].get(reverse("care:caseload")).content.decode()
    assert "a renewal" in caseload


def test_a_second_click_sends_nothing_more(consent, people):
    first = people["counselor"].post(ask_url(consent), follow=True)
    second = people["counselor"].post(ask_url(consent), follow=True)
    assert "We asked Olive to renew" in first.content.decode()
    assert "You already asked Olive" in second.content.decode()
    assert ConsentRequest.objects.count() == 1 and len(mail.outbox) == 1


def test_renewals_leave_the_daily_allowance_of_requests_alone(consent, counselor):
    consent_requests.ask_to_renew(consent, counselor)
    assert consent_requests.consent_requests_left_today(counselor) == consent_requests.CONSENT_REQUESTS_PER_DAY


def test_a_revoked_consent_cannot_be_renewed_by_either_side(consent, people):
    sharing.revoke_consent(consent)
    response = people["counselor"].post(ask_url(consent), follow=True)
    assert "was revoked, so it can&#x27;t be renewed" in response.content.decode()
    response = people["owner"].get(renew_url(consent), follow=True)
    assert "was revoked, so it can&#x27;t be renewed" in response.content.decode()
    assert not ConsentRequest.objects.exists()
    assert "Renew this consent" not in response.content.decode()


# The client's renewal


@pytest.mark.parametrize(("role", "status"), [("counselor", 404), ("family", 404), ("stranger", 404)])
def test_only_the_client_can_open_the_renewal(consent, people, role, status):
    assert people[role].get(renew_url(consent)).status_code == status
    assert people[role].post(renew_url(consent), form_data(consent)).status_code == status
    assert Consent.objects.filter(renewed_by__isnull=False).count() == 0


def test_anonymous_renewing_signs_in_first(consent, people):
    response = people["anonymous"].get(renew_url(consent))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_renewing_asks_for_the_password_again_first(consent, owner):
    response = sign_in(Client(), owner).get(renew_url(consent))
    assert response.status_code == 302 and "reauthenticate" in response.url


def test_the_renewal_form_starts_from_the_consent_as_it_stands(consent, owner, people):
    Consent.objects.filter(pk=consent.pk).update(setbacks=False, purpose="Outpatient care")
    consent.refresh_from_db()
    response = people["owner"].get(renew_url(consent))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["recipient_name"].value() == "Casey Counselor"
    assert form["organisation"].value() == "Riverside Counseling"
    assert form["purpose"].value() == "Outpatient care"
    assert form["expires_on"].value() == owner.local_today() + dt.timedelta(days=90)
    assert sorted(form["scopes"].value()) == sorted(consent.scopes) and "setbacks" not in form["scopes"].value()
    assert "email" not in form.fields
    body = response.content.decode()
    assert "You are renewing your consent for Casey Counselor" in body and "Sign the renewal" in body


def test_the_clients_renewal_takes_over_with_no_gap(consent, owner, counselor, people, time_machine):
    signing = (timezone.now() + dt.timedelta(seconds=2)).replace(microsecond=0)  # after the consent was signed
    time_machine.move_to(signing, tick=False)
    assert in_force(owner, counselor) == [consent]
    response = people["owner"].post(renew_url(consent), form_data(consent, scopes=["clean_time", "checkins"]))
    renewal = Consent.objects.get(owner=owner, counselor=counselor, renewed_by__isnull=True)
    assert response.status_code == 302 and response.url == reverse("care:consent_detail", args=[renewal.pk])
    consent.refresh_from_db()
    assert consent.renewed_by == renewal and consent.revoked_at == renewal.signed_at == signing
    assert consent.status_label() == "Renewed" and renewal.status_label() == "In effect"
    assert renewal.scopes == {"clean_time", "checkins"} and renewal.counselor == counselor  # no invitation
    # One consent in force at every moment: the old up to the instant of signing, the renewal from it.
    assert in_force_at(owner, counselor, signing - dt.timedelta(microseconds=1)) == [consent]
    assert in_force_at(owner, counselor, signing) == [renewal]
    assert in_force(owner, counselor) == [renewal]
    line = AccessEvent.objects.get(owner=owner, action=AccessEvent.Action.CONSENT_RENEWED)
    assert "renews the consent of" in line.what and "Riverside Counseling" in line.what

    # The counselor sees Olive as before: one row on the caseload, her page open, both consents readable.
    assert list(client_consents(counselor, timezone.now())) == [owner.pk]
    caseload = people["counselor"].get(reverse("care:caseload")).content.decode()
    assert caseload.count(reverse("care:client", args=[owner.pk])) == 1
    assert people["counselor"].get(reverse("care:client", args=[owner.pk])).status_code == 200
    old_page = people["counselor"].get(reverse("care:consent_detail", args=[consent.pk])).content.decode()
    assert "Renewed" in old_page and reverse("care:consent_detail", args=[renewal.pk]) in old_page
    assert ask_url(consent) not in old_page
    counselor.refresh_from_db()
    assert counselor.counsels_someone


def test_renewing_twice_renews_once(consent, owner, people):
    data = form_data(consent)
    assert people["owner"].post(renew_url(consent), data).status_code == 302
    again = people["owner"].post(renew_url(consent), data, follow=True)
    assert "already been renewed" in again.content.decode()
    assert Consent.objects.filter(owner=owner).count() == 2  # the old one and its one renewal
    with pytest.raises(renewals.NotRenewable):
        renewals.renew_consent(consent, owner, scopes={"clean_time"}, **_fields(consent))


def _fields(consent):
    return {
        "recipient_name": consent.recipient_name,
        "organisation": consent.organisation,
        "purpose": consent.purpose,
        "expires_on": consent.expires_on,
        "signed_name": "Olive",
    }


def test_a_form_error_renews_nothing(consent, people):
    response = people["owner"].post(renew_url(consent), form_data(consent, scopes=[], signed_name=""))
    assert response.status_code == 400 and "Choose at least one kind of information" in response.content.decode()
    consent.refresh_from_db()
    assert consent.renewed_by is None and consent.is_valid()


def test_the_clients_renewal_answers_the_counselors_waiting_request(consent, owner, counselor, people):
    consent_request, _ = consent_requests.ask_to_renew(consent, counselor)
    people["owner"].post(renew_url(consent), form_data(consent))
    renewal = Consent.objects.get(owner=owner, counselor=counselor, renewed_by__isnull=True)
    consent_request.refresh_from_db()
    assert consent_request.status() == ConsentRequest.Status.SIGNED and consent_request.consent == renewal
    link = reverse("care:consent_request", args=[consent_requests.consent_request_token(consent_request)])
    response = people["owner"].get(link)
    assert response.status_code == 410 and "already signed" in response.content.decode()


# The counselor's request, signed


def test_signing_the_counselors_request_renews_the_consent(consent, owner, counselor, people):
    people["counselor"].post(ask_url(consent))
    consent_request = ConsentRequest.objects.get()
    token = consent_requests.consent_request_token(consent_request)
    page = people["owner"].get(reverse("care:consent_request", args=[token])).content.decode()
    assert "They ask you to renew the consent you gave them" in page
    sign = reverse("care:consent_request_sign", args=[token])
    assert people["owner"].get(sign).context["form"]["expires_on"].value() == consent_request.expires_on
    response = people["owner"].post(sign, form_data(consent, expires_on=consent_request.expires_on.isoformat()))
    assert response.status_code == 302
    renewal = Consent.objects.get(owner=owner, counselor=counselor, renewed_by__isnull=True)
    consent.refresh_from_db()
    assert consent.renewed_by == renewal and consent.revoked_at == renewal.signed_at
    assert in_force(owner, counselor) == [renewal]
    consent_request.refresh_from_db()
    assert consent_request.status() == ConsentRequest.Status.SIGNED and consent_request.consent == renewal
    line = AccessEvent.objects.get(owner=owner, action=AccessEvent.Action.CONSENT_RENEWED)
    assert "asked for by Casey Counselor" in line.what
    assert not AccessEvent.objects.filter(owner=owner, action=AccessEvent.Action.CONSENT_SIGNED).exists()
    assert people["counselor"].get(reverse("care:client", args=[owner.pk])).status_code == 200


def test_a_request_signed_after_the_client_revoked_the_consent_is_a_consent_of_its_own(consent, owner, counselor):
    consent_request, _ = consent_requests.ask_to_renew(consent, counselor)
    sharing.revoke_consent(consent)
    fields = _fields(consent) | {"expires_on": consent_request.expires_on}
    renewal = consent_requests.sign_requested_consent(consent_request, owner, scopes={"clean_time"}, **fields)
    consent.refresh_from_db()
    assert consent.renewed_by is None and consent.status_label() == "Revoked"
    assert renewal.is_valid()
    assert AccessEvent.objects.filter(owner=owner, action=AccessEvent.Action.CONSENT_SIGNED).exists()


def test_a_lapsed_consent_can_be_renewed_and_keeps_its_end(owner, counselor, time_machine):
    lapsed = ConsentFactory(owner=owner, counselor=counselor, expires_on=owner.local_today() - dt.timedelta(days=2))
    renewal = renewals.renew_consent(lapsed, owner, scopes={"clean_time"}, **_fields(lapsed) | {
        "expires_on": owner.local_today() + dt.timedelta(days=30)})  # fmt: skip
    lapsed.refresh_from_db()
    assert lapsed.renewed_by == renewal and lapsed.revoked_at is None and lapsed.status_label() == "Expired"


# The renewal's term


@pytest.mark.parametrize(
    ("signed_on", "expires_on", "today", "renewal_ends"),
    [
        ("2026-01-01", "2026-03-31", "2026-03-20", "2026-06-17"),  # 89 days again, from today
        ("2026-01-01", "2027-01-02", "2026-12-20", "2027-12-20"),  # 366 days: a year at most
        ("2026-03-01", "2026-03-01", "2026-03-01", "2026-03-02"),  # a day at least
    ],
)
def test_a_renewal_is_as_long_as_the_consent_it_renews(owner, counselor, signed_on, expires_on, today, renewal_ends):
    signed_at = dt.datetime.fromisoformat(f"{signed_on}T12:00").replace(tzinfo=owner.zone)
    consent = ConsentFactory(owner=owner, counselor=UserFactory(), signed_at=signed_at,
                             expires_on=dt.date.fromisoformat(expires_on))  # fmt: skip
    ends = renewals.renewal_expires_on(consent, dt.date.fromisoformat(today))
    assert ends == dt.date.fromisoformat(renewal_ends)


# Pages that list things keep their number of queries


@override_settings(PAGE_CACHE=False)
def test_the_circle_page_takes_the_same_queries_for_1_or_6_consents_renewed_or_not(owner, counselor, people):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert people["owner"].get(reverse("care:circle")).status_code == 200
        return len(captured)

    queries()  # the first request of a process warms caches
    one = queries()
    for number in range(5):
        other = UserFactory(email=f"c{number}@example.org")
        old = ConsentFactory(owner=owner, counselor=other)
        renewals.renew_consent(old, owner, scopes={"clean_time"}, **_fields(old))
    assert queries() == one


@override_settings(PAGE_CACHE=False)
def test_the_caseload_takes_the_same_queries_for_renewed_clients(counselor, people):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert people["counselor"].get(reverse("care:caseload")).status_code == 200
        return len(captured)

    def renewed_client(number):
        client = UserFactory(email=f"client{number}@example.org")
        old = ConsentFactory(owner=client, counselor=counselor)
        consent_requests.ask_to_renew(old, counselor)
        renewals.renew_consent(old, client, scopes={"clean_time"}, **_fields(old))

    queries()  # the first request of a process warms caches
    renewed_client(0)
    few = queries()  # a client new to the caseload: its roster is written, as below
    for number in range(1, 6):
        renewed_client(number)
    assert queries() == few
