"""Every request builds its own queries: no value kept from an earlier request, no prepared statement that a
migration could leave behind (docs/DEVELOPING.md: standard Django first)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.common import SIGNED_IN_PAGES, build_world, clients_for
from milestones.models import CheckIn
from recovery_network.care.models import Grant, GrantQuerySet

pytestmark = pytest.mark.django_db


def test_a_grant_that_ends_between_two_family_pages_closes_the_second(monkeypatch, owner, family, family_client):
    """Should a grant ever gain an end, the family page must close at that end in the same process: the
    grant's query is built for each request, never kept with the values (a clock reading) of the first."""

    def active(self):  # a grant with an end, as it might become
        return self.filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=timezone.now()))

    monkeypatch.setattr(GrantQuerySet, "active", active)
    start = timezone.now()
    Grant.objects.filter(owner=owner, viewer=family).update(revoked_at=start + dt.timedelta(hours=1))
    url = reverse("care:person", args=[owner.pk])
    with time_machine.travel(start, tick=False):
        assert family_client.get(url).status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        assert family_client.get(url).status_code == 404


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements and ALTER COLUMN … TYPE are PostgreSQL's")


def test_no_page_runs_a_prepared_statement():
    """PREPARE/EXECUTE outlive the transaction and fail after a column changes type (below); none is run."""
    _postgresql_only()
    world = build_world(1)
    clients = clients_for(world)
    with CaptureQueriesContext(connection) as captured:
        for page in SIGNED_IN_PAGES:
            assert clients[page.role].get(page.url(world)).status_code == 200, page.label
        response = clients["owner"].post(reverse("milestones:checkin"), {"sober": "yes", "mood": "4"})
        assert response.status_code == 302
    statements = {query["sql"].lstrip().split(None, 1)[0].upper() for query in captured}
    assert not {"PREPARE", "EXECUTE", "DEALLOCATE"} & statements
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        assert cursor.fetchall() == []


def test_a_column_changing_type_does_not_break_the_next_signed_in_request(owner, owner_client):
    """A migration altering a column's type, between two requests on the same connection (rolled back with
    the test): a statement prepared before it would fail with "cached plan must not change result type"."""
    _postgresql_only()
    CheckIn.objects.create(owner=owner, local_date=owner.local_today(), sober="yes", mood=3)
    pages = [reverse("home"), reverse("milestones:checkins"), reverse("notifications:index")]
    for url in pages:
        assert owner_client.get(url).status_code == 200
    user_table, checkin_table = (model._meta.db_table for model in (type(owner), CheckIn))
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own rows checked now, as committed ones are
        cursor.execute(f'ALTER TABLE "{user_table}" ALTER COLUMN "display_name" TYPE text')
        cursor.execute(f'ALTER TABLE "{checkin_table}" ALTER COLUMN "notes" TYPE varchar(5000)')
    for url in pages:
        assert owner_client.get(url).status_code == 200, url
    assert owner_client.post(reverse("milestones:checkin"), {"sober": "yes", "mood": "5"}).status_code == 302
