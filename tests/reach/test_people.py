"""Agreeing to be there: a supporter is asked first, answers from the link, may stop with one click; the
person orders and edits their list. No alert ever reaches someone who has not accepted."""

import datetime as dt
import re

import pytest
import sms
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from recovery_network.demo import seed
from recovery_network.notifications.models import Notification
from recovery_network.reach import links, services
from recovery_network.reach.models import AlertContact
from tests.factories import UserFactory
from tests.reach.factories import AlertContactFactory, unsigned
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def link_in(email):
    return re.search(r"http://[^\s\"<>]+", email.body).group(0).removeprefix("http://testserver")


@pytest.fixture
def maya(owner):
    return SupporterFactory(owner=owner, name="Maya", email="maya@example.net", phone="+1 555 010 0199")


def test_asking_emails_a_request_with_a_fixed_subject(owner, owner_client, maya, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("reach:ask", args=[maya.pk]))
    assert response.status_code == 302
    (email,) = mail.outbox
    assert email.to == ["maya@example.net"] and email.subject == "You have a request on Recovery Network"
    assert email.body.startswith(f"{owner.name} would like to be able to reach you when they are struggling.")
    assert "/reach/request/" in email.body
    assert AlertContact.objects.get().status == AlertContact.Status.ASKED


def test_a_supporter_with_an_account_is_asked_in_the_app_too(owner, maya):
    friend = UserFactory()
    maya.linked_user = friend
    maya.save()
    contact = services.ask(owner, maya)
    note = Notification.objects.get(recipient=friend)
    assert unsigned(note.url) == unsigned(links.request_path(contact)) and owner.name in note.title


def test_accepting_from_the_link(owner, maya, client, settings):
    settings.SITE_URL = "http://testserver"
    contact = services.ask(owner, maya)
    page = client.get(links.request_path(contact))
    assert page.status_code == 200 and b"What it would mean" in page.content
    assert b"+1 555 010 0199" in page.content  # the number the person has, offered to confirm
    response = client.post(
        links.request_path(contact),
        {"answer": "accept", "phone": "+1 555 010 0199", "time_zone": "America/Denver", "night_alerts": "on"},
    )
    assert response.status_code == 200 and b"Thank you for being there" in response.content
    contact.refresh_from_db()
    assert contact.is_accepted and contact.night_alerts and contact.time_zone == "America/Denver"
    assert Notification.objects.filter(recipient=owner, kind="reach_people").exists()


def test_a_bad_number_is_refused_with_a_clear_message_and_nothing_saved(owner, maya, client):
    contact = services.ask(owner, maya)
    response = client.post(links.request_path(contact), {"answer": "accept", "phone": "call me", "time_zone": "UTC"})
    assert response.status_code == 400 and b"country code" in response.content
    assert AlertContact.objects.get().status == AlertContact.Status.ASKED


def test_declining_from_the_link(owner, maya, client):
    contact = services.ask(owner, maya)
    response = client.post(links.request_path(contact), {"answer": "decline"})
    assert b"You said no" in response.content
    assert AlertContact.objects.get().status == AlertContact.Status.DECLINED


def test_opening_a_request_changes_nothing(owner, maya, client):
    contact = services.ask(owner, maya)
    client.get(links.request_path(contact))
    assert AlertContact.objects.get().status == AlertContact.Status.ASKED


def test_asking_again_voids_the_older_link(owner, maya, client):
    first = links.request_path(services.ask(owner, maya, now=timezone.now() - dt.timedelta(days=2)))
    services.ask(owner, maya)
    assert client.get(first).status_code == 404


def test_an_old_request_link_has_expired(owner, maya, client):
    with time_machine.travel(timezone.now()):
        path = links.request_path(services.ask(owner, maya))
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = client.get(path)
    assert response.status_code == 410 and b"expired" in response.content


def test_one_click_stop_from_the_email_header(owner, client):
    contact = AlertContactFactory(owner=owner)
    path = links.stop_path(contact)
    assert client.get(path).status_code == 200  # a link scanner's GET stops nothing
    assert AlertContact.objects.get().is_accepted
    response = client.post(path, {"List-Unsubscribe": "One-Click"})  # RFC 8058, no CSRF token
    assert response.status_code == 200
    assert AlertContact.objects.get().status == AlertContact.Status.STOPPED
    assert Notification.objects.filter(recipient=owner, kind="reach_people", title__contains="stopped").exists()


def test_a_stopped_supporter_is_never_alerted_again(owner):
    contact = AlertContactFactory(owner=owner)
    other = AlertContactFactory(owner=owner)
    services.stop(contact)
    alert, _ = services.raise_alert(owner)
    assert list(alert.sends.values_list("contact_id", flat=True)) == [other.pk]


