"""The circle of care moved from /network/ to /care/ when it became an app of its own: every old address leads
to its new one, and a link in an email already sent (an invitation) still works."""

import pytest
from django.urls import reverse

from recovery_network.care import sharing
from recovery_network.care.models import Invitation


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/network/circle/", "/care/"),
        ("/network/circle/log/?before=abc", "/care/log/?before=abc"),
        ("/network/circle/consents/new/", "/care/consents/new/"),
        ("/network/circle/grants/7/revoke/", "/care/grants/7/revoke/"),
        ("/network/helping/", "/care/helping/"),
        ("/network/clients/", "/care/clients/"),
        ("/network/clients/12/report/?scope=support_map", "/care/clients/12/report/?scope=support_map"),
        ("/network/people/12/", "/care/people/12/"),
        ("/network/invitations/some-token/", "/care/join/some-token/"),
    ],
)
def test_an_old_address_leads_to_the_new_one(anon_client, old, new):
    response = anon_client.get(old)
    assert (response.status_code, response["Location"]) == (308, new)


def test_the_new_addresses_are_the_ones_the_pages_use():
    assert reverse("care:circle") == "/care/"
    assert reverse("care:person", args=[12]) == "/care/people/12/"
    assert reverse("care:invitation", args=["t"]) == "/care/join/t/"


def test_a_form_posted_to_an_old_address_is_carried_over_with_its_method(owner, family_client):
    response = family_client.post(f"/network/people/{owner.pk}/encourage/", {"phrase": "proud"})
    # 308: the browser sends the same POST, token and all, to the new address.
    assert (response.status_code, response["Location"]) == (308, f"/care/people/{owner.pk}/encourage/")


def test_an_invitation_emailed_before_the_move_still_opens(owner, anon_client, mailoutbox):
    invitation = sharing.invite(owner, "mum@example.org", scopes={"clean_time"})
    token = sharing.invitation_token(invitation)
    response = anon_client.get(f"/network/invitations/{token}/", follow=True)
    assert response.redirect_chain == [(f"/care/join/{token}/", 308)]
    # Signed out, the page asks to sign in and names no one.
    assert response.status_code == 200 and "You've been invited" in response.content.decode()
    assert Invitation.objects.get().pk == invitation.pk
