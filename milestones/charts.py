"""Geometry for the server-rendered SVG charts; the templates only draw what this computes.

No JavaScript and no CDN: a chart is plain SVG in the page, styled by classes in
milestones.css, and always sits next to a table with the same numbers.
"""

from dataclasses import dataclass

# A small canvas so 14px text stays legible when a phone scales the chart down.
WIDTH = 400
HEIGHT = 210
LEFT, RIGHT, TOP, BOTTOM = 28, 8, 10, 28


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: float


def _fmt(number):
    return f"{number:.1f}"


def line_chart(series, *, low, high, ticks):
    """series: [(label, value or None)] in order. Missing days break the line rather than bridging it."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(series)
    step = plot_width / (count - 1) if count > 1 else 0

    def y_for(value):
        return TOP + (high - value) / (high - low) * plot_height

    points, segments, current = [], [], []
    for index, (label, value) in enumerate(series):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        x = LEFT + index * step if count > 1 else LEFT + plot_width / 2
        point = Point(round(x, 1), round(y_for(value), 1), label, value)
        points.append(point)
        current.append(point)
    if current:
        segments.append(current)

    x_labels = []
    if series:
        for index in sorted({0, count // 2, count - 1}):
            x = LEFT + index * step if count > 1 else LEFT + plot_width / 2
            x_labels.append({"x": round(x, 1), "text": series[index][0]})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "plot_left": LEFT,
        "plot_right": WIDTH - RIGHT,
        "plot_bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
        "points": points,
        "polylines": [" ".join(f"{p.x},{p.y}" for p in segment) for segment in segments if len(segment) > 1],
        "y_ticks": [{"y": round(y_for(tick), 1), "text": str(tick)} for tick in ticks],
        "x_labels": x_labels,
        "has_data": bool(points),
        "values": [(label, _fmt(value) if value is not None else None) for label, value in series],
    }


BAR_HEIGHT = 26
BAR_GAP = 8
BAR_LABEL_WIDTH = 170


def bar_chart(rows):
    """rows: [(label, count)] largest first -> horizontal bars scaled to the largest count."""
    largest = max((count for _, count in rows), default=0) or 1
    bar_space = WIDTH - BAR_LABEL_WIDTH - 36
    bars = []
    for index, (label, count) in enumerate(rows):
        y = index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                "label": label,
                "count": count,
                "y": y,
                "text_y": y + BAR_HEIGHT * 0.68,
                "width": round(max(2, count / largest * bar_space), 1),
                "count_x": round(BAR_LABEL_WIDTH + max(2, count / largest * bar_space) + 6, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": max(BAR_HEIGHT, len(rows) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP),
        "label_x": BAR_LABEL_WIDTH - 8,
        "bar_x": BAR_LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
    }
