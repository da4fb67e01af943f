"""Trends: mood and craving over time, triggers by frequency, and what the network did."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from milestones import charts, trends
from milestones.models import CheckIn
from supports.models import Attendance, Contact, PeerGroup, Supporter

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 30)


def _checkin(owner, days_ago, **fields):
    fields.setdefault("sober", "yes")
    return CheckIn.objects.create(owner=owner, local_date=TODAY - dt.timedelta(days=days_ago), **fields)


def test_average_craving_with_and_without_the_network(owner):
    group = PeerGroup.objects.create(owner=owner, name="Home Group", fellowship="aa")
    friend = Supporter.objects.create(owner=owner, name="Jo")
    Attendance.objects.create(owner=owner, group=group, attended_on=TODAY - dt.timedelta(days=1))
    # 04:30 UTC on 29 March is 23:30 on 28 March in Chicago: it counts for the 28th.
    Contact.objects.create(owner=owner, supporter=friend, happened_at=dt.datetime(2026, 3, 29, 4, 30, tzinfo=dt.UTC))
    _checkin(owner, 1, craving=2, mood=4)  # meeting day
    _checkin(owner, 2, craving=4, mood=4)  # contact day (local)
    _checkin(owner, 3, craving=6, mood=3, helped=["meeting"])  # said a meeting helped
    _checkin(owner, 4, craving=8, mood=2)
    _checkin(owner, 5, craving=6, mood=2)
    result = trends.trends_for(owner, 30, TODAY)
    comparison = result["comparison"]
    assert (comparison.with_days, comparison.with_craving) == (3, 4.0)
    assert (comparison.without_days, comparison.without_craving) == (2, 7.0)
    assert comparison.craving_difference == 3.0


def test_other_peoples_meetings_do_not_count(owner, stranger):
    group = PeerGroup.objects.create(owner=stranger, name="Theirs", fellowship="aa")
    Attendance.objects.create(owner=stranger, group=group, attended_on=TODAY - dt.timedelta(days=1))
    _checkin(owner, 1, craving=2)
    assert trends.trends_for(owner, 30, TODAY)["comparison"].with_days == 0


def test_triggers_are_counted_by_frequency_with_their_own_words(owner):
    _checkin(owner, 1, triggers=["stress", "payday"])
    _checkin(owner, 2, triggers=["stress"])
    _checkin(owner, 3, triggers=["stress", "tired", "payday"])
    assert trends.trends_for(owner, 30, TODAY)["triggers"] == [
        ("Stress", 3),
        ("payday", 2),
        ("Tired or short of sleep", 1),
    ]


def test_the_period_bounds_the_data(owner):
    _checkin(owner, 29, mood=5)
    _checkin(owner, 30, mood=1)  # 31 days ago counting today: outside 30 days
    assert trends.trends_for(owner, 30, TODAY)["checkin_count"] == 1
    assert trends.trends_for(owner, 90, TODAY)["checkin_count"] == 2
    assert trends.trends_for(owner, 12345, TODAY)["period_days"] == 30


def test_a_year_is_shown_as_weekly_averages(owner):
    for days_ago in range(0, 14):
        _checkin(owner, days_ago, mood=2 if days_ago < 7 else 4)
    result = trends.trends_for(owner, 365, TODAY)
    assert result["bucket_days"] == 7
    values = [value for _, value in result["mood_chart"]["values"] if value is not None]
    assert values == ["4.0", "2.0"]  # the last bucket is the last seven days
    assert len(result["mood_chart"]["values"]) == 53  # 52 weeks and one day


def test_line_chart_breaks_at_missing_days_and_scales_values():
    chart = charts.line_chart([("a", 1), ("b", 5), ("c", None), ("d", 3), ("e", 3)], low=1, high=5, ticks=[1, 5])
    assert len(chart["polylines"]) == 2
    ys = [point.y for point in chart["points"]]
    assert ys[0] == chart["plot_bottom"]  # the lowest value sits on the axis
    assert ys[1] == charts.TOP  # the highest at the top


def test_trends_page_has_charts_and_their_text_equivalents(owner_client, owner):
    with time_machine.travel(NOW, tick=False):
        for days_ago in range(10):
            _checkin(owner, days_ago, mood=3 + days_ago % 2, craving=days_ago % 5, triggers=["stress"])
        body = owner_client.get(reverse("milestones:trends") + "?days=90").content.decode()
    assert body.count('<svg class="chart__svg') == 3
    assert 'role="img"' in body
    assert '<desc id="mood-desc">Average mood 3.5 of 5 over 10 check-ins' in body
    assert "Mood, 1 (very low) to 5 (very good) as a table" in body
    assert '<th scope="row">Stress</th><td>10</td>' in body
    assert 'href="?days=90" aria-current="page"' in body


def test_a_bad_period_is_the_default_not_an_error(owner_client):
    assert owner_client.get(reverse("milestones:trends") + "?days=abc").status_code == 200


def test_in_spanish_the_averages_read_with_a_comma_and_the_charts_draw_with_points(owner_client, owner):
    """4,2 is for people; the chart's coordinates stay 4.2, or the browser cannot draw it."""
    owner.language = "es"
    owner.save(update_fields=["language"])
    with time_machine.travel(NOW, tick=False):
        for days_ago in range(10):
            _checkin(owner, days_ago, mood=3 + days_ago % 2, craving=days_ago % 5, triggers=["stress"])
        body = owner_client.get(reverse("milestones:trends") + "?days=90").content.decode()
    assert "Estado de ánimo promedio: 3,5 de 5" in body
    coordinates = re.findall(r'<circle class="chart__point" cx="([^"]+)" cy="([^"]+)"', body)
    assert coordinates and all(re.fullmatch(r"-?\d+(\.\d+)?", value) for pair in coordinates for value in pair)
