"""A call for support through a real Celery worker and beat on Redis, to a real SMTP server and the SMS backend.

The worker is a separate process (as in production) on the test database and a queue of its own; the alert is
raised here, as the web process would, and its messages are queued when it commits. These prove: each of the
first three accepted supporters gets one email, however often the sweep runs, and no one else gets any; sending
starts at once, without the sweep's help; a worker killed in the middle of an SMTP conversation still leads to
exactly one email each; a text goes out once; and the sweep starts the next wave once when a deadline passes.
"""

import datetime as dt
import functools
import json
import time
import uuid
from collections import Counter

import pytest
from django.utils import timezone

from recovery_network.celery import app
from recovery_network.reach import services, tasks
from recovery_network.reach.models import Alert, AlertContact, AlertSend, AlertWave
from tests.notifications.smtp_sink import Sink
from tests.notifications.test_worker import Worker, wait_for
from tests.reach.factories import AlertContactFactory, accepted

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Only what each test is about runs: no reminders, no heartbeat, and the sweep as the test says.
QUIET = {"REMINDER_DISPATCH_INTERVAL_SECONDS": "3600", "DJANGO_SETTINGS_MODULE": "tests.reach.worker_settings"}


@pytest.fixture
def sink():
    sink = Sink().start()
    yield sink
    sink.stop()


