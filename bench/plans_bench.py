"""EXPLAIN for the hot queries (dashboard, map, caseload, family view, access log, reminder dispatch): index scans only.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf .venv/bin/python bench/plans_bench.py

Run it on a database seeded with `seed_demo --scale 10000`. It GETs the pages as
the people who use them — person000100 (500 supporters, five years of history)
for the owner's pages (their access log too) and the family view, Dana Rivera (200 clients) for the
caseload — and runs one reminder dispatch of the current minute, all inside a
transaction that is rolled back; every SELECT, INSERT, UPDATE and DELETE they ran
is EXPLAINed there (without ANALYZE: nothing runs twice). A sequential scan of a
table with more than --big rows misses the budget.
A smaller table (about one row per person at --scale 10000: journeys, meeting
times) may be read whole when PostgreSQL finds that cheaper for a 200-client
caseload, but only if the query is EXPLAINed again with sequential scans disabled
and an index plan exists for it — so the index is there when the table grows.
Prints each plan's top node and its scans; exits 1 on a miss. PostgreSQL only.
"""

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine_facts, print_table, setup_django, signed_in_client  # noqa: E402

OWNER_EMAIL = "person000100@scale.example.com"
COUNSELOR_EMAIL = "rivera@example.com"


def scans(plan):
    """(node type, relation, index) for every scan in a plan tree."""
    found = []
    if "Relation Name" in plan or "Index Name" in plan:
        found.append((plan["Node Type"], plan.get("Relation Name", ""), plan.get("Index Name", "")))
    for child in plan.get("Plans", []):
        found.extend(scans(child))
    return found


def describe(found):
    parts = []
    for node, rel, index in found:
        short = node.replace("Index Only Scan", "IOS").replace("Bitmap Index Scan", "BIS").replace("Index Scan", "IS")
        parts.append(f"{short} {index or rel.split('_', 1)[-1]}")
    return "; ".join(dict.fromkeys(parts))


def index_plan_exists(cursor, sql, relations):
    """With sequential scans off, does PostgreSQL find an index for these tables?"""
    cursor.execute("SET LOCAL enable_seqscan = off")
    try:
        found = scans(explain(cursor, sql))
    finally:
        cursor.execute("SET LOCAL enable_seqscan = on")
    return not any(node == "Seq Scan" and rel in relations for node, rel, _ in found)


def top(plan):
    name = plan["Node Type"]
    if plan.get("Index Name"):
        return f"{name} using {plan['Index Name']}"
    if plan.get("Relation Name"):
        return f"{name} on {plan['Relation Name']}"
    return name


def explain(cursor, sql):
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
    return cursor.fetchone()[0][0]["Plan"]


def captured(action):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        action()
    return [query["sql"] for query in queries.captured_queries]


def hot_queries(owner_email, counselor_email):
    """(what, sql) for every SELECT/INSERT/UPDATE/DELETE the hot paths run."""
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone

    from recovery_network.care.models import Grant
    from recovery_network.models import User
    from recovery_network.notifications import dispatch as reminders

    owner = User.objects.get(email=owner_email)
    counselor = User.objects.get(email=counselor_email)
    owner_client = signed_in_client(owner)
    viewer = Grant.objects.filter(owner=owner, revoked_at__isnull=True).select_related("viewer").first()
    work = [
        ("dashboard", lambda: owner_client.get("/")),
        ("support map", lambda: owner_client.get(reverse("supports:map"))),
        ("check-in form", lambda: owner_client.get(reverse("milestones:checkin"))),
        ("notifications", lambda: owner_client.get(reverse("notifications:index"))),
    ]
    if viewer:
        family_client = signed_in_client(viewer.viewer)
        work.append(("family view", lambda: family_client.get(reverse("care:person", args=[owner.pk]))))
    counselor_client = signed_in_client(counselor)
    work.append(("caseload", lambda: counselor_client.get(reverse("care:caseload"))))
    # The owner's "who has seen my data": their own lines and every look at a caseload they are on.
    work.append(("access log", lambda: owner_client.get(reverse("care:access_log"))))
    work.append(("dispatch", lambda: reminders.dispatch(now=timezone.now(), enqueue=lambda ids: None)))
    for what, action in work:
        action()  # the first GET settles sessions and caches
        with override_settings(PAGE_CACHE=False):  # the queries that render the page, not the cache's copy
            queries = captured(action)
        for sql in queries:
            # A UNION starts with "(SELECT".
            if re.match(r"\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE)", sql, re.I) and "django_session" not in sql:
                yield what, sql


def table_sizes(cursor):
    cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
    return dict(cursor.fetchall())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--big", type=int, default=50_000, help="rows above which a sequential scan misses")
    parser.add_argument("--owner", default=OWNER_EMAIL)
    parser.add_argument("--counselor", default=COUNSELOR_EMAIL)
    args = parser.parse_args(argv)
    setup_django()
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        print("plans_bench needs PostgreSQL (set DATABASE_URL)")
        return 2
    print(machine_facts())
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    rows, missed = [], 0
    with transaction.atomic(), connection.cursor() as cursor:
        sizes = table_sizes(cursor)
        for number, (what, sql) in enumerate(hot_queries(args.owner, args.counselor), start=1):
            plan = explain(cursor, sql)
            found = scans(plan)
            whole = {rel for node, rel, _ in found if node == "Seq Scan" and sizes.get(rel, 0) > 1000}
            bad = {rel for rel in whole if sizes[rel] > args.big}
            if whole and not bad and not index_plan_exists(cursor, sql, whole):
                bad = whole
            missed += bool(bad)
            if bad:
                verdict = "MISSED: seq scan " + ", ".join(sorted(bad))
            elif whole:
                verdict = "ok (small table read whole; index plan exists)"
            else:
                verdict = "ok"
            rows.append((what, number, top(plan), describe(found)[:90], f"{plan['Total Cost']:.0f}", verdict))
        transaction.set_rollback(True)
    print_table(["path", "#", "top node", "scans (IS index scan, IOS index-only, BIS bitmap)", "cost", "budget"], rows)
    if missed:
        print(f"budget missed: {missed} of {len(rows)} queries read a table over {args.big:,} rows whole")
        return 1
    print(f"{len(rows)} queries, none reads a table over {args.big:,} rows whole")
    return 0


if __name__ == "__main__":
    sys.exit(main())
