"""Alert to email: how long "I need support now" takes to reach each supporter, through real Celery workers.

    createdb -h 127.0.0.1 -U postgres rn_alertbench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_alertbench REDIS_URL=redis://127.0.0.1:6379/10 \
        .venv/bin/python bench/alert_bench.py

It migrates the database, makes N people (…@alert-bench.example.com; default 1000) each with three supporters
who accepted to be alerted (bulk inserts), starts an SMTP sink (aiosmtpd) that notes when each email arrives,
Celery workers (--concurrency processes, production settings, SMTP to the sink, a queue of its own on
REDIS_URL) and one beat (the sweep every 30 s, as in production), then raises --alerts alerts spread evenly over
--over seconds, as web requests would: each through services.raise_alert, its messages queued when it commits.
Every email's latency is its arrival at the sink less its alert's created_at. Exits 1 when p95 is over --budget
seconds or any email is missing, duplicated or unexpected.

--reminders N also dispatches N check-in reminders due in the same minute (bench/delivery_bench.py's people) and
publishes their emails the moment the first alert is raised: alerts and reminders share one queue in production,
so this is an alert raised at the top of a busy minute.

Use a database of its own or the rn_perf bench database: it deletes and makes its people (…@alert-bench.example.com,
and with --reminders delivery_bench's).
"""

import argparse
import contextlib
import functools
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import delivery_bench  # noqa: E402
from bench.common import ROOT, machine_facts, migrate, print_table, setup_django  # noqa: E402
from bench.delivery_bench import start_worker, stop_worker  # noqa: E402
from bench.http_bench import database_url  # noqa: E402

DOMAIN = "alert-bench.example.com"
# sending.alert_email names the alert and the supporter in every alert's Message-ID.
MESSAGE_ID = re.compile(rb"^Message-ID: <alert-(\d+)-(\d+)@", re.IGNORECASE | re.MULTILINE)


class Sink(delivery_bench.Sink):
    """A real SMTP server on 127.0.0.1 noting, for each alert email, (alert id, contact id) and when it came."""

    def __init__(self):
        super().__init__()
        self.received = []  # (alert_id, contact_id, unix time)
        self.other = 0  # emails that are not alerts

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        found = MESSAGE_ID.search(envelope.content)
        with self.lock:
            if found:
                self.received.append((int(found[1]), int(found[2]), arrived))
            else:
                self.other += 1
        return "250 2.0.0 Accepted"


def make_people(count, contacts_each):
    """`count` people, each with `contacts_each` supporters who accepted alerts by email, in bulk inserts.
    {person: [their contact ids, in the order they are alerted]}."""
    from recovery_network.models import User
    from recovery_network.reach.models import Alert, AlertContact
    from supports.models import Supporter

    old = User.objects.filter(email__endswith=f"@{DOMAIN}")
    Alert.objects.filter(owner__in=old).delete()
    AlertContact.objects.filter(owner__in=old).delete()
    Supporter.objects.filter(owner__in=old).delete()
    old.delete()
    people = User.objects.bulk_create(
        [User(email=f"p{n:06d}@{DOMAIN}", display_name=f"Person {n}", password="!") for n in range(count)],
        batch_size=5000,
    )
    supporters = Supporter.objects.bulk_create(
        [
            Supporter(owner=person, name=f"Supporter {k}", email=f"p{n:06d}s{k}@{DOMAIN}")
            for n, person in enumerate(people)
            for k in range(contacts_each)
        ],
        batch_size=5000,
    )
    contacts = AlertContact.objects.bulk_create(
        [
            # Night alerts on: the bench runs at any hour, and a skipped message would read as missing.
            AlertContact(
                owner_id=supporter.owner_id,
                supporter=supporter,
                status=AlertContact.Status.ACCEPTED,
                position=index % contacts_each + 1,
                email=supporter.email,
                night_alerts=True,
            )
            for index, supporter in enumerate(supporters)
        ],
        batch_size=5000,
    )
    by_person = {person: [] for person in people}
    owners = {person.pk: person for person in people}
    for contact in contacts:
        by_person[owners[contact.owner_id]].append(contact.pk)
    return by_person


