"""How long the reminder dispatch takes for N people (default 100 000) due in the same minute.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_bench .venv/bin/python bench/dispatch_bench.py
    DATABASE_URL=… REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/dispatch_bench.py --publish

It migrates the database it is given, replaces its bench people (…@bench.example.com)
with N new ones spread over ten time zones, each with a verified address (sign-up
requires one) and a daily check-in at the same UTC minute, builds their reminder
rows with reconcile(), then times one dispatch of that minute (deliveries, in-app
notifications and counters written, email deliveries handed to the fan-out) and a
second dispatch of the same minute (which must find nothing). It exits 1 when the
first took longer than --budget seconds (the issue's 30). With --publish the fan-out really publishes the send
tasks to Redis, on a throw-away queue that is deleted afterwards; without it the
fan-out only collects the ids, so the number is the database side alone.
--parallel N runs N dispatcher processes at once, as the dispatch task's helpers
do on N workers (they share the due rows through SKIP LOCKED).
Use a database of its own: the bench deletes and creates people.
"""

import argparse
import datetime as dt
import os
import sys
import time
import uuid
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery_network.settings")

from bench.common import machine_facts  # noqa: E402

DOMAIN = "bench.example.com"
ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds the first dispatch may take")
    parser.add_argument(
        "--unverified", action="store_true", help="no verified addresses: in-app only, no emails (as before)"
    )
    parser.add_argument("--batch", type=int, default=None, help="dispatch batch size (REMINDER_DISPATCH_BATCH)")
    parser.add_argument("--publish", action="store_true", help="publish the send tasks to the real broker")
    parser.add_argument(
        "--parallel", type=int, default=1, help="dispatcher processes at once, as the dispatch task's helpers run"
    )
    args = parser.parse_args(argv)
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    if args.publish:
        os.environ["CELERY_QUEUE"] = queue  # a throw-away queue no worker listens to

    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from recovery_network.models import User
    from recovery_network.notifications import dispatch as reminders
    from recovery_network.notifications.models import Delivery, Notification, Reminder

    print(machine_facts())
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    bench_people = User.objects.filter(email__endswith=f"@{DOMAIN}")
    for model in (Notification, Delivery, Reminder):
        model.objects.filter(recipient__in=bench_people).delete()
    EmailAddress.objects.filter(user__in=bench_people).delete()
    bench_people.delete()
    target = (timezone.now() + dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    users = []
    for index in range(args.people):
        zone = ZONES[index % len(ZONES)]
        local = target.astimezone(zoneinfo.ZoneInfo(zone))
        users.append(
            User(
                email=f"bench{index:06d}@{DOMAIN}",
                password="!",
                time_zone=zone,
                checkin_time=local.time(),
                quiet_hours_start=None,
                quiet_hours_end=None,
                # In recovery: the daily check-in reminder is for people with a journey of their own. The flag
                # stands in for one (the bench times the dispatch, which reads the flag, not the journeys).
                has_journey=True,
            )
        )
    User.objects.bulk_create(users, batch_size=5000)
    if not args.unverified:
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=5000
        )
    analyze(connection)
    print(f"created {args.people} people in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    reminders.reconcile(now=target - dt.timedelta(minutes=1))
    analyze(connection)  # fresh planner statistics, as a live database has
    due = Reminder.objects.due(target).count()
    print(f"reconcile built reminder rows in {time.perf_counter() - started:.1f} s; {due} due at {target:%H:%M} UTC")

    collected = []
    if args.publish:
        from recovery_network.celery import app
        from recovery_network.notifications.tasks import enqueue_deliveries

        def enqueue(ids):
            collected.extend(ids)
            enqueue_deliveries(ids)
    else:
        enqueue = collected.extend

    db_time = DatabaseClock()
    started = time.perf_counter()
    if args.parallel == 1:
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(db_time):
            result = reminders.dispatch(now=target + dt.timedelta(seconds=20), enqueue=enqueue, batch_size=args.batch)
        queries = len(captured)
    else:
        result, queries = dispatch_in_processes(args.parallel, target + dt.timedelta(seconds=20), args.batch)
        collected.extend(result.email_ids)
    elapsed = time.perf_counter() - started
    batch = args.batch or settings.REMINDER_DISPATCH_BATCH
    print(
        f"dispatch: {result.sent} delivered ({len(collected)} emails to the fan-out"
        f"{', published' if args.publish else ''}), {result.skipped} skipped, {result.held} held"
    )
    print(
        f"  {elapsed:.2f} s in all, {result.sent / elapsed:,.0f} reminders/s, batch {batch},"
        f" {args.parallel} dispatcher(s), {queries} queries"
        + (f", {db_time.seconds:.1f} s of it waiting on the database" if args.parallel == 1 else "")
    )
    tasks = -(-len(collected) // settings.DELIVERY_TASK_BATCH)
    print(f"  {tasks} send tasks of up to {settings.DELIVERY_TASK_BATCH} deliveries")

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        again = reminders.dispatch(now=target + dt.timedelta(seconds=40), enqueue=enqueue, batch_size=args.batch)
    print(
        f"second dispatch in the same minute: {again.sent} delivered in {time.perf_counter() - started:.3f} s,"
        f" {len(captured)} queries"
    )
    if args.publish:
        with app.connection_for_write() as conn:
            waiting = conn.default_channel.queue_declare(queue, passive=True).message_count
            conn.default_channel.queue_delete(queue)
        print(f"  {waiting} task messages were waiting on the broker (queue {queue} deleted)")
    met = elapsed <= args.budget and result.sent == args.people and again.sent == 0
    print(f"budget: {args.people} people in ≤ {args.budget:g} s: {'met' if met else 'MISSED'} ({elapsed:.2f} s)")
    return 0 if met else 1


def analyze(connection):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class DatabaseClock:
    """An execute_wrapper that adds up the time spent in the database driver."""

    def __init__(self):
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _dispatch_child(now, batch_size, results):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from recovery_network.notifications import dispatch as reminders

    connection.close()  # a connection of its own, never the parent's
    with CaptureQueriesContext(connection) as captured:
        result = reminders.dispatch(now=now, enqueue=lambda ids: None, batch_size=batch_size)
    results.put((result.sent, result.skipped, result.held, len(captured), result.email_ids))


def dispatch_in_processes(count, now, batch_size):
    """Several dispatchers at once in separate processes, as helper tasks on several workers run."""
    import multiprocessing

    from django.db import connection

    from recovery_network.notifications import dispatch as reminders

    connection.close()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=_dispatch_child, args=(now, batch_size, results)) for _ in range(count)]
    for child in children:
        child.start()
    parts = [results.get() for _ in children]
    for child in children:
        child.join()
    total = reminders.DispatchResult()
    for sent, skipped, held, _, email_ids in parts:
        total.sent += sent
        total.skipped += skipped
        total.held += held
        total.email_ids.extend(email_ids)
    return total, sum(part[3] for part in parts)


if __name__ == "__main__":
    sys.exit(main())
