"""The counselor's caseload: signals per client, attention first, in a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from milestones.models import CheckIn, Journey
from recovery_network.care.caseload import caseload
from recovery_network.care.models import AccessEvent, Consent, Recommendation
from tests.care.factories import ConsentFactory
from tests.factories import UserFactory
from tests.supports.factories import AttendanceFactory, MeetingTimeFactory, PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def make_client(counselor, name, *, last_checkin_days=1, cravings=(2, 2), meetings=0, slots=1, **scopes):
    person = UserFactory(display_name=name)
    today = person.local_today()
    ConsentFactory(owner=person, counselor=counselor, **scopes)
    SupporterFactory(owner=person, closeness=1, contact_every_days=3, created_at=timezone.now() - dt.timedelta(days=10))
    group = PeerGroupFactory(owner=person)
    for weekday in range(slots):
        MeetingTimeFactory(group=group, weekday=weekday)
    for offset in range(meetings):
        AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=offset + 1))
    recent, before = cravings
    for offset in range(last_checkin_days, 14):
        craving = recent if offset < 7 else before
        CheckIn.objects.create(owner=person, local_date=today - dt.timedelta(days=offset), sober="yes", craving=craving)
    Journey.objects.create(
        owner=person,
        kind="alcohol",
        first_started_on=today - dt.timedelta(days=25),
        started_on=today - dt.timedelta(days=25),
    )
    return person


def test_signals_are_read_per_client(counselor):
    steady = make_client(counselor, "Steady", meetings=2)
    quiet = make_client(counselor, "Quiet", last_checkin_days=8, cravings=(7, 3), meetings=0)
    rows = {row.owner.pk: row for row in caseload(counselor)}
    quiet_row, steady_row = rows[quiet.pk], rows[steady.pk]
    assert quiet_row.days_since_checkin == 8 and steady_row.days_since_checkin == 1
    assert steady_row.craving_trend == "steady"
    assert quiet_row.craving_recent is None and quiet_row.craving_before == 3  # silent for the last week
    assert quiet_row.meetings_expected == 2 and quiet_row.meetings_missed == 2 and steady_row.meetings_missed == 0
    assert quiet_row.inner_overdue == 1 and "Inner circle overdue" in quiet_row.gaps
    assert quiet_row.next_milestone.label == "30 days" and quiet_row.next_milestone_days == 5


def test_rising_craving_is_flagged(counselor):
    make_client(counselor, "Easing", cravings=(2, 6), meetings=2)
    rising = make_client(counselor, "Rising", cravings=(7, 2), meetings=2)
    [row] = [row for row in caseload(counselor) if row.owner == rising]
    assert row.craving_trend == "rising" and "Craving rising" in row.reasons and "High craving" in row.reasons
    # Rising most first; a client with no check-ins to compare comes last.
    assert [row.owner.name for row in caseload(counselor, sort="craving")] == ["Rising", "Easing", "Olive"]


def test_whoever_needs_attention_comes_first_and_other_sorts_work(counselor, owner):
    make_client(counselor, "Alma", meetings=2)
    make_client(counselor, "Zed", last_checkin_days=9, cravings=(7, 2))
    make_client(counselor, "Mia", last_checkin_days=4, meetings=1)
    Consent.objects.filter(owner=owner).delete()
    assert [row.owner.name for row in caseload(counselor)] == ["Zed", "Mia", "Alma"]
    assert [row.owner.name for row in caseload(counselor, sort="name")] == ["Alma", "Mia", "Zed"]
    assert [row.owner.name for row in caseload(counselor, sort="checkin")][0] == "Zed"


def test_signals_appear_only_where_the_consent_covers_them(counselor):
    person = make_client(counselor, "Private", checkins=False, support_map=False, attendance=False, clean_time=False)
    [row] = [row for row in caseload(counselor) if row.owner == person]
    assert row.days_since_checkin is None and row.craving_recent is None
    assert row.gaps == [] and row.meetings_missed is None and row.next_milestone is None


def test_expired_and_revoked_consents_leave_the_caseload(counselor, owner):
    gone = make_client(counselor, "Gone")
    Consent.objects.filter(owner=gone).update(expires_on=dt.date(2020, 1, 1))
    [row] = caseload(counselor)
    assert row.owner == owner
    Consent.objects.filter(owner=owner).update(revoked_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert caseload(counselor) == []


def _measure(counselor, counselor_client, django_assert_max_num_queries, size, budget):
    counselor_client.get(reverse("care:caseload"))  # session and activity bookkeeping settle first
    for index in range(size - Consent.objects.filter(counselor=counselor).count()):
        make_client(counselor, f"Client {index}", meetings=index % 3, last_checkin_days=1 + index % 9)
    with django_assert_max_num_queries(budget) as captured:  # rendered: new clients, a new table
        response = counselor_client.get(reverse("care:caseload"))
    assert response.status_code == 200 and response.content.decode().count('class="caseload__row') == size
    return len(captured)


def test_caseload_queries_do_not_grow_with_the_caseload(counselor, counselor_client, django_assert_max_num_queries):
    budget = 20
    at_5 = _measure(counselor, counselor_client, django_assert_max_num_queries, 5, budget)
    at_50 = _measure(counselor, counselor_client, django_assert_max_num_queries, 50, budget)
    print(f"caseload queries: {at_5} at 5 clients, {at_50} at 50 clients")
    assert at_5 == at_50


def test_recommendations_go_to_the_client_who_marks_them_done(world, owner, owner_client, counselor, counselor_client):
    url = reverse("care:client_recommend", args=[owner.pk])
    assert counselor_client.post(url, {"text": "Join a SMART Recovery group"}).status_code == 302
    recommendation = Recommendation.objects.get(owner=owner)
    assert recommendation.counselor == counselor
    assert "Join a SMART Recovery group" in owner_client.get(reverse("home")).content.decode()
    assert "Join a SMART Recovery group" in owner_client.get(reverse("care:circle")).content.decode()
    owner_client.post(reverse("care:recommendation_done", args=[recommendation.pk]))
    recommendation.refresh_from_db()
    assert recommendation.is_done
    assert "done" in counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()
    assert AccessEvent.objects.filter(owner=owner, action="recommendation_written").exists()


def test_an_empty_recommendation_gets_a_plain_error(world, owner, counselor_client):
    response = counselor_client.post(reverse("care:client_recommend", args=[owner.pk]), {"text": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_the_client_page_shows_map_gaps_trends_and_attendance(world, owner, counselor_client):
    page = counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()
    for text in ("Marisol Vega", "Where the network is thin", "check-ins since", "Attendance by group",
                 "Tuesday Serenity Circle", "Printable support-map report"):  # fmt: skip
        assert text in page, text
    assert "PRIVATE-CHECKIN-NOTE" not in page


def test_the_report_is_printable(world, owner, counselor_client):
    page = counselor_client.get(reverse("care:client_report", args=[owner.pk])).content.decode()
    assert "Support-map report: Olive" in page and "data-print" in page and "Gaps to talk about" in page
    assert "Marisol Vega" in page and "42 CFR Part 2" in page


def test_the_caseload_holds_exactly_the_consents_in_effect(counselor, owner):
    from recovery_network.care.caseload import client_consents

    now = timezone.now()
    today = now.date()
    other_counselor = UserFactory(email="other-counselor@example.org")
    cases = {
        "valid": {},
        "revoked": {"revoked_at": now},
        "ends today": {"expires_on": today},
        "ended yesterday": {"expires_on": today - dt.timedelta(days=1)},
        "ended last week": {"expires_on": today - dt.timedelta(days=7)},
        "other counselor": {"counselor": other_counselor},
    }
    for name, changes in cases.items():
        person = UserFactory(display_name=name)
        consent = ConsentFactory(owner=person, counselor=counselor)
        Consent.objects.filter(pk=consent.pk).update(**changes)
    gone = UserFactory(display_name="inactive")
    ConsentFactory(owner=gone, counselor=counselor)
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    consents = client_consents(counselor, now)
    in_effect = Consent.objects.filter(pk__in=[item.consent_id for item in consents.values()]).select_related("owner")
    names = {consent.owner.display_name for consent in in_effect}
    assert {"valid", "ends today", "Olive"} <= names
    assert not names & {"revoked", "ended last week", "other counselor", "inactive"}
    assert all(consent.is_valid(now) for consent in in_effect) and len(in_effect) == len(consents)
    assert consents[owner.pk].scopes == Consent.objects.get(owner=owner, counselor=counselor).scopes
    assert consents[owner.pk].owner_version == type(owner).objects.get(pk=owner.pk).data_version


def test_of_two_consents_from_one_client_the_broader_counts(counselor, owner):
    from recovery_network.care.caseload import client_consents

    ConsentFactory(owner=owner, counselor=counselor, checkins=False, support_map=False, attendance=False)
    assert len(client_consents(counselor, timezone.now())[owner.pk].scopes) == 6


@pytest.mark.parametrize(
    ("zone", "last_day"),
    [
        ("America/Chicago", dt.date(2026, 3, 7)),  # the night clocks go forward at 2 a.m.
        ("America/Chicago", dt.date(2026, 10, 31)),  # and back
        ("America/Santiago", dt.date(2026, 9, 5)),  # midnight itself is skipped
        ("Asia/Kolkata", dt.date(2026, 6, 1)),
        ("Pacific/Kiritimati", dt.date(2026, 12, 31)),
    ],
)
def test_a_client_leaves_the_caseload_the_instant_their_next_day_begins(counselor, zone, last_day):
    from zoneinfo import ZoneInfo

    from recovery_network.care.caseload import client_consents

    person = UserFactory(time_zone=zone)
    ConsentFactory(owner=person, counselor=counselor, expires_on=last_day)
    next_day = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(zone))
    assert person.pk in client_consents(counselor, next_day - dt.timedelta(microseconds=1))
    assert person.pk not in client_consents(counselor, next_day)


def test_a_large_caseload_comes_a_page_at_a_time_neediest_first(owner, counselor, counselor_client):
    from recovery_network.care.caseload import CLIENTS_PER_PAGE

    for index in range(CLIENTS_PER_PAGE + 3):
        ConsentFactory(owner=UserFactory(display_name=f"Client {index:03d}"), counselor=counselor)
    first = counselor_client.get(reverse("care:caseload"), {"sort": "name"}).content.decode()
    assert first.count('class="caseload__row') == CLIENTS_PER_PAGE
    assert "Page 1 of 2" in first and "?sort=name&amp;page=2" in first
    second = counselor_client.get(reverse("care:caseload"), {"sort": "name", "page": 2}).content.decode()
    assert second.count('class="caseload__row') == 4  # the three and the fixture's own client
