"""The kind registry is the extension point: a new kind is a class and a line in settings."""

import pytest
from django.urls import reverse

from recovery_network.notifications import delivery as sending
from recovery_network.notifications import registry
from recovery_network.notifications.models import Delivery, Notification
from recovery_network.notifications.registry import Kind, Message

pytestmark = pytest.mark.django_db

BUILT_IN = [
    "milestones.notification_kinds.DailyCheckIn",
    "milestones.notification_kinds.MilestoneToday",
    "supports.notification_kinds.MeetingSoon",
    "supports.notification_kinds.ReachOut",
    "recovery_network.care.notification_kinds.CircleMilestone",
    "recovery_network.care.notification_kinds.EncouragementReceived",
    "recovery_network.care.notification_kinds.CaseloadDigest",
]


class NoteReceived(Kind):
    """An event kind like the circle of care's "encouragement received"."""

    key = "note_received"
    label = "Notes from your people"
    description = "When someone you invited sends you a note."
    scheduled = False
    default_email = False

    def load(self, subject_ids):
        from recovery_network.models import User

        return {user.pk: user for user in User.objects.filter(pk__in=list(subject_ids))}

    def message(self, delivery, subject):
        return Message(title=f"A note from {subject.name}", body="Open it when you like.", url="/")


def test_built_in_kinds_are_registered_in_order():
    assert list(registry.kinds()) == [
        "checkin",
        "milestone",
        "capital_check",
        "meeting",
        "reach_out",
        "network_review",
        "circle_milestone",
        "circle_news",
        "encouragement",
        "lesson_suggested",
        "caseload_digest",
        "warning_sign",
        "consent_ending",
        "consent_ending_counselor",
    ]


def test_a_new_event_kind_is_a_class_and_a_setting(settings, owner, family, owner_client, enqueued):
    settings.NOTIFICATION_KINDS = [*BUILT_IN, "tests.notifications.test_kinds.NoteReceived"]
    delivery = sending.notify(owner, "note_received", family, occurrence="note-1", enqueue=enqueued.extend)
    assert (delivery.status, delivery.by_email, delivery.in_app) == ("sent", False, True)
    assert Notification.objects.get(recipient=owner).title == "A note from Fran"
    assert sending.notify(owner, "note_received", family, occurrence="note-1") is None
    assert Delivery.objects.count() == 1 and enqueued == []
    body = owner_client.get(reverse("notifications:preferences")).content.decode()
    assert "<legend>Notes from your people</legend>" in body


def test_two_kinds_with_one_key_are_refused(settings):
    settings.NOTIFICATION_KINDS = [*BUILT_IN, BUILT_IN[0]]
    with pytest.raises(ValueError, match="share the key"):
        registry.kinds()
