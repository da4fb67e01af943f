"""A counselor asks a client for consent; only the client can give it.

The cast: `asker`, a new counselor (two-factor on, no clients yet) who asks `owner` (the client, at
owner@example.org) for consent; `counselor`, another counselor who already holds the owner's consent;
`family`; `stranger`; anonymous.
"""

import datetime as dt
import re
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import consent_requests
from recovery_network.care.models import AccessEvent, Consent, ConsentRequest
from tests.care.factories import turn_on_two_factor
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

HEALTH_WORDS = ("consent", "counsel", "addiction", "sober", "clean", "treatment", "therapy", "rehab", "relapse")


@pytest.fixture
def asker(db):
    user = UserFactory(email="asa@clinic.example.org", display_name="Asa Asker", time_zone="America/Denver")
    turn_on_two_factor(user)
    return user


@pytest.fixture
def asker_client(asker):
    return sign_in(Client(), asker)


def ask(counselor, email="owner@example.org", **changes):
    values = {
        "scopes": {"clean_time", "checkins", "support_map", "setbacks"},
        "recipient_name": "Asa Asker, LCSW",
        "organisation": "Hillside Clinic",
        "purpose": "To plan your outpatient care with you.",
        "expires_on": counselor.local_today() + dt.timedelta(days=90),
        "note": "Good to meet you on Tuesday.",
        **changes,
    }
    return consent_requests.ask_for_consent(counselor, email, **values)


def link(consent_request):
    return reverse("care:consent_request", args=[consent_requests.consent_request_token(consent_request)])


def sign_link(consent_request):
    return reverse("care:consent_request_sign", args=[consent_requests.consent_request_token(consent_request)])


def form_data(consent_request, **changes):
    """What the pre-filled consent form posts when the client signs it as proposed."""
    return {
        "recipient_name": consent_request.recipient_name,
        "organisation": consent_request.organisation,
        "purpose": consent_request.purpose,
        "expires_on": consent_request.expires_on.isoformat(),
        "scopes": sorted(consent_request.scopes),
        "understood": "on",
        "signed_name": "Olive Owens",
        **changes,
    }


@pytest.fixture
def people(owner, family, counselor, stranger, asker):
    """Each of the cast signed in; the owner with their password just typed again (signing needs it)."""
    return {
        "asker": sign_in(Client(), asker),
        "owner": sign_in(Client(), owner, reauthenticated=True),
        "counselor": sign_in(Client(), counselor),
        "family": sign_in(Client(), family),
        "stranger": sign_in(Client(), stranger),
        "anonymous": Client(),
    }


# The counselor's side


@pytest.mark.parametrize("role", ["asker", "owner", "counselor", "family", "stranger", "anonymous"])
def test_every_signed_in_account_may_ask_and_anonymous_signs_in_first(people, role):
    response = people[role].get(reverse("care:consent_request_create"))
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    else:
        assert response.status_code == 200
        assert "Ask a client for consent" in response.content.decode()


def test_the_caseload_links_to_the_ask_page(asker_client):
    body = asker_client.get(reverse("care:caseload")).content.decode()
    assert reverse("care:consent_request_create") in body


def test_asking_creates_the_request_and_emails_the_client_discreetly(asker, asker_client, settings):
    today = asker.local_today()
    response = asker_client.post(
        reverse("care:consent_request_create"),
        {
            "email": " Owner@Example.org ",
            "recipient_name": "Asa Asker, LCSW",
            "organisation": "Hillside Clinic",
            "purpose": "To plan your outpatient care with you.",
            "expires_on": (today + dt.timedelta(days=60)).isoformat(),
            "scopes": ["clean_time", "attendance"],
            "note": "PRIVATE-NOTE about your alcohol use",
        },
    )
    assert response.status_code == 302 and response.url.endswith("#consent-requests")
    consent_request = ConsentRequest.objects.get()
    assert consent_request.counselor == asker and consent_request.email == "owner@example.org"
    assert consent_request.scopes == {"clean_time", "attendance"}
    assert consent_request.expires_on == today + dt.timedelta(days=60)
    assert consent_request.is_pending()
    assert consent_request.expires_at - consent_request.created_at == dt.timedelta(days=14)

    [message] = mail.outbox
    assert message.to == ["owner@example.org"]
    assert message.subject == f"You have a request on {settings.SITE_NAME}"  # fixed: no typed name on a lock screen
    assert not any(word in message.subject.lower() for word in HEALTH_WORDS)
    assert "Nothing is shared unless you sign" in message.body
    url = re.search(r"https?://\S+", message.body).group(0)
    assert url.endswith(link(consent_request))
    html = message.alternatives[0][0]
    assert link(consent_request) in html
    assert "PRIVATE-NOTE" not in message.body and "PRIVATE-NOTE" not in html  # the note waits behind sign-in


