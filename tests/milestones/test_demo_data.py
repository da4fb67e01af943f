"""seed_demo: the demo person gets a year of realistic check-ins with one setback; --scale likewise."""

import datetime as dt

import pytest
from django.urls import reverse

from milestones.models import CalendarFeed, CheckIn, Journey, Setback
from recovery_network import demo

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def test_demo_owner_has_a_year_of_check_ins_and_one_setback_and_reruns_change_nothing(client):
    cast, _ = demo.seed(now=NOW)
    owner = cast["owner"]
    today = owner.local_today(NOW)
    journey = Journey.objects.get(owner=owner)
    [setback] = Setback.objects.filter(owner=owner)
    assert setback.restarted and setback.what_learned
    assert journey.first_started_on < setback.happened_on < journey.started_on <= today
    checkins = CheckIn.objects.filter(owner=owner)
    count = checkins.count()
    assert 300 <= count <= 365
    assert checkins.order_by("local_date").first().local_date >= today - dt.timedelta(days=364)
    assert checkins.get(local_date=setback.happened_on).sober == "no"
    assert CheckIn.helped_supporters.through.objects.filter(checkin__owner=owner).exists()
    # The network shows up in the numbers, as the trends page will tell.
    from milestones import trends

    comparison = trends.trends_for(owner, 365, today)["comparison"]
    assert comparison.with_craving < comparison.without_craving
    assert CalendarFeed.objects.filter(owner=owner).exists()

    links = CheckIn.helped_supporters.through.objects.count()
    demo.seed(now=NOW)
    assert CheckIn.objects.filter(owner=owner).count() == count
    assert Setback.objects.filter(owner=owner).count() == 1
    assert Journey.objects.filter(owner=owner).count() == 1
    assert CheckIn.helped_supporters.through.objects.count() == links

    client.force_login(owner)
    body = client.get(reverse("milestones:journey", args=[journey.pk])).content.decode()
    assert "The office holiday party" in body
    assert client.get(reverse("milestones:trends") + "?days=365").status_code == 200


def test_scale_people_get_journeys_and_check_ins_once():
    _, people = demo.seed(scale=12, now=NOW)
    assert Journey.objects.filter(owner__in=people).count() == 12
    count = CheckIn.objects.filter(owner__in=people).count()
    assert count > 12 * 10
    demo.seed(scale=12, now=NOW)
    assert Journey.objects.filter(owner__in=people).count() == 12
    assert CheckIn.objects.filter(owner__in=people).count() == count
    for journey in Journey.objects.filter(owner__in=people).prefetch_related("setbacks"):
        assert journey.started_on >= journey.first_started_on
