"""A person's recovery capital over time, worked out once for every page that shows it.

`capital_trend(checks)` takes their check-ups oldest first and returns what templates/capital/includes/trend.html
draws: the total's chart with the line at 47, the same numbers as a table (newest first), and each statement's
first and latest answer. The owner's overview, a counselor's client page and the family view all show it, so its
words speak of "the total", never "your".
"""

from django.utils.translation import gettext, ngettext

from .charts import date_label, sparkline, total_chart
from .models import ITEMS, NOTABLE_FALL, SUSTAINED_REMISSION_TOTAL


def _change(now, before):
    return None if before is None else now - before


def signed(change):
    """A change as read aloud and at a glance: "+3", "−2" (a minus sign, which screen readers say), "0"."""
    if change is None:
        return "—"
    return f"+{change}" if change > 0 else f"−{-change}" if change < 0 else "0"


def capital_trend(checks):
    """checks: a list of CapitalCheck, oldest first -> a dict for capital/includes/trend.html."""
    checks = list(checks)
    latest = checks[-1] if checks else None
    previous = checks[-2] if len(checks) > 1 else None
    rows, before = [], None
    for check in checks:
        change = _change(check.total, before)
        rows.append(
            {
                "check": check,
                "taken_on": check.taken_on,
                "total": check.total,
                "change": change,
                "change_text": signed(change),
                "change_words": _in_words(change),
            }
        )
        before = check.total
    rows.reverse()  # the table reads newest first
    items = []
    if checks:
        for field, statement, short in ITEMS:
            values = [getattr(check, field) for check in checks]
            items.append(
                {
                    "field": field,
                    "statement": statement,
                    "short": short,
                    "first": values[0],
                    "latest": values[-1],
                    "change": values[-1] - values[0] if len(values) > 1 else None,
                    "change_text": signed(values[-1] - values[0] if len(values) > 1 else None),
                    "spark": sparkline(values),
                }
            )
    change = _change(latest.total, previous.total if previous else None) if latest else None
    return {
        "has_data": bool(checks),
        "count": len(checks),
        "first": checks[0] if checks else None,
        "latest": latest,
        "previous": previous,
        "change": change,
        "change_text": signed(change),
        "change_words": _in_words(change),
        "fell_notably": change is not None and change <= -NOTABLE_FALL,
        "line": SUSTAINED_REMISSION_TOTAL,
        "at_or_above_line": bool(latest and latest.total >= SUSTAINED_REMISSION_TOTAL),
        "chart": total_chart(checks),
        "rows": rows,
        "items": items,
        "description": _describe(checks),
    }


def _in_words(change):
    if change is None:
        return ""
    # Translators: how the total changed since the check-up before, shown as "(up 3 since the one before)".
    if change > 0:
        return gettext("up %(points)s") % {"points": change}
    if change < 0:
        return gettext("down %(points)s") % {"points": -change}
    return gettext("the same")


def _describe(checks):
    if not checks:
        return gettext("No check-ups yet.")
    first, last = checks[0], checks[-1]
    if len(checks) == 1:
        said = gettext("One check-up so far: a total of %(total)s on %(day)s.") % {
            "total": last.total,
            "day": date_label(last.taken_on),
        }
    else:
        said = ngettext(
            "%(count)s check-up. The total went from %(first)s on %(first_day)s to %(last)s on %(last_day)s.",
            "%(count)s check-ups. The total went from %(first)s on %(first_day)s to %(last)s on %(last_day)s.",
            len(checks),
        ) % {
            "count": len(checks),
            "first": first.total,
            "first_day": date_label(first.taken_on),
            "last": last.total,
            "last_day": date_label(last.taken_on),
        }
    line = gettext("The dashed line marks %(line)s.") % {"line": SUSTAINED_REMISSION_TOTAL}
    return f"{said} {line}"
