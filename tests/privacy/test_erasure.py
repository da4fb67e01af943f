"""Erasure deletes everything about the person, keeps what the catalogue says others keep, and touches no one
else's rows but those that pointed at them."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import models
from django.utils import timezone

from recovery_network.care.models import AccessEvent, Consent, Grant, Recommendation
from recovery_network.models import User
from recovery_network.notifications.models import Delivery, Notification
from recovery_network.privacy import erasure
from recovery_network.privacy.catalogue import ERASURE, KEEP, SECTIONS, UNLINK
from recovery_network.privacy.models import Erasure
from recovery_network.reach.models import AlertContact
from supports.models import Supporter
from tests.factories import UserFactory


def _text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def _rows_holding(text):
    """[(table, id)] of every row of every table with `text` in a text field."""
    found = []
    for model in apps.get_models():
        for field in _text_fields(model):
            lookup = {f"{field.name}__icontains": text}
            if isinstance(field, models.JSONField):
                continue
            matching = model._base_manager.filter(**lookup).values_list("pk", flat=True)
            found += [(model._meta.label, pk) for pk in matching]
    return found


def _snapshot(user):
    """{(section, id): row} of everything the person's export holds."""
    snapshot = {}
    for section in SECTIONS:
        fields = [field.attname for field in section.fields()]
        for row in section.rows(user).values(*fields):
            snapshot[(section.key, row["id"])] = row
    return snapshot


def test_erasure_leaves_no_row_of_the_person(pair):
    ada, ben = pair
    before = {section.key: list(section.rows(ada).values_list("pk", flat=True)) for section in SECTIONS}
    assert all(before.values())

    erasure.erase(ada)

    assert not User.objects.filter(pk=ada.pk).exists()
    kept_links = {(label, field) for (label, field), (action, _) in ERASURE.items() if action in (KEEP, UNLINK)}
    for section in SECTIONS:
        if not section.path:
            continue
        # Nothing leads to them any more…
        assert not section.model._base_manager.filter(**{section.path: ada.pk}).exists(), section.key
        # …and their rows are gone, but for someone else's records that outlive them (catalogue.ERASURE) and
        # rows reached through someone else's (a look at a counselor's caseload that listed them).
        link = (section.model_label, section.path.split("__")[0])
        if link not in kept_links and "__" not in section.path:
            assert not section.model._base_manager.filter(pk__in=before[section.key]).exists(), section.key


def test_nothing_anywhere_holds_their_email_or_words_after_erasure(pair):
    ada, _ = pair
    assert _rows_holding("ada@example.org")
    assert _rows_holding(f"Bad night {ada.pk}")
    erasure.erase(ada)
    # Only other people's access logs name them, as the erasure page says (knowing who looked is their right).
    assert {table for table, _ in _rows_holding("ada@example.org")} <= {"care.AccessEvent"}
    assert not AccessEvent.objects.filter(owner_id=ada.pk).exists()
    assert _rows_holding(f"Bad night {ada.pk}") == []
    assert _rows_holding(f"Proud of you from {ada.pk}") == []  # kind words they sent someone else
    assert _rows_holding(f"{ada.name} needs you") == []  # a note about them in someone else's centre


def test_erasure_touches_no_one_elses_rows_but_those_that_pointed_at_them(pair):
    ada, ben = pair
    ada_journeys = set(ada.journeys.values_list("pk", flat=True))
    before = _snapshot(ben)

    erasure.erase(ada)

    after = _snapshot(ben)
    touched = [key for key in before if after.get(key) != before[key]]
    assert touched, "the pair shares a grant, a consent…: some of Ben's rows must name Ada"
    for key in touched:
        row = before[key]
        points_at_ada = any(
            value == ada.pk and (name.endswith("_id") or name in {"viewer_id", "counselor_id"})
            for name, value in row.items()
            if name not in {"id", "subject_id", "roster_id", "journey_id", "group_id", "alert_id", "supporter_id"}
        )
        about_ada = (
            row.get("about_id") == ada.pk
            or row.get("email") == ada.email
            or (key[0] in {"deliveries", "reminders"} and row.get("subject_id") in ada_journeys)
        )
        assert points_at_ada or about_ada, (key, row)
    # Ben's own records are all there.
    for section in ("journeys", "checkins", "setbacks", "supporters", "peer_groups", "alerts", "access_log"):
        assert {key for key in before if key[0] == section} <= {key for key in after if key[0] == section}, section
    # His log says what happened: Ada left; he revoked nothing.
    new_lines = [after[key] for key in after if key[0] == "access_log" and key not in before]
    assert new_lines and all(line["actor_name"].startswith("Ada") and "Ada left" in line["what"] for line in new_lines)


