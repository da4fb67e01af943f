"""How many people one machine serves: a day's mix of requests at rising rates, until p95 passes its budget.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/capacity_bench.py [--strict]

Run it on a database seeded with `seed_demo --scale 10000`. The mix is issue 15's
day: each active person checks in once, logs one contact and opens about fifteen
pages (home, progress, network, map: DAY below); each family viewer opens the
family page three times; each counselor opens the caseload and clients' pages
thirty times. The seeded database says how many of each there are (people with a
journey, viewers holding a grant, counselors holding a consent in effect), which
weighs the mix and gives the requests a person makes in a day; the peak hour
carries --peak of them.

It signs in --people seeded owners at random, with family viewers and counselors
in the database's proportions (at least one of each), as bench/http_bench.py signs
people in, and starts gunicorn as that bench does (production settings). Each step
then runs bench/open_load.py at a constant arrival rate: request i starts at
i / rate whatever the server is doing (open loop), each a random draw from the
mix, a random one of the signed-in people of its role, with their own objects in
the URL. A closed-loop generator such as wrk only sends when an answer came back,
so at saturation it slows down with the server and its latencies leave out the
queueing, and wrk2 (which fixes that) is not packaged in Debian; so the generator
is a small asyncio process, and its own CPU share is printed with each step, since
it shares the cores. Rates rise by --factor from --start until a step misses p95 ≤
--p95 ms or answers any request wrongly, then --refine steps bisect between the
last pass and the first miss. The contacts the run logs are deleted afterwards;
check-ins stay, as the day's one check-in of the people who made them.

People served = highest passing rate × 3600 / requests a person makes in the peak
hour. Prints the steps and that figure, with the mix and each request's p95 at the
highest passing rate; with --strict, exits 1 when the figure is below --goal.
"""

import argparse
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    World,
    contacts_taken_back,
    machine_facts,
    print_table,
    setup_django,
    signed_in_page,
    world_of,
)
from bench.http_bench import (  # noqa: E402
    CHECKIN,
    CONTACT,
    cpu_seconds,
    free_port,
    server_env,
    session_cookie,
    start_gunicorn,
    worker_count,
    writes,
)

# A day's requests by role, issue 15: each active person's check-in, contact and ~15 page views; each
# family viewer's 3 looks; each counselor's 30 caseload and client views. Labels are SIGNED_IN_PAGES'.
DAY = {
    "owner": [
        (CHECKIN, 1),
        (CONTACT, 1),
        ("owner home", 3),
        ("check-in form", 1),
        ("progress", 2),
        ("check-in history", 1),
        ("journey", 1),
        ("trends", 1),
        ("network", 2),
        ("supporter", 1),
        ("log a contact", 1),
        ("groups", 1),
        ("support map", 1),
    ],
    "family": [("family view", 3)],
    "counselor": [("counselor caseload", 15), ("client", 15)],
}


@dataclass
class Population:
    """How many people of each role the database holds: they weigh the mix."""

    owners: set  # ids of people with a journey
    viewers: set  # ids of people holding a grant
    counselors: set  # ids of counselors holding a consent in effect

    @property
    def people(self):
        return len(self.owners | self.viewers | self.counselors)

    @property
    def per_role(self):
        return {"owner": len(self.owners), "family": len(self.viewers), "counselor": len(self.counselors)}

    def daily_requests(self):
        """Requests a person makes in a day, on average over everyone, whatever their roles."""
        total = sum(self.per_role[role] * sum(count for _, count in day) for role, day in DAY.items())
        return total / self.people if self.people else 0.0


def population(now):
    from milestones.models import Journey
    from recovery_network.care.models import Consent, Grant

    return Population(
        owners=set(Journey.objects.values_list("owner_id", flat=True).distinct()),
        viewers=set(Grant.objects.active().values_list("viewer_id", flat=True).distinct()),
        counselors=set(Consent.objects.possibly_valid(now).values_list("counselor_id", flat=True).distinct()),
    )


