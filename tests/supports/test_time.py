"""Local days and DST: the owner's zone decides "today" and how a typed time is read."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from supports.models import Attendance, Contact
from tests.factories import UserFactory
from tests.supports.factories import PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def auckland(client):
    user = UserFactory(time_zone="Pacific/Auckland")
    client.force_login(user)
    return user


@pytest.fixture
def new_york(client):
    user = UserFactory(time_zone="America/New_York")
    client.force_login(user)
    return user


def test_i_went_today_uses_the_owners_date_not_the_servers(client, auckland):
    group = PeerGroupFactory(owner=auckland)
    # 20:00 UTC on 4 April is 09:00 on Sunday 5 April in Auckland (the day daylight time ends).
    with time_machine.travel(dt.datetime(2026, 4, 4, 20, 0, tzinfo=UTC), tick=False):
        page = client.get(reverse("supports:group_list"))
        assert b'value="2026-04-05"' in page.content
        client.post(reverse("supports:group_attend", args=[group.pk]), {"attended_on": "2026-04-05"})
    assert Attendance.objects.get().attended_on == dt.date(2026, 4, 5)


def test_attendance_for_the_owners_today_is_not_refused_as_future(client, auckland):
    group = PeerGroupFactory(owner=auckland)
    with time_machine.travel(dt.datetime(2026, 4, 4, 20, 0, tzinfo=UTC), tick=False):
        response = client.post(reverse("supports:group_attend", args=[group.pk]), {"attended_on": "2026-04-05"})
        assert response.status_code == 302
        response = client.post(reverse("supports:group_attend", args=[group.pk]), {"attended_on": "2026-04-06"})
        assert response.status_code == 400


def test_contact_time_is_read_in_the_owners_zone_across_the_spring_change(client, new_york):
    supporter = SupporterFactory(owner=new_york)
    with time_machine.travel(dt.datetime(2026, 3, 9, 12, 0, tzinfo=UTC), tick=False):
        client.post(
            reverse("supports:supporter_contact_create", args=[supporter.pk]),
            {"happened_at": "2026-03-08T03:30", "channel": "phone"},
        )
    # 03:30 on 8 March is already daylight time in New York (UTC-4).
    assert Contact.objects.get().happened_at == dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["2026-03-08T02:30", "2026-11-01T01:30"])
def test_a_time_that_does_not_exist_or_happens_twice_gets_a_clear_message(client, new_york, typed):
    # 02:30 on 8 March never happens in New York; 01:30 on 1 November happens twice.
    supporter = SupporterFactory(owner=new_york)
    with time_machine.travel(dt.datetime(2026, 11, 2, 12, 0, tzinfo=UTC), tick=False):
        response = client.post(
            reverse("supports:supporter_contact_create", args=[supporter.pk]),
            {"happened_at": typed, "channel": "phone"},
        )
    assert response.status_code == 400
    assert b"America/New_York" in response.content
    assert not Contact.objects.exists()


def test_overdue_follows_elapsed_time_across_the_autumn_change(new_york):
    from supports.services import log_contact

    supporter = SupporterFactory(owner=new_york, contact_every_days=1)
    log_contact(supporter, happened_at=dt.datetime(2026, 10, 31, 16, 0, tzinfo=UTC))
    supporter.refresh_from_db()
    assert not supporter.is_overdue(dt.datetime(2026, 11, 1, 15, 59, tzinfo=UTC))
    assert supporter.is_overdue(dt.datetime(2026, 11, 1, 16, 1, tzinfo=UTC))
