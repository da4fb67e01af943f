import datetime as dt

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login_from_profile(anon_client):
    response = anon_client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_owner_updates_their_own_profile(owner_client, owner):
    response = owner_client.post(
        reverse("profile"),
        {
            "display_name": "Liv",
            "language": "en",
            "time_zone": "Pacific/Auckland",
            "checkin_time": "07:45",
            "quiet_hours_start": "23:00",
            "quiet_hours_end": "06:30",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.display_name == "Liv"
    assert owner.time_zone == "Pacific/Auckland"
    assert owner.checkin_time == dt.time(7, 45)
    assert owner.quiet_hours_start == dt.time(23, 0)


def test_profile_edit_changes_only_the_signed_in_person(stranger_client, owner, stranger):
    stranger_client.post(
        reverse("profile"), {"display_name": "X", "language": "en", "time_zone": "UTC", "checkin_time": "08:00"}
    )
    owner.refresh_from_db()
    assert owner.display_name == "Olive"


def test_unknown_time_zone_gets_a_plain_message_and_keeps_input(owner_client, owner):
    response = owner_client.post(
        reverse("profile"),
        {"display_name": "Keep me", "time_zone": "Mars/Olympus", "checkin_time": "08:00"},
    )
    assert response.status_code == 200
    assert b"Choose a time zone from the list" in response.content
    assert b'value="Keep me"' in response.content and b'value="Mars/Olympus"' in response.content
    owner.refresh_from_db()
    assert owner.time_zone == "America/Chicago"


def test_a_zone_is_typed_with_suggestions_and_read_as_its_own_name(owner_client, owner):
    page = owner_client.get(reverse("profile")).content.decode()
    assert 'list="id_time_zone-zones"' in page and '<datalist id="id_time_zone-zones">' in page
    assert '<option value="America/New_York">America/New York</option>' in page
    response = owner_client.post(
        reverse("profile"),
        {"display_name": "Olive", "language": "en", "time_zone": " america/new york ", "checkin_time": "08:00"},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.time_zone == "America/New_York"


def test_half_set_quiet_hours_are_explained(owner_client):
    response = owner_client.post(
        reverse("profile"),
        {"display_name": "", "time_zone": "UTC", "checkin_time": "08:00", "quiet_hours_start": "22:00"},
    )
    assert response.status_code == 200
    assert b"Give both a start and an end for quiet hours" in response.content


def test_bad_time_gets_a_form_error_not_a_500(owner_client):
    response = owner_client.post(reverse("profile"), {"time_zone": "UTC", "checkin_time": "25:99"})
    assert response.status_code == 200
    assert b"Enter a valid time" in response.content
