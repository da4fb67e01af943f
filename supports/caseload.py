"""A counselor's caseload: every consenting client with the signals that say who needs attention.

A fixed number of queries whatever the size of the caseload: the consents in
effect (plain values, enough for the page cache's key) and one row recording the
view, which every client's access log reads through the caseload's roster; then,
when the table must be rendered, the consents with each client, check-in
aggregates, network aggregates, peer groups and their weekly slots, recent
attendance and journeys. Each signal appears only where that client's consent
covers it.
"""

import datetime as dt
import functools
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.db import IntegrityError, connection, transaction
from django.db.models import Avg, Count, OuterRef, Subquery
from django.utils import timezone

from milestones.models import CheckIn, Journey
from recovery_network import compiled
from recovery_network.models import User, zone_named
from recovery_network.two_factor import account_has_totp

from .models import SCOPE_FIELDS, Attendance, CaseloadRoster, CaseloadView, Consent, PeerGroup, RosterEntry, Supporter
from .network import NetworkSummary, gap_titles, summary_aggregates, summary_from_counts
from .sharing import actor_label, describe

WINDOW_DAYS = 7  # craving: the last week against the week before
MEETING_WINDOW_DAYS = 14
MILESTONE_SOON_DAYS = 14

SORTS = {
    "attention": "Needs attention first",
    "checkin": "Longest since a check-in",
    "craving": "Craving rising most",
    "milestone": "Milestone soonest",
    "name": "Name",
}


@dataclass
class ClientRow:
    consent: Consent
    owner: object
    scopes: frozenset
    days_since_checkin: int | None = None
    craving_recent: float | None = None
    craving_before: float | None = None
    meetings_expected: int | None = None
    meetings_attended: int | None = None
    gaps: list = field(default_factory=list)
    inner_overdue: int | None = None
    next_milestone: object = None
    next_milestone_days: int | None = None
    reasons: list = field(default_factory=list)
    score: int = 0

    @property
    def craving_change(self):
        if self.craving_recent is None or self.craving_before is None:
            return None
        return round(self.craving_recent - self.craving_before, 1)

    @property
    def craving_trend(self):
        change = self.craving_change
        if change is None:
            return "—" if self.craving_recent is None else "steady"
        if change >= 1:
            return "rising"
        if change <= -1:
            return "easing"
        return "steady"

    @property
    def meetings_missed(self):
        if self.meetings_expected is None:
            return None
        return max(0, self.meetings_expected - (self.meetings_attended or 0))


def _score(row):
    """Higher first. Silence and rising craving weigh most: they are the early signs of relapse risk."""
    reasons, score = [], 0
    if "checkins" in row.scopes:
        if row.days_since_checkin is None:
            reasons.append("No check-ins yet")
            score += 2
        elif row.days_since_checkin >= 3:
            reasons.append(f"{row.days_since_checkin} days without a check-in")
            score += 3 if row.days_since_checkin >= 7 else 2
        if row.craving_trend == "rising":
            reasons.append("Craving rising")
            score += 3
        if row.craving_recent is not None and row.craving_recent >= 6:
            reasons.append("High craving")
            score += 2
    if row.meetings_missed:
        reasons.append(f"Missed {row.meetings_missed} meeting{'s' if row.meetings_missed != 1 else ''}")
        score += min(row.meetings_missed, 3)
    if row.inner_overdue:
        reasons.append("Inner circle overdue")
        score += 1
    if row.gaps:
        score += min(len(row.gaps), 3)
    row.reasons, row.score = reasons, score


def _sort_key(sort):
    far = 10**6
    return {
        "name": lambda row: (row.owner.name.lower(), row.owner.pk),
        "checkin": lambda row: (
            -(far if row.days_since_checkin is None else row.days_since_checkin),
            row.owner.name.lower(),
        ),
        "craving": lambda row: (-(row.craving_change or -far), row.owner.name.lower()),
        "milestone": lambda row: (
            far if row.next_milestone_days is None else row.next_milestone_days,
            row.owner.name.lower(),
        ),
    }.get(sort, lambda row: (-row.score, -(row.days_since_checkin or 0), row.owner.name.lower()))


def caseload(counselor, *, sort="attention", path="", now=None):
    """Every client's row, sorted, with the view logged in each client's access log."""
    now = now or timezone.now()
    consents = client_consents(counselor, now)
    log_view(counselor, consents, path, now)
    return client_rows(consents, sort, now)


