"""Where a new person lands after signing in, and the home page's "Continue setting up" card."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from recovery_network.care import sharing
from recovery_network.welcome.models import FirstRun, Step
from tests.factories import TEST_PASSWORD, UserFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

PASSWORD = "quiet-harbor-morning-42"


def sign_up_and_confirm(client, email="new@example.org", next_url=""):
    """Sign up (from `next_url` if given), follow the emailed link, confirm: the response of the confirmation."""
    signup = reverse("account_signup") + (f"?next={next_url}" if next_url else "")
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, "time_zone": "Europe/Berlin"}
    if next_url:
        data["next"] = next_url
    assert client.post(signup, data).status_code == 302
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    return client.post(link)


def sign_in(client, email, password=TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_new_person_is_taken_to_the_first_run_after_confirming_their_email(client):
    response = sign_up_and_confirm(client)
    assert response.status_code == 302 and response.url == reverse("welcome:start")
    assert client.get(response.url).status_code == 200
    assert FirstRun.objects.get(owner__email="new@example.org").started_at is None


def test_signing_in_again_resumes_where_they_left(client):
    sign_up_and_confirm(client)
    client.post(reverse("welcome:journey"), {"action": "skip"})
    client.logout()
    response = sign_in(client, "new@example.org", PASSWORD)
    assert response.url == reverse("welcome:people")


def test_after_finish_later_signing_in_goes_home(client):
    sign_up_and_confirm(client)
    client.post(reverse("welcome:later"))
    client.logout()
    assert sign_in(client, "new@example.org", PASSWORD).url == "/"


def test_a_finished_or_dismissed_first_run_signs_in_home(client):
    user = UserFactory()
    for done in ({"finished_at": "2026-01-01T00:00Z"}, {"dismissed_at": "2026-01-01T00:00Z"}):
        FirstRun.objects.update_or_create(owner=user, defaults={"finished_at": None, "dismissed_at": None, **done})
        assert sign_in(Client(), user.email).url == "/"


def test_an_account_made_before_the_first_run_signs_in_home(client):
    user = UserFactory()
    assert sign_in(client, user.email).url == "/"


def test_a_next_address_wins_over_the_first_run(client):
    user = UserFactory()
    FirstRun.objects.create(owner=user)
    url = reverse("account_login") + "?next=" + reverse("supports:index")
    response = client.post(url, {"login": user.email, "password": TEST_PASSWORD, "next": reverse("supports:index")})
    assert response.url == reverse("supports:index")


def test_someone_invited_as_family_is_not_pushed_into_a_recovery_first_run(client, owner):
    invitation = sharing.invite(owner, "fran@example.org")
    join = reverse("care:invitation", args=[sharing.invitation_token(invitation)])
    response = sign_up_and_confirm(client, "fran@example.org", next_url=join)
    assert response.url == join  # straight back to the invitation, as its page promised
    # Before accepting, a pending invitation to their address keeps them out of it too.
    client.logout()
    assert sign_in(client, "fran@example.org", PASSWORD).url == "/"
    response = client.post(join, {"answer": "accept"})
    assert response.status_code == 302
    client.logout()
    assert sign_in(client, "fran@example.org", PASSWORD).url == "/"
    body = client.get("/").content.decode()
    assert "set up my own" in body and "Continue setting up" not in body


def test_a_family_member_who_starts_their_own_first_run_is_brought_back_to_it(family, family_client):
    FirstRun.objects.create(owner=family)
    assert sign_in(Client(), family.email).url == "/"
    family_client.post(reverse("welcome:journey"), {"action": "skip"})
    assert sign_in(Client(), family.email).url == reverse("welcome:people")


# The home card


def card(client):
    body = client.get("/").content.decode()
    match = re.search(r'<section class="card welcome-card".*?</section>', body, re.S)
    return match.group(0) if match else None


def test_a_new_person_sees_a_card_to_start_and_then_to_continue(owner, owner_client):
    FirstRun.objects.create(owner=owner)
    first = card(owner_client)
    assert "Set up your support network" in first and "(0 of 5 done)" in first
    assert f'href="{reverse("welcome:journey")}">Start' in first
    owner_client.post(reverse("welcome:journey"), {"action": "skip"})
    owner_client.post(reverse("welcome:people"), {"action": "skip"})
    owner_client.post(reverse("welcome:group"), {"name": "Thursday circle", "fellowship": "aa"})
    owner_client.post(reverse("welcome:checkin"), {"checkin_time": "20:00", "time_zone": "America/Chicago"})
    later = card(owner_client)
    assert "Continue setting up" in later and "(2 of 5 done)" in later
    assert f'href="{reverse("welcome:sharing")}">Continue' in later


def test_the_card_goes_when_the_first_run_is_finished_or_dismissed(owner, owner_client):
    FirstRun.objects.create(owner=owner)
    owner_client.post(reverse("welcome:dismiss"))
    assert card(owner_client) is None
    FirstRun.objects.filter(owner=owner).update(dismissed_at=None)
    for step in Step:
        owner_client.post(reverse(f"welcome:{step}"), {"action": "skip"})
    assert card(owner_client) is None


def test_an_account_without_a_first_run_and_in_no_circle_sees_no_card(owner_client, stranger_client):
    assert card(owner_client) is None and card(stranger_client) is None


@pytest.mark.parametrize("who", ["family", "counselor"])
def test_family_and_counselors_are_offered_their_own_setup_as_a_link(request, who):
    client = request.getfixturevalue(f"{who}_client")
    found = card(client)
    assert "I’m in recovery myself — set up my own".replace("’", "'") in found
    assert reverse("welcome:start") in found


def test_the_card_costs_one_query(owner, owner_client, django_assert_num_queries):
    from recovery_network.welcome.home import section

    FirstRun.objects.create(owner=owner)
    with django_assert_num_queries(1):
        assert section(owner)["first_run"] is not None


def test_the_home_page_stays_within_its_queries_with_the_card(owner, owner_client, django_assert_max_num_queries):
    FirstRun.objects.create(owner=owner)
    owner_client.get("/")
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(12):
        owner_client.get("/")


# The network card's empty state


def test_an_empty_network_offers_its_first_person_not_a_contact(owner, owner_client):
    body = owner_client.get("/").content.decode()
    assert "Add the first person" in body and reverse("supports:contact_create") not in body
    SupporterFactory(owner=owner, name="Marisol")
    body = owner_client.get("/").content.decode()
    assert "Log a contact" in body and "Add the first person" not in body
