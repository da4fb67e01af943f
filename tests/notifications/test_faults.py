"""Two beats at once, an SMTP server that refuses and one that hangs, and a delivery left claimed by a worker
that died: every due reminder and every alert message still arrives exactly once, counted at a real SMTP server.

Two real workers, each running its own beat (as two machines each started with beat by mistake would), dispatch
reminders and sweep alerts every second on one queue, with fast back-off. The sink refuses the first ten messages
(451), holds one conversation until the sender gives up (EMAIL_TIMEOUT), and accepts everything after. A
worker killed with SIGKILL in the middle of a send is proven in test_worker.py (reminders) and
tests/reach/test_worker.py (alerts).
"""

import datetime as dt
import time
from collections import Counter

import pytest
from django.utils import timezone

from recovery_network.notifications.dispatch import dispatch
from recovery_network.notifications.models import Delivery
from recovery_network.reach import services
from recovery_network.reach.models import AlertSend
from tests.notifications.smtp_sink import Sink
from tests.notifications.test_worker import Worker, person_due_now, wait_for
from tests.reach.factories import accepted
from tests.reach.test_worker import queue  # noqa: F401 — the fixture: the alert's tasks go to the workers' queue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PEOPLE = 24
REFUSED = 10

FAST = {
    "DJANGO_SETTINGS_MODULE": "tests.reach.worker_settings",
    "ALERT_SWEEP_INTERVAL_SECONDS": "1",
    "DELIVERY_RETRY_BASE_SECONDS": "1",  # 1 s, 4 s, 16 s…
    "ALERT_RETRY_BASE_SECONDS": "1",
    "EMAIL_TIMEOUT": "2",  # a hanging server is given up on after 2 s, and the message tried again
    "DELIVERY_LEASE_SECONDS": "20",
    "DELIVERY_TASK_BATCH": "6",  # the fan-out spreads over both workers
}


def left_claimed_by_a_dead_worker():
    """A reminder whose delivery a worker claimed half an hour ago and never finished."""
    person = person_due_now()
    dispatch(enqueue=lambda ids: None)  # written, never queued: the task was lost with the worker
    stale = timezone.now() - dt.timedelta(minutes=30)
    Delivery.objects.filter(recipient=person).update(status="sending", claimed_at=stale, attempts=1)
    return person


def test_two_beats_a_refusing_and_a_hanging_server_still_deliver_everything_exactly_once(tmp_path, queue, owner):  # noqa: F811
    people = [person_due_now() for _ in range(PEOPLE)]
    taken_over = left_claimed_by_a_dead_worker()
    helpers = accepted(owner, 3)
    sink = Sink().start()
    sink.replies = ["451 4.3.0 Try again later"] * REFUSED
    sink.stall_next = True
    workers = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            workers.append(Worker(tmp_path / name, sink.port, queue, **FAST).start())
        assert all(wait_for(lambda w=w: "ready." in w.log.read_text(), timeout=60) for w in workers)
        services.raise_alert(owner)
        expected = Counter(
            [person.email for person in people] + [taken_over.email] + [helper.email for helper in helpers]
        )
        arrived = wait_for(lambda: len(sink.messages) >= sum(expected.values()), timeout=120)
        time.sleep(4)  # four more dispatches and sweeps from each beat: nothing more may arrive
    finally:
        for worker in workers:
            worker.stop()
        sink.stop()
    logs = "\n".join(worker.output() for worker in workers)
    assert arrived, logs
    made = Counter(message["To"] for message in sink.messages)
    assert made == expected, logs
    assert sink.stalled.is_set()  # the hanging conversation happened
    deliveries = Delivery.objects.filter(by_email=True)
    assert set(deliveries.values_list("status", flat=True)) == {"sent"}
    assert set(AlertSend.objects.values_list("status", flat=True)) == {"sent"}
    tries = sum(deliveries.values_list("attempts", flat=True)) + sum(
        AlertSend.objects.values_list("attempts", flat=True)
    )
    retried = deliveries.filter(attempts__gt=1).count() + AlertSend.objects.filter(attempts__gt=1).count()
    # Each refusal and the hang cost one more try (a message refused again is tried again, later each time); the
    # one left claimed was taken over after its lease.
    assert retried >= 2 and tries >= sum(expected.values()) + REFUSED + 1
    assert Delivery.objects.get(recipient=taken_over).attempts >= 2  # taken over (and maybe refused too)
    both_dispatched = all("dispatch_reminders" in worker.log.read_text() for worker in workers)
    assert both_dispatched, logs  # two beats really ran side by side
    print(
        f"\nTwo beats, {REFUSED} refusals, 1 hang, 1 stale claim: expected {sum(expected.values())}, "
        f"made {len(sink.messages)}, duplicated {sum(n - 1 for n in made.values() if n > 1)}, "
        f"tries {tries}, retried {retried}"
    )
