"""Pages: the notification centre, reminder settings, one-click unsubscribe and "I reached out".
Each asks what the owner, a stranger and an anonymous visitor get."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery_network.models import User
from recovery_network.notifications import delivery as sending
from recovery_network.notifications import preferences as channel_prefs
from recovery_network.notifications import registry
from recovery_network.notifications.models import Delivery, Notification, NotificationPreference
from supports.models import Closeness, Contact
from supports.notification_kinds import reached_out_token
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


def add_notification(user, title="Time for your check-in", **fields):
    note = Notification.objects.create(recipient=user, kind="checkin", title=title, url="/progress/checkin/", **fields)
    sending.count_new_notifications({user.pk: 1})
    return note


@pytest.fixture
def reach_out(owner):
    supporter = SupporterFactory(owner=owner, name="Marcus", closeness=Closeness.INNER, contact_every_days=3)
    delivery = Delivery.objects.create(
        recipient=owner, kind="reach_out", subject_id=supporter.pk, occurrence="o1", status="sent", in_app=True
    )
    note = Notification.objects.create(
        recipient=owner,
        delivery=delivery,
        kind="reach_out",
        title="Reach out to Marcus",
        action_url=reverse("supports:reached_out", args=[reached_out_token(delivery)]),
        action_label="I reached out",
    )
    sending.count_new_notifications({owner.pk: 1})
    return supporter, delivery, note


# The notification centre -------------------------------------------------------------


def test_owner_sees_their_notifications_and_the_unread_count_in_the_nav(owner_client, owner, stranger):
    add_notification(owner, "Time for your check-in")
    add_notification(stranger, "Someone else's note")
    response = owner_client.get(reverse("notifications:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Time for your check-in" in body and "Someone else's note" not in body
    assert '<span class="nav-count">1<span class="visually-hidden"> unread</span></span>' in body


def test_nav_count_costs_no_query(owner_client, owner, django_assert_num_queries):
    add_notification(owner)
    owner.refresh_from_db()
    with django_assert_num_queries(0):
        from recovery_network.context_processors import notifications as processor

        request = type("Request", (), {"user": owner})()
        assert processor(request) == {"unread_notifications": 1}


def test_centre_query_count_does_not_grow_with_notifications(owner_client, owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    owner_client.get(reverse("notifications:index"))  # a session's first request also records the device
    for size in (3, 60):
        Notification.objects.all().delete()
        User.objects.filter(pk=owner.pk).update(unread_notifications=0)  # as deleting them through the app would
        for index in range(size):
            add_notification(owner, f"Note {index}")
        with CaptureQueriesContext(connection) as queries:
            assert owner_client.get(reverse("notifications:index")).status_code == 200
        counts.append(len(queries))
    # Sign-in bookkeeping (session, user; allauth's session tracking runs once a minute) plus three of ours.
    assert counts[0] == counts[1] <= 5, counts


def test_anonymous_is_sent_to_sign_in(anon_client):
    for name in ("notifications:index", "notifications:preferences"):
        response = anon_client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_opening_a_notification_marks_it_read_and_follows_its_link(owner_client, owner):
    note = add_notification(owner)
    response = owner_client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response.url == "/progress/checkin/"
    note.refresh_from_db()
    owner.refresh_from_db()
    assert note.read_at is not None and owner.unread_notifications == 0


def test_stranger_gets_404_for_the_owners_notification(stranger_client, owner):
    note = add_notification(owner)
    assert stranger_client.get(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(owner_client, owner):
    for _ in range(3):
        add_notification(owner)
    assert owner_client.get(reverse("notifications:read_all")).status_code == 405
    owner_client.post(reverse("notifications:read_all"))
    owner.refresh_from_db()
    assert owner.unread_notifications == 0 and not Notification.objects.unread().exists()


def test_centre_repairs_a_counter_that_drifted(owner_client, owner):
    add_notification(owner)
    type(owner).objects.filter(pk=owner.pk).update(unread_notifications=9)
    owner_client.get(reverse("notifications:index"))
    owner.refresh_from_db()
    assert owner.unread_notifications == 1


def _centre(client, **params):
    response = client.get(reverse("notifications:index"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_cached_centre_shows_each_change_at_once(owner_client, owner):
    """The whole page is kept under the centre's state: a new note, one read, one removed, all show at once."""
    first = add_notification(owner, "First note")
    assert "First note" in _centre(owner_client) and "notification--unread" in _centre(owner_client)
    second = add_notification(owner, "Second note")
    assert "Second note" in _centre(owner_client)
    sending.mark_read(owner, [first.pk, second.pk])
    body = _centre(owner_client)
    assert "notification--unread" not in body and "nav-count" not in body
    Notification.objects.filter(pk=first.pk).delete()
    assert "First note" not in _centre(owner_client)