def test_what_others_keep_is_what_the_page_says(pair):
    ada, ben = pair
    consent_given = Consent.objects.get(owner=ada)
    recommendation = Recommendation.objects.get(counselor=ada)
    supporter = Supporter.objects.get(owner=ben, linked_user=ada)

    erasure.erase(ada)

    # Ben the counselor keeps the record of Ada's consent: who signed, when, what it allowed — and that it ended.
    consent_given.refresh_from_db()
    assert consent_given.owner_id is None
    assert consent_given.signed_name == f"Signed {ada.pk}" and consent_given.revoked_at is not None
    assert consent_given.status_label() == "Ended: the client erased their account"
    assert not consent_given.is_valid()
    # Ben keeps what Ada recommended to him, under her name; his own address-book entry for her, unlinked.
    recommendation.refresh_from_db()
    assert recommendation.counselor_id is None and recommendation.counselor_name == ada.name
    supporter.refresh_from_db()
    assert supporter.linked_user_id is None
    # Ada agreed to answer Ben's calls: she is not alerted any more, and the number she gave is gone.
    contact = AlertContact.objects.get(owner=ben)
    assert contact.user_id is None and contact.status == AlertContact.Status.STOPPED and contact.phone == ""


def test_sessions_are_deleted(pair):
    ada, _ = pair
    keys = list(ada.usersession_set.values_list("session_key", flat=True))
    assert Session.objects.filter(session_key__in=keys).exists()
    erasure.erase(ada)
    assert not Session.objects.filter(session_key__in=keys).exists()


def test_other_peoples_notifications_and_deliveries_about_them_go(pair):
    ada, ben = pair
    assert Notification.objects.filter(recipient=ben, about=ada).exists()
    journey_ids = list(ada.journeys.values_list("pk", flat=True))
    assert Delivery.objects.filter(recipient=ben, kind="circle_milestone", subject_id__in=journey_ids).exists()
    erasure.erase(ada)
    assert not Notification.objects.filter(title__contains=ada.name).exists()
    assert not Delivery.objects.filter(kind="circle_milestone", subject_id__in=journey_ids).exists()


# The request and its grace period


@pytest.fixture
def sharing_pair(db):
    ada = UserFactory(email="ada@example.org", display_name="Ada")
    ben = UserFactory(email="ben@example.org", display_name="Ben")
    cal = UserFactory(email="cal@example.org", display_name="Cal")
    Grant.objects.create(owner=ada, viewer=ben)
    Grant.objects.create(owner=ben, viewer=ada)
    Consent.objects.create(
        owner=ada, counselor=cal, recipient_name="Cal", organisation="R", expires_on="2099-01-01", signed_name="Ada"
    )
    return ada, ben, cal


def test_asking_ends_every_grant_and_consent_at_once(sharing_pair):
    ada, ben, cal = sharing_pair
    request = erasure.request(ada)
    assert request.erase_after - request.requested_at == Erasure.GRACE
    assert not Grant.objects.active().filter(owner=ada).exists()
    assert not Grant.objects.active().filter(viewer=ada).exists()
    assert not Consent.objects.unrevoked().filter(owner=ada).exists()
    ben.refresh_from_db()
    cal.refresh_from_db()
    assert not ben.views_someone and not cal.counsels_someone
    ada.refresh_from_db()
    assert ada.reminders_paused(timezone.now())


def test_asking_twice_is_one_request(sharing_pair):
    ada, _, _ = sharing_pair
    first = erasure.request(ada)
    assert erasure.request(ada).pk == first.pk
    assert Erasure.objects.count() == 1


def test_the_notice_is_discreet_and_gives_the_day(sharing_pair, django_capture_on_commit_callbacks):
    ada, _, _ = sharing_pair
    with django_capture_on_commit_callbacks(execute=True):
        request = erasure.request(ada)
    (email,) = mail.outbox
    assert email.to == ["ada@example.org"]
    assert email.subject == f"Your {settings.SITE_NAME} account"
    day = request.erase_after.astimezone(ada.zone).date()
    assert f"{day:%A} {day.day} {day:%B %Y}" in email.body


def test_cancelling_keeps_the_account_and_resumes_reminders_but_not_sharing(sharing_pair):
    ada, _, _ = sharing_pair
    erasure.request(ada)
    assert erasure.cancel(ada)
    ada.refresh_from_db()
    assert not Erasure.objects.filter(owner=ada).exists()
    assert ada.reminders_paused_until is None
    assert not Grant.objects.active().filter(owner=ada).exists()
    assert erasure.cancel(ada) is False


def test_erase_due_erases_only_those_past_their_grace(sharing_pair, time_machine):
    ada, ben, _ = sharing_pair
    time_machine.move_to(timezone.now())
    erasure.request(ada)
    time_machine.shift(Erasure.GRACE - timezone.timedelta(minutes=1))
    assert erasure.erase_due() == 0
    time_machine.shift(timezone.timedelta(minutes=2))
    assert erasure.erase_due() == 1
    assert not User.objects.filter(pk=ada.pk).exists()
    assert User.objects.filter(pk=ben.pk).exists()
    assert erasure.erase_due() == 0


def test_every_cached_fragment_expires_within_sixteen_minutes():
    """Cached parts of pages are keyed on the user id (never reused) and outlive an erasure by at most this."""
    timeouts = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        timeouts += [int(t) for t in re.findall(r"{%\s*cache\s+(\d+)\s", path.read_text())]
    assert timeouts and max(timeouts) <= 960
