"""Geometry for the recovery capital charts, drawn on the server as milestones.charts draws the others.

Check-ups are monthly, but not on the dot: a point sits at its date along the axis, so a gap of three months
looks like three months. The line at 47 is part of the chart, not an afterthought: it is what the total is read
against.
"""

from django.utils import dateformat
from django.utils.translation import gettext

from milestones.charts import BOTTOM, HEIGHT, LEFT, TOP, WIDTH, Point

from .models import HIGHEST_TOTAL, LOWEST_TOTAL, SUSTAINED_REMISSION_TOTAL

TICKS = (10, 20, 30, 40, 50, 60)
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 72, 24, 3
# Wider than the other charts' right margin: the "47" is written there, beside its line, where no point can sit.
RIGHT = 30


def date_label(day):
    """ "5 Mar 2026", with the month's short name in the active language."""
    return dateformat.format(day, gettext("j M Y"))


def total_chart(checks):
    """checks: CapitalCheck oldest first -> the total's line chart, with the 47 line."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_for(value):
        return round(TOP + (HIGHEST_TOTAL - value) / (HIGHEST_TOTAL - LOWEST_TOTAL) * plot_height, 1)

    points = []
    if checks:
        first, last = checks[0].taken_on, checks[-1].taken_on
        span = (last - first).days
        for check in checks:
            offset = (check.taken_on - first).days / span if span else 0.5
            x = round(LEFT + offset * plot_width, 1)
            points.append(Point(x, y_for(check.total), date_label(check.taken_on), check.total))
    x_labels = []
    if len(points) == 1:
        x_labels = [{"x": points[0].x, "text": points[0].label, "anchor": "middle"}]
    elif points:
        x_labels = [
            {"x": points[0].x, "text": points[0].label, "anchor": "start"},
            {"x": points[-1].x, "text": points[-1].label, "anchor": "end"},
        ]
    line_y = y_for(SUSTAINED_REMISSION_TOTAL)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "plot_left": LEFT,
        "plot_right": WIDTH - RIGHT,
        "label_y": HEIGHT - 8,
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points) if len(points) > 1 else "",
        "y_ticks": [{"y": y_for(tick), "text": str(tick)} for tick in TICKS],
        "x_labels": x_labels,
        "line_value": SUSTAINED_REMISSION_TOTAL,
        "line_y": line_y,
        "line_label_x": WIDTH - RIGHT + 4,
    }


def sparkline(values, *, low=1, high=6):
    """A tiny line for one item's answers (1 to 6), evenly spaced: a glance, its numbers are beside it."""
    inner_width, inner_height = SPARK_WIDTH - 2 * SPARK_PAD, SPARK_HEIGHT - 2 * SPARK_PAD
    count = len(values)
    coords = []
    for index, value in enumerate(values):
        x = SPARK_PAD + (index / (count - 1) * inner_width if count > 1 else inner_width / 2)
        y = SPARK_PAD + (high - value) / (high - low) * inner_height
        coords.append((round(x, 1), round(y, 1)))
    return {
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "polyline": " ".join(f"{x},{y}" for x, y in coords) if count > 1 else "",
        "last": coords[-1] if coords else None,
    }
