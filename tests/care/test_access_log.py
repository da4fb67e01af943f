"""The access log: every read by someone other than the owner, and every sharing change, append-only."""

import datetime as dt

import pytest
from django.urls import reverse

from recovery_network.care import sharing
from recovery_network.care.models import AccessEvent
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

NON_OWNER_READS = [
    ("family_client", "care:person", "clean time and milestones"),
    ("counselor_client", "care:client", "clean time and milestones, check-in trends, recovery capital, support map"),
    ("counselor_client", "care:client_report", "support map"),
]


@pytest.mark.parametrize(("who", "name", "what"), NON_OWNER_READS)
def test_every_non_owner_read_is_logged_with_who_what_and_when(world, owner, request, who, name, what):
    client = request.getfixturevalue(who)
    before = AccessEvent.objects.filter(owner=owner, action="viewed").count()
    url = reverse(name, args=[owner.pk])
    for _ in range(2):
        assert client.get(url).status_code == 200
    events = list(AccessEvent.objects.filter(owner=owner, action="viewed", path=url))
    assert len(events) == 2 and AccessEvent.objects.filter(owner=owner, action="viewed").count() == before + 2
    viewer = request.getfixturevalue(who.removesuffix("_client"))
    for event in events:
        assert event.actor == viewer and viewer.email in event.actor_name
        assert what in event.what and event.created_at is not None


def test_the_log_records_exactly_the_scopes_the_page_showed(world, owner, grant, family_client):
    sharing.change_scopes(grant, {"setbacks", "attendance"})
    family_client.get(reverse("care:person", args=[owner.pk]))
    event = AccessEvent.objects.filter(owner=owner, action="viewed").latest("id")
    assert event.what == "meeting attendance, setbacks"


def test_refused_reads_show_nothing_and_so_log_nothing(world, owner, stranger_client):
    stranger_client.get(reverse("care:person", args=[owner.pk]))
    stranger_client.get(reverse("care:client", args=[owner.pk]))
    assert not AccessEvent.objects.filter(owner=owner, action="viewed").exists()


def test_the_owners_own_reads_are_not_logged(world, owner, owner_client, consent):
    for name in ("supports:index", "supports:map", "supports:gaps", "milestones:overview", "milestones:trends",
                 "care:circle", "care:access_log"):  # fmt: skip
        owner_client.get(reverse(name))
    owner_client.get(reverse("care:consent_detail", args=[consent.pk]))
    assert not AccessEvent.objects.filter(owner=owner, action="viewed").exists()


def test_the_owner_reads_who_has_seen_their_data(world, owner, owner_client, family_client, counselor_client):
    family_client.get(reverse("care:person", args=[owner.pk]))
    counselor_client.get(reverse("care:client", args=[owner.pk]))
    page = owner_client.get(reverse("care:access_log")).content.decode()
    assert "Fran (family@example.org)" in page and "Casey Counselor (counselor@example.org)" in page
    assert "Viewed" in page and "clean time and milestones" in page


def test_no_one_else_reads_the_owners_log(world, owner, family_client, stranger_client):
    family_client.get(reverse("care:person", args=[owner.pk]))
    for client in (family_client, stranger_client):
        page = client.get(reverse("care:access_log")).content.decode()
        assert "No one has seen anything of yours" in page


def test_grant_changes_consents_and_revocations_are_logged(owner, grant, consent):
    sharing.change_scopes(grant, {"clean_time", "checkins"})
    sharing.revoke_grant(grant)
    sharing.revoke_consent(consent)
    actions = list(AccessEvent.objects.filter(owner=owner).values_list("action", flat=True))
    assert {"grant_changed", "grant_revoked", "consent_revoked"} <= set(actions)


def test_saving_no_change_to_scopes_logs_nothing(owner, grant):
    sharing.change_scopes(grant, set(grant.scopes))
    assert not AccessEvent.objects.filter(owner=owner, action="grant_changed").exists()


def test_the_log_cannot_be_edited_or_deleted(owner, family):
    event = sharing.log(owner, family, AccessEvent.Action.VIEWED, "clean time")
    event.what = "nothing"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.filter(pk=event.pk).update(what="nothing")
    with pytest.raises(PermissionError):
        AccessEvent.objects.filter(pk=event.pk).delete()
    assert AccessEvent.objects.get(pk=event.pk).what == "clean time"


def test_the_log_is_not_in_the_admin(owner, family, client):
    event = sharing.log(owner, family, AccessEvent.Action.VIEWED, "clean time")
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    sign_in(client, admin, two_factor=True)
    assert client.get("/admin/supports/accessevent/").status_code == 404
    assert client.post(f"/admin/supports/accessevent/{event.pk}/delete/", {"post": "yes"}).status_code == 404
    assert AccessEvent.objects.get(pk=event.pk).what == "clean time"


def test_the_log_keeps_the_name_of_a_viewer_whose_account_is_gone(owner, family):
    sharing.log(owner, family, AccessEvent.Action.VIEWED, "clean time")
    family.delete()
    event = AccessEvent.objects.get(owner=owner, action="viewed")
    assert event.actor is None and event.actor_name == "Fran (family@example.org)"


def test_deleting_the_owner_account_still_works(owner, family):
    sharing.log(owner, family, AccessEvent.Action.VIEWED, "clean time")
    owner.delete()
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize(
    "cursor",
    [
        "0001-01-01T00:00:00+14:00~e1",  # parses, but is before year 1 in UTC
        "9999-12-31T23:59:59-14:00~v1",  # parses, but is in year 10000 in UTC
        "2026-01-01T00:00:00+00:00~e99999999999999999999999",  # no row has that id
        "2026-01-01T00:00:00+00:00~e0",
    ],
)
def test_a_cursor_out_of_range_shows_the_newest_lines_as_a_mangled_one_does(owner, owner_client, family_client, cursor):
    family_client.get(reverse("care:person", args=[owner.pk]))
    assert sharing.parse_cursor(cursor) is None
    response = owner_client.get(reverse("care:access_log"), {"before": cursor})
    assert response.status_code == 200 and "Fran" in response.content.decode()


def test_a_cursor_is_read_in_utc_whatever_offset_it_carries():
    assert sharing.parse_cursor("2026-11-26T09:40:00.5-05:00~e7") == (
        dt.datetime(2026, 11, 26, 14, 40, 0, 500000, tzinfo=dt.UTC),
        sharing.EVENT_LINE,
        7,
    )
