"""Every request builds its own queries: no value kept from an earlier request, no prepared statement that a
migration could leave behind (docs/DEVELOPING.md: standard Django first)."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from supports.models import Grant, GrantQuerySet

pytestmark = pytest.mark.django_db


def test_a_grant_that_ends_between_two_family_pages_closes_the_second(monkeypatch, owner, family, family_client):
    """Should a grant ever gain an end, the family page must close at that end in the same process: the
    grant's query is built for each request, never kept with the values (a clock reading) of the first."""

    def active(self):  # a grant with an end, as it might become
        return self.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=timezone.now()))

    monkeypatch.setattr(GrantQuerySet, "active", active)
    start = timezone.now()
    Grant.objects.filter(owner=owner, viewer=family).update(revoked_at=start + dt.timedelta(hours=1))
    url = reverse("supports:person", args=[owner.pk])
    with time_machine.travel(start, tick=False):
        assert family_client.get(url).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        assert family_client.get(url).status_code == 404
