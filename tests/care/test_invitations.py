"""Invitations: signed, single-use, expiring links answered by a signed-in person with the invited address."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent, Consent, Grant, Invitation
from tests.care.conftest import client_for
from tests.factories import UserFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee(db):
    return UserFactory(email="mum@example.org", display_name="Mum")


def invite_url(invitation):
    return reverse("care:invitation", args=[sharing.invitation_token(invitation)])


def test_owner_invites_with_chosen_scopes_and_an_email_goes_out(owner_client, owner):
    supporter = SupporterFactory(owner=owner, name="Mum")
    response = owner_client.post(
        reverse("care:invite"),
        {"email": "Mum@Example.org", "supporter": supporter.pk, "scopes": ["clean_time", "attendance"]},
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get(owner=owner)
    assert invitation.email == "mum@example.org" and invitation.supporter == supporter
    assert invitation.scopes == {"clean_time", "attendance"}
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    [message] = mail.outbox
    assert message.to == ["mum@example.org"]
    assert message.subject == "You have an invitation on Recovery Network"
    # The link's token carries the second it was signed, so it is read back rather than made again.
    [token] = re.findall(r"/care/join/([^/\s]+)/", message.body)
    assert sharing.invitation_from_token(token) == invitation and message.body.startswith("Olive invited you")
    for word in ("recovery", "sober", "alcohol", "addiction", "clean"):
        assert word not in message.subject.lower().replace("recovery network", "")
    assert AccessEvent.objects.filter(owner=owner, action="invited").exists()


def test_minimum_is_the_default_scope(owner_client):
    form = owner_client.get(reverse("care:invite")).context["form"]
    assert form.fields["scopes"].initial == ["clean_time"]
    assert [name for name, _ in form.fields["scopes"].choices] == [
        "clean_time", "checkins", "recovery_capital", "support_map", "attendance", "setbacks"
    ]  # fmt: skip


def test_inviting_yourself_is_refused_in_plain_words(owner_client):
    response = owner_client.post(reverse("care:invite"), {"email": "owner@example.org", "scopes": ["clean_time"]})
    assert response.status_code == 400
    assert "your own address" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitee_accepts_and_gets_exactly_the_invited_scopes(owner, invitee):
    supporter = SupporterFactory(owner=owner, name="Mum")
    invitation = sharing.invite(owner, invitee.email, scopes={"clean_time", "checkins"}, supporter=supporter)
    client = client_for(invitee)
    page = client.get(invite_url(invitation))
    assert page.status_code == 200 and "Olive invited you" in page.content.decode()
    response = client.post(invite_url(invitation), {"answer": "accept", "link_supporter": "on"})
    assert response.status_code == 302 and response.url == reverse("care:person", args=[owner.pk])
    grant = Grant.objects.get(owner=owner, viewer=invitee)
    assert grant.scopes == {"clean_time", "checkins"}
    supporter.refresh_from_db()
    assert supporter.linked_user == invitee
    invitation.refresh_from_db()
    assert invitation.status() == Invitation.Status.ACCEPTED and invitation.accepted_by == invitee
    assert AccessEvent.objects.filter(owner=owner, actor=invitee, action="invitation_accepted").exists()


def test_invitee_may_accept_without_linking_to_a_supporter(owner, invitee):
    supporter = SupporterFactory(owner=owner, name="Mum")
    invitation = sharing.invite(owner, invitee.email, supporter=supporter)
    client_for(invitee).post(invite_url(invitation), {"answer": "accept"})
    supporter.refresh_from_db()
    assert supporter.linked_user is None
    assert Grant.objects.filter(owner=owner, viewer=invitee).exists()


def test_a_used_link_shows_a_clear_page_and_changes_nothing(owner, invitee):
    invitation = sharing.invite(owner, invitee.email)
    client = client_for(invitee)
    client.post(invite_url(invitation), {"answer": "accept"})
    again = client.post(invite_url(invitation), {"answer": "accept"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert Grant.objects.filter(owner=owner, viewer=invitee).count() == 1


def test_an_expired_link_shows_a_clear_page(owner, invitee):
    invitation = sharing.invite(owner, invitee.email, now=timezone.now() - dt.timedelta(days=7, seconds=1))
    response = client_for(invitee).get(invite_url(invitation))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert client_for(invitee).post(invite_url(invitation), {"answer": "accept"}).status_code == 410
    assert not Grant.objects.exists()


def test_a_link_six_days_old_still_works(owner, invitee):
    invitation = sharing.invite(owner, invitee.email, now=timezone.now() - dt.timedelta(days=6, hours=23))
    assert client_for(invitee).post(invite_url(invitation), {"answer": "accept"}).status_code == 302


def test_a_withdrawn_link_shows_a_clear_page(owner, owner_client, invitee):
    invitation = sharing.invite(owner, invitee.email)
    owner_client.post(reverse("care:invitation_withdraw", args=[invitation.pk]))
    response = client_for(invitee).get(invite_url(invitation))
    assert response.status_code == 410
    assert "Olive withdrew this invitation" in response.content.decode()
    assert AccessEvent.objects.filter(owner=owner, action="invitation_withdrawn").exists()


@pytest.mark.parametrize("state", ["withdrawn", "expired", "declined", "accepted"])
def test_the_wrong_account_learns_nothing_of_the_inviter_whatever_became_of_the_link(
    owner, owner_client, invitee, stranger, state
):
    invitation = sharing.invite(owner, invitee.email, now=timezone.now() - dt.timedelta(days=1))
    if state == "withdrawn":
        owner_client.post(reverse("care:invitation_withdraw", args=[invitation.pk]))
    elif state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    else:
        client_for(invitee).post(invite_url(invitation), {"answer": "decline" if state == "declined" else "accept"})
    for method in ("get", "post"):
        response = getattr(client_for(stranger), method)(invite_url(invitation), {"answer": "accept"})
        assert response.status_code == 403, (state, method)
        page = response.content.decode()
        assert "This invitation is for someone else" in page
        assert "Olive" not in page and owner.email not in page
    assert not Grant.objects.filter(viewer=stranger).exists()


def test_an_invitation_subject_never_carries_what_someone_typed(owner):
    owner.display_name = "Olive (relapsed, please call)"
    owner.save()
    sharing.invite(owner, "mum@example.org")
    sharing.sign_consent(
        owner,
        email="dana@example.org",
        scopes={"checkins"},
        recipient_name="Dr Dana",
        organisation="Riverside",
        purpose="Treatment",
        expires_on=owner.local_today() + dt.timedelta(days=30),
        signed_name="Olive",
    )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.subject == "You have an invitation on Recovery Network"
        assert "Olive (relapsed, please call) invited you" in message.body  # the body names who it is from


def test_the_wrong_account_is_told_so_and_cannot_accept(owner, invitee, stranger):
    invitation = sharing.invite(owner, invitee.email)
    client = client_for(stranger)
    response = client.post(invite_url(invitation), {"answer": "accept"})
    assert response.status_code == 403
    assert "This invitation is for someone else" in response.content.decode()
    assert not Grant.objects.filter(viewer=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending()


def test_an_unverified_address_is_not_enough(owner):
    unverified = UserFactory(email="mum@example.org", verified=False)
    invitation = sharing.invite(owner, unverified.email)
    assert client_for(unverified).post(invite_url(invitation), {"answer": "accept"}).status_code == 403


def test_a_tampered_or_forged_link_shows_a_clear_page(owner, invitee):
    invitation = sharing.invite(owner, invitee.email)
    token = sharing.invitation_token(invitation)
    client = client_for(invitee)
    for bad in (token[:-2] + "xx", "garbage", token.replace(token[2], "Z" if token[2] != "Z" else "Y", 1)):
        response = client.get(reverse("care:invitation", args=[bad]))
        assert response.status_code == 404
        assert "Check that it was copied whole" in response.content.decode()
    invitation.nonce = "changed"
    invitation.save()
    assert client.get(reverse("care:invitation", args=[token])).status_code == 404


def test_anonymous_is_asked_to_sign_in_and_comes_back(owner, invitee, client):
    invitation = sharing.invite(owner, invitee.email)
    url = invite_url(invitation)
    response = client.get(url)
    assert response.status_code == 200
    assert f"{reverse('account_login')}?next=" in response.content.decode()
    client.force_login(invitee)
    assert client.post(url, {"answer": "accept"}).status_code == 302


def test_declining_shares_nothing_and_uses_up_the_link(owner, invitee):
    invitation = sharing.invite(owner, invitee.email)
    client = client_for(invitee)
    assert client.post(invite_url(invitation), {"answer": "decline"}).status_code == 302
    assert not Grant.objects.exists()
    assert client.get(invite_url(invitation)).status_code == 410
    assert AccessEvent.objects.filter(owner=owner, action="invitation_declined").exists()


def test_the_owner_cannot_accept_their_own_invitation(owner, owner_client):
    invitation = sharing.invite(owner, "someone@example.org")
    response = owner_client.post(invite_url(invitation), {"answer": "accept"})
    assert response.status_code == 403
    assert "invitation you sent" in response.content.decode()


def test_pending_invitations_are_listed_until_answered(owner, owner_client, invitee):
    invitation = sharing.invite(owner, invitee.email)
    assert invitee.email in owner_client.get(reverse("care:circle")).content.decode()
    client_for(invitee).post(invite_url(invitation), {"answer": "accept"})
    page = owner_client.get(reverse("care:circle")).content.decode()
    assert "Invitations waiting" not in page and "Mum" in page


def test_withdrawing_an_answered_invitation_changes_nothing(owner, owner_client, invitee):
    invitation = sharing.invite(owner, invitee.email)
    client_for(invitee).post(invite_url(invitation), {"answer": "accept"})
    owner_client.post(reverse("care:invitation_withdraw", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None
    assert Grant.objects.active().filter(viewer=invitee).exists()


def test_accepting_again_after_a_revocation_starts_a_new_grant(owner, invitee):
    first = sharing.invite(owner, invitee.email)
    grant = sharing.accept_invitation(first, invitee)
    sharing.revoke_grant(grant)
    second = sharing.invite(owner, invitee.email, scopes={"support_map"})
    new_grant = sharing.accept_invitation(second, invitee)
    assert new_grant.pk != grant.pk and new_grant.scopes == {"support_map"}
    assert Grant.objects.filter(owner=owner, viewer=invitee).count() == 2


def test_a_counselor_invitation_attaches_the_counselor_to_the_signed_consent(owner):
    counselor = UserFactory(email="dr@example.org")
    consent = sharing.sign_consent(
        owner,
        email=counselor.email,
        scopes={"support_map"},
        recipient_name="Dr Lee",
        organisation="Clinic",
        purpose="Treatment",
        expires_on=owner.local_today() + dt.timedelta(days=30),
        signed_name="Olive Owner",
    )
    invitation = Invitation.objects.get(consent=consent)
    assert invitation.role == Invitation.Role.COUNSELOR
    response = client_for(counselor).post(invite_url(invitation), {"answer": "accept"})
    assert response.url == reverse("care:caseload")
    consent.refresh_from_db()
    assert consent.counselor == counselor and consent.is_valid()
    assert not Grant.objects.exists()


def test_revoking_a_consent_before_it_is_accepted_withdraws_its_invitation(owner):
    consent = sharing.sign_consent(
        owner,
        email="dr@example.org",
        scopes={"support_map"},
        recipient_name="Dr Lee",
        organisation="Clinic",
        purpose="Treatment",
        expires_on=owner.local_today() + dt.timedelta(days=30),
        signed_name="Olive Owner",
    )
    sharing.revoke_consent(consent)
    invitation = Invitation.objects.get(consent=consent)
    assert invitation.status() == Invitation.Status.WITHDRAWN
    counselor = UserFactory(email="dr@example.org")
    assert client_for(counselor).post(invite_url(invitation), {"answer": "accept"}).status_code == 410
    assert Consent.objects.get(pk=consent.pk).counselor is None


def test_a_new_invitation_to_the_same_address_retires_the_old_link(owner, invitee):
    first = sharing.invite(owner, invitee.email)
    second = sharing.invite(owner, "MUM@example.org", scopes={"checkins"})
    first.refresh_from_db()
    assert first.status() == Invitation.Status.WITHDRAWN and second.is_pending()
    client = client_for(invitee)
    assert client.get(invite_url(first)).status_code == 410
    assert client.post(invite_url(second), {"answer": "accept"}).status_code == 302
    assert Grant.objects.get(viewer=invitee).scopes == {"checkins"}


def test_invitations_are_limited_per_day_with_a_plain_message(owner, owner_client):
    for number in range(sharing.INVITATIONS_PER_DAY):
        sharing.invite(owner, f"friend{number}@example.org")
    response = owner_client.post(reverse("care:invite"), {"email": "one-more@example.org", "scopes": []})
    assert response.status_code == 400
    assert "try again tomorrow" in response.content.decode()
    assert not Invitation.objects.filter(email="one-more@example.org").exists()
    Invitation.objects.update(created_at=timezone.now() - dt.timedelta(days=1, minutes=1))
    assert owner_client.post(reverse("care:invite"), {"email": "one-more@example.org"}).status_code == 302