@dataclass(frozen=True)
class ClientConsent:
    """What the caseload needs to know of one client's consent before deciding to render: plain values."""

    consent_id: int
    owner_id: int
    owner_version: int
    scopes: frozenset
    lapses_at: dt.datetime | None = None  # the consent's end: midnight after its last day, in the client's zone


def client_consents(counselor, now, *, two_factor=False):
    """{client id: ClientConsent} for every client whose consent is in effect: one query, no models built.

    The rows are Consent.objects.possibly_valid(now).for_counselor(counselor) of active
    clients, written out as SQL (_consents_sql; a test holds the two to the same rows):
    built through the ORM, the query cost more CPU than everything else on a cached view.
    A consent lapses at the end of its last day in the client's own zone (Consent.is_valid);
    the same rule is applied here to plain values, a zone's local date worked out once.
    With two_factor, returns (consents, whether the counselor has two-factor on), asked in the
    same query (a second one only for a counselor without clients).
    """
    earliest_local_day = now.date() - dt.timedelta(days=1)  # as Consent.objects.possibly_valid(now)
    with connection.cursor() as cursor:
        compiled.execute(cursor, _consents_sql(), [counselor.pk, counselor.pk, earliest_local_day])
        rows = cursor.fetchall()
    local_dates = {}
    by_owner = {}
    has_totp = None
    for consent_id, owner_id, version, zone_name, expires_on, totp, *flags in rows:
        has_totp = totp
        if isinstance(expires_on, str):  # SQLite's driver hands dates back as text
            expires_on = dt.date.fromisoformat(expires_on)
        if zone_name not in local_dates:
            local_dates[zone_name] = now.astimezone(zone_named(zone_name)).date()
        if local_dates[zone_name] > expires_on:
            continue
        scopes = _scopes(tuple(flags))
        # One consent per client: should a client have signed two, the broader one counts.
        kept = by_owner.get(owner_id)
        if kept is None or len(scopes) > len(kept.scopes):
            by_owner[owner_id] = ClientConsent(consent_id, owner_id, version, scopes, _lapse(expires_on, zone_name))
    if not two_factor:
        return by_owner
    if has_totp is None:  # no rows to ask through
        has_totp = account_has_totp(counselor)
    return by_owner, bool(has_totp)


@functools.cache
def _lapse(expires_on, zone_name):
    """The instant a consent lapses: the start of the day after its last, in the client's zone (a midnight
    that a clock change skips is read as the moment of the change, when the next day begins)."""
    next_day = dt.datetime.combine(expires_on + dt.timedelta(days=1), dt.time(0), tzinfo=zone_named(zone_name))
    return next_day.astimezone(dt.UTC)


@functools.cache
def _consents_sql(select=None):
    """The consents' query (our models' tables and columns; every value is a parameter); `select` replaces
    the columns, as the digest's query does, over the very same rows."""
    ops = connection.ops
    consent, user, authenticator = (ops.quote_name(model._meta.db_table) for model in (Consent, User, Authenticator))
    totp = Authenticator.Type.TOTP.value
    has_totp = f"EXISTS (SELECT 1 FROM {authenticator} a WHERE a.user_id = %s AND a.type = '{totp}')"  # noqa: S608
    columns = select or f"c.id, c.owner_id, u.data_version, u.time_zone, c.expires_on, TOTP, {_flags_sql()}"
    columns = columns.replace("TOTP", has_totp)
    return (
        f"SELECT {columns}"  # noqa: S608
        f" FROM {consent} c INNER JOIN {user} u ON u.id = c.owner_id"
        f" WHERE c.counselor_id = %s AND c.revoked_at IS NULL AND c.expires_on >= %s AND u.is_active"
    )


def _flags_sql():
    return ", ".join(f"c.{connection.ops.quote_name(Consent._meta.get_field(name).column)}" for name in SCOPE_FIELDS)


# The caseload's state, for a counselor looking again and again at the same clients


@dataclass(frozen=True)
class CaseloadState:
    """What a caseload view needs before deciding to render: the consents in effect, the roster naming
    them, the parts of the page's cache key, and the first instant one of the consents lapses."""

    consents: dict
    roster: tuple
    parts: list
    lapses_at: dt.datetime | None


_STATES = OrderedDict()  # (counselor, their name, digest) -> CaseloadState, the most recently used last
_STATES_KEPT = 500
_STATES_LOCK = threading.Lock()


