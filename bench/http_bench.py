"""Signed-in HTTP load on gunicorn: every signed-in page of every role, each beside a bare Django view, in one run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/http_bench.py [--owner person000101@scale.example.com]

Run it on a database seeded with `seed_demo --scale 10000`. It starts gunicorn
(gunicorn.conf.py, production settings: DEBUG off, manifest static files, the
Redis cache) with BENCH_BARE_VIEW on and loads every signed-in page a person opens
by GET (bench/common.py's SIGNED_IN_PAGES, the list the query bench counts), each as
the person who opens it: the owner (by default person000100: 500 supporters, five
years of history), the family member they share everything with and Dana Rivera
(200 clients). A page whose URL names an object names one of the owner's own (an
active supporter and group, a journey, their consent, their last check-in's day).
Then the two writes every active person makes each day: a check-in (today's, saved
over and over: an edit after the first) and a contact logged with a supporter (the
contacts the run logs are deleted afterwards), each made by --writers people in turn,
the owner and the next seeded people (one person's sixteen writes at once would only
queue on their own rows' locks, which no one meets in use). Each page gets sessions made just
before it, as just after typing a password, so the pages behind reauthentication
open; --warmup unmeasured seconds, then --concurrency clients for --seconds, from wrk
(or bench/load.py), in a process of its own.

Budget (issue 15): p95 at most --p95 ms on every page, every answer the expected
status (200, or 302 after a POST). Beside it, each page's share of the bare view's
throughput (the mean of a run first and a run last, as a shared machine's speed
drifts); --ratio makes that a budget too. Prints one table; exits 1 when a budget is
missed. With wrk on Linux the table also gives the CPU each request cost the whole
machine and gunicorn's share of it (from /proc): with every core busy, p95 at
--concurrency clients is roughly that many requests' CPU divided by the cores, so it
says what a page must shed.
"""

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zoneinfo
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    SIGNED_IN_PAGES,
    contacts_taken_back,
    machine_facts,
    print_table,
    setup_django,
    signed_in_client,
    world_of,
)

OWNER_EMAIL = "person000100@scale.example.com"
COUNSELOR_EMAIL = "rivera@example.com"
BARE = "bare view (ceiling)"
BARE_AGAIN = "bare view, again at the end"
CHECKIN = "check-in (POST)"
CONTACT = "contact logged (POST)"
CHECKIN_BODY = "sober=yes&mood=4&craving=2&gratitude=A+quiet+morning"


class Target(NamedTuple):
    label: str
    role: str  # whose session asks: "owner", "family" or "counselor"
    method: str
    path: str
    expect: int  # the status every answer should have
    body: str = ""
    # A write made by several people in turn: (person, path, body) each. One person's sixteen writes at
    # once would only queue on the locks of their own rows (their supporter, their data_version).
    writers: tuple = ()


# The code gunicorn serves: this checkout, or another one (BENCH_APP_ROOT=/path/to/checkout, on the same
# database) to measure two commits in one run, each with this bench.
APP_ROOT = Path(os.environ.get("BENCH_APP_ROOT") or ROOT)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict):
    """The database this process uses, as a URL for gunicorn (in tests: the test database)."""
    if "sqlite" in settings_dict["ENGINE"]:
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def people(args):
    """The owner, a family viewer with every scope (made if missing) and the counselor."""
    from recovery_network.care.models import SCOPE_FIELDS, Grant
    from recovery_network.models import User

    owner = User.objects.get(email=args.owner)
    counselor = User.objects.get(email=args.counselor)
    grant = Grant.objects.filter(owner=owner, revoked_at__isnull=True).select_related("viewer").first()
    if grant is None:
        viewer, _ = User.objects.get_or_create(
            email=f"family-of-{owner.pk}@bench.example.com", defaults={"display_name": "Family", "password": "!"}
        )
        grant = Grant.objects.create(owner=owner, viewer=viewer)
    Grant.objects.filter(pk=grant.pk).update(**dict.fromkeys(SCOPE_FIELDS, True))
    return owner, grant.viewer, counselor


def contact_body(owner, now=None):
    """A phone call a day ago in the owner's own zone (the form reads their local time; never in the future)."""
    from django.utils import timezone

    local = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(owner.time_zone)) - dt.timedelta(days=1)
    return urlencode({"happened_at": local.strftime("%Y-%m-%dT%H:%M"), "channel": "phone"})


