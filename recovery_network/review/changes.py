"""What changed between two network reviews: people, groups, gaps, the network's shape and recovery capital.

Each review keeps what it saw of every supporter and group (SupporterReview, GroupReview), so the comparison reads
the two reviews' own rows, never today's network: the page for a review says the same thing a year later, after
supporters were renamed, archived or deleted. Rows are matched by the supporter's (or group's) id; a row whose
supporter was deleted since (SET_NULL) matches nothing, so it is never counted as someone new.

`compare()` runs a fixed number of queries whatever the size of the network: the two reviews' supporter rows in
one, their group rows in one, and with recovery capital one check-up for each review.
"""

from dataclasses import dataclass, field

from django.utils import dateformat
from django.utils.translation import gettext, ngettext, pgettext_lazy

from recovery_network.capital.models import HIGHEST_TOTAL, SUSTAINED_REMISSION_TOTAL, CapitalCheck
from supports.models import Closeness
from supports.network import NetworkSummary, changes_since, gap_titles

from .models import GroupReview, NetworkReview, StillGoing, StillSupportive, SupporterReview

CIRCLE_WORDS = {
    # Translators: where someone stood in a network review, in lists such as "Jo (close → inner circle)".
    Closeness.INNER: pgettext_lazy("network circle", "inner circle"),
    Closeness.CLOSE: pgettext_lazy("network circle", "close"),
    Closeness.WIDER: pgettext_lazy("network circle", "wider circle"),
}


def _circle(level):
    return str(CIRCLE_WORDS[Closeness(level)])


@dataclass(frozen=True)
class PersonChange:
    """One supporter or group in a list: "Jo (close → inner circle)"."""

    name: str
    words: str = ""


@dataclass(frozen=True)
class GroupAttendance:
    """Meetings of one group in the 90 days before each review (None: the group wasn't in that review)."""

    name: str
    then: int | None
    now: int | None


@dataclass(frozen=True)
class CapitalReading:
    """The latest BARC-10 check-up on or before a review's day, or none yet."""

    check: CapitalCheck | None

    @property
    def total(self):
        return self.check.total if self.check else None

    @property
    def words(self):
        if self.check is None:
            return gettext("No check-up yet")
        if self.check.at_or_above_line:
            said = gettext("%(total)s of %(highest)s on %(day)s (at or above the %(line)s line)")
        else:
            said = gettext("%(total)s of %(highest)s on %(day)s (below the %(line)s line)")
        return said % {
            "total": self.check.total,
            "highest": HIGHEST_TOTAL,
            "day": dateformat.format(self.check.taken_on, gettext("j F Y")),
            "line": SUSTAINED_REMISSION_TOTAL,
        }


@dataclass
class ReviewChanges:
    review: NetworkReview
    previous: NetworkReview | None
    added: list = field(default_factory=list)
    drifted: list = field(default_factory=list)
    closer: list = field(default_factory=list)
    gone: list = field(default_factory=list)
    groups_started: list = field(default_factory=list)
    groups_stopped: list = field(default_factory=list)
    attendance: list = field(default_factory=list)
    # Gap titles; None when a review has no snapshot to read them from (missing_snapshot says which).
    gaps_closed: list | None = None
    gaps_opened: list | None = None
    gaps_open: list | None = None
    missing_snapshot: str = ""
    shape: list | None = None
    # Recovery capital is read only when the reader may see it (None: not shown).
    capital_then: CapitalReading | None = None
    capital_now: CapitalReading | None = None
    # The picture at this review, by circle (name lists), for the first review.
    circles: list = field(default_factory=list)

    @property
    def is_first(self):
        return self.previous is None

    @property
    def people_changed(self):
        return bool(self.added or self.drifted or self.closer or self.gone)

    @property
    def groups_changed(self):
        return bool(self.groups_started or self.groups_stopped)

    @property
    def capital_difference(self):
        """The change in total between the two check-ups, or None when either is missing or they are the same one."""
        if not (self.capital_then and self.capital_now and self.capital_then.check and self.capital_now.check):
            return None
        if self.capital_then.check.pk == self.capital_now.check.pk:
            return None
        return self.capital_now.total - self.capital_then.total

    @property
    def capital_change_words(self):
        difference = self.capital_difference
        if difference is None:
            return ""
        if difference == 0:
            return gettext("the same total as then")
        if difference > 0:
            return ngettext("%(points)s higher than then", "%(points)s higher than then", difference) % {
                "points": difference
            }
        return ngettext("%(points)s lower than then", "%(points)s lower than then", -difference) % {
            "points": -difference
        }

    @property
    def same_capital_check(self):
        then, now = self.capital_then, self.capital_now
        return bool(then and now and then.check and now.check and then.check.pk == now.check.pk)


def previous_review(review):
    """The finished review before this one (for a review in progress: the latest finished), or None."""
    earlier = NetworkReview.objects.for_owner(review.owner).finished().select_related("snapshot").exclude(pk=review.pk)
    if review.is_finished:
        earlier = earlier.filter(finished_at__lte=review.finished_at).exclude(
            finished_at=review.finished_at, pk__gt=review.pk
        )
    return earlier.first()


def review_day(review):
    """The local day a review describes: the day it finished, or today while it is in progress."""
    return review.finished_on or review.owner.local_today()


