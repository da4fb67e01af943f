"""Saving a check-in keeps its "what helped" links exact, and skips reading links a check-in doesn't have."""

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
