"""The alert bench at a tiny scale: every alert reaches its three supporters once, through a real worker."""

import re

import pytest

from bench import alert_bench


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_alert_bench_emails_every_supporter_of_every_alert_once(capsys):
    args = ["--people", "20", "--alerts", "20", "--over", "2", "--concurrency", "2", "--reminders", "10"]
    # The budget is the bench machine's (README, Performance), not a test machine's: only a count can fail here.
    code = alert_bench.main([*args, "--timeout", "30", "--settle", "1", "--budget", "1000", "--no-migrate"])
    out = capsys.readouterr().out
    assert out.count("machine: ") == 1 and "| alerts raised " in out and "20 over 2 s" in out
    for measure, value in [("emails expected", 60), ("emails received", 60), ("missing", 0), ("duplicated", 0)]:
        assert re.search(rf"^\| {measure}[^|]*\| {value} +\|", out, re.MULTILINE), measure
    assert re.search(r"^\| latency p95, s +\| \d+\.\d\d +\|", out, re.MULTILINE)
    assert "10 reminder emails due" in out  # the path that queues reminders first works too
    assert code == 0, out


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_alert_bench_exits_1_when_the_budget_is_missed(capsys):
    args = ["--people", "3", "--alerts", "3", "--over", "0", "--concurrency", "1", "--timeout", "30"]
    assert alert_bench.main([*args, "--no-migrate", "--settle", "0", "--budget", "0"]) == 1
    assert re.search(r"^\| latency p95, s +\| .*MISSED +\|$", capsys.readouterr().out, re.MULTILINE)