def proportional(wanted_owners, owners, others):
    """Sessions for a role, in the database's proportion to the owners: at least one if there are any."""
    if not others:
        return 0
    return max(1, round(wanted_owners * others / max(owners, 1)))


def cast(args, pop, now, rng):
    """The signed-in people: (owners, [(viewer, owner)], [(counselor, [clients])]), drawn at random."""
    from allauth.mfa.models import Authenticator

    from recovery_network.care.models import Consent, Grant
    from recovery_network.models import User
    from supports.models import Supporter

    with_network = set(Supporter.objects.active().values_list("owner_id", flat=True).distinct())
    owner_ids = sorted(pop.owners & with_network)
    owner_ids = rng.sample(owner_ids, min(args.people, len(owner_ids)))
    grants = sorted(Grant.objects.active().values_list("viewer_id", "owner_id"))
    grants = rng.sample(grants, min(proportional(len(owner_ids), len(pop.owners), len(pop.viewers)), len(grants)))
    # Only a counselor with two-factor on opens client data.
    with_totp = set(Authenticator.objects.filter(type=Authenticator.Type.TOTP).values_list("user_id", flat=True))
    counselor_ids = sorted(pop.counselors & with_totp)
    wanted = proportional(len(owner_ids), len(pop.owners), len(pop.counselors))
    counselor_ids = rng.sample(counselor_ids, min(wanted, len(counselor_ids)))
    users = User.objects.in_bulk({*owner_ids, *(pair for grant in grants for pair in grant), *counselor_ids})
    caseloads = []
    for counselor_id in counselor_ids:
        consents = Consent.objects.possibly_valid(now).for_counselor(users[counselor_id]).select_related("owner")
        clients = sorted({consent.owner for consent in consents if consent.is_valid(now)}, key=lambda u: u.pk)
        if clients:
            caseloads.append((users[counselor_id], clients))
    return (
        [users[pk] for pk in owner_ids],
        [(users[viewer], users[owner]) for viewer, owner in grants],
        caseloads,
    )


def request_shapes(pop, owners, grants, caseloads):
    """Every request the mix may draw, each weighted by how often the population makes it in a day."""
    shapes, cookies = [], {}

    def cookie(user):
        if user.pk not in cookies:
            cookies[user.pk] = session_cookie(user)
        return cookies[user.pk]

    def add(label, path, user, expect, weight, method="GET", body=""):
        shapes.append(
            {
                "label": label,
                "method": method,
                "path": path,
                "cookie": cookie(user),
                "body": body,
                "expect": expect,
                "weight": weight,
            }
        )

    for owner in owners:
        world = world_of(owner)
        the_writes = {target.label: target for target in writes(world)}
        for label, count in DAY["owner"]:
            weight = pop.per_role["owner"] * count / len(owners)
            if label in the_writes:
                target = the_writes[label]
                add(label, target.path, owner, target.expect, weight, target.method, target.body)
            else:
                add(label, signed_in_page(label).url(world), owner, 200, weight)
    for viewer, owner in grants:
        for label, count in DAY["family"]:
            add(
                label,
                signed_in_page(label).url(World(None, owner)),
                viewer,
                200,
                pop.per_role["family"] * count / len(grants),
            )
    for counselor, clients in caseloads:
        for label, count in DAY["counselor"]:
            weight = pop.per_role["counselor"] * count / len(caseloads)
            page = signed_in_page(label)
            if page.arg == "owner":  # a client's page: any of this counselor's clients
                for client in clients:
                    add(label, page.url(World(None, client)), counselor, 200, weight / len(clients))
            else:
                add(label, page.url(World(None, counselor)), counselor, 200, weight)
    return shapes


def geometric(start, factor, most):
    rates, rate = [], start
    while rate <= most:
        rates.append(round(rate, 1))
        rate *= factor
    return rates


