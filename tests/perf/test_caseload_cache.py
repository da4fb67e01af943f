"""The caseload is cached under every client's data version, so a change in any client's signals shows at once."""

import pytest
from django.urls import reverse

from milestones.models import CheckIn
from tests.care.test_caseload import make_client

pytestmark = pytest.mark.django_db


def test_a_new_check_in_shows_at_once_though_the_rows_are_cached(counselor, counselor_client):
    quiet = make_client(counselor, "Quiet", last_checkin_days=8)
    assert "8 days ago" in counselor_client.get(reverse("care:caseload")).content.decode()
    CheckIn.objects.create(owner=quiet, local_date=quiet.local_today(), sober="yes", craving=1)
    page = counselor_client.get(reverse("care:caseload")).content.decode()
    assert "Today" in page and "8 days ago" not in page


def test_a_renamed_client_and_each_sort_show_at_once(counselor, counselor_client):
    client = make_client(counselor, "Avery", last_checkin_days=9)
    make_client(counselor, "Blake")
    assert "Avery" in counselor_client.get(reverse("care:caseload")).content.decode()
    client.display_name = "Casey"
    client.save()  # as the profile page does
    page = counselor_client.get(reverse("care:caseload")).content.decode()
    assert "Casey" in page and "Avery" not in page
    by_name = counselor_client.get(reverse("care:caseload") + "?sort=name").content.decode()
    by_checkin = counselor_client.get(reverse("care:caseload") + "?sort=checkin").content.decode()
    assert by_name.index("Blake") < by_name.index("Casey")
    assert by_checkin.index("Casey") < by_checkin.index("Blake")  # nine days silent comes first


def test_a_narrowed_consent_and_a_new_day_show_at_once_though_the_rows_are_cached(counselor, counselor_client):
    import datetime as dt

    import time_machine

    from recovery_network.care.models import Consent

    quiet = make_client(counselor, "Quiet", last_checkin_days=3)
    # 23:50 on the client's clock (America/Chicago), then ten minutes later: a new day with no data changed.
    evening = dt.datetime.combine(quiet.local_today(), dt.time(23, 50), tzinfo=quiet.zone)
    with time_machine.travel(evening, tick=False):
        assert "3 days ago" in counselor_client.get(reverse("care:caseload")).content.decode()
    with time_machine.travel(evening + dt.timedelta(minutes=10), tick=False):
        assert "4 days ago" in counselor_client.get(reverse("care:caseload")).content.decode()
    Consent.objects.filter(owner=quiet).update(checkins=False)
    with time_machine.travel(evening + dt.timedelta(minutes=11), tick=False):
        page = counselor_client.get(reverse("care:caseload")).content.decode()
    assert "4 days ago" not in page and "Quiet" in page
