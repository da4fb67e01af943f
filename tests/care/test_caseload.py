"""The counselor's caseload: signals per client, attention first, in a fixed number of queries."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from milestones.models import CheckIn, Journey
from supports.caseload import caseload
from supports.models import AccessEvent, Consent, Recommendation
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
    for index in range(size - Consent.objects.filter(counselor=counselor).count()):
        make_client(counselor, f"Client {index}", meetings=index % 3, last_checkin_days=1 + index % 9)
    counselor_client.get(reverse("supports:caseload"))  # session and activity bookkeeping settle first
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(budget) as captured:  # rendered
        response = counselor_client.get(reverse("supports:caseload"))
    assert response.status_code == 200 and response.content.decode().count('class="caseload__row') == size
    return len(captured)


def test_caseload_queries_do_not_grow_with_the_caseload(counselor, counselor_client, django_assert_max_num_queries):
    budget = 20
    at_5 = _measure(counselor, counselor_client, django_assert_max_num_queries, 5, budget)
    at_50 = _measure(counselor, counselor_client, django_assert_max_num_queries, 50, budget)
    print(f"caseload queries: {at_5} at 5 clients, {at_50} at 50 clients")
    assert at_5 == at_50


def test_recommendations_go_to_the_client_who_marks_them_done(world, owner, owner_client, counselor, counselor_client):
    url = reverse("supports:client_recommend", args=[owner.pk])
    assert counselor_client.post(url, {"text": "Join a SMART Recovery group"}).status_code == 302
    recommendation = Recommendation.objects.get(owner=owner)
    assert recommendation.counselor == counselor
    assert "Join a SMART Recovery group" in owner_client.get(reverse("home")).content.decode()
    assert "Join a SMART Recovery group" in owner_client.get(reverse("supports:circle")).content.decode()
    owner_client.post(reverse("supports:recommendation_done", args=[recommendation.pk]))
    recommendation.refresh_from_db()
    assert recommendation.is_done
    assert "done" in counselor_client.get(reverse("supports:client", args=[owner.pk])).content.decode()
    assert AccessEvent.objects.filter(owner=owner, action="recommendation_written").exists()


def test_an_empty_recommendation_gets_a_plain_error(world, owner, counselor_client):
    response = counselor_client.post(reverse("supports:client_recommend", args=[owner.pk]), {"text": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()


def test_the_client_page_shows_map_gaps_trends_and_attendance(world, owner, counselor_client):
    page = counselor_client.get(reverse("supports:client", args=[owner.pk])).content.decode()
    for text in ("Marisol Vega", "Where the network is thin", "check-ins since", "Attendance by group",
                 "Tuesday Serenity Circle", "Printable support-map report"):  # fmt: skip
        assert text in page, text
    assert "PRIVATE-CHECKIN-NOTE" not in page


def test_the_report_is_printable(world, owner, counselor_client):
    page = counselor_client.get(reverse("supports:client_report", args=[owner.pk])).content.decode()
    assert "Support-map report: Olive" in page and "data-print" in page and "Gaps to talk about" in page
    assert "Marisol Vega" in page and "42 CFR Part 2" in page


def test_the_written_out_consents_query_reads_what_the_querysets_say(counselor, owner):
    """client_consents() runs its own SQL for speed; it must pick the rows Consent.objects would."""
    from supports.caseload import client_consents

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
    orm = {
        consent.owner_id
        for consent in Consent.objects.possibly_valid(now).for_counselor(counselor).filter(owner__is_active=True)
        if consent.is_valid(now)
    }
    consents, two_factor = client_consents(counselor, now, two_factor=True)
    assert set(consents) == orm and two_factor is True
    names = set(type(owner).objects.filter(pk__in=consents).values_list("display_name", flat=True))
    assert {"valid", "ends today", "Olive"} <= names
    assert not names & {"revoked", "ended last week", "other counselor", "inactive"}
    item = consents[owner.pk]
    assert item.scopes == Consent.objects.get(owner=owner, counselor=counselor).scopes


# The caseload's state, kept in the process under the digest of its rows


def _fresh(counselor, now):
    from supports import caseload as module

    consents, two_factor = module.client_consents(counselor, now, two_factor=True)
    return consents, module.roster_of(counselor, consents), two_factor


def _kept(counselor, now):
    from supports import caseload as module

    state, two_factor = module.caseload_state(counselor, now)
    assert state.parts == module.cache_parts(state.consents)
    return state.consents, state.roster, two_factor


def test_the_kept_caseload_state_follows_every_change_at_once(counselor, owner):
    from allauth.mfa.models import Authenticator

    from supports import sharing

    now = timezone.now()
    other = UserFactory(display_name="Second client")
    second = ConsentFactory(owner=other, counselor=counselor)
    changes = [
        lambda: None,
        lambda: SupporterFactory(owner=owner),  # the client's data changes: their version with it
        lambda: Consent.objects.filter(pk=second.pk).update(support_map=False, checkins=False),  # narrowed
        lambda: ConsentFactory(owner=UserFactory(display_name="Third client"), counselor=counselor),  # signed
        lambda: sharing.revoke_consent(second),
        lambda: type(owner).objects.filter(pk=owner.pk).update(is_active=False),
        lambda: type(counselor).objects.filter(pk=counselor.pk).update(display_name="Dr Casey"),
        lambda: Authenticator.objects.filter(user=counselor).delete(),
    ]
    for change in changes:
        change()
        counselor.refresh_from_db()
        assert _kept(counselor, now) == _fresh(counselor, now)
    assert _kept(counselor, now)[2] is False  # two-factor turned off shows at once


def test_a_kept_state_is_not_used_past_a_consents_last_day(counselor, owner):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(owner.time_zone)
    last_day = dt.date(2026, 11, 20)
    Consent.objects.filter(owner=owner, counselor=counselor).update(expires_on=last_day)
    late = dt.datetime(2026, 11, 20, 23, 59, tzinfo=zone)
    assert owner.pk in _kept(counselor, late)[0]
    after_midnight = dt.datetime(2026, 11, 21, 0, 0, 1, tzinfo=zone)
    assert owner.pk not in _kept(counselor, after_midnight)[0]
    assert _kept(counselor, after_midnight) == _fresh(counselor, after_midnight)


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
def test_a_consent_lapses_the_instant_its_clients_next_day_begins(zone, last_day):
    from zoneinfo import ZoneInfo

    from supports.caseload import _lapse

    lapse = _lapse(last_day, zone)
    assert lapse.astimezone(ZoneInfo(zone)).date() == last_day + dt.timedelta(days=1)
    assert (lapse - dt.timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date() == last_day
