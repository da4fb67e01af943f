"""A counselor's caseload: every consenting client with the signals that say who needs attention.

A fixed number of queries whatever the size of the caseload: the consents in
effect with their clients (whose versions key the rendered table), the roster and
one row recording the view, which every client's access log reads through the
caseload's roster; then, when the table must be rendered, check-in aggregates,
network aggregates, peer groups and their weekly slots, recent attendance and
journeys, and the two newest recovery capital check-ups. Each signal appears only where that client's
consent covers it.
"""

import datetime as dt
import functools
import hashlib
import itertools
import json
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from milestones.models import CheckIn, Journey
from recovery_network.capital.models import CapitalCheck, reasons_to_look
from recovery_network.models import User, zone_named
from recovery_network.page_cache import RELEASE_FINGERPRINT, bucket
from supports.models import Attendance, PeerGroup, Supporter
from supports.network import NetworkSummary, gap_titles, summary_aggregates, summary_from_counts

from . import log_lines
from .models import (
    SCOPE_FIELDS,
    CaseloadRoster,
    CaseloadView,
    Consent,
    RosterEntry,
    SignEpisode,
    SignWatch,
    allowed_signs,
)
from .people import actor_label

WINDOW_DAYS = 7  # craving: the last week against the week before
MEETING_WINDOW_DAYS = 14
MILESTONE_SOON_DAYS = 14

SORTS = {
    "attention": gettext_lazy("Needs attention first"),
    "checkin": gettext_lazy("Longest since a check-in"),
    "craving": gettext_lazy("Craving rising most"),
    "milestone": gettext_lazy("Milestone soonest"),
    "name": gettext_lazy("Name"),
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
    # The warning signs the client chose to tell this counselor of that hold now, in words: "no check-in for 4 days".
    warning_signs: list = field(default_factory=list)
    # The newest BARC-10 total and its change from the check-up before (None with only one).
    capital_total: int | None = None
    capital_change: int | None = None

    @property
    def craving_change(self):
        if self.craving_recent is None or self.craving_before is None:
            return None
        return round(self.craving_recent - self.craving_before, 1)

    @property
    def craving_rising(self):
        return self.craving_change is not None and self.craving_change >= 1

    @property
    def craving_trend(self):
        """In words, in the reader's language (compare craving_rising, not these words)."""
        change = self.craving_change
        if change is None:
            return "—" if self.craving_recent is None else _("steady")
        if change >= 1:
            return _("rising")
        if change <= -1:
            return _("easing")
        return _("steady")

    @property
    def capital_step(self):
        return None if self.capital_change is None else abs(self.capital_change)

    @property
    def capital_attention(self):
        """Why recovery capital asks for a look, in words ("below 47", "fell by 6"): the caseload sorts these
        rows first after the warning signs."""
        return reasons_to_look(self.capital_total, self.capital_change)

    @property
    def signals(self):
        """The reasons the caseload read for itself: those after the warning signs, which _score puts first."""
        return self.reasons[len(self.warning_signs) :]

    @property
    def meetings_missed(self):
        if self.meetings_expected is None:
            return None
        return max(0, self.meetings_expected - (self.meetings_attended or 0))


def _score(row):
    """Higher first. Silence and rising craving weigh most: they are the early signs of relapse risk."""
    reasons, score = [], 0
    for sign in row.warning_signs:
        # The client asked that this counselor be told: first, whatever the caseload reads for itself (_sort_key).
        reasons.append(_("Warning sign: %(sign)s") % {"sign": sign})
        score += 10
    reasons.extend(_("Recovery capital %(words)s") % {"words": words} for words in row.capital_attention)
    if "checkins" in row.scopes:
        if row.days_since_checkin is None:
            reasons.append(_("No check-ins yet"))
            score += 2
        elif row.days_since_checkin >= 3:
            days = row.days_since_checkin
            reasons.append(
                ngettext("%(days)s day without a check-in", "%(days)s days without a check-in", days) % {"days": days}
            )
            score += 3 if row.days_since_checkin >= 7 else 2
        if row.craving_rising:
            reasons.append(_("Craving rising"))
            score += 3
        if row.craving_recent is not None and row.craving_recent >= 6:
            reasons.append(_("High craving"))
            score += 2
    if row.meetings_missed:
        missed = row.meetings_missed
        reasons.append(ngettext("Missed %(count)s meeting", "Missed %(count)s meetings", missed) % {"count": missed})
        score += min(row.meetings_missed, 3)
    if row.inner_overdue:
        reasons.append(_("Inner circle overdue"))
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
    }.get(
        sort,
        lambda row: (
            not row.warning_signs,
            not row.capital_attention,
            -row.score,
            -(row.days_since_checkin or 0),
            row.owner.name.lower(),
        ),
    )