def settle(port, seconds=30):
    """Wait for the server to have drained what a step left queued: the bare view answering quickly again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/bench/bare/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=5):
                pass
            if time.monotonic() - started < 0.05:
                return
        except OSError:
            pass
        time.sleep(0.5)


def step(rate, port, requests_file, csrf, args, warmup=None, seconds=None):
    """One rate: the generator's results, with the CPU the machine, gunicorn and the generator used meanwhile."""
    command = [
        sys.executable,
        str(ROOT / "bench" / "open_load.py"),
        f"--port={port}",
        f"--requests={requests_file}",
        f"--csrf={csrf}",
        f"--rate={rate}",
        f"--seconds={args.seconds if seconds is None else seconds}",
        f"--warmup={args.warmup if warmup is None else warmup}",
        f"--timeout={args.timeout}",
        f"--seed={args.seed}",
    ]
    before = after = result = None
    began = ended = time.monotonic()
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as generator:
        for line in generator.stdout:
            message = json.loads(line)
            if message.get("event") == "measuring":
                before, began = cpu_seconds(args.server_pid), time.monotonic()
            else:
                after, ended, result = cpu_seconds(args.server_pid), time.monotonic(), message
    if result is None:
        raise RuntimeError(f"the load generator failed at {rate} requests a second (exit {generator.returncode})")
    wall, cores = ended - began, os.cpu_count() or 1
    result["busy"] = result["gunicorn"] = result["generator"] = None
    if before and after and wall > 0:
        result["busy"], result["gunicorn"] = (
            (end - start) / wall / cores for start, end in zip(before, after, strict=True)
        )
        result["generator"] = result["generator_cpu"] / wall / cores
    result["rate"] = rate
    result["ok"] = bool(result["requests"]) and not result["errors"] and result["p95"] <= args.p95
    return result


def percent(value):
    return "–" if value is None else f"{value:.0%}"


