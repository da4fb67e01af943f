"""A soak: the day's mix at the rate the capacity bench measured, for --minutes, on cluster_bench.py's processes.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/soak_bench.py [--minutes 30]

Run it on a database seeded with `seed_demo --scale N`, as capacity_bench.py. It
starts what cluster_bench.py starts (two gunicorn instances, three Celery workers,
beat in two of them, production settings, email to an SMTP sink here) and drives
capacity_bench.py's mix (a day's requests of people, family viewers and counselors,
signed in at random) at --rate requests a second, half to each instance, from
bench/open_load.py: open loop, so a server falling behind meets the queue a visitor
would. The default rate is the highest the capacity bench passed (p95 ≤ 100 ms): 181
a second on issue 15's machine, where one machine served 352 363 people
(docs/PERFORMANCE_HISTORY.md, README "Performance"). On another machine, or one
shared with other work, run capacity_bench.py there first and pass its rate: above
capacity an open loop's queue only grows, and the soak measures that, not a leak.

Reminders dispatch throughout, at production's pace (beat every minute): --reminders
people (…@delivery.example.com) have a check-in reminder falling due at each minute of
the soak, and after the load the bench waits for all their emails, each counted once
at the sink. Each minute it samples the resident memory (VmRSS from /proc) of every
process: each gunicorn master and worker, each Celery worker and its children (its
pool processes and, where it runs beat, beat's), and the most sessions the database
held in that minute (pg_stat_activity). Prints a line a minute as it goes, then the
minutes, each process's memory after start-up, after the first minute and at the
end, and the totals. Exits 1 when any request got an unexpected answer or none (the
errors must be 0), or an email was lost or sent twice. The contacts the run logs are
deleted afterwards; check-ins stay, as capacity_bench.py leaves them.
"""

import argparse
import datetime as dt
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.capacity_bench import cast, population, request_shapes  # noqa: E402
from bench.cluster_bench import Cluster, CountingSink, DatabaseSessions, due_people, wait_for  # noqa: E402
from bench.common import ROOT, contacts_taken_back, machine_facts, print_table, setup_django  # noqa: E402

# Requests a second at the capacity bench's highest passing step (issue 15's first run, docs/PERFORMANCE_HISTORY.md).
CAPACITY_RATE = 181.0


def resident_kb(pid):
    """VmRSS of one process in kB, or None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def children_of():
    """{parent pid: [child pids]} of every process, read from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue  # gone meanwhile
            children.setdefault(parent, []).append(int(entry.name))
    return children


def memory(cluster):
    """{(role, pid): kB} for every process of the cluster and each of its children (and theirs)."""
    children, found = children_of(), {}
    for process in cluster.processes:
        family = [(process.role, process.popen.pid)]
        while family:
            role, pid = family.pop()
            kb = resident_kb(pid)
            if kb is not None:
                found[(role, pid)] = kb
            kind = "worker" if role.startswith("web") else "child"
            family += [(f"{process.role} {kind}", child) for child in children.get(pid, [])]
    return found


def generate(port, rate, seconds, shapes, csrf, seed):
    """bench/open_load.py at `rate` to one instance, as a process: its Popen (read with results())."""
    command = [sys.executable, str(ROOT / "bench" / "open_load.py"), f"--port={port}", f"--requests={shapes}"]
    command += [f"--csrf={csrf}", f"--rate={rate}", f"--seconds={seconds}", "--warmup=0", f"--seed={seed}"]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def results(generator):
    output, _ = generator.communicate()
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    found = [line for line in lines if "requests" in line]
    if not found:
        raise RuntimeError(f"the load generator failed (exit {generator.returncode})")
    return found[-1]