def caseload_state(counselor, now):
    """(CaseloadState, whether the counselor has two-factor on), reading the consents through their digest.

    On PostgreSQL one query reads a digest of every row client_consents() would read (the
    same FROM and WHERE) and the two-factor flag; the state built from those rows is kept in
    this process under the digest, which names everything it is made of, until its first
    consent lapses (consents lapse with the clock, at the end of their last day in the
    client's own zone, which no row change announces). Building it from 200 rows cost more
    CPU than the rest of a cached view. Elsewhere it is built every time.
    """
    if connection.vendor != "postgresql":
        consents, two_factor = client_consents(counselor, now, two_factor=True)
        return _state(counselor, consents), two_factor
    earliest_local_day = now.date() - dt.timedelta(days=1)  # as client_consents()
    with connection.cursor() as cursor:
        compiled.execute(cursor, _digest_sql(), [counselor.pk, counselor.pk, earliest_local_day])
        digest, two_factor = cursor.fetchone()
    memo_key = (counselor.pk, actor_label(counselor), digest)
    with _STATES_LOCK:  # gthread workers share the process
        state = _STATES.get(memo_key)
        if state is not None:
            _STATES.move_to_end(memo_key)
    if state is None or (state.lapses_at is not None and now >= state.lapses_at):
        state = _state(counselor, client_consents(counselor, now))
        with _STATES_LOCK:
            _STATES[memo_key] = state
            while len(_STATES) > _STATES_KEPT:
                _STATES.popitem(last=False)
    return state, bool(two_factor)


@functools.cache
def _digest_sql():
    row = f"concat_ws('.', c.id, c.owner_id, u.data_version, u.time_zone, c.expires_on, {_flags_sql()})"
    return _consents_sql(f"md5(coalesce(string_agg({row}, ',' ORDER BY c.id), '')), TOTP")


def _state(counselor, consents):
    lapses_at = min((item.lapses_at for item in consents.values()), default=None)
    return CaseloadState(consents, roster_of(counselor, consents), cache_parts(consents), lapses_at)


def cache_parts(consents):
    """What the rows are made of, for a cache key: each client, their data's version and their consent."""
    return [
        f"{item.owner_id}.{item.owner_version}.{item.consent_id}.{_scope_key(item.scopes)}"
        for _, item in sorted(consents.items())
    ]


@functools.cache
def _scopes(flags):
    return frozenset(name for name, on in zip(SCOPE_FIELDS, flags, strict=True) if on)


@functools.cache
def _scope_key(scopes):
    return ",".join(sorted(scopes))


def log_view(counselor, consents, path, now, roster=None):
    """A line in each client's access log: the caseload shows something of every one of them.

    One row for the view, pointing at the roster (who was on the page, and what of each)
    in effect: one INSERT … SELECT finds the roster and records the view. Only when the
    roster is new (a consent signed, revoked, lapsed or narrowed since the last view) is it
    written first, with an entry per client.
    """
    if not consents:
        return
    counselor_name, digest, entries = roster or roster_of(counselor, consents)
    if not _record_view(counselor.pk, digest, path[:300], now):
        roster = write_roster(counselor, counselor_name, digest, entries, now)
        CaseloadView.objects.create(roster=roster, path=path[:300], created_at=now)


def roster_of(counselor, consents):
    """(counselor's name, digest, sorted entries): what a roster is made of, the digest naming it."""
    counselor_name = actor_label(counselor)
    entries = sorted(
        (owner_id, f"caseload summary: {describe(item.scopes)}"[:300]) for owner_id, item in consents.items()
    )
    return counselor_name, hashlib.sha256(json.dumps([counselor_name, entries]).encode()).hexdigest(), entries


def _record_view(counselor_id, digest, path, now):
    """The view, recorded against the counselor's roster with this digest; False if there is none yet."""
    with connection.cursor() as cursor:
        values = [path, connection.ops.adapt_datetimefield_value(now), counselor_id, digest]
        compiled.execute(cursor, _record_view_sql(), values)
        return cursor.rowcount == 1


@functools.cache
def _record_view_sql():
    ops = connection.ops
    views, rosters = (ops.quote_name(model._meta.db_table) for model in (CaseloadView, CaseloadRoster))
    return (  # our models' tables; every value is a parameter
        f"INSERT INTO {views} (roster_id, path, created_at)"  # noqa: S608
        f" SELECT id, %s, %s FROM {rosters} WHERE counselor_id = %s AND digest = %s"
    )