def test_asking_tells_the_counselor_nothing_about_the_address(asker, asker_client, owner):
    """The same answer whether the address has an account or not, and no line in anyone's log."""
    pages = []
    for email in ("owner@example.org", "nobody-here@example.org"):
        data = {
            "email": email,
            "recipient_name": "Asa",
            "organisation": "Hillside",
            "purpose": "Care",
            "expires_on": (asker.local_today() + dt.timedelta(days=30)).isoformat(),
            "scopes": ["clean_time"],
        }
        response = asker_client.post(reverse("care:consent_request_create"), data, follow=True)
        pages.append(response.content.decode().replace(email, "EMAIL"))
        assert response.status_code == 200
    assert "Waiting for an answer" in pages[0]
    assert not AccessEvent.objects.filter(owner=owner).exists()
    assert "Olive" not in pages[0]  # the owner's display name


def test_a_counselor_without_two_factor_comes_back_to_the_ask_page(stranger, stranger_client):
    data = {
        "email": "owner@example.org",
        "recipient_name": "Stan",
        "organisation": "Hillside",
        "purpose": "Care",
        "expires_on": (stranger.local_today() + dt.timedelta(days=30)).isoformat(),
        "scopes": ["clean_time"],
    }
    response = stranger_client.post(reverse("care:consent_request_create"), data)
    assert response.url == reverse("care:consent_request_create") + "#consent-requests"
    assert "owner@example.org" in stranger_client.get(response.url).content.decode()


