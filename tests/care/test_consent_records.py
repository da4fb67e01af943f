"""A counselor's records of consents that ended: theirs to keep, even when the client erased their account."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery_network.care.models import AccessEvent, Consent
from recovery_network.privacy import erasure
from tests.care.factories import ConsentFactory
from tests.factories import UserFactory, sign_in

URL = reverse("care:consent_records")


@pytest.fixture
def records(owner, counselor):
    """The owner's consent to the counselor (in effect), one revoked, and one from a client who left."""
    revoked = ConsentFactory(owner=owner, counselor=counselor, revoked_at=timezone.now(), signed_name="Olive Revoked")
    leaver = UserFactory(email="leaver@example.org", display_name="Lee")
    gone = ConsentFactory(owner=leaver, counselor=counselor, signed_name="Lee Leaver")
    erasure.erase(leaver)
    return revoked, Consent.objects.get(pk=gone.pk)


def test_the_counselor_keeps_the_record_of_an_erased_clients_consent(counselor_client, records, owner):
    revoked, gone = records
    page = counselor_client.get(URL)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Lee Leaver" in text and "Ended: the client erased their account" in text
    assert "Revoked" in text and reverse("care:consent_detail", args=[revoked.pk]) in text
    # The consent in effect is in the caseload, not here.
    in_effect = Consent.objects.get(owner=owner, revoked_at__isnull=True)
    assert reverse("care:consent_detail", args=[in_effect.pk]) not in text
    # The record opens; nothing of the erased client but the consent is there.
    detail = counselor_client.get(reverse("care:consent_detail", args=[gone.pk]))
    assert detail.status_code == 200 and b"Lee Leaver" in detail.content and b"leaver@example.org" not in detail.content


def test_each_listed_client_with_an_account_gets_a_line_in_their_log(counselor_client, records, owner):
    before = AccessEvent.objects.filter(owner=owner).count()
    counselor_client.get(URL)
    assert AccessEvent.objects.filter(owner=owner).count() == before + 1


def test_the_list_needs_two_factor(counselor, records):
    response = sign_in(Client(), counselor, two_factor=False).get(URL)
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["owner_client", "family_client", "stranger_client"])
def test_others_see_no_one_elses_records(request, who, records):
    response = request.getfixturevalue(who).get(URL)
    assert b"Lee Leaver" not in response.content and b"Olive Revoked" not in response.content


def test_anonymous_is_sent_to_sign_in(anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_list_costs_the_same_queries_for_many_records(counselor_client, counselor, django_assert_max_num_queries):
    for number in range(30):
        ConsentFactory(owner=UserFactory(), counselor=counselor, revoked_at=timezone.now(), signed_name=f"C{number}")
    with django_assert_max_num_queries(14):
        assert counselor_client.get(URL).status_code == 200
