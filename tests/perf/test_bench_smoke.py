"""Each bench script runs at a tiny scale and prints its table, so none can rot unnoticed.

Budgets are not judged here (a test machine is not the bench machine); the
scripts' own exit codes are, where a tiny run can honestly meet them.
"""

import os
import re
import shutil

import pytest
from django.db import connection

from bench import capacity_bench, delivery_bench, http_bench, page_cpu, plans_bench, queries_bench
from bench.common import SIGNED_IN_PAGES, build_world
from milestones.models import CheckIn
from recovery_network.reach.models import Alert
from supports.models import Contact


@pytest.mark.django_db
def test_queries_bench_prints_both_sizes_and_passes(capsys):
    assert queries_bench.main(["--no-migrate", "--small", "1", "--factor", "2"]) == 0
    out = capsys.readouterr().out
    assert "| owner home" in out and "rendered (2×)" in out and "from page cache" in out
    assert f"all {len(SIGNED_IN_PAGES)} pages flat" in out


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
def test_http_bench_answers_every_signed_in_page_and_both_writes(capsys):
    world, other = build_world(1), build_world(1)
    code = http_bench.main(
        [
            *("--owner", world.owner.email, "--counselor", world.counselor.email),
            *("--seconds", "0.2", "--warmup", "0", "--concurrency", "2", "--workers", "2"),
            *("--p95", "100000", "--generator", "python", "--writers", "2"),
        ]
    )
    out = capsys.readouterr().out
    assert out.startswith("machine: ") and "load from python" in out
    writes = ["check-in (POST)", "contact logged (POST)"]
    for label in ["bare view (ceiling)", *(page.label for page in SIGNED_IN_PAGES), *writes]:
        assert re.search(rf"^\| {re.escape(label)} +\|.*\| ok +\|$", out, re.MULTILINE), label
    assert code == 0, out  # every answer the expected status: 200, or 302 after a POST
    # The writes were made by both people in turn, and the contacts they logged are taken back.
    assert CheckIn.objects.filter(owner=other.owner, gratitude="A quiet morning").exists()
    assert Contact.objects.filter(owner=world.owner).count() == 2 * 8
    assert Contact.objects.filter(owner=other.owner).count() == 2 * 8


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_http_bench_measures_with_wrk(capsys):
    if not shutil.which("wrk") and not os.environ.get("REQUIRE_SERVICES"):
        pytest.skip("wrk is not installed (.ci/run installs it)")
    world, other = build_world(1), build_world(1)
    code = http_bench.main(
        [
            *("--owner", world.owner.email, "--counselor", world.counselor.email),
            *("--seconds", "1", "--warmup", "0", "--concurrency", "2", "--workers", "2", "--writers", "2"),
            *("--p95", "100000", "--generator", "wrk", "--only", "counselor caseload", "--only", "POST"),
        ]
    )
    out = capsys.readouterr().out
    assert "load from wrk" in out
    assert "| bare view (ceiling)" in out and "| check-in (POST)" in out and "| counselor caseload" in out
    assert "| contact logged (POST)" in out and "| owner home" not in out
    assert code == 0, out
    # wrk's script took the two people's writes in turn.
    for person in (world.owner, other.owner):
        assert CheckIn.objects.filter(owner=person, gratitude="A quiet morning").exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_capacity_bench_steps_up_the_rate_and_counts_the_people_served(capsys):
    build_world(1)
    code = capacity_bench.main(
        [
            *("--rates", "5,10", "--seconds", "1", "--warmup", "0", "--first-warmup", "0.5"),
            *("--p95", "100000", "--workers", "2", "--goal", "1", "--strict"),
        ]
    )
    out = capsys.readouterr().out
    assert out.startswith("machine: ") and "open loop" in out
    assert re.search(r"^\| 5 +\| .*\| ok +\|$", out, re.MULTILINE), out
    assert re.search(r"^\| 10 +\| .*\| ok +\|$", out, re.MULTILINE), out
    assert "| family view" in out and "| client " in out and "| contact logged (POST)" in out
    # One world: its owner and four clients active, one family viewer, one counselor (seven people).
    day = sum(count for _, count in capacity_bench.DAY["owner"])
    peak = (5 * day + 3 + 30) / 7 * 0.10
    assert f"10 × 3600 / {peak:.3f} = {int(10 * 3600 / peak):,} people" in out
    assert code == 0, out


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_delivery_bench_sends_every_email_through_a_worker_to_the_sink(capsys):
    assert delivery_bench.main(["--people", "12", "--concurrency", "1", "--budget", "0", "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "| deliveries per second" in out


@pytest.mark.django_db
def test_page_cpu_bench_measures_every_signed_in_page(capsys):
    world = build_world(1)
    people = ["--owner", world.owner.email, "--counselor", world.counselor.email]
    assert page_cpu.main([*people, "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    for page in SIGNED_IN_PAGES:
        assert re.search(
            rf"^\| {re.escape(page.label)} +\| {page.role} +\| \d+\.\d\d +\| \d+\.\d\d +\| \d+ +\| \d+\.\d +\|$",
            out,
            re.M,
        )
    # A budget no page can meet fails the run and names the pages over it: CPU, and HTML with its size.
    crisis = [*people, "--only", "crisis", "--repeat", "1"]
    assert page_cpu.main([*crisis, "--budget", "0.001"]) == 1
    assert "over budget: crisis help" in capsys.readouterr().out
    assert page_cpu.main([*crisis, "--max-kb", "0.5"]) == 1
    assert re.search(r"over budget: crisis help \(\d+ kB\)", capsys.readouterr().out)
    # A seeded person who never called for support has no such page to measure: said, not a crash.
    Alert.objects.filter(owner=world.owner).delete()
    assert page_cpu.main([*people, "--only", "a call for support", "--repeat", "1"]) == 0
    assert "not measured, this person has none: a call for support" in capsys.readouterr().out