def test_the_centre_state_counts_all_unread_and_the_newest(owner, stranger):
    from django.db.models import Count, Max, Q

    from tests.factories import UserFactory

    notes = [add_notification(owner, f"Note {index}") for index in range(5)]
    add_notification(stranger, "Not the owner's")
    sending.mark_read(owner, [notes[1].pk, notes[3].pk])
    expected = Notification.objects.for_owner(owner).aggregate(
        total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)), newest=Max("id")
    )
    assert (
        sending.centre_state(owner)
        == (expected["total"], expected["unread"], expected["newest"])
        == (
            5,
            3,
            notes[-1].pk,
        )
    )
    assert sending.centre_state(UserFactory()) == (0, 0, 0)


def test_the_centre_pages_follow_the_page_asked_for(owner_client, owner):
    from recovery_network.notifications.views import PAGE_SIZE

    for index in range(PAGE_SIZE + 2):
        add_notification(owner, f"Note {index:02d}")
    first, second = _centre(owner_client), _centre(owner_client, page=2)
    assert "Note 31" in first and "Note 00" not in first
    assert "Note 00" in second and "Note 31" not in second and "Page 2 of 2" in second
    assert _untokened(_centre(owner_client, page="nonsense")) == _untokened(first)
    assert "Page 2 of 2" in _centre(owner_client, page=99)


def _untokened(body):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_the_centre_shows_times_in_the_persons_zone_after_a_move(owner_client, owner):
    add_notification(owner, created_at=dt.datetime(2026, 1, 15, 15, 0, tzinfo=dt.UTC))
    assert "09:00" in _centre(owner_client)  # Chicago
    owner.time_zone = "Europe/London"
    owner.save()
    assert "15:00" in _centre(owner_client)


def test_the_cached_centre_is_never_another_persons(owner_client, owner, stranger, stranger_client):
    add_notification(owner, "Note for the owner")
    add_notification(stranger, "Note for the stranger")
    assert "Note for the owner" in _centre(owner_client)
    body = _centre(stranger_client)
    assert "Note for the stranger" in body and "Note for the owner" not in body


# Settings ------------------------------------------------------------------------------


def test_preferences_page_lists_every_kind(owner_client):
    body = owner_client.get(reverse("notifications:preferences")).content.decode()
    for label in ("Daily check-in", "Milestones", "Meetings", "Reaching out"):
        assert f"<legend>{label}</legend>" in body
    assert "A note from Recovery Network" in body


@pytest.mark.parametrize(
    ("persona", "circle", "digest"),
    [("owner", False, False), ("family", True, False), ("counselor", True, True), ("stranger", False, False)],
)
def test_circle_kinds_are_offered_to_those_they_concern(request, persona, circle, digest):
    client = request.getfixturevalue(f"{persona}_client")
    body = client.get(reverse("notifications:preferences")).content.decode()
    assert ("<legend>Milestones of people you support</legend>" in body) is circle
    assert ("<legend>Weekly caseload digest</legend>" in body) is digest
    assert "<legend>Encouragement</legend>" in body


