"""Mood and craving over time, triggers by frequency, and what the network did on hard days.

A fixed number of queries per page whatever the period: the period's check-ins,
its meeting days and its supporter contacts, each one query.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.utils.dateformat import format as format_date
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from recovery_network.models import end_of_local_day, local_moment
from supports.models import Attendance, Contact

from . import charts
from .models import NETWORK_HELPED, TRIGGER_LABELS, CheckIn

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 30
# A comparison is shown only with at least this many check-in days on each side: an average of two or three
# days is one hard evening or one good week, and says nothing about what tends to go together.
MIN_DAYS = 5


def mean(values):
    values = [value for value in values if value is not None]
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Comparison:
    """Average craving (and mood) on days the network showed up against days it did not."""

    with_days: int
    with_craving: float | None
    with_mood: float | None
    without_days: int
    without_craving: float | None
    without_mood: float | None

    @property
    def enough_days(self):
        """Enough check-in days on both sides to say something (MIN_DAYS each)."""
        return self.with_days >= MIN_DAYS and self.without_days >= MIN_DAYS

    @property
    def has_both(self):
        return self.with_craving is not None and self.without_craving is not None

    @property
    def craving_difference(self):
        if not self.has_both:
            return None
        return self.without_craving - self.with_craving


def network_days(owner, first_day, last_day):
    """Local dates in the period with a meeting attended or a supporter contact logged."""
    days = set(Attendance.objects.for_owner(owner).between(first_day, last_day).values_list("attended_on", flat=True))
    zone = owner.zone
    start_utc, end_utc = local_moment(first_day, dt.time.min, zone), end_of_local_day(last_day, zone)
    moments = Contact.objects.for_owner(owner).filter(happened_at__gte=start_utc, happened_at__lt=end_utc)
    days.update(moment.astimezone(zone).date() for moment in moments.values_list("happened_at", flat=True))
    return days


def compare(checkins, days_with_network):
    with_network, without = [], []
    for checkin in checkins:
        helped_by_network = bool(NETWORK_HELPED.intersection(checkin.helped))
        (with_network if helped_by_network or checkin.local_date in days_with_network else without).append(checkin)
    return Comparison(
        with_days=len(with_network),
        with_craving=mean(c.craving for c in with_network),
        with_mood=mean(c.mood for c in with_network),
        without_days=len(without),
        without_craving=mean(c.craving for c in without),
        without_mood=mean(c.mood for c in without),
    )


def bucketed(checkins, first_day, period_days, bucket_days, attribute):
    """[(label, mean value or None)] per bucket of `bucket_days` days, oldest first.

    Buckets are aligned so the last one ends today (the most recent week is a whole
    week); any remainder is a shorter first bucket.
    """
    by_day = {checkin.local_date: getattr(checkin, attribute) for checkin in checkins}
    remainder = period_days % bucket_days
    lengths = ([remainder] if remainder else []) + [bucket_days] * (period_days // bucket_days)
    series, day = [], first_day
    for length in lengths:
        values = [by_day.get(day + dt.timedelta(days=offset)) for offset in range(length)]
        shown = format_date(day, gettext("M j"))
        label = shown if bucket_days == 1 else gettext("Week of %(day)s") % {"day": shown}
        series.append((label, mean(values)))
        day += dt.timedelta(days=length)
    return series


def trigger_counts(checkins):
    counts = Counter(trigger for checkin in checkins for trigger in checkin.triggers)
    return [(TRIGGER_LABELS.get(trigger, trigger), count) for trigger, count in counts.most_common()]


def _describe(name, values, scale, bucket_days):
    """The chart's text equivalent in one sentence, for its <desc> and caption. `name` is "mood" or "craving"."""
    if not values:
        return ""
    numbers = {
        "average": number_format(mean(values), 1),  # 4.2 in English, 4,2 in Spanish
        "scale": scale,
        "count": len(values),
        "lowest": min(values),
        "highest": max(values),
    }
    weekly = bucket_days > 1
    if name == "mood" and weekly:
        text = ngettext(
            "Average mood %(average)s of %(scale)s over %(count)s check-in; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows weekly averages.",
            "Average mood %(average)s of %(scale)s over %(count)s check-ins; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows weekly averages.",
            len(values),
        )
    elif name == "mood":
        text = ngettext(
            "Average mood %(average)s of %(scale)s over %(count)s check-in; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows one point per day.",
            "Average mood %(average)s of %(scale)s over %(count)s check-ins; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows one point per day.",
            len(values),
        )
    elif weekly:
        text = ngettext(
            "Average craving %(average)s of %(scale)s over %(count)s check-in; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows weekly averages.",
            "Average craving %(average)s of %(scale)s over %(count)s check-ins; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows weekly averages.",
            len(values),
        )
    else:
        text = ngettext(
            "Average craving %(average)s of %(scale)s over %(count)s check-in; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows one point per day.",
            "Average craving %(average)s of %(scale)s over %(count)s check-ins; "
            "lowest %(lowest)s, highest %(highest)s. The chart shows one point per day.",
            len(values),
        )
    return text % numbers


def trends_for(owner, period_days, today):
    if period_days not in PERIODS:
        period_days = DEFAULT_PERIOD
    first_day = today - dt.timedelta(days=period_days - 1)
    checkins = list(
        CheckIn.objects.for_owner(owner)
        .between(first_day, today)
        .order_by("local_date")
        .only("local_date", "mood", "craving", "triggers", "helped", "sober")
    )
    # A year of daily points is a smear on a phone: show weekly averages instead.
    bucket_days = 7 if period_days > 90 else 1
    mood_series = bucketed(checkins, first_day, period_days, bucket_days, "mood")
    craving_series = bucketed(checkins, first_day, period_days, bucket_days, "craving")
    triggers = trigger_counts(checkins)
    comparison = compare(checkins, network_days(owner, first_day, today))
    moods = [c.mood for c in checkins if c.mood is not None]
    cravings = [c.craving for c in checkins if c.craving is not None]
    return {
        "mood_description": _describe("mood", moods, 5, bucket_days),
        "craving_description": _describe("craving", cravings, 10, bucket_days),
        "period_days": period_days,
        "periods": PERIODS,
        "first_day": first_day,
        "last_day": today,
        "bucket_days": bucket_days,
        "checkin_count": len(checkins),
        "sober_days": sum(1 for c in checkins if c.sober == CheckIn.Sober.YES),
        "mood_average": mean(moods),
        "craving_average": mean(cravings),
        "mood_range": (min(moods), max(moods)) if moods else None,
        "craving_range": (min(cravings), max(cravings)) if cravings else None,
        "mood_chart": charts.line_chart(mood_series, low=1, high=5, ticks=[1, 2, 3, 4, 5]),
        "craving_chart": charts.line_chart(craving_series, low=0, high=10, ticks=[0, 2, 4, 6, 8, 10]),
        "triggers": triggers,
        "trigger_chart": charts.bar_chart(triggers[:10]),
        "comparison": comparison,
        "min_days": MIN_DAYS,
    }
