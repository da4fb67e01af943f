"""Periodic housekeeping. Tasks are thin: they call model methods and are safe to run twice."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import Heartbeat


@shared_task
def heartbeat():
    """Beat schedules this every HEARTBEAT_INTERVAL_SECONDS; /healthz shows its age."""
    return Heartbeat.record("worker").isoformat()


@shared_task
def clear_expired_sessions():
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


# Reminders ---------------------------------------------------------------------


@shared_task
def dispatch_reminders(helper=False):
    """Beat sends this every minute: find due reminders and fan out their emails.

    When more is due than a few batches, helpers are started on other workers;
    dispatchers share the rows through SKIP LOCKED, so a busy minute is spread
    over as many workers as there are.
    """
    from django.conf import settings

    from .models import Reminder
    from .reminders import dispatch

    if not helper:
        due = Reminder.objects.due(timezone.now()).count()
        for _ in range(min(settings.REMINDER_DISPATCH_HELPERS, due // (2 * settings.REMINDER_DISPATCH_BATCH))):
            dispatch_reminders.delay(helper=True)
    result = dispatch()
    return {"sent": result.sent, "skipped": result.skipped, "held": result.held, "requeued": result.requeued}


@shared_task
def reconcile_reminders():
    from .reminders import reconcile

    return reconcile()


@shared_task
def send_deliveries(delivery_ids):
    """Send a chunk of deliveries' emails over one SMTP connection; each one that must try again goes back
    alone, later."""
    from django.core.mail import get_connection

    from .notifications import close_quietly, send_delivery

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
    from django.conf import settings

    size = settings.DELIVERY_TASK_BATCH
    ids = list(delivery_ids)
    with send_deliveries.app.producer_or_acquire() as producer:
        for start in range(0, len(ids), size):
            send_deliveries.apply_async((ids[start : start + size],), producer=producer)