def writers_for(owner, count):
    """The owner and up to count - 1 more people (the next by id), each with an active supporter."""
    from recovery_network.models import User
    from supports.models import Supporter

    with_supporters = Supporter.objects.active().filter(owner__is_active=True, owner_id__gt=owner.pk)
    others = with_supporters.order_by("owner_id").values_list("owner_id", flat=True).distinct()[: max(0, count - 1)]
    people = [owner, *User.objects.filter(pk__in=list(others)).order_by("pk")]
    first_supporter = {}
    for person_id, supporter_id in (
        Supporter.objects.active().filter(owner__in=people).order_by("owner_id", "pk").values_list("owner_id", "pk")
    ):
        first_supporter.setdefault(person_id, supporter_id)
    return [(person, first_supporter[person.pk]) for person in people if person.pk in first_supporter]


def writes(world, writers=1):
    """The two writes every active person makes each day, each made by `writers` people in turn (the owner
    first): today's check-in and a contact logged with one of their supporters."""
    from django.urls import reverse

    checkin = reverse("milestones:checkin")
    people = writers_for(world.owner, writers) if writers > 1 else [(world.owner, world.supporter_id)]

    def contact(supporter_id):
        return reverse("supports:supporter_contact_create", args=[supporter_id])

    return [
        Target(
            CHECKIN,
            "owner",
            "POST",
            checkin,
            302,
            CHECKIN_BODY,
            writers=tuple((person, checkin, CHECKIN_BODY) for person, _ in people),
        ),
        Target(
            CONTACT,
            "owner",
            "POST",
            contact(world.supporter_id),
            302,
            contact_body(world.owner),
            writers=tuple((person, contact(supporter_id), contact_body(person)) for person, supporter_id in people),
        ),
    ]


def targets(world, writers=1):
    """The bare view, every signed-in GET page of every role, then the two writes; and the pages left out, why.

    A page is left out only when no one could open it for this person: they have no object of the kind its URL
    names, or they share nothing (or not what the page shows) with the counselor, who gets 404 there.
    """
    from recovery_network.care.models import Consent

    consent = Consent.objects.filter(pk=world.consent_id, counselor=world.counselor).first()
    chosen, left_out = [Target(BARE, "owner", "GET", "/bench/bare/", 200)], []
    for page in SIGNED_IN_PAGES:
        if page.arg not in ("", "owner") and getattr(world, page.arg) is None:
            left_out.append(f"{page.label} (they have no {page.arg.removesuffix('_id').replace('_', '-')})")
        elif page.role == "counselor" and page.arg == "owner" and consent is None:
            left_out.append(f"{page.label} (no consent to {world.counselor.email})")
        elif page.role == "counselor" and page.scope and not getattr(consent, page.scope):
            left_out.append(f"{page.label} (their consent does not share {page.scope}: the counselor gets 404)")
        else:
            chosen.append(Target(page.label, page.role, "GET", page.url(world), 200))
    return [*chosen, *writes(world, writers)], left_out


def describe(world):
    """Who is measured, with what makes them heavy or typical."""
    from milestones.models import CheckIn
    from recovery_network.care.models import Consent
    from supports.models import Supporter

    owner = world.owner
    supporters = Supporter.objects.for_owner(owner).active().count()
    checkins = CheckIn.objects.for_owner(owner).count()
    clients = Consent.objects.for_counselor(world.counselor).possibly_valid().count()
    return (
        f"as {owner.email} ({supporters} supporters, {checkins} check-ins), family viewer {world.family.email}, "
        f"counselor {world.counselor.email} ({clients} clients)"
    )


def session_cookie(user):
    """The session cookie of a fresh sign-in (password just typed, and the authenticator's code if any)."""
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    return f"{name}={signed_in_client(user).cookies[name].value}"


def server_env():
    """gunicorn's environment: production settings unless DEBUG is on, this database, sessions that verify.

    Returns (env, debug). With DEBUG off the static files are collected first (manifest storage needs them).
    """
    from django.conf import settings
    from django.db import connection

    # DEBUG as the environment says (off when run as a script); pytest turns settings.DEBUG off on its own.
    debug = os.environ.get("DEBUG", "1").strip().lower() in ("1", "true", "yes", "on")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recovery_network.settings",
        "DEBUG": "1" if debug else "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions made here must verify there
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "STATIC_ROOT": tempfile.mkdtemp(prefix="rn-bench-static-"),
        "BENCH_BARE_VIEW": "1",
        "CELERY_QUEUE": f"bench-http-{secrets.token_hex(4)}",
        "LOG_LEVEL": "WARNING",
    }
    if not debug:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=APP_ROOT, env=env, check=True
        )
    return env, debug