def level(row):
    """Where the person put this supporter in that review: the answer, or what it was when the review began."""
    return row.closeness_after or row.closeness_before


def compare(review, previous, *, capital=True):
    """What changed from `previous` (a finished review, or None for the first) to `review`."""
    ids = [review.pk] + ([previous.pk] if previous else [])
    people = list(SupporterReview.objects.filter(review_id__in=ids).order_by("closeness_before", "name", "id"))
    groups = list(GroupReview.objects.filter(review_id__in=ids).order_by("name", "id"))
    now_people = [row for row in people if row.review_id == review.pk]
    now_groups = [row for row in groups if row.review_id == review.pk]
    changes = ReviewChanges(review=review, previous=previous)
    if previous is None:
        changes.circles = _circles(now_people)
        changes.attendance = [GroupAttendance(row.name, None, row.attended_in_window) for row in now_groups]
    else:
        then_people = [row for row in people if row.review_id == previous.pk]
        then_groups = [row for row in groups if row.review_id == previous.pk]
        _compare_people(changes, then_people, now_people)
        _compare_groups(changes, then_groups, now_groups)
    _compare_gaps(changes, review, previous)
    if capital:
        changes.capital_now = _capital_on(review.owner, review_day(review))
        if previous is not None:
            changes.capital_then = _capital_on(review.owner, review_day(previous))
    return changes


def _circles(rows):
    """[(circle label, [names])] of the people still in the network at this review, inner circle first."""
    kept = [row for row in rows if not row.stepped_back]
    circles = []
    for closeness in Closeness:
        names = sorted((row.name for row in kept if level(row) == closeness), key=str.casefold)
        if names:
            circles.append((closeness.label, names))
    return circles


def _compare_people(changes, then_rows, now_rows):
    then_by_supporter = {row.supporter_id: row for row in then_rows if row.supporter_id is not None}
    now_supporters = {row.supporter_id for row in now_rows if row.supporter_id is not None}
    for row in sorted(now_rows, key=lambda row: (level(row), row.name.casefold(), row.pk)):
        before = then_by_supporter.get(row.supporter_id) if row.supporter_id is not None else None
        if row.supporter_id is not None and before is None:
            changes.added.append(PersonChange(row.name, _circle(level(row))))
        reasons = []
        if before is not None and level(row) > level(before):
            reasons.append(f"{_circle(level(before))} → {_circle(level(row))}")
        if row.stepped_back:
            reasons.append(gettext("stepped back"))
        if row.still_supportive == StillSupportive.NO:
            reasons.append(gettext("not supportive any more"))
        if reasons:
            changes.drifted.append(PersonChange(row.name, ", ".join(reasons)))
        elif before is not None and level(row) < level(before):
            changes.closer.append(PersonChange(row.name, f"{_circle(level(before))} → {_circle(level(row))}"))
    for row in then_rows:
        # Someone who stepped back at the last review left then; anyone else missing now has left since.
        if not row.stepped_back and (row.supporter_id is None or row.supporter_id not in now_supporters):
            changes.gone.append(PersonChange(row.name))


def _compare_groups(changes, then_rows, now_rows):
    then_by_group = {row.group_id: row for row in then_rows if row.group_id is not None}
    now_ids = {row.group_id for row in now_rows if row.group_id is not None}
    for row in now_rows:
        before = then_by_group.get(row.group_id) if row.group_id is not None else None
        if row.group_id is not None and before is None:
            changes.groups_started.append(PersonChange(row.name))
        if row.still_going == StillGoing.STOPPED or row.stepped_back:
            changes.groups_stopped.append(PersonChange(row.name, gettext("stopped going")))
        changes.attendance.append(
            GroupAttendance(row.name, before.attended_in_window if before else None, row.attended_in_window)
        )
    for row in then_rows:
        if row.group_id is None or row.group_id not in now_ids:
            if not (row.stepped_back or row.still_going == StillGoing.STOPPED):
                changes.groups_stopped.append(PersonChange(row.name, gettext("no longer among the groups")))
            changes.attendance.append(GroupAttendance(row.name, row.attended_in_window, None))
    changes.attendance.sort(key=lambda line: line.name.casefold())


def summary_of(review):
    """The network's shape as the review's snapshot kept it, or None when it has none."""
    if review.snapshot is None:
        return None
    return NetworkSummary.from_dict(review.snapshot.summary)


def _compare_gaps(changes, review, previous):
    summary = summary_of(review)
    if summary is None:
        changes.missing_snapshot = (
            gettext("This review has no snapshot yet: it is taken when the review is finished.")
            if not review.is_finished
            else gettext("This review kept no snapshot of the network, so its gaps and shape can't be compared.")
        )
        return
    titles = gap_titles(summary)
    changes.gaps_open = titles
    if previous is None:
        return
    before = summary_of(previous)
    if before is None:
        changes.missing_snapshot = gettext(
            "The review before kept no snapshot of the network, so gaps can't be compared."
        )
        return
    titles_before = gap_titles(before)
    changes.gaps_closed = [title for title in titles_before if title not in titles]
    changes.gaps_opened = [title for title in titles if title not in titles_before]
    changes.shape = changes_since(before, summary)


def _capital_on(owner, local_day):
    return CapitalReading(CapitalCheck.objects.for_owner(owner).on_or_before(local_day).first())
