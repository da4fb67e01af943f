"""Saving a check-in keeps its "what helped" links exact, and skips reading links a check-in doesn't have."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from milestones import services
from milestones.models import CheckIn
from tests.supports.factories import PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def test_links_are_set_changed_and_cleared(owner):
    today = owner.local_today()
    sponsor, group = SupporterFactory(owner=owner), PeerGroupFactory(owner=owner)
    services.save_checkin(owner, today, sober="yes", supporters=[sponsor], groups=[group])
    checkin = CheckIn.objects.get(owner=owner)
    assert list(checkin.helped_supporters.all()) == [sponsor] and list(checkin.helped_groups.all()) == [group]
    services.save_checkin(owner, today, sober="yes", supporters=[], groups=[group])
    assert not checkin.helped_supporters.exists() and list(checkin.helped_groups.all()) == [group]
    services.save_checkin(owner, today, sober="yes")
    assert not checkin.helped_supporters.exists() and not checkin.helped_groups.exists()


def test_an_unlinked_check_in_is_edited_without_reading_links(owner):
    today = owner.local_today()
    services.save_checkin(owner, today, sober="yes", mood=3)
    with CaptureQueriesContext(connection) as captured:
        services.save_checkin(owner, today, sober="yes", mood=4)
    assert not [q for q in captured if "helped_" in q["sql"] and q["sql"].lstrip().startswith('SELECT "supports')]
    assert CheckIn.objects.get(owner=owner).mood == 4


def _row(checkin_id):
    return {
        field.attname: getattr(CheckIn.objects.get(pk=checkin_id), field.attname)
        for field in CheckIn._meta.concrete_fields
        if field.attname not in ("id", "local_date", "created_at", "updated_at")
    }


def test_a_check_in_linking_nobody_is_one_statement_that_writes_what_the_orm_writes(owner):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement save is PostgreSQL's (ON CONFLICT with a data-modifying WITH)")
    from recovery_network.models import User

    today = owner.local_today()
    answers = {"sober": "yes", "mood": 4, "craving": 2, "triggers": ["stress", "payday"], "helped": ["walk"]}
    answers |= {"gratitude": "The lake", "notes": "A long day"}
    version = User.objects.get(pk=owner.pk).data_version
    with CaptureQueriesContext(connection) as captured:
        saved, created = services.save_checkin(owner, today, **answers)
    assert len(captured) == 1 and created and saved.pk and saved.sober == "yes"
    # The same answers through the ORM's own save, on another day.
    orm = CheckIn.objects.create(owner=owner, local_date=today - dt.timedelta(days=1), **answers)
    assert _row(saved.pk) == _row(orm.pk)
    assert User.objects.get(pk=owner.pk).data_version >= version + 1
    first = CheckIn.objects.get(pk=saved.pk)
    again, created = services.save_checkin(owner, today, sober="no", mood=None, triggers=[], helped=[])
    assert (again.pk, created) == (saved.pk, False)
    after = CheckIn.objects.get(pk=saved.pk)
    assert (after.sober, after.mood, after.triggers, after.gratitude) == ("no", None, [], "")
    assert after.created_at == first.created_at and after.updated_at > first.updated_at
    assert CheckIn.objects.filter(owner=owner, local_date=today).count() == 1


def test_an_unlinked_save_bumps_the_owners_pages_once(owner):
    from recovery_network.models import User

    today = owner.local_today()
    services.save_checkin(owner, today, sober="yes")
    before = User.objects.get(pk=owner.pk).data_version
    services.save_checkin(owner, today, sober="yes", mood=3)
    assert User.objects.get(pk=owner.pk).data_version == before + 1


def test_a_refused_answer_changes_nothing(owner):
    from django.db import IntegrityError, transaction

    today = owner.local_today()
    services.save_checkin(owner, today, sober="yes", mood=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        services.save_checkin(owner, today, sober="yes", mood=9)  # the form never sends it; the database refuses
    assert CheckIn.objects.get(owner=owner, local_date=today).mood == 3
