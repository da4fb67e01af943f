"""Reminder emails per second through a real Celery worker on Redis to a real SMTP server on loopback.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/rn_perf REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/delivery_bench.py --people 5000

bench/dispatch_bench.py times the dispatch (rows to deliveries); this measures the
other half. It makes N people (…@delivery.example.com, verified addresses) with a
check-in reminder due in the same minute, dispatches that minute (collecting the
email deliveries instead of publishing them), starts an SMTP sink (aiosmtpd) and a
Celery worker (--concurrency, production settings, SMTP to the sink, a queue of its
own on REDIS_URL), then publishes the fan-out and times until every delivery is
sent. Exits 1 if any delivery is not sent or the rate is under --budget per second.
Use a database of its own or the rn_perf bench database: it deletes and creates
its people.
"""

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, machine_facts, print_table, setup_django  # noqa: E402
from bench.http_bench import database_url, free_port  # noqa: E402

DOMAIN = "delivery.example.com"
ZONES = ["America/New_York", "America/Chicago", "Europe/London", "Asia/Kolkata", "Pacific/Auckland", "UTC"]


class Sink:
    """A real SMTP server on 127.0.0.1 that counts what it accepts. Other benches subclass it and note more in
    handle_DATA (alert_bench.py: which alert each email is, and when it came)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += len(envelope.rcpt_tos)
        return "250 2.0.0 Accepted"

    def start(self):
        import logging

        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # one line per SMTP command otherwise

        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def make_people(count, target):
    from allauth.account.models import EmailAddress

    from recovery_network.models import User
    from recovery_network.notifications.models import Delivery, Notification, Reminder

    old = User.objects.filter(email__endswith=f"@{DOMAIN}")
    for model in (Notification, Delivery, Reminder):
        model.objects.filter(recipient__in=old).delete()
    old.delete()
    users = []
    for index in range(count):
        zone = ZONES[index % len(ZONES)]
        users.append(
            User(
                email=f"d{index:06d}@{DOMAIN}",
                password="!",
                time_zone=zone,
                checkin_time=target.astimezone(zoneinfo.ZoneInfo(zone)).time(),
                quiet_hours_start=None,
                quiet_hours_end=None,
                has_journey=True,  # the check-in reminder goes only to people with a journey of their own
            )
        )
    users = User.objects.bulk_create(users, batch_size=5000)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=5000
    )
    return users


def publish(ids, queue, size):
    """tasks.enqueue_deliveries, onto our queue by name (in tests Django's settings were read before ours)."""
    from recovery_network.notifications.tasks import send_deliveries

    with send_deliveries.app.producer_or_acquire() as producer:
        for start in range(0, len(ids), size):
            send_deliveries.apply_async((ids[start : start + size],), queue=queue, producer=producer)


def start_worker(env, concurrency, log_path):
    command = [sys.executable, "-m", "celery", "-A", "recovery_network", "worker", "--concurrency", str(concurrency)]
    command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log_path.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None or "ready." in log_path.read_text():
            break
        time.sleep(0.2)
    if process.poll() is not None or "ready." not in log_path.read_text():
        stop_worker(process)
        raise RuntimeError("the Celery worker did not start:\n" + log_path.read_text()[-3000:])
    return process


def stop_worker(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=4, help="worker processes")
    parser.add_argument("--budget", type=float, default=100.0, help="least deliveries per second")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every email")
    args = parser.parse_args(argv)
    queue = f"bench-deliveries-{uuid.uuid4().hex[:8]}"
    os.environ["CELERY_QUEUE"] = queue  # only our worker listens to it
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from recovery_network.celery import app
    from recovery_network.notifications import dispatch as reminders
    from recovery_network.notifications.models import Delivery

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        print("delivery_bench needs Redis (set REDIS_URL)")
        return 2
    # A minute just past, so the deliveries are sendable the moment the worker takes them.
    target = (timezone.now() - dt.timedelta(minutes=2)).replace(second=0, microsecond=0)
    started = time.perf_counter()
    people = make_people(args.people, target)
    reminders.reconcile(now=target - dt.timedelta(minutes=1))
    collected = []
    reminders.dispatch(now=target + dt.timedelta(seconds=20), enqueue=collected.extend)
    ours = list(Delivery.objects.filter(pk__in=collected, recipient__in=people).values_list("pk", flat=True))
    seconds = time.perf_counter() - started
    print(f"{len(people)} people, {len(collected)} email deliveries dispatched in {seconds:.1f} s")

    sink = Sink().start()
    env = {
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
        "VAR_DIR": tempfile.mkdtemp(prefix="rn-bench-var-"),
    }
    log_path = Path(env["VAR_DIR"]) / "worker.log"
    worker = start_worker(env, args.concurrency, log_path)
    try:
        started = time.perf_counter()
        publish(collected, queue, settings.DELIVERY_TASK_BATCH)
        deadline = time.monotonic() + args.timeout
        sent = 0
        while time.monotonic() < deadline:
            sent = Delivery.objects.filter(pk__in=collected, status=Delivery.Status.SENT).count()
            if sent >= len(collected):
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
    finally:
        stop_worker(worker)
        sink.stop()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_delete(queue)
    rate = sent / elapsed if elapsed else 0.0
    print(machine_facts())
    # Nothing sent is no pass: a bench whose people get no reminder would otherwise measure nothing and succeed.
    ok = sent == len(collected) > 0 and sink.count >= len(ours) and rate >= args.budget
    print_table(
        ["measure", "value", "budget"],
        [
            ("email deliveries published", len(collected), ""),
            ("sent (Delivery rows)", sent, "all"),
            ("accepted by the SMTP sink", sink.count, f"≥ {len(ours)}"),
            ("seconds, publish to last sent", f"{elapsed:.1f}", ""),
            ("deliveries per second", f"{rate:.0f}", f"≥ {args.budget:g}" + ("" if ok else " MISSED")),
            ("worker processes", args.concurrency, ""),
        ],
    )
    if sent < len(collected):
        print("the worker's log ends:\n" + log_path.read_text()[-3000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
