"""Craving and mood on days with each supporter and each peer group, against days without.

Always the 90 days ending today in the person's zone, whatever period the charts above show. A day
"with" a supporter is a local date with a contact logged with them (`happened_at` is UTC: the date is
the person's own) or a check-in naming them among the people who helped; a day with a group, one with
a meeting of it attended (`attended_on` is already a local date) or a check-in naming the group. Only
days with a check-in are compared, since craving and mood come from check-ins. What went together,
never what caused what: a hard day may be the reason someone called.

Six queries whatever the size of the network or the history: the window's check-ins with the
supporters they name, the groups they name, its contacts, its attendance, and the supporters and
groups to name.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext, ngettext

from recovery_network.models import end_of_local_day, local_moment
from supports.models import Attendance, Contact, PeerGroup, Supporter

from .models import CheckIn
from .trends import MIN_DAYS, Comparison

WINDOW_DAYS = 90


@dataclass(frozen=True)
class Row:
    """One supporter or group: how check-in days with them compare with days without."""

    name: str
    archived: bool
    comparison: Comparison


@dataclass(frozen=True)
class NetworkEffects:
    first_day: dt.date
    last_day: dt.date
    checkin_days: int
    people: list
    groups: list
    people_waiting: int
    groups_waiting: int
    min_days: int = MIN_DAYS

    @property
    def has_network(self):
        return bool(self.people or self.groups or self.people_waiting or self.groups_waiting)

    @property
    def waiting(self):
        """One sentence: how many are not shown yet, and what will show them. Empty when none wait."""
        more = bool(self.people or self.groups)  # "more" than those shown, said once, of the first named
        parts = []
        if self.people_waiting:
            count = {"count": self.people_waiting}
            if more:
                parts.append(ngettext("%(count)s more person", "%(count)s more people", self.people_waiting) % count)
            else:
                parts.append(ngettext("%(count)s person", "%(count)s people", self.people_waiting) % count)
            more = False
        if self.groups_waiting:
            count = {"count": self.groups_waiting}
            if more:
                parts.append(ngettext("%(count)s more group", "%(count)s more groups", self.groups_waiting) % count)
            else:
                parts.append(ngettext("%(count)s group", "%(count)s groups", self.groups_waiting) % count)
        if not parts:
            return ""
        if len(parts) == 2:
            # Translators: who is not shown yet: "2 people and 1 group".
            waiting = gettext("%(people)s and %(groups)s") % {"people": parts[0], "groups": parts[1]}
        else:
            waiting = parts[0]
        # The plural follows how many wait (the verb agrees with them where a language says so).
        return ngettext(
            "%(waiting)s will appear once there are at least %(min_days)s check-in days "
            "with them and %(min_days)s without.",
            "%(waiting)s will appear once there are at least %(min_days)s check-in days "
            "with them and %(min_days)s without.",
            self.people_waiting + self.groups_waiting,
        ) % {"waiting": waiting, "min_days": self.min_days}


def _sums(answers):
    """(days, sum of moods, moods, sum of cravings, cravings) of (mood, craving) pairs; an answer left blank
    counts on neither side."""
    moods = [mood for mood, _ in answers if mood is not None]
    cravings = [craving for _, craving in answers if craving is not None]
    return len(answers), sum(moods), len(moods), sum(cravings), len(cravings)


def _average(total, count):
    return total / count if count else None


def _compare(days, days_with, every_day):
    """`days` maps each local date with a check-in to its (mood, craving); `every_day` is their _sums(). The days
    without someone are every day less the days with them: a network of 500 over 90 days is then a walk over each
    one's own days, not 500 walks over all of them (18 ms of the trends page before, bench/page_cpu.py)."""
    with_them = _sums([days[day] for day in days_with if day in days])
    without = [everything - part for everything, part in zip(every_day, with_them, strict=True)]
    return Comparison(
        with_days=with_them[0],
        with_mood=_average(with_them[1], with_them[2]),
        with_craving=_average(with_them[3], with_them[4]),
        without_days=without[0],
        without_mood=_average(without[1], without[2]),
        without_craving=_average(without[3], without[4]),
    )


def _order(row):
    """Largest drop in craving on days with them first; rows without a craving to compare last; then by name."""
    difference = row.comparison.craving_difference
    return (difference is None, -(difference or 0), row.name.casefold())


def _rows(named, days_by_id, days):
    """(rows shown, how many wait) for (id, name, archived_at) triples: current ones, and archived ones with days."""
    shown, waiting = [], 0
    every_day = _sums(list(days.values()))
    for pk, name, archived_at in named:
        days_with = days_by_id.get(pk, set())
        if archived_at is not None and not days_with:
            continue
        comparison = _compare(days, days_with, every_day)
        if comparison.enough_days:
            shown.append(Row(name=name, archived=archived_at is not None, comparison=comparison))
        else:
            waiting += 1
    return sorted(shown, key=_order), waiting


def network_effects(owner, today):
    first_day = today - dt.timedelta(days=WINDOW_DAYS - 1)
    days, supporter_days, group_days = {}, {}, {}
    checkins = CheckIn.objects.for_owner(owner).between(first_day, today).order_by()
    for local_date, mood, craving, supporter_id in checkins.values_list(
        "local_date", "mood", "craving", "helped_supporters"
    ):
        days[local_date] = (mood, craving)
        if supporter_id is not None:
            supporter_days.setdefault(supporter_id, set()).add(local_date)
    if not days:
        return NetworkEffects(first_day, today, 0, [], [], 0, 0)
    for local_date, group_id in checkins.filter(helped_groups__isnull=False).values_list("local_date", "helped_groups"):
        group_days.setdefault(group_id, set()).add(local_date)

    zone = owner.zone
    start_utc, end_utc = local_moment(first_day, dt.time.min, zone), end_of_local_day(today, zone)
    contacts = Contact.objects.for_owner(owner).filter(happened_at__gte=start_utc, happened_at__lt=end_utc)
    for supporter_id, happened_at in contacts.order_by().values_list("supporter_id", "happened_at"):
        supporter_days.setdefault(supporter_id, set()).add(happened_at.astimezone(zone).date())
    attendance = Attendance.objects.for_owner(owner).between(first_day, today).order_by()
    for group_id, attended_on in attendance.values_list("group_id", "attended_on"):
        group_days.setdefault(group_id, set()).add(attended_on)

    supporters = Supporter.objects.for_owner(owner).filter(Q(archived_at__isnull=True) | Q(pk__in=list(supporter_days)))
    groups = PeerGroup.objects.for_owner(owner).filter(Q(archived_at__isnull=True) | Q(pk__in=list(group_days)))
    people, people_waiting = _rows(supporters.values_list("pk", "name", "archived_at"), supporter_days, days)
    groups, groups_waiting = _rows(groups.values_list("pk", "name", "archived_at"), group_days, days)
    return NetworkEffects(first_day, today, len(days), people, groups, people_waiting, groups_waiting)