def test_the_person_orders_their_list(owner, owner_client):
    first, second = AlertContactFactory(owner=owner), AlertContactFactory(owner=owner)
    owner_client.post(reverse("reach:move", args=[second.pk]), {"direction": "up"})
    assert list(AlertContact.objects.in_order().values_list("pk", flat=True)) == [second.pk, first.pk]


def test_taking_someone_off_the_list(owner, owner_client):
    contact = AlertContactFactory(owner=owner)
    owner_client.post(reverse("reach:withdraw", args=[contact.pk]))
    assert AlertContact.objects.get().status == AlertContact.Status.WITHDRAWN
    with pytest.raises(services.ReachProblem):
        services.raise_alert(owner)


def test_a_supporter_without_an_address_cannot_be_asked(owner, owner_client):
    nameless = SupporterFactory(owner=owner, email="", phone="")
    owner_client.post(reverse("reach:ask", args=[nameless.pk]))
    assert not AlertContact.objects.exists()
    page = owner_client.get(reverse("reach:people")).content.decode()
    assert "add an email address or a mobile number first" in page


def test_the_people_page_for_the_owner(owner, owner_client, maya):
    AlertContactFactory(owner=owner)
    page = owner_client.get(reverse("reach:people"))
    assert page.status_code == 200 and b"Maya" in page.content and b"Agreed to be there" in page.content


@pytest.mark.parametrize("name", ["reach:people", "reach:now", "reach:history"])
def test_the_persons_pages_need_signing_in(anon_client, name):
    response = anon_client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_elses_supporter_or_contact_is_a_404(owner, stranger_client, maya):
    contact = AlertContactFactory(owner=owner)
    assert stranger_client.post(reverse("reach:ask", args=[maya.pk])).status_code == 404
    assert stranger_client.post(reverse("reach:withdraw", args=[contact.pk])).status_code == 404
    assert stranger_client.post(reverse("reach:move", args=[contact.pk])).status_code == 404
    assert AlertContact.objects.get().is_accepted


@pytest.mark.parametrize("viewer", ["family_client", "counselor_client", "stranger_client"])
def test_others_see_nothing_of_the_persons_list(owner, viewer, request, maya):
    AlertContactFactory(owner=owner, supporter=maya)
    page = request.getfixturevalue(viewer).get(reverse("reach:people")).content
    assert b"Maya" not in page


def test_the_demo_gives_alex_people_who_agreed():
    cast, _ = seed()
    seed()  # twice is the same
    contacts = AlertContact.objects.for_owner(cast["owner"]).in_order()
    assert [(c.supporter.name, c.status) for c in contacts] == [
        ("Sam", "accepted"),
        ("Marcus", "accepted"),
        ("Priya", "asked"),
    ]
    assert contacts[0].user == cast["family"]


def test_someone_marked_as_a_risk_is_not_offered_nor_asked(owner, owner_client):
    risky = SupporterFactory(owner=owner, name="Jesse", email="jesse@example.net", influence="risk")
    assert b"Jesse" not in owner_client.get(reverse("reach:people")).content
    with pytest.raises(services.ReachProblem, match="risk"):
        services.ask(owner, risky)


def test_someone_with_only_a_number_is_asked_by_text_and_alerted_by_text(
    owner, owner_client, client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://testserver"
    sms.outbox = []
    ray = SupporterFactory(owner=owner, name="Ray", email="", phone="+1 555 010 0142")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("reach:ask", args=[ray.pk]), follow=True)
    assert b"Ray has been asked by text" in response.content
    (request_text,) = sms.outbox
    assert request_text.recipients == ["+1 555 010 0142"]
    assert request_text.body.startswith(f"{owner.name} has a request for you: http://testserver/reach/request/")
    path = re.search(r"/reach/request/\S+", request_text.body).group(0)
    refused = client.post(path, {"answer": "accept", "phone": "", "time_zone": "America/Chicago"})
    assert refused.status_code == 400  # a number is the only way to reach them
    accepted = {"answer": "accept", "phone": "+1 555 010 0142", "time_zone": "America/Chicago", "night_alerts": "on"}
    client.post(path, accepted)
    assert AlertContact.objects.get().is_accepted
    alert, _ = services.raise_alert(owner)
    assert list(alert.sends.values_list("channel", flat=True)) == ["sms"]


def test_someone_who_stopped_alerts_is_never_asked_again(owner, owner_client, maya):
    contact = AlertContactFactory(owner=owner, supporter=maya)
    services.stop(contact)
    mail.outbox.clear()
    with pytest.raises(services.ReachProblem, match="stopped"):
        services.ask(owner, maya)
    assert b"Ask again" not in owner_client.get(reverse("reach:people")).content
    assert mail.outbox == []


def test_a_request_is_not_sent_again_within_a_day(owner, maya):
    services.ask(owner, maya)
    with pytest.raises(services.ReachProblem, match="less than a day"):
        services.ask(owner, maya)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        services.ask(owner, maya)
