"""Each look at a caseload is a line in every listed client's access log, written as one row per view.

The caseload's roster (who was on it, and what of each) is written only when it
changes; a view is one row pointing at it; a client's "who has seen my data" reads
through their entry on it, exactly as if a line had been written to their log.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import sharing
from recovery_network.care.caseload import client_consents, log_view, roster_of, write_roster
from recovery_network.care.models import AccessEvent, CaseloadRoster, CaseloadView, Consent, RosterEntry
from tests.care.factories import ConsentFactory
from tests.factories import UserFactory, sign_in

pytestmark = pytest.mark.django_db

CASELOAD = "/circle/caseload/"


@pytest.fixture
def clients(counselor, owner):
    """The owner (who consented to everything in the fixtures) and two more clients, one sharing less."""
    second = UserFactory(email="second@example.org", display_name="Sam")
    ConsentFactory(owner=second, counselor=counselor)
    third = UserFactory(email="third@example.org", display_name="Tess")
    ConsentFactory(
        owner=third,
        counselor=counselor,
        checkins=False,
        recovery_capital=False,
        support_map=False,
        attendance=False,
        setbacks=False,
    )
    return owner, second, third


def lines(person):
    return sharing.access_log(person, size=10_000)[0]


def caseload_lines(person):
    return [line for line in lines(person) if line.what.startswith("caseload summary")]


def view(counselor_client):
    response = counselor_client.get(reverse("care:caseload"))
    assert response.status_code == 200
    return response


def test_every_client_on_the_page_gets_a_line_in_their_own_log(clients, counselor, counselor_client):
    owner, second, third = clients
    view(counselor_client)
    for person in clients:
        [line] = caseload_lines(person)
        assert line.actor_name == "Casey Counselor (counselor@example.org)" and line.action == "viewed"
        assert line.get_action_display() == "Viewed" and line.created_at is not None
    assert caseload_lines(third)[0].what == "caseload summary: clean time and milestones"
    assert "check-in trends" in caseload_lines(second)[0].what


def test_the_client_reads_the_caseload_view_on_their_access_log_page(clients, owner_client, counselor_client):
    view(counselor_client)
    page = owner_client.get(reverse("care:access_log")).content.decode()
    assert "Casey Counselor (counselor@example.org)" in page and "caseload summary" in page and "Viewed" in page


def test_a_view_is_one_row_and_the_roster_is_written_once(clients, counselor, counselor_client):
    for _ in range(3):
        view(counselor_client)
    assert CaseloadRoster.objects.count() == 1 and RosterEntry.objects.count() == 3
    assert CaseloadView.objects.count() == 3
    assert CaseloadView.objects.filter(path=reverse("care:caseload")).count() == 3
    for person in clients:
        assert len(caseload_lines(person)) == 3
    assert not AccessEvent.objects.filter(what__startswith="caseload summary").exists()


def test_recording_a_view_of_a_known_roster_finds_it_and_writes_one_row(clients, counselor):
    now = timezone.now()
    consents = client_consents(counselor, now)
    log_view(counselor, consents, CASELOAD, now)
    with CaptureQueriesContext(connection) as captured:
        log_view(counselor, consents, CASELOAD, now)
    # The roster is found by its digest (a unique index) and the view points at it: two statements, no transaction.
    assert [query["sql"].split()[0] for query in captured] == ["SELECT", "INSERT"]
    assert 'INSERT INTO "supports_caseloadview"' in captured[1]["sql"]
    assert CaseloadRoster.objects.count() == 1 and CaseloadView.objects.count() == 2


def test_a_revoked_client_is_off_the_next_roster_and_keeps_the_earlier_line(clients, counselor, counselor_client):
    owner, second, third = clients
    view(counselor_client)
    sharing.revoke_consent(Consent.objects.get(owner=second, counselor=counselor))
    view(counselor_client)
    assert CaseloadRoster.objects.count() == 2
    assert len(caseload_lines(second)) == 1  # the look from before the revocation stays in their log
    assert len(caseload_lines(owner)) == 2 and len(caseload_lines(third)) == 2


def test_a_lapsed_consent_leaves_the_roster(clients, counselor, counselor_client):
    owner, second, third = clients
    Consent.objects.filter(owner=third).update(expires_on=third.local_today() - dt.timedelta(days=1))
    view(counselor_client)
    assert caseload_lines(third) == [] and len(caseload_lines(owner)) == 1


def test_narrowed_scopes_make_a_new_roster_saying_what_was_shown(clients, counselor, counselor_client):
    owner, second, third = clients
    view(counselor_client)
    Consent.objects.filter(owner=second).update(
        checkins=False, recovery_capital=False, support_map=False, attendance=False, setbacks=False
    )
    view(counselor_client)
    newest, older = caseload_lines(second)
    assert newest.what == "caseload summary: clean time and milestones" and "check-in trends" in older.what


def test_going_back_to_an_earlier_caseload_reuses_its_roster(clients, counselor, counselor_client):
    owner, second, third = clients
    view(counselor_client)
    Consent.objects.filter(owner=second).update(checkins=False)
    view(counselor_client)
    Consent.objects.filter(owner=second).update(checkins=True)
    view(counselor_client)
    assert CaseloadRoster.objects.count() == 2 and len(caseload_lines(second)) == 3


def test_a_renamed_counselor_gets_a_roster_under_the_new_name(clients, counselor, counselor_client):
    view(counselor_client)
    counselor.display_name = "Casey Morgan"
    counselor.save()
    view(counselor_client)
    names = [line.actor_name for line in caseload_lines(clients[0])]
    assert names == ["Casey Morgan (counselor@example.org)", "Casey Counselor (counselor@example.org)"]


def test_a_racing_first_view_finds_the_roster_the_other_wrote(clients, counselor):
    now = timezone.now()
    consents = client_consents(counselor, now)
    log_view(counselor, consents, CASELOAD, now)
    # As if another request wrote the roster between this one's lookup and its insert.
    roster = write_roster(counselor, *roster_of(counselor, consents), now)
    assert CaseloadRoster.objects.get() == roster and RosterEntry.objects.count() == 3


def test_no_clients_no_roster(counselor, counselor_client):
    Consent.objects.filter(counselor=counselor).update(revoked_at=timezone.now())
    view(counselor_client)
    assert not CaseloadRoster.objects.exists() and not CaseloadView.objects.exists()


def test_the_lines_outlive_the_counselors_account(clients, counselor, counselor_client):
    view(counselor_client)
    counselor.delete()
    [line] = caseload_lines(clients[0])
    assert line.actor_name == "Casey Counselor (counselor@example.org)"


def test_a_client_deleting_their_account_takes_only_their_own_entries(clients, counselor_client):
    owner, second, third = clients
    view(counselor_client)
    second.delete()
    assert RosterEntry.objects.count() == 2 and CaseloadView.objects.count() == 1
    assert len(caseload_lines(owner)) == 1


def test_no_one_reads_another_clients_caseload_lines(clients, counselor_client, stranger_client):
    view(counselor_client)
    for client in (counselor_client, stranger_client):
        page = client.get(reverse("care:access_log")).content.decode()
        assert "caseload summary" not in page


def test_caseload_lines_cannot_be_changed(clients, counselor_client):
    view(counselor_client)
    for model in (CaseloadView, CaseloadRoster, RosterEntry):
        row = model.objects.first()
        with pytest.raises(PermissionError):
            row.save()
        with pytest.raises(PermissionError):
            row.delete()
        with pytest.raises(PermissionError):
            model.objects.all().update(pk=row.pk)
        with pytest.raises(PermissionError):
            model.objects.all().delete()


def test_the_access_log_merges_both_kinds_newest_first_across_pages(clients, owner_client, counselor, family):
    owner = clients[0]
    start = timezone.now() - dt.timedelta(hours=2)
    consents = client_consents(counselor, timezone.now())
    for minute in range(0, 120, 2):  # 60 caseload views and 60 other lines, interleaved a minute apart
        log_view(counselor, consents, CASELOAD, start + dt.timedelta(minutes=minute))
        AccessEvent.objects.create(
            owner=owner, actor=family, actor_name="Fran", action="viewed", what="clean time",
            created_at=start + dt.timedelta(minutes=minute + 1),
        )  # fmt: skip
    everything = lines(owner)
    assert len(everything) == 120
    assert [line.created_at for line in everything] == sorted((line.created_at for line in everything), reverse=True)
    url = reverse("care:access_log")
    first = owner_client.get(url)
    page = first.content.decode()
    assert page.count("<tr><td>") == 50 and "Older lines" in page and "Newest lines" not in page
    assert page.index("Fran") < page.index("caseload summary")  # the newest line is the family member's
    older = first.context["older"]
    second = owner_client.get(url, {"before": older}).content.decode()
    third = owner_client.get(url, {"before": sharing.access_log(owner, older)[1]}).content.decode()
    assert second.count("<tr><td>") == 50 and third.count("<tr><td>") == 20
    assert "Newest lines" in third and "Older lines" not in third


def test_paging_by_cursor_neither_skips_nor_repeats_lines_of_one_instant(clients, counselor, family):
    """Lines of both kinds written in the same microsecond still each appear exactly once."""
    owner = clients[0]
    when = timezone.now() - dt.timedelta(minutes=5)
    consents = client_consents(counselor, when)
    for _ in range(7):
        log_view(counselor, consents, CASELOAD, when)
        AccessEvent.objects.create(owner=owner, actor=family, actor_name="Fran", action="viewed", created_at=when)
    seen, before = [], None
    while True:
        page, before = sharing.access_log(owner, before, size=3)
        seen += [(line.source, line.row_id) for line in page]
        if before is None:
            break
    assert len(seen) == len(set(seen)) == 14


@pytest.mark.parametrize("cursor", ["nonsense", "2026-01-01~x5", "2026-01-01T00:00:00~e5", "~", "2026-13-01T00:00Z~e1"])
def test_a_mangled_cursor_shows_the_newest_lines(clients, owner_client, counselor, cursor):
    log_view(counselor, client_consents(counselor, timezone.now()), CASELOAD, timezone.now())
    response = owner_client.get(reverse("care:access_log"), {"before": cursor})
    assert response.status_code == 200 and "caseload summary" in response.content.decode()


def test_past_the_oldest_line_the_page_says_so(clients, owner_client):
    response = owner_client.get(reverse("care:access_log"), {"before": "2000-01-01T00:00:00+00:00~e1"})
    page = response.content.decode()
    assert response.status_code == 200 and "No older lines" in page and "Back to the newest" in page


def test_the_access_log_page_runs_a_fixed_number_of_queries(
    clients, owner_client, counselor, family, django_assert_max_num_queries
):
    owner = clients[0]
    consents = client_consents(counselor, timezone.now())

    def measure(extra):
        owner_client.get(reverse("care:access_log"))  # session and activity bookkeeping settle first
        for minute in range(extra):
            log_view(counselor, consents, CASELOAD, timezone.now() - dt.timedelta(minutes=minute))
            sharing.log(owner, family, AccessEvent.Action.VIEWED, "clean time")
        with django_assert_max_num_queries(12) as captured:
            assert owner_client.get(reverse("care:access_log")).status_code == 200
        return len(captured)

    assert measure(2) == measure(80)


def test_rosters_and_views_are_not_in_the_admin(clients, counselor_client, client):
    view(counselor_client)
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    sign_in(client, admin, two_factor=True)
    roster = CaseloadRoster.objects.get()
    for model in ("caseloadroster", "rosterentry", "caseloadview"):
        assert client.get(f"/admin/supports/{model}/").status_code == 404
    assert client.post(f"/admin/supports/caseloadroster/{roster.pk}/delete/", {"post": "yes"}).status_code == 404
    assert CaseloadRoster.objects.filter(pk=roster.pk).exists()


@pytest.mark.parametrize("with_clients", [True, False])
def test_without_two_factor_the_caseload_shows_and_logs_nothing(clients, counselor, counselor_client, with_clients):
    from allauth.mfa.models import Authenticator

    if not with_clients:
        Consent.objects.filter(counselor=counselor).update(revoked_at=timezone.now())
    Authenticator.objects.filter(user=counselor).delete()
    response = counselor_client.get(reverse("care:caseload"))
    assert response.status_code == 403 and "Olive" not in response.content.decode()
    assert not CaseloadView.objects.exists()


def test_the_log_shows_each_time_in_the_readers_zone(clients, owner_client, counselor, family):
    owner = clients[0]  # America/Chicago
    when = dt.datetime(2026, 7, 4, 17, 5, tzinfo=dt.UTC)  # 12:05 PM in Chicago (daylight time)
    AccessEvent.objects.create(owner=owner, actor=family, actor_name="Fran", action="viewed", created_at=when)
    AccessEvent.objects.create(
        owner=owner, actor=family, actor_name="Fran", action="viewed", created_at=when + dt.timedelta(hours=9)
    )
    page = owner_client.get(reverse("care:access_log")).content.decode()
    # The second is 5 July in UTC but still the evening of the 4th in Chicago.
    assert "4 Jul 2026, 12:05 PM" in page and "4 Jul 2026, 9:05 PM" in page
    assert f'datetime="{when.isoformat()}"' in page
