"""Queries compiled once (recovery_network.compiled) give what the ORM gives, and write what it writes."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from recovery_network import compiled
from supports.models import AccessEvent, Grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _active_grants(owner_id, viewer_id):
    return Grant.objects.active().select_related("owner").filter(owner_id=owner_id, viewer_id=viewer_id).order_by()


def _fields(obj):
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def test_the_compiled_lookup_finds_what_the_orm_finds_with_its_related_object(owner, stranger):
    family = UserFactory(email="viewer@example.org")
    grant = Grant.objects.create(owner=owner, viewer=family, checkins=True, support_map=True)
    Grant.objects.create(owner=owner, viewer=stranger, revoked_at=timezone.now())
    cases = [(owner.pk, family.pk), (owner.pk, stranger.pk), (family.pk, owner.pk), (owner.pk, 10**9)]
    for owner_id, viewer_id in cases:
        expected = next(iter(_active_grants(owner_id, viewer_id)[:1]), None)
        found = compiled.first(_active_grants, owner_id=owner_id, viewer_id=viewer_id)
        assert (found is None) == (expected is None), (owner_id, viewer_id)
        if found is not None:
            assert type(found) is Grant and _fields(found) == _fields(expected)
            assert found._state.adding is False and found._state.db == expected._state.db
            with CaptureQueriesContext(connection) as captured:
                assert _fields(found.owner) == _fields(expected.owner)
            assert not captured, "the owner comes with the grant, as select_related gives it"
    assert compiled.first(_active_grants, owner_id=owner.pk, viewer_id=family.pk).pk == grant.pk


def test_postgresql_runs_the_compiled_sql_not_the_orm(owner, family):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite hands back dates as text: the ORM converts them there")
    with CaptureQueriesContext(connection) as captured:
        compiled.first(_active_grants, owner_id=owner.pk, viewer_id=family.pk)
    [query] = captured
    plan = compiled._plan(_active_grants, ("owner_id", "viewer_id"))
    assert plan is not None and "LIMIT 1" in plan.sql
    assert query["sql"] == f"EXECUTE {compiled._names[plan.sql]} ({owner.pk}, {family.pk})"


def _prepared_here():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_statements_are_prepared_once_per_session_and_again_after_a_reconnect(owner, family):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    for _ in range(3):
        assert compiled.first(_active_grants, owner_id=owner.pk, viewer_id=family.pk) is not None
    plan = compiled._plan(_active_grants, ("owner_id", "viewer_id"))
    name = compiled._names[plan.sql]
    assert "$1" in _prepared_here()[name]
    connection.close()  # as CONN_MAX_AGE or a restarted database ends a session
    assert compiled.first(_active_grants, owner_id=owner.pk, viewer_id=family.pk).owner == owner
    assert name in _prepared_here()


@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_in_a_rolled_back_transaction_stays_usable(owner, family):
    from django.db import transaction

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    connection.close()
    with pytest.raises(RuntimeError), transaction.atomic():
        compiled.first(_active_grants, owner_id=owner.pk, viewer_id=family.pk)
        raise RuntimeError("the request failed after the lookup")
    assert compiled.first(_active_grants, owner_id=owner.pk, viewer_id=family.pk) is not None


def test_placeholders_are_numbered_for_prepare():
    assert compiled._numbered("SELECT %s, '100%%', %s WHERE a = %s") == "SELECT $1, '100%', $2 WHERE a = $3"


def _events_of(owner_id):
    return AccessEvent.objects.select_related("actor").filter(owner_id=owner_id).order_by("-id")


def test_an_empty_nullable_relation_comes_back_as_none(owner):
    AccessEvent.objects.create(owner=owner, actor=None, actor_name="Recovery Network", action="viewed")
    event = compiled.first(_events_of, owner_id=owner.pk)
    with CaptureQueriesContext(connection) as captured:
        assert event.actor is None
    assert not captured


def _grants_without_viewer(owner_id, viewer_id):
    return Grant.objects.filter(owner_id=owner_id)


def test_a_value_the_query_does_not_use_is_refused():
    with pytest.raises(ValueError, match="must appear once"):
        compiled.first(_grants_without_viewer, owner_id=1, viewer_id=2)


def test_insert_writes_the_row_create_would(owner, family):
    when = dt.datetime(2026, 3, 8, 9, 30, 15, 123456, tzinfo=dt.UTC)
    values = {"actor_name": "Sam (sam@example.com)", "action": "viewed", "what": "support map", "path": "/c/1/"}
    compiled.insert(AccessEvent, owner=owner.pk, actor=family.pk, created_at=when, **values)
    AccessEvent.objects.create(owner=owner, actor=family, created_at=when, **values)
    written, created = (
        {key: value for key, value in _fields(event).items() if key != "id"}
        for event in AccessEvent.objects.order_by("id")
    )
    assert written == created


def test_insert_refuses_a_row_with_a_column_left_out(owner):
    with pytest.raises(ValueError, match="no value for"):
        compiled.insert(AccessEvent, owner=owner.pk, action="viewed")