@contextlib.contextmanager
def queued_on(queue):
    """Send the tasks raise_alert queues to our workers' queue. Celery reads its default queue from Django's
    settings when a process first sends a task (under pytest, long before this bench runs), so the name is
    given with each task instead, as a web process started with CELERY_QUEUE set would send them."""
    from recovery_network.reach import tasks

    originals = {task: task.apply_async for task in (tasks.send_alert_message, tasks.escalate_alert)}
    for task, apply_async in originals.items():
        task.apply_async = functools.partial(apply_async, queue=queue)
    try:
        yield
    finally:
        for task, apply_async in originals.items():
            task.apply_async = apply_async


def reminder_backlog(count):
    """The email deliveries of `count` check-in reminders due in the same minute, dispatched and not yet queued."""
    import datetime as dt

    from django.utils import timezone

    from recovery_network.models import User
    from recovery_network.notifications import dispatch as reminders

    target = (timezone.now() - dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    people = delivery_bench.make_people(count, target)
    # Only a person with a journey is reminded to check in (delivery_bench's people have none of their own).
    User.objects.filter(pk__in=[person.pk for person in people]).update(has_journey=True)
    reminders.reconcile(now=target - dt.timedelta(minutes=1))
    collected = []
    reminders.dispatch(now=target + dt.timedelta(seconds=20), enqueue=collected.extend)
    return collected


def raise_alerts(people, count, over):
    """Raise one alert for each of the first `count` people, evenly over `over` seconds.
    ({alert id: owner}, how many seconds the latest raise ran behind its moment)."""
    from recovery_network.reach import services

    alerts, behind = {}, 0.0
    started = time.monotonic()
    for index, person in enumerate(people[:count]):
        due = started + index * over / count
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        behind = max(behind, -pause)
        alert, created = services.raise_alert(person)
        if created:
            alerts[alert.pk] = person
    return alerts, behind


class QueueDepth(threading.Thread):
    """Samples the Redis lists behind our queue: tasks waiting for a free worker process."""

    def __init__(self, broker_url, queue):
        import redis

        super().__init__(daemon=True)
        self.client = redis.Redis.from_url(broker_url)
        self.queue = queue
        self.deepest = 0
        self.done = threading.Event()

    def run(self):
        # kombu's Redis transport keeps a list for each priority step: the queue's name, then name + sep + step.
        keys = [self.queue] + [f"{self.queue}\x06\x16{step}" for step in (3, 6, 9)]
        while not self.done.wait(0.1):
            with self.client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.llen(key)
                self.deepest = max(self.deepest, sum(pipe.execute()))


def wait_for_emails(sink, expected, timeout, settle):
    """Until every expected email came (or `timeout`), then `settle` seconds more for any second copy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sink.lock:
            arrived = {(alert_id, contact_id) for alert_id, contact_id, _ in sink.received}
        if expected <= arrived:
            break
        time.sleep(0.25)
    time.sleep(settle)


def percentile(values, share):
    """Nearest rank: the smallest value at least `share` of them are at or below."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def expected_emails(alerts, people):
    """Every (alert id, contact id) that must get one email: the owner's three supporters, for each alert."""
    return {(alert_id, contact) for alert_id, owner in alerts.items() for contact in people[owner]}


def judge(sink, alerts, people, budget):
    """(rows of the table, whether every budget was met) from what the sink received."""
    from recovery_network.reach.models import Alert

    created = dict(Alert.objects.filter(pk__in=alerts).values_list("pk", "created_at"))
    expected = expected_emails(alerts, people)
    copies = Counter((alert_id, contact_id) for alert_id, contact_id, _ in sink.received)
    first = {}
    for alert_id, contact_id, arrived in sink.received:
        first.setdefault((alert_id, contact_id), arrived)
    latencies = [first[pair] - created[pair[0]].timestamp() for pair in expected if pair in first]
    duplicates = sum(n - 1 for n in copies.values())
    missing, unexpected = len(expected - copies.keys()), len(copies.keys() - expected)
    p95 = percentile(latencies, 0.95)
    ok = not (duplicates or missing or unexpected) and p95 <= budget
    rows = [
        ("emails expected (3 a person)", len(expected), ""),
        ("emails received", len(sink.received), "= expected"),
        ("missing", missing, "0"),
        ("duplicated", duplicates, "0"),
        ("unexpected", unexpected, "0"),
        ("latency p50, s", f"{percentile(latencies, 0.50):.2f}", ""),
        ("latency p95, s", f"{p95:.2f}", f"≤ {budget:g}" + ("" if p95 <= budget else " MISSED")),
        ("latency p99, s", f"{percentile(latencies, 0.99):.2f}", ""),
        ("latency max, s", f"{max(latencies, default=math.nan):.2f}", ""),
    ]
    return rows, ok


def worker_env(connection, queue, sink):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "recovery_network.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CELERY_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
        "LOG_LEVEL": "WARNING",
        "VAR_DIR": tempfile.mkdtemp(prefix="rn-alert-bench-"),
    }


