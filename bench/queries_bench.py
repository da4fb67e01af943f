"""SQL queries per signed-in page for a small world and one ten times larger: they must be equal.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf .venv/bin/python bench/queries_bench.py

Builds two worlds (bench/common.py: an owner with 1× and 10× of every kind of
network and history, a family viewer and a counselor whose caseload grows too)
inside a transaction that is rolled back, GETs every signed-in page as the person
it belongs to and prints the counts side by side: rendered (the page cache off for
that GET, the number that must not grow) and, in the larger world, served from the
page cache (recovery_network.page_cache). Exits 1 when any page runs more
queries in the larger world, or more than --ceiling.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    build_world,
    machine_facts,
    migrate,
    page_query_counts,
    print_table,
    setup_django,
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1, help="size of the small world")
    parser.add_argument("--factor", type=int, default=10, help="how much larger the second world is")
    parser.add_argument("--ceiling", type=int, default=40, help="most queries any page may run")
    parser.add_argument("--no-migrate", action="store_true", help="the database is already migrated (tests)")
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection, transaction

    if not args.no_migrate:
        migrate()
    print(machine_facts())
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    with transaction.atomic():
        worlds = [build_world(args.small), build_world(args.small * args.factor)]
        counts = page_query_counts(worlds)
        transaction.set_rollback(True)
    rows, missed = [], []
    for page, (small, large), cached in counts:
        ok = small == large and large <= args.ceiling and cached <= large
        rows.append((page.label, page.role, small, large, cached, "ok" if ok else "MISSED"))
        if not ok:
            missed.append(page.label)
    headers = ["page", "as", f"rendered ({args.small}×)", f"rendered ({args.small * args.factor}×)", "from page cache"]
    print_table([*headers, "budget"], rows)
    if missed:
        print(f"budget missed: {', '.join(missed)} (equal counts at both sizes, at most {args.ceiling})")
        return 1
    most = max(large for _, (_, large), _ in counts)
    print(f"all {len(rows)} pages flat, at most {most} queries rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
