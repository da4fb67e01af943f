"""The engine's Celery tasks: the top of the notifications app; nothing in it imports them.

Each keeps the name it had before the app moved out of the project package
(`recovery_network.tasks.*`): a send waiting out its back-off (up to half an hour)
or queued by a worker of the previous release must still find its task.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.dispatch import receiver
from django.utils import timezone

from .delivery import close_quietly, deliveries_pending, send_delivery
from .dispatch import dispatch, reconcile
from .models import Reminder


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


@shared_task(name="recovery_network.tasks.send_deliveries")
def send_deliveries(delivery_ids):
    """Send a chunk of deliveries' emails over one SMTP connection; each one that must try again goes back
    alone, later."""
    connection = get_connection()
    try:
        for delivery_id in delivery_ids:
            outcome = send_delivery(delivery_id, connection=connection)
            if outcome.retry_in is not None:
                send_deliveries.apply_async(([delivery_id],), countdown=outcome.retry_in)
    finally:
        close_quietly(connection)


def enqueue_deliveries(delivery_ids):
    """Fan out: one send task per DELIVERY_TASK_BATCH ids, all published over one connection."""
    size = settings.DELIVERY_TASK_BATCH
    ids = list(delivery_ids)
    with send_deliveries.app.producer_or_acquire() as producer:
        for start in range(0, len(ids), size):
            send_deliveries.apply_async((ids[start : start + size],), producer=producer)


@receiver(deliveries_pending, dispatch_uid="notifications-enqueue")
def queue_pending(sender, delivery_ids, **kwargs):
    """What the dispatch and notify() announce is queued here."""
    enqueue_deliveries(delivery_ids)