def start_beat(env):
    """One beat beside the workers, as production runs it: its sweep is the alerts' safety net."""
    log = (Path(env["VAR_DIR"]) / "beat.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "recovery_network", "beat", "--loglevel", "WARNING"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=1000, help="at most one a person")
    parser.add_argument("--over", type=float, default=60.0, help="seconds the alerts are spread over")
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes")
    parser.add_argument("--budget", type=float, default=5.0, help="most seconds, p95 of alert to email")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds after the last alert to wait")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait for second copies")
    parser.add_argument("--reminders", type=int, default=0, help="reminder emails queued with the first alert")
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)
    if args.alerts > args.people:
        parser.error("--alerts may be at most --people: a person's second tap returns their open alert")
    return args


def main(argv=None):
    args = parse(argv)
    queue = f"bench-alerts-{uuid.uuid4().hex[:8]}"
    setup_django()
    from django.conf import settings
    from django.db import connection

    from recovery_network.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        print("alert_bench needs Redis (set REDIS_URL)")
        return 2
    if not args.no_migrate:
        migrate()
    started = time.perf_counter()
    people = make_people(args.people, contacts_each=3)
    backlog = reminder_backlog(args.reminders) if args.reminders else []
    print(
        f"{len(people)} people with 3 accepted supporters each, {len(backlog)} reminder emails due, made in "
        f"{time.perf_counter() - started:.1f} s"
    )

    sink = Sink().start()
    env = worker_env(connection, queue, sink)
    worker = start_worker(env, args.concurrency, Path(env["VAR_DIR"]) / "worker.log")
    beat = start_beat(env)
    depth = QueueDepth(settings.CELERY_BROKER_URL, queue)
    depth.start()
    try:
        delivery_bench.publish(backlog, queue, settings.DELIVERY_TASK_BATCH)
        with queued_on(queue):
            alerts, behind = raise_alerts(list(people), args.alerts, args.over)
        wait_for_emails(sink, expected_emails(alerts, people), args.timeout, args.settle)
    finally:
        depth.done.set()
        stop_worker(beat)
        stop_worker(worker)
        sink.stop()
        with app.connection_for_write() as conn:
            # The workers put back the 10-minute deadlines they held; delete alone would leave them (this process
            # never declared the queue).
            conn.default_channel.queue_purge(queue)
            conn.default_channel.queue_delete(queue)
    return report(args, sink, alerts, people, behind, depth.deepest, Path(env["VAR_DIR"]) / "worker.log")


def report(args, sink, alerts, people, behind, deepest, log_path):
    rows, ok = judge(sink, alerts, people, args.budget)
    print(machine_facts())
    print_table(
        ["measure", "value", "budget"],
        [
            ("alerts raised", f"{len(alerts)} over {args.over:g} s", ""),
            ("latest raise behind its moment, s", f"{behind:.2f}", ""),
            *rows,
            ("reminder emails queued first, received", f"{args.reminders}, {sink.other}", ""),
            ("deepest queue (tasks waiting)", deepest, ""),
            ("worker processes", args.concurrency, ""),
        ],
    )
    if not ok:
        print("the worker's log ends:\n" + log_path.read_text()[-3000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