def write_roster(counselor, counselor_name, digest, entries, now):
    """The roster with this digest, written with its entries; a racing first view may have written it."""
    try:
        with transaction.atomic():
            roster = CaseloadRoster.objects.create(
                counselor=counselor, counselor_name=counselor_name, digest=digest, created_at=now
            )
            RosterEntry.objects.bulk_create(
                [RosterEntry(roster=roster, owner_id=owner_id, what=what) for owner_id, what in entries]
            )
            return roster
    except IntegrityError:
        return CaseloadRoster.objects.get(counselor=counselor, digest=digest)


def client_rows(consents, sort, now):
    """The rows of the caseload, signals computed in six queries whatever its size."""
    loaded = Consent.objects.select_related("owner").in_bulk([item.consent_id for item in consents.values()])
    rows = {}
    for owner_id, item in consents.items():
        consent = loaded.get(item.consent_id)
        if consent is not None:  # gone since the first query (a client who deleted their account)
            rows[owner_id] = ClientRow(consent, consent.owner, item.scopes)
    if not rows:
        return []
    ids = list(rows)
    utc_today = now.date()

    # One query for every client means one set of window dates: the UTC date, which is within a day of each
    # client's own. Days since the last check-in, the signal that matters most, is counted on their calendar.
    recent_from = utc_today - dt.timedelta(days=WINDOW_DAYS - 1)
    before_from = recent_from - dt.timedelta(days=WINDOW_DAYS)

    # Per client, three index range scans on (owner, local_date) rather than reading
    # years of every client's history: a caseload of 200 stays a few milliseconds.
    def craving_since(start, end=None):
        window = CheckIn.objects.filter(owner=OuterRef("pk"), local_date__gte=start)
        if end:
            window = window.filter(local_date__lt=end)
        return Subquery(window.values("owner").annotate(mean=Avg("craving")).values("mean"))

    latest = CheckIn.objects.filter(owner=OuterRef("pk")).order_by("-local_date").values("local_date")[:1]
    for item in (
        User.objects.filter(pk__in=ids)
        .annotate(
            last=Subquery(latest),
            recent=craving_since(recent_from),
            before=craving_since(before_from, recent_from),
        )
        .filter(last__isnull=False)
        .values("pk", "last", "recent", "before")
    ):
        row = rows[item["pk"]]
        if "checkins" in row.scopes:
            row.days_since_checkin = max(0, (row.owner.local_today(now) - item["last"]).days)
            row.craving_recent = round(item["recent"], 1) if item["recent"] is not None else None
            row.craving_before = round(item["before"], 1) if item["before"] is not None else None

    summaries = {owner_id: NetworkSummary() for owner_id in ids}
    for item in Supporter.objects.filter(owner_id__in=ids).active().values("owner").annotate(**summary_aggregates(now)):
        summaries[item["owner"]] = summary_from_counts(item)
    slots = {}
    for item in (
        PeerGroup.objects.filter(owner_id__in=ids, archived_at__isnull=True)
        .values("owner")
        .annotate(groups=Count("id", distinct=True), slots=Count("meeting_times"))
    ):
        summaries[item["owner"]].peer_groups = item["groups"]
        slots[item["owner"]] = item["slots"]
    attended = dict(
        Attendance.objects.filter(
            owner_id__in=ids, attended_on__gte=utc_today - dt.timedelta(days=MEETING_WINDOW_DAYS - 1)
        )
        .values("owner")
        .annotate(count=Count("id"))
        .values_list("owner", "count")
    )
    journeys = {}
    for journey in Journey.objects.filter(owner_id__in=ids).order_by("started_on", "pk"):
        journeys.setdefault(journey.owner_id, []).append(journey)

    for owner_id, row in rows.items():
        if "support_map" in row.scopes:
            row.gaps = gap_titles(summaries[owner_id])
            row.inner_overdue = summaries[owner_id].inner_overdue
        if "attendance" in row.scopes:
            row.meetings_expected = slots.get(owner_id, 0) * MEETING_WINDOW_DAYS // 7
            row.meetings_attended = attended.get(owner_id, 0)
        if "clean_time" in row.scopes:
            today = row.owner.local_today(now)
            upcoming = [
                milestone
                for journey in journeys.get(owner_id, [])
                for milestone in journey.upcoming_milestones(today, 1)
            ]
            if upcoming:
                row.next_milestone = min(upcoming, key=lambda milestone: milestone.due_on)
                row.next_milestone_days = row.next_milestone.days_to_go(today)
        _score(row)

    return sorted(rows.values(), key=_sort_key(sort))
