"""CPU a signed-in page costs this process, every page in a minute: the quick loop before bench/http_bench.py.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/page_cpu.py [--owner person000101@scale.example.com] [--only network]

On a database seeded with `seed_demo --scale 10000`, as the people bench/http_bench.py
signs in (the owner, the family viewer they share everything with, Dana Rivera), it
GETs every page of bench/common.py's SIGNED_IN_PAGES through Django's handler in this
process (a test Client without the test instrumentation that copies template contexts)
and prints the median CPU time of --repeat GETs: with the cached parts kept (warm, what
nearly every request costs) and rendered (PAGE_CACHE off: what a change or a new
quarter hour costs once), with the queries each runs.

CPU, not wall time: it is what one request takes from a shared core, so it holds
steady while other work runs, and under load p95 at 16 clients on two cores came to
about ten times a request's CPU across the whole machine (bench/http_bench.py prints
both). With --budget MS, exits 1 when a page's warm CPU is above it; with --max-kb KB, when a page's HTML is
larger (issue 17's budget is 100 kB for the heaviest person). With --language es, the three people read every page in
Spanish for the run (their language is put back after): what a translated page costs against the English one.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import SIGNED_IN_PAGES, machine_facts, print_table, setup_django, signed_in_client, world_of  # noqa: E402


def median_cpu_ms(client, url, repeat):
    """(median CPU ms, the page's HTML in kB)."""
    times = []
    for _ in range(repeat):
        started = time.process_time()
        response = client.get(url, secure=True)
        times.append((time.process_time() - started) * 1000)
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}")
    return statistics.median(times), len(response.content) / 1024


def measure(client, url, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    client.get(url, secure=True)  # the session's bookkeeping and the cached parts settle
    warm, size = median_cpu_ms(client, url, repeat)
    with override_settings(PAGE_CACHE=False):
        rendered, _ = median_cpu_ms(client, url, max(3, repeat // 3))
        with CaptureQueriesContext(connection) as captured:
            client.get(url, secure=True)
    return warm, rendered, len(captured), size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--owner", default="person000100@scale.example.com")
    parser.add_argument("--counselor", default="rivera@example.com")
    parser.add_argument("--repeat", type=int, default=15, help="GETs a page, the median counts")
    parser.add_argument("--only", action="append", default=[], help="pages whose label contains this (repeatable)")
    parser.add_argument("--budget", type=float, default=0.0, help="most warm CPU ms a page may cost (0: none)")
    parser.add_argument("--max-kb", type=float, default=0.0, help="most kB of HTML a page may send (0: none)")
    parser.add_argument("--language", default="", help="the language the three people read in for the run (en, es)")
    args = parser.parse_args(argv)
    setup_django()
    from bench.http_bench import people

    owner, family, counselor = people(args)
    if args.language:
        from recovery_network.models import User

        chosen = [owner.pk, family.pk, counselor.pk]
        before = dict(User.objects.filter(pk__in=chosen).values_list("pk", "language"))
        User.objects.filter(pk__in=chosen).update(language=args.language)
        try:
            return _measure_all(args, owner, family, counselor)
        finally:
            for pk, language in before.items():
                User.objects.filter(pk=pk).update(language=language)
    return _measure_all(args, owner, family, counselor)


def _measure_all(args, owner, family, counselor):
    world = world_of(owner, family, counselor)
    clients = {
        role: signed_in_client(user) for role, user in (("owner", owner), ("family", family), ("counselor", counselor))
    }
    rows, over, missing = [], [], []
    for page in SIGNED_IN_PAGES:
        if args.only and not any(part in page.label for part in args.only):
            continue
        if page.arg and page.arg != "owner" and getattr(world, page.arg) is None:
            missing.append(page.label)  # a seeded person may have none (no call for support yet)
            continue
        warm, rendered, queries, size = measure(clients[page.role], page.url(world), args.repeat)
        rows.append((warm, page.label, page.role, rendered, queries, size))
        if args.budget and warm > args.budget:
            over.append(page.label)
        if args.max_kb and size > args.max_kb:
            over.append(f"{page.label} ({size:.0f} kB)")
    print(machine_facts())
    language = f", in {args.language}" if args.language else ""
    who = f"as {owner.email}, family viewer {family.email}, counselor {counselor.email}{language}"
    print(f"{who}; median of {args.repeat} GETs")
    print_table(
        ["page", "as", "CPU ms (kept)", "CPU ms (rendered)", "queries (rendered)", "HTML kB"],
        [
            (label, role, f"{warm:.2f}", f"{rendered:.2f}", queries, f"{size:.1f}")
            for warm, label, role, rendered, queries, size in sorted(rows, reverse=True)
        ],
    )
    if missing:
        print(f"not measured, this person has none: {', '.join(missing)}")
    if over:
        print(f"over budget: {', '.join(over)}")
        return 1
    return 0


if __name__ == "__main__":
    # Measured as production runs (DEBUG off, manifest static files), with a throw-away key.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # a line per GET would bury the table
    if "STATIC_ROOT" not in os.environ:
        os.environ["STATIC_ROOT"] = tempfile.mkdtemp(prefix="rn-bench-static-")
        root = Path(__file__).resolve().parent.parent
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root, check=True)
    sys.exit(main())
