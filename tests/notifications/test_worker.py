"""A reminder's whole journey through a real Celery worker and beat on Redis, to a real SMTP server.

The worker is a separate process (as in production) using the test database;
beat runs the dispatch every second. These prove: exactly one email and one
notification however many dispatches run; and a worker killed in the middle of
an SMTP conversation leads, after a restart, to exactly one email.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from recovery_network.notifications.dispatch import refresh_person
from recovery_network.notifications.models import Delivery, Notification, Reminder
from tests.factories import UserFactory
from tests.recovery_network.test_tasks import worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    def __init__(self, tmp_path, sink_port, queue, **env):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "DATABASE_URL": worker_database_url(),
            "SINK_PORT": str(sink_port),
            "CELERY_QUEUE": queue,  # our own queue: a parallel run on the same Redis cannot take our tasks
            "VAR_DIR": str(tmp_path),
            "REMINDER_DISPATCH_INTERVAL_SECONDS": "1",
            "HEARTBEAT_INTERVAL_SECONDS": "3600",
            **env,
        }
        self.process = None
        self.log = tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log"

    def start(self):
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "recovery_network",
                "worker",
                "--beat",
                "--concurrency",
                "1",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill takes the pool children too
        )
        return self

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self):
        return self.log.read_text()[-4000:]


def wait_for(condition, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def person_due_now():
    """Someone in recovery whose check-in reminder fell due a minute ago."""
    now = timezone.now()
    user = UserFactory(time_zone="UTC", quiet_hours_start=None, quiet_hours_end=None, has_journey=True)
    user.checkin_time = (now - dt.timedelta(minutes=1)).time()
    user.save()
    refresh_person(user, now=now - dt.timedelta(minutes=2))
    assert Reminder.objects.due(now).filter(recipient=user).exists()
    return user


def test_reminder_travels_from_schedule_to_email_and_notification_exactly_once(tmp_path, smtp_sink):
    user = person_due_now()
    worker = Worker(tmp_path, smtp_sink.port, f"test-{uuid.uuid4().hex[:8]}").start()
    try:
        assert wait_for(lambda: smtp_sink.messages), worker.output()
        # Let beat run the dispatch a few more times: nothing more may arrive.
        time.sleep(4)
    finally:
        worker.stop()
    assert len(smtp_sink.messages) == 1, worker.output()
    message = smtp_sink.messages[0]
    assert message["To"] == user.email
    assert message["Subject"] == "A note from Recovery Network"
    assert "Time for your check-in" in message.get_body(("plain",)).get_content()
    delivery = Delivery.objects.get(recipient=user)
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert Notification.objects.filter(recipient=user).count() == 1
    assert "dispatch_reminders" in worker.output()


def test_worker_killed_mid_send_delivers_exactly_once_after_restart(tmp_path, smtp_sink):
    user = person_due_now()
    smtp_sink.stall_next = True  # the first SMTP conversation hangs at DATA…
    queue = f"test-{uuid.uuid4().hex[:8]}"
    short = {"DELIVERY_LEASE_SECONDS": "6", "CELERY_VISIBILITY_TIMEOUT": "4"}
    first = Worker(tmp_path, smtp_sink.port, queue, **short).start()
    try:
        assert smtp_sink.stalled.wait(60), first.output()
        delivery = Delivery.objects.get(recipient=user)
        assert delivery.status == "sending"
        first.kill()  # …and the worker dies in the middle of it.
    finally:
        first.stop()
    smtp_sink.release.set()
    assert smtp_sink.messages == []

    second = Worker(tmp_path, smtp_sink.port, queue, **short).start()
    try:
        assert wait_for(lambda: smtp_sink.messages, timeout=90), second.output()
        time.sleep(4)
    finally:
        second.stop()
    assert len(smtp_sink.messages) == 1, second.output()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert Notification.objects.filter(recipient=user).count() == 1