def worker_count(server_pid):
    """gunicorn's live workers (the master's children), as read from /proc; None off Linux."""
    try:
        return sum(
            1
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == server_pid
        )
    except OSError:
        return None


def start_gunicorn(port, env, workers):
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "recovery_network.wsgi",
        "-c",
        str(APP_ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    if workers:
        command += ["--workers", str(workers)]
    server = subprocess.Popen(command, cwd=APP_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited: " + server.stderr.read().decode()[-2000:])
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/bench/bare/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 30 s")


def generator(choice):
    """wrk (C, from Debian's package) when present: it leaves the cores to gunicorn; else bench/load.py."""
    if choice in ("auto", "wrk") and shutil.which("wrk"):
        return "wrk"
    if choice == "wrk":
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --generator=python")
    return "python"


def load_wrk(port, cookie, target, csrf, args, variants):
    method, path, expect, body = target.method, target.path, target.expect, target.body
    env = {
        **os.environ,
        "BENCH_METHOD": method,
        "BENCH_BODY": body,
        "BENCH_COOKIE": cookie,
        "BENCH_EXPECT": str(expect),
        "BENCH_CSRF": csrf,
        "BENCH_VARIANTS": "\n".join(variants),
    }
    script = str(ROOT / "bench" / "wrk_report.lua")
    url = f"http://127.0.0.1:{port}{path}"
    threads = str(min(2, args.concurrency))
    base = ["wrk", "-t", threads, "-c", str(args.concurrency), "-s", script, "--timeout", "10s"]
    # wrk counts whole seconds.
    if args.warmup > 0:
        warmup = f"{max(1, round(args.warmup))}s"
        subprocess.run([*base, "-d", warmup, url], env=env, check=True, capture_output=True)
    seconds = f"{max(1, round(args.seconds))}s"
    before = cpu_seconds(args.server_pid)
    output = subprocess.run([*base, "-d", seconds, url], env=env, check=True, capture_output=True, text=True).stdout
    after = cpu_seconds(args.server_pid)
    result = json.loads(output.strip().splitlines()[-1])
    if before and after and result["requests"]:
        result["cpu_ms"], result["gunicorn_ms"] = (
            (end - start) * 1000 / result["requests"] for start, end in zip(before, after, strict=True)
        )
    return result


def cpu_seconds(server_pid):
    """CPU seconds used so far by the whole machine and by gunicorn (master and workers), or None off Linux."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        with open("/proc/stat") as stat:
            user, nice, system, _idle, _iowait, irq, softirq = (int(n) for n in stat.readline().split()[1:8])
        # The master's own time plus its finished workers' (cutime, cstime), then each live worker's.
        master = Path(f"/proc/{server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        gunicorn = sum(int(n) for n in master[11:15])
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue  # gone meanwhile
                if int(fields[1]) == server_pid:
                    gunicorn += int(fields[11]) + int(fields[12])
    except OSError:
        return None
    return (user + nice + system + irq + softirq) / tick, gunicorn / tick


def load(port, cookie, target, csrf, args, variants=()):
    if args.generator_used == "wrk":
        return load_wrk(port, cookie, target, csrf, args, variants)
    method, path, expect, body = target.method, target.path, target.expect, target.body
    command = [
        sys.executable,
        str(ROOT / "bench" / "load.py"),
        f"--port={port}",
        f"--path={path}",
        f"--method={method}",
        f"--cookie={cookie}",
        f"--expect={expect}",
        f"--concurrency={args.concurrency}",
        f"--seconds={args.seconds}",
        f"--warmup={args.warmup}",
        f"--csrf={csrf}",  # the csrftoken cookie of every request, as a browser sends it back
    ]
    if method == "POST":
        command.append(f"--body={body}")
    with tempfile.NamedTemporaryFile("w", suffix=".tsv") as lines:
        if variants:
            lines.write("\n".join(variants))
            lines.flush()
            command.append(f"--variants={lines.name}")
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owner", default=OWNER_EMAIL)
    parser.add_argument("--counselor", default=COUNSELOR_EMAIL)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--writers", type=int, default=16, help="people making the writes in turn (the owner first); 1: the owner"
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per page")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds before each page")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument(
        "--generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator: wrk when installed (auto), or bench/load.py",
    )
    parser.add_argument(
        "--only", action="append", default=[], help="measure only pages whose label contains this (repeatable)"
    )
    parser.add_argument("--p95", type=float, default=50.0, help="p95 budget in ms")
    parser.add_argument(
        "--ratio", type=float, default=0.0, help="also a throughput budget, as a share of the bare view (0: off)"
    )
    args = parser.parse_args(argv)
    args.generator_used = generator(args.generator)

    setup_django()
    from django.db import connection

    owner, family, counselor = people(args)
    world = world_of(owner, family, counselor)
    who, machine = describe(world), machine_facts()
    pages, left_out = targets(world, args.writers)
    writing = {person for target in pages for person, _, _ in target.writers} | {owner}
    if args.only:  # the bare view always: every page is measured beside it
        pages = [pages[0], *[page for page in pages[1:] if any(part in page.label for part in args.only)]]
    users = {"owner": owner, "family": family, "counselor": counselor}
    csrf = secrets.token_hex(16)  # a 32-character secret: Django accepts it unmasked in cookie and form
    env, debug = server_env()
    connection.close()  # gunicorn's workers, not this process, are measured
    port = free_port()
    server = start_gunicorn(port, env, args.workers)
    args.server_pid = server.pid
    workers = worker_count(server.pid) or args.workers or "default"
    results = []

    def measure(target):
        # A session of its own for each page, made just before: a reauthentication lasts minutes, a run longer.
        cookie = session_cookie(users[target.role])
        variants = [f"{path}\t{session_cookie(person)}\t{body}" for person, path, body in target.writers]
        connection.close()
        result = load(port, cookie, target, csrf, args, variants)
        results.append((target.label, target.role, result))

    try:
        with contacts_taken_back(writing):
            for target in pages:
                measure(target)
            # The bare view again at the end: a shared machine's speed drifts, and the pages are judged
            # against the mean of the two runs (both printed, so the drift shows).
            measure(pages[0]._replace(label=BARE_AGAIN))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)

    print(machine)
    print(
        f"{who}; gunicorn {workers} workers, {args.concurrency} clients, {args.seconds:g} s a page "
        f"(after {args.warmup:g} s unmeasured), load from {args.generator_used}; DEBUG {'on' if debug else 'off'}; "
        f"database {connection.vendor}"
    )
    bare_rps = (results[0][2]["rps"] + results[-1][2]["rps"]) / 2 or 1
    results = [results[0], results[-1], *results[1:-1]]
    rows, missed = [], []
    for label, role, result in results:
        ratio = result["rps"] / bare_rps
        problems = []
        if result["requests"] == 0:
            problems.append("no answer within the run")
        elif result["errors"]:
            problems.append(f"{result['errors']} errors {result['statuses']}")
        if label not in (BARE, BARE_AGAIN):
            if result["p95"] is None or result["p95"] > args.p95:
                problems.append("p95")
            if ratio < args.ratio:
                problems.append("throughput")
        if problems:
            missed.append(f"{label} ({', '.join(problems)})")

        def ms(value, digits=1):
            return "–" if value is None else f"{value:.{digits}f}"

        rows.append(
            (
                label,
                role,
                ms(result["p50"]),
                ms(result["p95"]),
                ms(result["p99"]),
                f"{result['rps']:.0f}",
                f"{ratio:.0%}",
                ms(result.get("cpu_ms"), 2),
                ms(result.get("gunicorn_ms"), 2),
                "MISSED: " + ", ".join(problems) if problems else "ok",
            )
        )
    headers = ["page", "as", "p50 ms", "p95 ms", "p99 ms", "req/s", "of bare", "CPU ms/req", "gunicorn", "budget"]
    print_table(headers, rows)
    if left_out:
        print("not measured, since no one could open them for this person: " + "; ".join(left_out))
    budget = f"p95 ≤ {args.p95:g} ms" + (f", ≥ {args.ratio:.0%} of the bare view's throughput" if args.ratio else "")
    if missed:
        print(f"budget missed ({budget}): " + "; ".join(missed))
        return 1
    print(f"all {len(rows) - 2} requests within {budget}, no errors")
    return 0


if __name__ == "__main__":
    # Measured as production runs: DEBUG off, with a throw-away key (the bench makes its own sessions).
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    sys.exit(main())