def test_the_ask_form_refuses_bad_values_with_plain_words(asker, asker_client):
    data = {
        "email": asker.email,
        "recipient_name": "Asa",
        "organisation": "Hillside",
        "purpose": "Care",
        "expires_on": (asker.local_today() + dt.timedelta(days=400)).isoformat(),
        "scopes": [],
    }
    response = asker_client.post(reverse("care:consent_request_create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "your own address. Enter your client" in body
    assert "within a year" in body
    assert "Choose at least one kind of information" in body
    assert not ConsentRequest.objects.exists() and not mail.outbox


def test_requests_per_day_are_limited(asker, asker_client):
    for number in range(consent_requests.CONSENT_REQUESTS_PER_DAY):
        ask(asker, f"client{number}@example.org")
    data = {
        "email": "one-more@example.org",
        "recipient_name": "Asa",
        "organisation": "Hillside",
        "purpose": "Care",
        "expires_on": (asker.local_today() + dt.timedelta(days=30)).isoformat(),
        "scopes": ["clean_time"],
    }
    response = asker_client.post(reverse("care:consent_request_create"), data)
    assert response.status_code == 400
    assert "the most consent requests we allow in a day" in response.content.decode()
    assert ConsentRequest.objects.count() == consent_requests.CONSENT_REQUESTS_PER_DAY


def test_a_new_request_to_the_same_address_withdraws_the_earlier_one(asker):
    first = ask(asker)
    second = ask(asker)
    first.refresh_from_db()
    assert first.status() == ConsentRequest.Status.WITHDRAWN and second.is_pending()


def test_the_counselor_sees_each_request_and_its_status(asker, asker_client, owner):
    pending = ask(asker, "pending@example.org")
    declined = ask(asker, "declined@example.org")
    ConsentRequest.objects.filter(pk=declined.pk).update(declined_at=timezone.now())
    body = asker_client.get(reverse("care:caseload")).content.decode()
    assert "Waiting for an answer" in body and "Declined" in body
    assert reverse("care:consent_request_withdraw", args=[pending.pk]) in body
    assert reverse("care:consent_request_withdraw", args=[declined.pk]) not in body


def test_the_counselor_withdraws_a_pending_request_and_its_link_stops(asker, asker_client, people):
    consent_request = ask(asker)
    response = asker_client.post(reverse("care:consent_request_withdraw", args=[consent_request.pk]))
    assert response.status_code == 302
    consent_request.refresh_from_db()
    assert consent_request.status() == ConsentRequest.Status.WITHDRAWN
    response = people["owner"].get(link(consent_request))
    assert response.status_code == 410 and "Asa Asker withdrew this request" in response.content.decode()
    again = asker_client.post(reverse("care:consent_request_withdraw", args=[consent_request.pk]), follow=True)
    assert "already answered or withdrawn" in again.content.decode()


@pytest.mark.parametrize("role", ["owner", "counselor", "family", "stranger"])
def test_no_one_else_can_withdraw_a_request(asker, people, role):
    consent_request = ask(asker)
    response = people[role].post(reverse("care:consent_request_withdraw", args=[consent_request.pk]))
    assert response.status_code == 404
    consent_request.refresh_from_db()
    assert consent_request.is_pending()


def test_anonymous_withdrawing_signs_in_first(asker, anon_client):
    consent_request = ask(asker)
    response = anon_client.post(reverse("care:consent_request_withdraw", args=[consent_request.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@override_settings(PAGE_CACHE=False)
@pytest.mark.parametrize("name", ["care:caseload", "care:consent_request_create"])
def test_the_counselors_list_takes_the_same_queries_for_3_or_30_requests(asker, asker_client, name):
    CAPTURED = []

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert asker_client.get(reverse(name)).status_code == 200
        CAPTURED.append(captured.captured_queries)
        return len(captured)

    for number in range(3):
        ask(asker, f"few{number}@example.org")
    queries()  # the first request of a process warms caches (content types, the session's user)
    few = queries()
    ConsentRequest.objects.bulk_create(
        [
            ConsentRequest(
                counselor=asker,
                email=f"many{number}@example.org",
                recipient_name="Asa",
                organisation="Hillside",
                expires_on=asker.local_today() + dt.timedelta(days=30),
                nonce=f"n{number}",
                expires_at=timezone.now() + dt.timedelta(days=14),
            )
            for number in range(27)
        ]
    )
    many = queries()
    assert many == few, "\n".join(query["sql"] for query in CAPTURED[-1])


# The client's side


def test_the_client_reads_every_element_of_the_proposed_consent(asker, people, time_machine):
    # The clock held: the page's sign link is signed with the second it was rendered in, and so is the one below.
    time_machine.move_to(timezone.now(), tick=False)
    consent_request = ask(asker)
    response = people["owner"].get(link(consent_request))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (
        "Asa Asker asks for your consent",
        "asa@clinic.example.org",
        "Asa Asker, LCSW",
        "Hillside Clinic",
        "To plan your outpatient care with you.",
        "clean time and milestones",
        "check-in trends",
        "support map",
        "setbacks",
        f"{consent_request.expires_on:%-d %B %Y}",
        "revoke",
        "change any part",
        "Good to meet you on Tuesday.",
        sign_link(consent_request),
        "Decline",
    ):
        assert shown in body, shown
    assert "meeting attendance" not in body


def test_anonymous_is_asked_to_sign_in_and_told_nothing_of_who_asked(asker, anon_client):
    consent_request = ask(asker)
    url = link(consent_request)  # once: a token is signed with the second it is made
    response = anon_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Asa" not in body and "Hillside" not in body
    assert f"{reverse('account_login')}?next={quote(url)}" in body


@pytest.mark.parametrize("role", ["counselor", "family", "stranger"])
def test_any_other_account_is_refused_and_learns_nothing(asker, people, role):
    consent_request = ask(asker)
    for url in (link(consent_request), sign_link(consent_request)):
        response = people[role].get(url)
        assert response.status_code == 403
        body = response.content.decode()
        assert "This request isn't for this account" in body
        for hidden in ("Asa", "Hillside", "outpatient", "Tuesday"):
            assert hidden not in body
    assert people[role].post(link(consent_request), {"answer": "decline"}).status_code == 403
    consent_request.refresh_from_db()
    assert consent_request.is_pending()


def test_the_counselor_who_asked_cannot_answer_their_own_request(asker, people):
    consent_request = ask(asker)
    response = people["asker"].get(link(consent_request))
    assert response.status_code == 403 and "This is your own request" in response.content.decode()
    assert people["asker"].get(sign_link(consent_request)).status_code == 403


def test_an_unverified_address_on_the_account_does_not_open_it(asker, stranger, stranger_client):
    EmailAddress.objects.create(user=stranger, email="owner-alias@example.org", verified=False)
    consent_request = ask(asker, "owner-alias@example.org")
    assert stranger_client.get(link(consent_request)).status_code == 403


@pytest.mark.parametrize("token", ["not-a-token", "x" * 300, "a:b:c"])
def test_a_mangled_link_is_a_404_that_says_so(people, token):
    for role in ("owner", "anonymous"):
        response = people[role].get(reverse("care:consent_request", args=[token]))
        assert response.status_code == 404
        assert "This link doesn" in response.content.decode()


def test_a_link_to_another_request_id_with_the_wrong_nonce_opens_nothing(asker, people):
    consent_request = ask(asker)
    forged = ConsentRequest(pk=consent_request.pk, nonce="guessed")
    assert people["owner"].get(link(forged)).status_code == 404


def test_an_expired_link_says_so_to_its_client(asker, people):
    consent_request = ask(asker)
    ConsentRequest.objects.filter(pk=consent_request.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = people["owner"].get(link(consent_request))
    assert response.status_code == 410 and "This request has expired" in response.content.decode()
    assert people["owner"].get(sign_link(consent_request)).status_code == 410
    assert people["stranger"].get(link(consent_request)).status_code == 403  # still nothing to anyone else


def test_signing_asks_for_the_password_again_first(asker, owner):
    consent_request = ask(asker)
    client = sign_in(Client(), owner)
    response = client.get(sign_link(consent_request))
    assert response.status_code == 302 and "reauthenticate" in response.url


def test_the_consent_form_starts_from_what_the_counselor_proposed(asker, people):
    consent_request = ask(asker)
    response = people["owner"].get(sign_link(consent_request))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["recipient_name"].value() == "Asa Asker, LCSW"
    assert form["organisation"].value() == "Hillside Clinic"
    assert form["purpose"].value() == "To plan your outpatient care with you."
    assert form["expires_on"].value() == consent_request.expires_on
    assert sorted(form["scopes"].value()) == sorted(consent_request.scopes)
    assert "email" not in form.fields
    body = response.content.decode()
    assert "Asa Asker, LCSW" in body and 'value="setbacks" id="id_scopes_5" checked' in body.replace("\n", " ")
    assert "Sign the consent" in body


def test_signing_creates_the_consent_with_the_counselor_attached(asker, owner, people):
    consent_request = ask(asker)
    data = form_data(consent_request, scopes=["clean_time", "checkins"], purpose="Outpatient care")
    response = people["owner"].post(sign_link(consent_request), data)
    consent = Consent.objects.get(owner=owner, counselor=asker)
    assert response.status_code == 302 and response.url == reverse("care:consent_detail", args=[consent.pk])
    assert consent.is_valid()
    assert consent.scopes == {"clean_time", "checkins"}  # as the client changed it
    assert consent.purpose == "Outpatient care" and consent.signed_name == "Olive Owens"
    consent_request.refresh_from_db()
    assert consent_request.status() == ConsentRequest.Status.SIGNED and consent_request.consent == consent
    assert not mail.outbox[1:]  # no invitation round trip: the one email was the request
    line = AccessEvent.objects.get(owner=owner, action=AccessEvent.Action.CONSENT_SIGNED)
    assert "Hillside Clinic" in line.what and "asa@clinic.example.org" in line.what
    asker.refresh_from_db()
    assert asker.counsels_someone

    caseload = people["asker"].get(reverse("care:caseload")).content.decode()
    assert reverse("care:client", args=[owner.pk]) in caseload
    assert "Signed" in caseload and reverse("care:consent_detail", args=[consent.pk]) in caseload
    assert people["asker"].get(reverse("care:client", args=[owner.pk])).status_code == 200


def test_signing_twice_makes_one_consent(asker, owner, people):
    consent_request = ask(asker)
    data = form_data(consent_request)
    assert people["owner"].post(sign_link(consent_request), data).status_code == 302
    again = people["owner"].post(sign_link(consent_request), data)
    assert again.status_code == 410
    assert "already signed" in again.content.decode()
    assert reverse("care:consent_detail", args=[Consent.objects.get(counselor=asker).pk]) in again.content.decode()
    assert Consent.objects.filter(owner=owner).exclude(counselor__email="counselor@example.org").count() == 1
    with pytest.raises(consent_requests.ConsentRequestProblem):
        consent_requests.sign_requested_consent(
            consent_request, owner, scopes={"clean_time"}, **_fields(consent_request)
        )


def _fields(consent_request):
    return {
        "recipient_name": consent_request.recipient_name,
        "organisation": consent_request.organisation,
        "purpose": consent_request.purpose,
        "expires_on": consent_request.expires_on,
        "signed_name": "Olive",
    }


def test_a_form_error_loses_nothing_and_signs_nothing(asker, owner, people):
    consent_request = ask(asker)
    response = people["owner"].post(sign_link(consent_request), form_data(consent_request, signed_name="x", scopes=[]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Type your full name to sign" in body and "Hillside Clinic" in body
    assert not Consent.objects.filter(counselor=asker).exists()


def test_the_client_declines_and_the_counselor_sees_only_that(asker, owner, people):
    consent_request = ask(asker)
    response = people["owner"].post(link(consent_request), {"answer": "decline"})
    assert response.status_code == 302
    consent_request.refresh_from_db()
    assert consent_request.status() == ConsentRequest.Status.DECLINED
    assert not Consent.objects.filter(counselor=asker).exists()
    line = AccessEvent.objects.get(owner=owner, action=AccessEvent.Action.CONSENT_REQUEST_DECLINED)
    assert "Asa Asker" in line.what
    assert "Consent request declined" in people["owner"].get(reverse("care:access_log")).content.decode()
    page = people["asker"].get(reverse("care:caseload")).content.decode()
    assert "Declined" in page and "Olive" not in page
    assert people["owner"].get(link(consent_request)).status_code == 410


def test_a_post_without_an_answer_changes_nothing(asker, people):
    consent_request = ask(asker)
    response = people["owner"].post(link(consent_request), {"answer": "accept"})
    assert response.status_code == 302 and response.url == link(consent_request)
    consent_request.refresh_from_db()
    assert consent_request.is_pending()
