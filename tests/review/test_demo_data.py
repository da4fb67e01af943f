"""seed_demo gives Alex one finished network review 95 days back, so the reminder and "what changed" have something."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recovery_network import demo
from recovery_network.notifications.models import Reminder
from recovery_network.review.models import NetworkReview
from tests.care.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)  # the reminder rows are built when the seed commits


def test_the_demo_owner_has_one_finished_review_and_its_reminder_is_due(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    owner = demo.ensure_cast()["owner"]
    review = NetworkReview.objects.get(owner=owner)
    assert review.is_finished and review.snapshot.note == "Network review"
    assert (owner.local_today() - review.finished_on).days == 95
    assert review.supporter_reviews.filter(answered_at__isnull=False).count() >= 5
    assert review.group_reviews.count() == 2
    reminder = Reminder.objects.get(recipient=owner, kind="network_review")
    assert reminder.occurrence == (review.finished_on + dt.timedelta(days=91)).isoformat()
    assert reminder.due_at <= timezone.now()
    start = client_for(owner).get(reverse("review:start")).content.decode()
    assert reverse("review:changes", args=[review.pk]) in start
