"""Each bench script runs at a tiny scale and prints its table, so none can rot unnoticed.

Budgets are not judged here (a test machine is not the bench machine); the
scripts' own exit codes are, where a tiny run can honestly meet them.
"""

import os
import shutil

import pytest
from django.db import connection

from bench import delivery_bench, http_bench, plans_bench, queries_bench
from bench.common import build_world


@pytest.mark.django_db
def test_queries_bench_prints_both_sizes_and_passes(capsys):
    assert queries_bench.main(["--no-migrate", "--small", "1", "--factor", "2"]) == 0
    out = capsys.readouterr().out
    assert "| owner home" in out and "rendered (2×)" in out and "from page cache" in out
    assert "all 43 pages flat" in out


@pytest.mark.django_db
def test_plans_bench_explains_the_hot_queries(capsys):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    world = build_world(1)
    assert plans_bench.main(["--owner", world.owner.email, "--counselor", world.counselor.email]) == 0
    out = capsys.readouterr().out
    for path in ("dashboard", "support map", "notifications", "family view", "caseload", "access log", "dispatch"):
        assert f"| {path}" in out
    assert "Index" in out
    # Writes are EXPLAINed too: the family view's access-log line, the caseload's view.
    assert "| family view   |" in out and "ModifyTable on supports_accessevent" in out
    assert "ModifyTable on supports_caseloadview" in out


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("generator", ["wrk", "python"])
def test_http_bench_serves_every_page_beside_the_bare_view(capsys, generator):
    if generator == "wrk" and not shutil.which("wrk") and not os.environ.get("REQUIRE_SERVICES"):
        pytest.skip("wrk is not installed (.ci/run installs it)")
    world = build_world(1)
    code = http_bench.main(
        [
            *("--owner", world.owner.email, "--counselor", world.counselor.email),
            *("--seconds", "0.5", "--warmup", "0", "--concurrency", "2", "--workers", "2"),
            *("--p95", "100000", "--ratio", "0", "--generator", generator),
        ]
    )
    out = capsys.readouterr().out
    assert f"load from {generator}" in out
    assert "| bare view (ceiling)" in out and "| check-in (POST)" in out and "| counselor caseload" in out
    assert code == 0, out


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_delivery_bench_sends_every_email_through_a_worker_to_the_sink(capsys):
    assert delivery_bench.main(["--people", "12", "--concurrency", "1", "--budget", "0", "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "| deliveries per second" in out