def ms(value):
    return "–" if value is None else f"{value:.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--people", type=int, default=300, help="seeded owners signed in (viewers, counselors pro rata)"
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds a step")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each step, same rate")
    parser.add_argument("--first-warmup", type=float, default=10.0, help="unmeasured seconds before the first step")
    parser.add_argument("--start", type=float, default=50.0, help="first rate, requests a second")
    parser.add_argument("--factor", type=float, default=1.25, help="each next rate, times the last")
    parser.add_argument("--max", type=float, default=5000.0, help="stop rising here")
    parser.add_argument("--rates", default="", help="comma-separated rates instead of --start/--factor/--max")
    parser.add_argument("--refine", type=int, default=2, help="bisecting steps between the last pass and first miss")
    parser.add_argument("--p95", type=float, default=100.0, help="p95 budget in ms")
    parser.add_argument("--peak", type=float, default=0.10, help="share of a day's requests in the peak hour")
    parser.add_argument("--goal", type=int, default=100_000, help="people one machine should serve")
    parser.add_argument("--strict", action="store_true", help="exit 1 when below --goal")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a step's last answers")
    parser.add_argument("--seed", type=int, default=2026, help="who is signed in and what they ask, reproducibly")
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    rng = random.Random(args.seed)
    pop = population(now)
    owners, grants, caseloads = cast(args, pop, now, rng)
    if not owners:
        print("no owner with a journey and a supporter: seed the database (seed_demo --scale N)")
        return 2
    machine = machine_facts()
    shapes = request_shapes(pop, owners, grants, caseloads)
    per_person_peak = pop.daily_requests() * args.peak
    csrf = secrets.token_hex(16)
    env, debug = server_env()
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="rn-capacity-", delete=False) as file:
        json.dump(shapes, file)
    connection.close()  # gunicorn's workers, not this process, are measured
    port = free_port()
    server = start_gunicorn(port, env, args.workers)
    args.server_pid = server.pid
    workers = worker_count(server.pid) or args.workers or "default"
    rates = [float(rate) for rate in args.rates.split(",") if rate] or geometric(args.start, args.factor, args.max)
    steps = []
    try:
        with contacts_taken_back(owners):
            # Workers that have just started compile templates and fill caches: not what a day's traffic meets.
            settle(port)
            step(rates[0], port, file.name, csrf, args, warmup=args.first_warmup, seconds=0)
            for rate in rates:
                settle(port)
                steps.append(step(rate, port, file.name, csrf, args))
                if not steps[-1]["ok"]:
                    break
            passed = [s["rate"] for s in steps if s["ok"]]
            failed = [s["rate"] for s in steps if not s["ok"]]
            if passed and failed:
                low, high = max(passed), min(failed)
                for _ in range(args.refine):
                    settle(port)
                    steps.append(step(round((low + high) / 2, 1), port, file.name, csrf, args))
                    if steps[-1]["ok"]:
                        low = steps[-1]["rate"]
                    else:
                        high = steps[-1]["rate"]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)
        Path(file.name).unlink()

    signed_in = len({shape["cookie"] for shape in shapes})
    print(machine)
    print(
        f"people in the database: {pop.people} ({pop.per_role['owner']} active, {pop.per_role['family']} family "
        f"viewers, counselors: {pop.per_role['counselor']}), {pop.daily_requests():.2f} requests a person a day, "
        f"{per_person_peak:.3f} in the peak hour ({args.peak:.0%}). Signed in: {signed_in} ({len(owners)} owners, "
        f"{len(grants)} family viewers, counselors: {len(caseloads)}), {len(shapes)} distinct requests; gunicorn "
        f"{workers} workers, DEBUG {'on' if debug else 'off'}; load from bench/open_load.py (open loop, constant "
        f"rate), {args.seconds:g} s a step after {args.warmup:g} s unmeasured"
    )
    rows = [
        (
            f"{s['rate']:g}",
            f"{s['rps']:.0f}",
            ms(s["p50"]),
            ms(s["p95"]),
            ms(s["p99"]),
            f"{s['errors']}" + (f" {s['statuses']}" if s["errors"] else ""),
            percent(s["busy"]),
            percent(s["gunicorn"]),
            percent(s["generator"]),
            ms(s["latest_ms"]),
            "ok" if s["ok"] else "MISSED",
        )
        for s in sorted(steps, key=lambda s: s["rate"])
    ]
    headers = ["req/s asked", "answered/s", "p50 ms", "p95 ms", "p99 ms", "errors", "CPU busy"]
    headers += ["gunicorn", "load generator", "sent late ms", f"p95 ≤ {args.p95:g} ms"]
    print_table(headers, rows)

    best = max((s for s in steps if s["ok"]), key=lambda s: s["rate"], default=None)
    # Each request's p95 at the highest rate within the budget, or at the lowest if none was: what weighs.
    shown = best or min(steps, key=lambda s: s["rate"], default=None)
    if shown is not None:
        counts = {label: count for role in DAY.values() for label, count in role}
        roles = {label: role for role, day in DAY.items() for label, _ in day}
        total = sum(shape["weight"] for shape in shapes)
        share = {}
        for shape in shapes:
            share[shape["label"]] = share.get(shape["label"], 0.0) + shape["weight"] / total
        print()
        print_table(
            ["request", "as", "a day each", "share of requests", f"answered at {shown['rate']:g}/s", "p95 ms"],
            [
                (label, roles[label], count, f"{share.get(label, 0):.1%}", answered, ms(p95))
                for label, count in counts.items()
                for answered, p95 in [shown["labels"].get(label, (0, None))]
            ],
        )
    served = int(best["rate"] * 3600 / per_person_peak) if best and per_person_peak else 0
    met = served >= args.goal
    how = f"{best['rate']:g} × 3600 / {per_person_peak:.3f} = " if best else "no rate within the budget: "
    print(
        f"\ncapacity (p95 ≤ {args.p95:g} ms, no errors): {how}{served:,} people on this {os.cpu_count()}-core "
        f"machine (goal {args.goal:,}: {'met' if met else 'MISSED'})"
        + (f"; the load generator used {percent(best['generator'])} of the machine's CPU at that rate" if best else "")
    )
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    # Measured as production runs: DEBUG off, with a throw-away key (the bench makes its own sessions).
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    sys.exit(main())
