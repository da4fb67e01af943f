"""The owner's recovery capital page: the trend with its 47 line, the same numbers as a table, who sees it."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recovery_network.capital.models import CITATION
from tests.capital.factories import CapitalCheckFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("capital:overview")
TODAY = dt.date(2026, 3, 10)
NOON = dt.datetime(2026, 3, 10, 18, 0, tzinfo=dt.UTC)  # noon in Chicago


def monthly(owner, totals, last=TODAY):
    """Check-ups 30 days apart ending on `last`, with these totals (each answer split as evenly as it goes)."""
    checks = []
    for back, total in enumerate(reversed(totals)):
        base, extra = divmod(total, 10)
        answers = [base + 1] * extra + [base] * (10 - extra)
        checks.append(CapitalCheckFactory(owner=owner, taken_on=last - dt.timedelta(days=30 * back), answers=answers))
    return checks[::-1]


def line_y(body):
    return float(re.search(r'<line class="capital-line"[^>]* y1="([\d.]+)"', body).group(1))


def points(body):
    """[(date text, total, cy)] of the chart's points, in order."""
    return [
        (label, int(total), float(cy))
        for cy, label, total in re.findall(
            r'<circle class="chart__point" cx="[\d.]+" cy="([\d.]+)" r="3.5"><title>([^<]+): (\d+)</title>', body
        )
    ]


def total_rows(body):
    table = body[
        body.index('id="capital-totals-caption"') : body.index("</table>", body.index('id="capital-totals-caption"'))
    ]
    return re.findall(
        r"<tr><th scope=\"row\"><time datetime=\"[\d-]+\">([^<]+)</time></th><td>(\d+)</td><td>([^<]+)</td></tr>", table
    )


@time_machine.travel(NOON, tick=False)
def test_with_no_check_ups_the_page_invites_the_first(owner_client):
    body = owner_client.get(OVERVIEW).content.decode()
    assert "You haven't answered the statements yet" in body
    assert f'href="{reverse("capital:new")}">Answer the ten questions</a>' in body
    assert "<svg" not in body.split('aria-label="Progress"')[1]
    assert "About the line at 47" in body and CITATION.replace("&", "&amp;") in body


@time_machine.travel(NOON, tick=False)
def test_the_chart_draws_the_47_line_where_a_total_of_47_sits(owner, owner_client):
    monthly(owner, [38, 47, 52])
    body = owner_client.get(OVERVIEW).content.decode()
    assert 'stroke-dasharray="6 4"' in body
    assert '<text class="capital-line__label"' in body and ">47</text>" in body
    at_47 = [cy for _, total, cy in points(body) if total == 47]
    assert at_47 == [line_y(body)]
    lower, higher = [cy for _, total, cy in points(body) if total != 47]
    assert lower > line_y(body) > higher  # SVG's y grows downwards


@time_machine.travel(NOON, tick=False)
def test_the_table_has_the_charts_numbers_newest_first_with_each_change(owner, owner_client):
    monthly(owner, [38, 41, 40, 45])
    body = owner_client.get(OVERVIEW).content.decode()
    charted = [(label, total) for label, total, _ in points(body)]
    tabled = [(label, int(total), change) for label, total, change in total_rows(body)]
    assert [(label, total) for label, total, _ in reversed(tabled)] == charted
    assert [change for _, _, change in tabled] == ["+5", "−1", "+3", "—"]
    assert charted[-1] == ("10 Mar 2026", 45)
    assert "45</span> of 60" in body and "(up 5 since the one before)" in body


@time_machine.travel(NOON, tick=False)
def test_each_statement_shows_its_first_and_latest_answer(owner, owner_client):
    CapitalCheckFactory(owner=owner, taken_on=dt.date(2026, 1, 10), answers=[2, 3, 4, 4, 4, 4, 4, 4, 4, 4])
    CapitalCheckFactory(owner=owner, taken_on=dt.date(2026, 2, 10), answers=[5, 3, 1, 4, 4, 4, 4, 4, 4, 4])
    body = owner_client.get(OVERVIEW).content.decode()
    rows = re.findall(
        r'title="([^"]+)">([^<]+)</span>.*?</th>\s*<td>(\d)</td><td>(\d)</td><td>([^<]+)</td>', body, re.S
    )
    assert rows[0][1:] == ("More than using", "2", "5", "+3")
    assert rows[1][1:] == ("Happy with life", "3", "3", "0")
    assert rows[2][1:] == ("Energy", "4", "1", "−3")
    assert rows[0][0] == "There are more important things to me in life than using substances."
    assert len(rows) == 10 and body.count('class="capital-spark"') == 10


@time_machine.travel(NOON, tick=False)
def test_below_the_line_the_page_says_it_is_a_marker_not_a_pass_mark(owner, owner_client):
    monthly(owner, [31])
    body = owner_client.get(OVERVIEW).content.decode()
    assert "It is a marker, not a pass mark" in body
    assert "One check-up so far: a total of 31 on 10 Mar 2026." in body


@time_machine.travel(NOON, tick=False)
def test_the_next_check_up_is_due_thirty_days_after_the_last(owner, owner_client):
    CapitalCheckFactory(owner=owner, taken_on=dt.date(2026, 3, 1))
    body = owner_client.get(OVERVIEW).content.decode()
    assert 'The next check-up is due on <time datetime="2026-03-31">Tuesday 31 March</time>' in body


@time_machine.travel(NOON, tick=False)
def test_a_check_up_overdue_is_simply_ready(owner, owner_client):
    CapitalCheckFactory(owner=owner, taken_on=dt.date(2026, 1, 1))
    assert "A check-up is ready whenever you are." in owner_client.get(OVERVIEW).content.decode()


@time_machine.travel(NOON, tick=False)
def test_answered_today_offers_to_change_todays_answers(owner, owner_client):
    CapitalCheckFactory(owner=owner, taken_on=TODAY)
    body = owner_client.get(OVERVIEW).content.decode()
    assert "Change today&#x27;s answers" in body or "Change today's answers" in body
    assert '<time datetime="2026-04-09">Thursday 9 April</time>' in body


@time_machine.travel(NOON, tick=False)
def test_the_progress_nav_marks_the_check_up_page_current(owner_client):
    body = owner_client.get(OVERVIEW).content.decode()
    assert f'<a href="{OVERVIEW}" aria-current="page">Monthly check-up</a>' in body
    assert f'<a href="{reverse("milestones:overview")}">Overview</a>' in body


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize("client_name", ["family_client", "counselor_client", "stranger_client"])
def test_everyone_else_sees_only_their_own_empty_page(request, owner, client_name):
    monthly(owner, [38, 44])
    response = request.getfixturevalue(client_name).get(OVERVIEW)
    body = response.content.decode()
    assert response.status_code == 200
    assert "You haven't answered the statements yet" in body
    assert "44</span>" not in body and "chart__point" not in body


def _queries(client):
    client.get(OVERVIEW)  # the session and the chrome's cached parts, warm
    with CaptureQueriesContext(connection) as captured:
        assert client.get(OVERVIEW).status_code == 200
    return len(captured)


@time_machine.travel(NOON, tick=False)
def test_the_page_runs_the_same_queries_for_one_check_up_or_twenty_four(owner, owner_client, stranger, stranger_client):
    monthly(owner, [40])
    monthly(stranger, [30 + n for n in range(24)])
    one, twenty_four = _queries(owner_client), _queries(stranger_client)
    assert one == twenty_four
    assert one == _queries_of_profile(owner_client) + 1  # the check-ups themselves: one query


def _queries_of_profile(client):
    client.get(reverse("profile"))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("profile"))
    return len(captured)