def test_a_viewer_turns_celebrations_on_from_the_page(family_client, family, owner, django_capture_on_commit_callbacks):
    from recovery_network.notifications.models import Reminder
    from tests.milestones.factories import JourneyFactory

    journey = JourneyFactory(owner=owner, started_on=dt.date.today() - dt.timedelta(days=10))
    data = {"circle_milestone_in_app": "on", "meeting_reminder_minutes": "60"}
    with django_capture_on_commit_callbacks(execute=True):
        assert family_client.post(reverse("notifications:preferences"), data).status_code == 302
    assert channel_prefs.channels(family, registry.get_kind("circle_milestone")) == (False, True)
    assert Reminder.objects.filter(kind="circle_milestone", recipient=family, subject_id=journey.pk).exists()


def test_saving_preferences(owner_client, owner):
    data = {f"{key}_{channel}": "on" for key in registry.kinds() for channel in ("email", "in_app")}
    del data["checkin_email"]
    data["meeting_reminder_minutes"] = "30"
    response = owner_client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.meeting_reminder_minutes == 30
    assert channel_prefs.channels(owner, registry.get_kind("checkin")) == (False, True)
    assert channel_prefs.channels(owner, registry.get_kind("meeting")) == (True, True)


def test_bad_minutes_get_a_clear_error_and_change_nothing(owner_client, owner):
    response = owner_client.post(reverse("notifications:preferences"), {"meeting_reminder_minutes": "9999"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_pause_and_resume(owner_client, owner):
    with time_machine.travel(dt.datetime(2026, 6, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        response = owner_client.post(reverse("notifications:pause"), {"days": "7"})
        assert response.status_code == 302
        owner.refresh_from_db()
        # Until midnight, Chicago time, at the start of 8 June.
        assert owner.reminders_paused_until == dt.datetime(2026, 6, 8, 5, 0, tzinfo=dt.UTC)
        assert owner.reminders_paused()
        assert "paused until" in owner_client.get(reverse("notifications:preferences")).content.decode()
    owner_client.post(reverse("notifications:pause"), {"resume": "1"})
    owner.refresh_from_db()
    assert owner.reminders_paused_until is None


def test_pause_with_a_made_up_length_changes_nothing(owner_client, owner):
    response = owner_client.post(reverse("notifications:pause"), {"days": "365"}, follow=True)
    assert "Choose how long" in response.content.decode()
    owner.refresh_from_db()
    assert owner.reminders_paused_until is None


# One-click unsubscribe -------------------------------------------------------------------


def test_unsubscribe_link_asks_first_and_a_one_click_post_unsubscribes_without_csrf(owner):
    url = reverse("notifications:unsubscribe", args=[channel_prefs.unsubscribe_token(owner, "checkin")])
    client = Client(enforce_csrf_checks=True)
    response = client.get(url)
    assert response.status_code == 200 and "Stop these emails?" in response.content.decode()
    assert not NotificationPreference.objects.exists()  # a link scanner's GET changes nothing
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "unsubscribed" in response.content.decode()
    assert channel_prefs.channels(owner, registry.get_kind("checkin")) == (False, True)
    assert channel_prefs.channels(owner, registry.get_kind("meeting")) == (True, True)


@pytest.mark.parametrize("token", ["nonsense", "eyJ1Ijo5OTk5LCJrIjoiY2hlY2tpbiJ9:forged"])
def test_a_forged_unsubscribe_link_is_a_clear_404(anon_client, token):
    response = anon_client.post(reverse("notifications:unsubscribe", args=[token]))
    assert response.status_code == 404
    assert "link doesn't work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_unsubscribe_for_an_unknown_kind_is_404(anon_client, owner):
    token = channel_prefs.unsubscribe_token(owner, "no-such-kind")
    assert anon_client.get(reverse("notifications:unsubscribe", args=[token])).status_code == 404


# "I reached out" ---------------------------------------------------------------------------


def test_reached_out_link_from_an_email_logs_one_contact_without_signing_in(anon_client, reach_out, owner):
    supporter, delivery, note = reach_out
    url = note.action_url
    response = anon_client.get(url)
    assert response.status_code == 200
    assert "Did you reach out to Marcus?" in response.content.decode()
    assert not Contact.objects.exists()  # the GET a mail scanner makes logs nothing

    response = anon_client.post(url, {"channel": "text"})
    assert response.status_code == 302 and response.url == url
    assert "Logged" in anon_client.get(url).content.decode()
    anon_client.post(url, {"channel": "text"})  # a second tap
    contact = Contact.objects.get()
    assert (contact.supporter, contact.channel) == (supporter, "text")
    supporter.refresh_from_db()
    assert supporter.last_contact_at == contact.happened_at
    delivery.refresh_from_db()
    note.refresh_from_db()
    assert delivery.acted_at is not None and note.read_at is not None


def test_the_contact_logged_from_a_link_is_noted_in_the_persons_language_not_the_browsers(
    anon_client, reach_out, owner
):
    """The note is the person's own (they may edit it): in their language, whoever's browser opened the link."""
    owner.language = "es"
    owner.save(update_fields=["language"])
    anon_client.post(reach_out[2].action_url, {"channel": "text"}, HTTP_ACCEPT_LANGUAGE="en")
    assert Contact.objects.get().note == "Anotado desde un recordatorio."


def test_a_reached_out_link_from_before_the_move_still_logs_the_contact(anon_client, reach_out):
    """Emails already sent, and notifications already written, carry the address it had under /notifications/."""
    supporter, delivery, note = reach_out
    assert note.action_url.startswith("/network/reached-out/")
    old = note.action_url.replace("/network/reached-out/", "/notifications/reached-out/")
    assert "Did you reach out to Marcus?" in anon_client.get(old).content.decode()
    anon_client.post(old, {"channel": "call"})
    assert Contact.objects.get().supporter == supporter


def test_reached_out_from_the_notification_centre_is_one_tap(owner_client, owner, reach_out):
    supporter, delivery, note = reach_out
    page = owner_client.get(reverse("notifications:index")).content.decode()
    assert f'formaction="{note.action_url}"' in page and "I reached out" in page
    response = owner_client.post(note.action_url)
    assert response.status_code == 302 and response.url == reverse("notifications:index")
    contact = Contact.objects.get()
    assert contact.channel == "phone"
    owner.refresh_from_db()
    assert owner.unread_notifications == 0


def test_one_tap_works_from_each_of_the_persons_browsers_though_the_list_is_cached(owner, reach_out):
    """The kept list holds no CSRF token (the form around it does): each browser posts with its own."""
    from tests.factories import sign_in

    _, _, note = reach_out
    laptop, phone = (sign_in(Client(enforce_csrf_checks=True), owner) for _ in range(2))
    laptop.get(reverse("notifications:index"))  # renders and keeps the list
    page = phone.get(reverse("notifications:index")).content.decode()
    [token] = re.findall(r'<form method="post" class="notification-actions">\s*<input type="hidden" '
                         r'name="csrfmiddlewaretoken" value="([^"]+)"', page)  # fmt: skip
    response = phone.post(note.action_url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Contact.objects.count() == 1


def test_reached_out_link_opened_by_another_signed_in_person_is_404(stranger_client, reach_out):
    _, _, note = reach_out
    assert stranger_client.get(note.action_url).status_code == 404
    assert stranger_client.post(note.action_url).status_code == 404
    assert not Contact.objects.exists()


def test_an_expired_reached_out_link_says_so(anon_client, reach_out, settings):
    _, _, note = reach_out
    later = timezone.now() + dt.timedelta(days=settings.REACH_OUT_LINK_MAX_AGE_DAYS, minutes=1)
    with time_machine.travel(later):
        response = anon_client.post(note.action_url)
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not Contact.objects.exists()


def test_a_tampered_reached_out_link_is_404(anon_client, reach_out):
    _, _, note = reach_out
    assert anon_client.get(note.action_url.replace("/reached-out/", "/reached-out/x")).status_code == 404


def test_reached_out_link_for_an_archived_supporter_is_404(anon_client, reach_out):
    supporter, _, note = reach_out
    supporter.archive()
    assert anon_client.post(note.action_url).status_code == 404
