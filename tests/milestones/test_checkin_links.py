"""Saving a check-in keeps its answers and its "what helped" links exact."""

import datetime as dt

import pytest

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
    services.save_checkin(owner, today, sober="yes", supporters=[], groups=[])
    assert not checkin.helped_supporters.exists() and not checkin.helped_groups.exists()


def test_answers_and_links_not_sent_stay_as_they_were(owner):
    """The offline page's short form sends sober, mood, craving and a note; the rest of the day's check-in
    stays."""
    today = owner.local_today()
    sponsor = SupporterFactory(owner=owner)
    services.save_checkin(owner, today, sober="yes", mood=2, gratitude="Sunshine", supporters=[sponsor])
    services.save_checkin(owner, today, sober="yes", mood=4)
    checkin = CheckIn.objects.get(owner=owner)
    assert (checkin.mood, checkin.gratitude) == (4, "Sunshine")
    assert list(checkin.helped_supporters.all()) == [sponsor]


def _row(checkin_id):
    return {
        field.attname: getattr(CheckIn.objects.get(pk=checkin_id), field.attname)
        for field in CheckIn._meta.concrete_fields
        if field.attname not in ("id", "local_date", "created_at", "updated_at")
    }


def test_a_check_in_writes_what_the_orm_writes_and_a_second_submit_edits_it(owner):
    from recovery_network.models import User

    today = owner.local_today()
    answers = {"sober": "yes", "mood": 4, "craving": 2, "triggers": ["stress", "payday"], "helped": ["walk"]}
    answers |= {"gratitude": "The lake", "notes": "A long day"}
    version = User.objects.get(pk=owner.pk).data_version
    saved, created = services.save_checkin(owner, today, **answers)
    assert created and saved.pk and saved.sober == "yes"
    # The same answers through the ORM's own save, on another day.
    orm = CheckIn.objects.create(owner=owner, local_date=today - dt.timedelta(days=1), **answers)
    assert _row(saved.pk) == _row(orm.pk)
    assert User.objects.get(pk=owner.pk).data_version >= version + 1
    first = CheckIn.objects.get(pk=saved.pk)
    again, created = services.save_checkin(owner, today, sober="no", mood=None, triggers=[], helped=[])
    assert (again.pk, created) == (saved.pk, False)
    after = CheckIn.objects.get(pk=saved.pk)
    assert (after.sober, after.mood, after.triggers, after.gratitude) == ("no", None, [], "The lake")
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