@pytest.fixture
def queue(monkeypatch):
    """The worker's queue, which the tasks raise_alert queues here go to.

    Celery read its default queue from Django's settings when this process first sent a task, so the name is
    given with each task instead, as a web process started with CELERY_QUEUE set would send them."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    for task in (tasks.send_alert_message, tasks.escalate_alert):
        monkeypatch.setattr(task, "apply_async", functools.partial(task.apply_async, queue=name))
    yield name
    forget_queue(name)


def forget_queue(name):
    """Empty the queue (a stopped worker puts back the deadlines it held) and drop the messages a killed worker
    left unacknowledged on it (kombu keeps those in one hash for every queue, and would put them back an hour
    later). queue_delete() alone deletes nothing here: this process never declared the queue."""
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_purge(name)
        channel.queue_delete(name)
        client = channel.client
        for tag, value in client.hgetall(channel.unacked_key).items():
            if json.loads(value)[-1] == name:
                client.hdel(channel.unacked_key, tag)
                client.zrem(channel.unacked_index_key, tag)


def start_worker(tmp_path, sink, queue, **env):
    worker = Worker(tmp_path, sink.port, queue, **QUIET, **env).start()
    assert wait_for(lambda: "ready." in worker.log.read_text(), timeout=60), worker.output()
    return worker


def emails_to(sink):
    return Counter(message["To"] for message in sink.messages)


def test_an_alert_reaches_the_first_three_accepted_people_once_each(tmp_path, sink, queue, owner):
    AlertContactFactory(owner=owner, status=AlertContact.Status.ASKED, position=0)
    AlertContactFactory(owner=owner, status=AlertContact.Status.DECLINED, position=0)
    first_three, fourth = (people := accepted(owner, 4))[:3], people[3]
    worker = start_worker(tmp_path, sink, queue, ALERT_SWEEP_INTERVAL_SECONDS="1")
    try:
        alert, _ = services.raise_alert(owner, "rough night")
        assert wait_for(lambda: len(sink.messages) >= 3, timeout=30), worker.output()
        time.sleep(3)  # three sweeps and any redelivery: nothing more may arrive
    finally:
        worker.stop()
    assert emails_to(sink) == Counter(contact.email for contact in first_three), worker.output()
    assert fourth.email not in emails_to(sink)
    sends = AlertSend.objects.filter(alert=alert)
    assert sorted(sends.values_list("status", "attempts")) == [("sent", 1)] * 3
    assert "sweep_alerts[" in worker.log.read_text()  # the sweep ran, and sent nothing twice


def test_sending_starts_the_moment_the_alert_commits(tmp_path, sink, queue, owner):
    people = accepted(owner, 3)
    worker = start_worker(tmp_path, sink, queue, ALERT_SWEEP_INTERVAL_SECONDS="3600")
    try:
        services.raise_alert(owner)
        arrived = wait_for(lambda: len(sink.messages) >= 3, timeout=5, interval=0.05)
    finally:
        worker.stop()
    assert arrived, worker.output()
    assert emails_to(sink) == Counter(contact.email for contact in people)
    assert "sweep_alerts[" not in worker.log.read_text()  # no help from the safety net


def test_a_worker_killed_mid_send_still_gives_each_supporter_one_email(tmp_path, sink, queue, owner):
    people = accepted(owner, 3)
    sink.stall_next = True  # the first SMTP conversation hangs at DATA…
    alert, _ = services.raise_alert(owner)
    first = start_worker(tmp_path, sink, queue, ALERT_SWEEP_INTERVAL_SECONDS="3600")
    try:
        assert sink.stalled.wait(60), first.output()
        held = AlertSend.objects.get(alert=alert, status=AlertSend.Status.SENDING)
        first.kill()  # …and the worker dies in the middle of it.
    finally:
        first.stop()
    sink.release.set()
    assert sink.messages == []

    short = {"ALERT_SEND_LEASE_SECONDS": "5", "ALERT_SEND_TIME_LIMIT": "3", "ALERT_SWEEP_INTERVAL_SECONDS": "1"}
    second = start_worker(tmp_path, sink, queue, **short)
    try:
        assert wait_for(lambda: len(sink.messages) >= 3, timeout=40), second.output()
        time.sleep(3)
    finally:
        second.stop()
    assert emails_to(sink) == Counter(contact.email for contact in people), second.output()
    held.refresh_from_db()
    assert (held.status, held.attempts) == ("sent", 2)  # taken over once the dead worker's lease ran out


def test_a_text_goes_out_once_through_the_sms_backend(tmp_path, sink, queue, owner):
    contact = AlertContactFactory(owner=owner, phone="+15550100199")
    texts = tmp_path / "sms"
    sms = {"SMS_BACKEND": "sms.backends.filebased.SmsBackend", "SMS_FILE_PATH": str(texts)}
    worker = start_worker(tmp_path, sink, queue, ALERT_SWEEP_INTERVAL_SECONDS="1", **sms)

    def sent_texts():
        return "".join(path.read_text() for path in texts.glob("*.log")).count("to: +15550100199\n")

    try:
        services.raise_alert(owner)
        assert wait_for(lambda: sent_texts() and sink.messages, timeout=30), worker.output()
        time.sleep(3)
    finally:
        worker.stop()
    assert sent_texts() == 1, worker.output()
    assert emails_to(sink) == Counter([contact.email])
    assert "/reach/answer/" in "".join(path.read_text() for path in texts.glob("*.log"))


def test_the_sweep_starts_the_next_wave_once_when_the_deadline_passes(tmp_path, sink, queue, owner):
    first_wave, second_wave = (people := accepted(owner, 6))[:3], people[3:]
    worker = start_worker(tmp_path, sink, queue, ALERT_SWEEP_INTERVAL_SECONDS="1")
    try:
        alert, _ = services.raise_alert(owner)
        assert wait_for(lambda: len(sink.messages) >= 3, timeout=30), worker.output()
        assert emails_to(sink) == Counter(contact.email for contact in first_wave)
        # No one answered, and ALERT_ANSWER_MINUTES can't be below a minute: the deadline has passed.
        Alert.objects.filter(pk=alert.pk).update(next_wave_at=timezone.now() - dt.timedelta(seconds=1))
        assert wait_for(lambda: len(sink.messages) >= 6, timeout=30), worker.output()
        time.sleep(3)  # more sweeps: no third wave, no second email
    finally:
        worker.stop()
    assert emails_to(sink) == Counter(contact.email for contact in people), worker.output()
    assert list(AlertWave.objects.filter(alert=alert).values_list("number", "size")) == [(1, 3), (2, 3)]
    second = AlertSend.objects.filter(alert=alert, contact__in=second_wave)
    assert set(second.values_list("wave", "status")) == {(2, "sent")}
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN and alert.next_wave_at > timezone.now() + dt.timedelta(minutes=9)
