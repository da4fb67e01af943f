"""Renewals racing on PostgreSQL: clicks at once make one request, signings at once one renewal, and the client's
own renewal racing the signing of the counselor's request ends with exactly one consent in force."""

import pytest
from django.core import mail

from recovery_network.care import consent_requests, renewals
from recovery_network.care.models import Consent, ConsentRequest
from tests.care.factories import ConsentFactory, turn_on_two_factor
from tests.care.test_concurrency import in_threads
from tests.factories import UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consent():
    owner = UserFactory(email="olive@example.org", display_name="Olive")
    counselor = UserFactory(email="casey@example.org", display_name="Casey")
    turn_on_two_factor(counselor)
    return ConsentFactory(owner=owner, counselor=counselor)


def fields(consent):
    return {
        "recipient_name": consent.recipient_name,
        "organisation": consent.organisation,
        "purpose": consent.purpose,
        "expires_on": consent.expires_on,
        "signed_name": "Olive",
    }


def guarded(work):
    """The refusals a losing racer gets, as values."""
    try:
        return work()
    except (renewals.NotRenewable, consent_requests.ConsentRequestProblem) as problem:
        return str(problem)


def test_clicks_at_once_make_one_renewal_request_and_one_email(consent):
    results = in_threads(4, lambda index: consent_requests.ask_to_renew(consent, consent.counselor))
    assert sorted(made for _, made in results) == [False, False, False, True]
    assert len({request.pk for request, _ in results}) == 1
    assert ConsentRequest.objects.filter(renews=consent).count() == 1 and len(mail.outbox) == 1


def test_signing_a_renewal_twice_at_once_renews_once(consent):
    def renew(index):
        return guarded(lambda: renewals.renew_consent(consent, consent.owner, scopes={"clean_time"}, **fields(consent)))

    results = in_threads(3, renew)
    assert sum(isinstance(result, Consent) for result in results) == 1
    assert results.count("This consent has already been renewed.") == 2
    assert Consent.objects.filter(owner=consent.owner).count() == 2


def test_the_clients_renewal_racing_the_counselors_request_leaves_one_consent_in_force(consent):
    consent_request, _ = consent_requests.ask_to_renew(consent, consent.counselor)
    owner = consent.owner

    def work(index):
        if index == 0:
            return guarded(lambda: renewals.renew_consent(consent, owner, scopes={"clean_time"}, **fields(consent)))
        terms = fields(consent) | {"expires_on": consent_request.expires_on}
        return guarded(
            lambda: consent_requests.sign_requested_consent(consent_request, owner, scopes={"clean_time"}, **terms)
        )

    results = in_threads(2, work)
    assert sum(isinstance(result, Consent) for result in results) == 1, results
    consent.refresh_from_db()
    in_force = [row for row in Consent.objects.filter(owner=owner) if row.is_valid()]
    assert in_force == [consent.renewed_by]
    assert ConsentRequest.objects.get().consent == consent.renewed_by
