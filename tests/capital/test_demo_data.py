"""seed_demo: the demo owner has half a year of monthly check-ups crossing the line; --scale people some."""

import datetime as dt

import pytest
from django.urls import reverse

from recovery_network import demo
from recovery_network.capital.models import ITEM_FIELDS, CapitalCheck

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def test_the_demo_owner_has_six_monthly_check_ups_rising_past_47_and_reruns_change_nothing(client):
    cast, _ = demo.seed(now=NOW)
    owner = cast["owner"]
    checks = list(CapitalCheck.objects.for_owner(owner).oldest_first())
    assert [check.total for check in checks] == [38, 40, 42, 43, 46, 48]
    assert checks[-1].taken_on == owner.local_today(NOW) - dt.timedelta(days=5)
    assert {(b.taken_on - a.taken_on).days for a, b in zip(checks, checks[1:], strict=False)} == {30}
    demo.seed(now=NOW)
    assert CapitalCheck.objects.for_owner(owner).count() == 6
    client.force_login(owner)
    assert "48</span> of 60" in client.get(reverse("capital:overview")).content.decode()


def test_scale_people_get_check_ups_whose_totals_are_their_answers_once():
    _, people = demo.seed(scale=12, now=NOW)
    checks = list(CapitalCheck.objects.filter(owner__in=people))
    assert checks and len({check.owner_id for check in checks}) < len(people) + 1
    assert all(check.total == sum(getattr(check, field) for field in ITEM_FIELDS) for check in checks)
    demo.seed(scale=12, now=NOW)
    assert CapitalCheck.objects.filter(owner__in=people).count() == len(checks)
