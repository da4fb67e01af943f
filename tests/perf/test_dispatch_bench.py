"""The reminder dispatch bench at a tiny scale: it delivers everyone once and judges its budget."""

import pytest

from bench import dispatch_bench


@pytest.mark.django_db
def test_dispatch_bench_delivers_everyone_once_and_emails_them(capsys):
    assert dispatch_bench.main(["--people", "12", "--batch", "5"]) == 0
    out = capsys.readouterr().out
    assert "dispatch: 12 delivered (12 emails to the fan-out), 0 skipped, 0 held" in out
    assert "second dispatch in the same minute: 0 delivered" in out
    assert "budget: 12 people in ≤ 30 s: met" in out


@pytest.mark.django_db
def test_dispatch_bench_exits_1_when_the_budget_is_missed(capsys):
    assert dispatch_bench.main(["--people", "3", "--budget", "0", "--unverified"]) == 1
    out = capsys.readouterr().out
    assert "dispatch: 3 delivered (0 emails to the fan-out)" in out and "MISSED" in out