def caseload(counselor, *, sort="attention", path="", now=None):
    """Every client's row, sorted, with the view logged in each client's access log."""
    now = now or timezone.now()
    consents = client_consents(counselor, now)
    log_view(counselor, consents, path, now)
    return client_rows(consents, sort, now, counselor)


@dataclass(frozen=True)
class ClientConsent:
    """What the caseload knows of a client's consent before deciding to render: plain values."""

    consent_id: int
    owner_id: int
    owner_version: int  # the client's data_version: any change to their records changes it
    scopes: frozenset


def client_consents(counselor, now):
    """{client id: ClientConsent} for every active client whose consent is in effect: one query.

    The consents are Consent.objects.possibly_valid(now).for_counselor(counselor), read as
    values, not models (building two hundred consents and their clients cost 2 ms of CPU a
    view, four times the query), and the lapse rule is the model's own (Consent.lapsed).
    Should a client have signed two, the broader one counts.
    """
    rows = (
        Consent.objects.possibly_valid(now)
        .for_counselor(counselor)
        .filter(owner__is_active=True)
        .order_by("pk")
        .values_list("pk", "owner_id", "owner__data_version", "owner__time_zone", "expires_on", *SCOPE_FIELDS)
    )
    by_owner, local_days = {}, {}
    for consent_id, owner_id, version, zone_name, expires_on, *flags in rows:
        local_day = local_days.get(zone_name)
        if local_day is None:
            local_day = local_days[zone_name] = now.astimezone(zone_named(zone_name)).date()
        if Consent.lapsed_on(expires_on, local_day):
            continue
        scopes = _scope_set(tuple(flags))
        kept = by_owner.get(owner_id)
        if kept is None or len(scopes) > len(kept.scopes):
            by_owner[owner_id] = ClientConsent(consent_id, owner_id, version, scopes)
    return by_owner


@functools.cache
def _scope_set(flags):  # 64 possible sets; a caseload reads two hundred rows a view
    return frozenset(itertools.compress(SCOPE_FIELDS, flags))


@functools.cache
def _scope_key(scopes):
    return ",".join(sorted(scopes))


TABLE_SECONDS = 16 * 60  # the quarter hour in the table's key, and a minute more
CLIENTS_PER_PAGE = 50


def table_key(counselor, consents, sort, number, now):
    """The cache key of one page of the rendered table: everything it shows. Each client's data version
    (their name, check-ins, network… any record of theirs), their consent and what it shows, the sort and
    the page, the counselor's zone (dates render in it), the release, and the quarter hour: a client's day
    turns over, and a supporter falls due, with the clock alone (every zone's midnight is on a quarter
    hour of UTC)."""
    rows = ";".join(
        f"{item.owner_id}.{item.owner_version}.{item.consent_id}.{_scope_key(item.scopes)}"
        for _, item in sorted(consents.items())
    )
    digest = hashlib.sha256(rows.encode()).hexdigest()
    parts = (counselor.pk, counselor.time_zone, sort, number, bucket(now), RELEASE_FINGERPRINT, digest)
    return "caseload-table:" + ":".join(str(part) for part in parts)


def log_view(counselor, consents, path, now):
    """A line in each client's access log: the caseload shows something of every one of them.

    One row for the view, pointing at the roster (who was on the page, and what of each)
    in effect. Only when the roster is new (a consent signed, revoked, lapsed or narrowed
    since the last view, or the counselor renamed) is it written first, with an entry per client.
    """
    if not consents:
        return
    counselor_name, digest, entries = roster_of(counselor, consents)
    roster_id = CaseloadRoster.objects.filter(counselor=counselor, digest=digest).values_list("pk", flat=True).first()
    if roster_id is None:
        roster_id = write_roster(counselor, counselor_name, digest, entries, now).pk
    CaseloadView.objects.create(roster_id=roster_id, path=path[:300], created_at=now)


def roster_of(counselor, consents):
    """(counselor's name, digest, sorted entries): what a roster is made of, the digest naming it."""
    counselor_name = actor_label(counselor)
    entries = sorted((owner_id, _caseload_summary(frozenset(item.scopes))) for owner_id, item in consents.items())
    return counselor_name, hashlib.sha256(json.dumps([counselor_name, entries]).encode()).hexdigest(), entries


@functools.cache
def _caseload_summary(scopes):  # 64 possible sets; a caseload asks for 200 every view
    """A roster entry's English words (log_lines.shown puts them in the reader's language). Kept once per process
    for each of the 63 scope sets: 19 µs each uncached, 3.8 ms for a caseload of 200 on every view. Pinned to a
    fresh rendering by a test."""
    return log_lines.english(log_lines.line("caseload", scopes=scopes))


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


