"""seed_demo gives Alex one finished network review 95 days back, so the reminder and "what changed" have something."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recovery_network import demo
from recovery_network.notifications.models import Reminder
from recovery_network.review import demo_data
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


@pytest.mark.parametrize("utc_hour", [4, 5, 16])  # 22:xx and 23:xx in Chicago, and midday
def test_the_demo_review_is_95_of_the_owners_days_back_whatever_the_hour_the_seed_runs(utc_hour, settings):
    # CI once seeded at 22:45 Chicago time: the review began at 23:45 on one day and finished on the next.
    settings.DEBUG = True
    call_command("seed_demo")
    cast = demo.ensure_cast()
    NetworkReview.objects.filter(owner=cast["owner"]).delete()
    now = dt.datetime(2026, 12, 6, utc_hour, 45, tzinfo=dt.UTC)
    demo_data.seed_cast(cast, now)
    review = NetworkReview.objects.get(owner=cast["owner"])
    assert (cast["owner"].local_today(now) - review.finished_on).days == 95
    assert review.started_on == review.finished_on