def mb(kb):
    return "–" if kb is None else f"{kb / 1024:.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--rate", type=float, default=CAPACITY_RATE, help="requests a second, both instances")
    parser.add_argument("--people", type=int, default=300, help="seeded owners signed in (as capacity_bench.py)")
    parser.add_argument("--reminders", type=int, default=50, help="people whose reminder falls due each minute")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds at half the rate before minute 1")
    parser.add_argument("--web-workers", type=int, default=0, help="gunicorn workers an instance (gunicorn.conf.py)")
    parser.add_argument("--concurrency", type=int, default=2, help="processes a Celery worker")
    parser.add_argument("--dispatch-every", type=int, default=60, help="seconds between each beat's dispatches")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the last emails after")
    parser.add_argument("--seed", type=int, default=2026, help="who is signed in and what they ask, reproducibly")
    args = parser.parse_args(argv)
    began = time.monotonic()

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from recovery_network.notifications.models import Delivery

    if connection.vendor != "postgresql" or not settings.CELERY_BROKER_URL.startswith("redis"):
        print("soak_bench needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
        return 2
    now = timezone.now()
    pop = population(now)
    owners, grants, caseloads = cast(args, pop, now, random.Random(args.seed))
    if not owners:
        print("no owner with a journey and a supporter: seed the database (seed_demo --scale N)")
        return 2
    machine = machine_facts()
    csrf = secrets.token_hex(16)
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="rn-soak-", delete=False) as shapes_file:
        json.dump(request_shapes(pop, owners, grants, caseloads), shapes_file)
    settings_dict = dict(connection.settings_dict)

    sink = CountingSink().start()
    cluster = Cluster(
        sink.port,
        web_workers=args.web_workers,
        concurrency=args.concurrency,
        REMINDER_DISPATCH_INTERVAL_SECONDS=str(args.dispatch_every),
    )
    sessions = DatabaseSessions(settings_dict)
    minutes, samples, expected = [], {}, []
    try:
        with contacts_taken_back(owners):
            cluster.start_webs()
            cluster.start_workers()
            # One cohort due at each minute of the soak, the first a minute in.
            first = (timezone.now() + dt.timedelta(minutes=1)).replace(second=0, microsecond=0)
            moments = [first + dt.timedelta(minutes=n) for n in range(args.minutes) for _ in range(args.reminders)]
            expected = due_people(len(moments), moments) if moments else []
            connection.close()  # the cluster's sessions are counted, not the bench's
            sessions.start()
            samples["after start-up"] = memory(cluster)
            half = args.rate / len(cluster.ports)
            print(machine, flush=True)
            print(
                f"soak: {args.minutes} min at {args.rate:g} requests a second ({half:g} to each of "
                f"{len(cluster.ports)} web instances), {args.reminders} reminders due a minute",
                flush=True,
            )
            for minute in range(args.minutes + 1):  # minute 0: the warm-up
                # The warm-up at half the rate: freshly started workers compile templates and fill caches.
                seconds, rate = (args.warmup, half / 2) if minute == 0 else (60.0, half)
                if seconds <= 0:
                    continue
                seed = args.seed + 2 * minute
                generators = [
                    generate(port, rate, seconds, shapes_file.name, csrf, seed + side)
                    for side, port in enumerate(cluster.ports)
                ]
                found = [results(generator) for generator in generators]
                kb = memory(cluster)
                if minute == 1:
                    samples["after minute 1"] = kb
                row = {
                    "minute": minute or "warm-up",
                    "requests": sum(result["requests"] for result in found),
                    "errors": sum(result["errors"] for result in found),
                    "statuses": [result["statuses"] for result in found if result["errors"]],
                    "rps": sum(result["rps"] for result in found),
                    "p95": [result["p95"] for result in found],
                    "late": max(result["latest_ms"] for result in found),
                    "sessions": sessions.take(),
                    "rss": sum(kb.values()),
                    "emails": sink.made(expected)[0],
                }
                minutes.append(row)
                print(
                    f"minute {row['minute']}: {row['requests']} requests ({row['rps']:.0f}/s), {row['errors']} errors"
                    f" {row['statuses'] or ''}, p95 {' / '.join(f'{p:.0f}' for p in row['p95'] if p)} ms, "
                    f"{row['sessions']} database sessions at most, RSS {mb(row['rss'])} MB, "
                    f"{row['emails']} of {len(expected)} reminder emails",
                    flush=True,
                )
            samples["at the end"] = memory(cluster)
            all_in = wait_for(lambda: sink.made(expected)[1] == 0, args.timeout)
    finally:
        cluster.stop()
        sink.stop()
        sessions.stop()
        Path(shapes_file.name).unlink()
    made, lost, duplicated = sink.made(expected)
    sent_later = Delivery.objects.filter(recipient__email__in=expected).exclude(status="sent").count()

    print()
    print_table(
        ["minute", "requests", "answered/s", "errors", "p95 ms (A / B)", "sent late ms", "DB sessions", "RSS MB"],
        [
            (
                row["minute"],
                row["requests"],
                f"{row['rps']:.0f}",
                row["errors"],
                " / ".join("–" if p is None else f"{p:.0f}" for p in row["p95"]),
                f"{row['late']:.0f}",
                row["sessions"],
                mb(row["rss"]),
            )
            for row in minutes
        ],
    )
    print()
    start, first, end = (samples.get(name, {}) for name in ("after start-up", "after minute 1", "at the end"))
    rows = []
    for role, pid in sorted({*start, *first, *end}, key=lambda key: (key[0].split(" ")[:2], key[1])):
        key = (role, pid)
        growth = end[key] - first[key] if key in end and key in first else None
        rows.append((role, pid, mb(start.get(key)), mb(first.get(key)), mb(end.get(key)), mb(growth)))
    totals = [sum(sample.values()) for sample in (start, first, end)]
    rows.append(("all", "", *(mb(total) for total in totals), mb(totals[2] - totals[1])))
    print_table(
        ["process", "pid", "RSS MB after start-up", "after minute 1", "at the end", "growth since minute 1"], rows
    )
    print()
    errors = sum(row["errors"] for row in minutes)
    print_table(
        ["measure", "value"],
        [
            ("requests", sum(row["requests"] for row in minutes)),
            ("errors (unexpected answers, none answered)", errors),
            ("most database sessions at once", sessions.most),
            ("reminder emails expected", len(expected)),
            ("made (at the sink)", made),
            ("lost", lost),
            ("duplicated", duplicated),
            ("their deliveries not sent", sent_later),
            ("wall time, s", f"{time.monotonic() - began:.0f}"),
        ],
    )
    if errors or lost or duplicated or not all_in:
        print(f"MISSED: {errors} errors, {lost} emails lost, {duplicated} duplicated")
        return 1
    print("no errors; every reminder emailed exactly once")
    return 0


if __name__ == "__main__":
    # Served as production runs: DEBUG off, with a throw-away key (the bench makes its own sessions).
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    sys.exit(main())
