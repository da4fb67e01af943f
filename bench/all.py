"""Every benchmark in one command, as README "Performance" reports them.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/all.py --seed 10000

--seed N migrates and runs `seed_demo --scale N` first (minutes; skip it when the
database is already seeded). Then: plans, queries, each page's CPU in-process, HTTP for every signed-in page
(the long-haul person000100 and a typical person000101, about five minutes each),
capacity (a day's mix at rising rates: people served by this machine, a few
minutes), deliveries through a worker, alerts to their supporters' emails through
workers (a minute), and the reminder dispatch for 100 000 people
(bench/dispatch_bench.py, on the database --dispatch-database, by default
DATABASE_URL with "_dispatch" appended, since it adds and removes its own people).
Each script prints its table; this exits 1 if any of them missed a budget.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(url):
    """Create the dispatch bench's database if it is missing (the bench migrates it itself)."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"],
        host=config["HOST"],
        port=config["PORT"] or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="seed_demo --scale N first")
    parser.add_argument("--dispatch-database", default="")
    parser.add_argument("--dispatch-people", type=int, default=100_000)
    args = parser.parse_args(argv)
    python = sys.executable
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        print("set DATABASE_URL (PostgreSQL) and REDIS_URL")
        return 2
    dispatch_env = {**os.environ, "DATABASE_URL": args.dispatch_database or database + "_dispatch"}
    runs = []
    if args.seed:
        runs.append(("seed", [python, "manage.py", "migrate", "-v0"], None))
        runs.append(("seed", [python, "manage.py", "seed_demo", "--scale", str(args.seed)], None))
    runs += [
        ("plans", [python, "bench/plans_bench.py"], None),
        ("queries", [python, "bench/queries_bench.py"], None),
        ("page CPU (person000100)", [python, "bench/page_cpu.py"], None),
        ("http (person000100)", [python, "bench/http_bench.py"], None),
        ("http (person000101)", [python, "bench/http_bench.py", "--owner", "person000101@scale.example.com"], None),
        ("capacity", [python, "bench/capacity_bench.py", "--strict"], None),
        ("deliveries", [python, "bench/delivery_bench.py"], None),
        ("alerts", [python, "bench/alert_bench.py"], None),
        # As production runs it: the dispatch task and a helper on the other core (REMINDER_DISPATCH_HELPERS).
        (
            "dispatch",
            [python, "bench/dispatch_bench.py", "--people", str(args.dispatch_people), "--parallel", "2"],
            dispatch_env,
        ),
    ]
    ensure_database(dispatch_env["DATABASE_URL"])
    outcomes = []
    for name, command, env in runs:
        print(f"\n## {name}\n", flush=True)
        started = time.monotonic()
        code = subprocess.run(command, cwd=ROOT, env=env).returncode
        outcomes.append((name, code, time.monotonic() - started))
    print("\n## summary\n")
    for name, code, seconds in outcomes:
        print(f"{name:22} {'ok' if code == 0 else f'MISSED (exit {code})':20} {seconds:7.0f} s")
    return 0 if all(code == 0 for _, code, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