def client_rows(consents, sort, now, counselor=None):
    """The rows of the caseload, signals computed in nine queries whatever its size."""
    rows = _load_rows(consents)
    if not rows:
        return []
    ids = list(rows)
    utc_today = now.date()
    _add_checkin_signals(rows, ids, utc_today, now)
    if counselor is not None:
        _add_warning_signs(rows, ids, counselor, now)
    _add_capital(rows)
    summaries, slots = _network_summaries(ids, now)
    attended = _meetings_attended(ids, utc_today)
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


def _load_rows(consents):
    """{client id: ClientRow} with each consent and its client loaded, in one query."""
    loaded = Consent.objects.select_related("owner").in_bulk([item.consent_id for item in consents.values()])
    rows = {}
    for owner_id, item in consents.items():
        consent = loaded.get(item.consent_id)
        if consent is not None:  # gone since the first query (a client who deleted their account)
            rows[owner_id] = ClientRow(consent, consent.owner, item.scopes)
    return rows


def _add_warning_signs(rows, ids, counselor, now):
    """The signs that hold now that each client chose to tell this counselor of, where their consent shows them:
    two queries (one when no client watches). Any change to them changes the client's data_version, which the
    table's key names; a day more of silence comes with the quarter hour, as the days since a check-in do."""
    watches = {watch.owner_id: watch for watch in SignWatch.objects.filter(watcher=counselor, owner_id__in=ids)}
    if not watches:
        return
    for episode in SignEpisode.objects.filter(owner_id__in=list(watches)).current(now).order_by("opened_at", "pk"):
        row = rows[episode.owner_id]
        today = row.owner.local_today(now)
        if episode.sign in allowed_signs(row.scopes) and watches[episode.owner_id].told_of(episode, today):
            row.warning_signs.append(episode.summary(today))


def _add_capital(rows):
    """The newest recovery capital total and its change from the one before, where consent shows it: one query
    (none when no client's consent does)."""
    ids = [owner_id for owner_id, row in rows.items() if "recovery_capital" in row.scopes]
    if not ids:
        return
    for owner_id, total in CapitalCheck.objects.latest_two_by_owner(ids).values_list("owner_id", "total"):
        row = rows[owner_id]
        if row.capital_total is None:
            row.capital_total = total
        else:
            row.capital_change = row.capital_total - total


def _craving_since(start, end=None):
    """A subquery: the client's mean craving over check-ins from `start` (up to `end`, if given)."""
    window = CheckIn.objects.filter(owner=OuterRef("pk"), local_date__gte=start)
    if end:
        window = window.filter(local_date__lt=end)
    return Subquery(window.values("owner").annotate(mean=Avg("craving")).values("mean"))


def _add_checkin_signals(rows, ids, utc_today, now):
    """Days since the last check-in and craving this week and last, where consent shows check-ins: one query."""
    # One query for every client means one set of window dates: the UTC date, which is within a day of each
    # client's own. Days since the last check-in, the signal that matters most, is counted on their calendar.
    recent_from = utc_today - dt.timedelta(days=WINDOW_DAYS - 1)
    before_from = recent_from - dt.timedelta(days=WINDOW_DAYS)

    # Per client, three index range scans on (owner, local_date) rather than reading
    # years of every client's history: a caseload of 200 stays a few milliseconds.
    latest = CheckIn.objects.filter(owner=OuterRef("pk")).order_by("-local_date").values("local_date")[:1]
    for item in (
        User.objects.filter(pk__in=ids)
        .annotate(
            last=Subquery(latest),
            recent=_craving_since(recent_from),
            before=_craving_since(before_from, recent_from),
        )
        .filter(last__isnull=False)
        .values("pk", "last", "recent", "before")
    ):
        row = rows[item["pk"]]
        if "checkins" in row.scopes:
            row.days_since_checkin = max(0, (row.owner.local_today(now) - item["last"]).days)
            row.craving_recent = round(item["recent"], 1) if item["recent"] is not None else None
            row.craving_before = round(item["before"], 1) if item["before"] is not None else None


def _network_summaries(ids, now):
    """({client id: NetworkSummary}, {client id: weekly meeting slots}), in two queries."""
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
    return summaries, slots


def _meetings_attended(ids, utc_today):
    """{client id: meetings attended in the last MEETING_WINDOW_DAYS}, in one query."""
    return dict(
        Attendance.objects.filter(
            owner_id__in=ids, attended_on__gte=utc_today - dt.timedelta(days=MEETING_WINDOW_DAYS - 1)
        )
        .values("owner")
        .annotate(count=Count("id"))
        .values_list("owner", "count")
    )
