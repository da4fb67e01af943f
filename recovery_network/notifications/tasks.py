"""The engine's Celery tasks: the top of the notifications app; nothing in it imports them.

Each keeps the name it had before the app moved out of the project package
(`recovery_network.tasks.*`): a send waiting out its back-off (up to half an hour)
or queued by a worker of the previous release must still find its task.
"""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.utils import timezone

from recovery_network import broker

from .delivery import close_quietly, deliveries_pending, lease, send_delivery
from .dispatch import dispatch, reconcile
from .models import Delivery, Reminder


@shared_task(name="recovery_network.tasks.dispatch_reminders")
def dispatch_reminders(helper=False):
    """Beat sends this every minute: find due reminders and fan out their emails.

    When more is due than a few batches, helpers are started on other workers;
    dispatchers share the rows through SKIP LOCKED, so a busy minute is spread
    over as many workers as there are.
    """
    if not helper:
        due = Reminder.objects.due(timezone.now()).count()
        for _ in range(min(settings.REMINDER_DISPATCH_HELPERS, due // (2 * settings.REMINDER_DISPATCH_BATCH))):
            dispatch_reminders.delay(helper=True)
    result = dispatch()
    return {"sent": result.sent, "skipped": result.skipped, "held": result.held, "requeued": result.requeued}


@shared_task(name="recovery_network.tasks.reconcile_reminders")
def reconcile_reminders():
    return reconcile()


@shared_task(
    name="recovery_network.tasks.send_deliveries",
    # A database gone in the middle of a chunk (PostgreSQL restarting, the session cut) doesn't leave the rest of
    # it to wait a lease: the chunk runs again on a fresh session, and what it sent already is not sent again.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=6,
)
def send_deliveries(delivery_ids):
    """Send a chunk of deliveries' emails over one SMTP connection; each one that must try again goes back
    alone, later."""
    connection = get_connection()
    try:
        for delivery_id in delivery_ids:
            outcome = send_delivery(delivery_id, connection=connection)
            if outcome.retry_in is not None:
                _retry_later(delivery_id, outcome.retry_in)
    finally:
        close_quietly(connection)


def enqueue_deliveries(delivery_ids):
    """Fan out: one send task per DELIVERY_TASK_BATCH ids, all published over one connection."""
    size = settings.DELIVERY_TASK_BATCH
    ids = list(delivery_ids)
    with send_deliveries.app.producer_or_acquire() as producer:
        for start in range(0, len(ids), size):
            send_deliveries.apply_async((ids[start : start + size],), producer=producer)


def _retry_later(delivery_id, countdown):
    # Not queued, the row waits in the database and requeue_stalled sends it a lease after its time.
    retry = lambda: send_deliveries.apply_async(([delivery_id],), countdown=countdown)  # noqa: E731
    broker.publish(retry, f"the retry of delivery {delivery_id}")


@receiver(deliveries_pending, dispatch_uid="notifications-enqueue")
def queue_pending(sender, delivery_ids, **kwargs):
    """What the dispatch and notify() announce is queued here.

    A broker that cannot be reached loses nothing and fails nothing: the deliveries are pending in the
    database, so the page or check-in that announced them goes on, and those due now are dated back by a lease,
    which makes them the stalled deliveries the next dispatch queues again (dispatch.requeue_stalled) — once
    Redis is back, within a minute. One held by quiet hours keeps its time and is queued a lease after it.
    """
    if not broker.publish(lambda: enqueue_deliveries(delivery_ids), f"{len(delivery_ids)} deliveries"):
        not_queued(delivery_ids)


def not_queued(delivery_ids, now=None):
    """Make deliveries whose send task could not be published stalled at once, for the next dispatch."""
    now = now or timezone.now()
    Delivery.objects.filter(pk__in=list(delivery_ids), status=Delivery.Status.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now - lease() - dt.timedelta(seconds=1)
    )
