"""Shared pages run the same number of queries however much the owner has recorded."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from milestones.models import CheckIn, Encouragement
from recovery_network.capital.models import ITEM_FIELDS, CapitalCheck
from recovery_network.care import home, sharing
from recovery_network.care.models import SCOPE_FIELDS, Recommendation
from tests.supports.factories import AttendanceFactory, PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def grow(owner, size):
    today = owner.local_today()
    SupporterFactory.create_batch(size, owner=owner, closeness=2)
    group = PeerGroupFactory(owner=owner)
    for offset in range(size):
        AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=offset + 3))
    CheckIn.objects.bulk_create(
        [
            CheckIn(owner=owner, local_date=today - dt.timedelta(days=d), sober="yes", craving=d % 10)
            for d in range(6, size + 6)
        ]
    )
    Encouragement.objects.bulk_create(
        [Encouragement(owner=owner, from_name="Fran", message="Hi", received_on=today, sender_id=None)] * size
    )
    for offset in range(size):  # monthly check-ups, years of them: the page shows the newest two years'
        answers = dict.fromkeys(ITEM_FIELDS, 1 + offset % 6)
        CapitalCheck.objects.create(owner=owner, taken_on=today - dt.timedelta(days=30 * offset + 7), **answers)
    Recommendation.objects.bulk_create(
        [Recommendation(owner=owner, counselor_name="Casey", text=f"Step {n}") for n in range(size)]
    )


def count(client, url, django_assert_max_num_queries):
    client.get(url)  # session and activity bookkeeping settle first
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(60) as captured:  # rendered
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(("who", "name"), [("family_client", "care:person"), ("counselor_client", "care:client")])
def test_shared_pages_are_flat(world, owner, grant, request, who, name, django_assert_max_num_queries):
    sharing.change_scopes(grant, set(SCOPE_FIELDS))
    client = request.getfixturevalue(who)
    url = reverse(name, args=[owner.pk])
    small = count(client, url, django_assert_max_num_queries)
    grow(owner, 40)
    large = count(client, url, django_assert_max_num_queries)
    print(f"{name}: {small} queries small, {large} queries with 40 more of everything")
    assert small == large


def test_the_home_circle_section_is_two_queries(world, owner, family, django_assert_num_queries):
    today = owner.local_today()
    Encouragement.objects.create(owner=owner, from_name="Fran", message="Hi", received_on=today, sender=family)
    with django_assert_num_queries(2):
        assert home.circle_section(owner)
    Encouragement.objects.bulk_create(
        [Encouragement(owner=owner, from_name="Fran", message="Hi", received_on=today, sender=family)] * 30
    )
    with django_assert_num_queries(2):
        section = home.circle_section(owner)
    assert len(section["encouragements"]) == 5


def test_no_circle_section_without_anything_to_show(owner, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert home.circle_section(owner) is None
