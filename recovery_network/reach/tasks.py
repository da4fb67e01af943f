"""Reach out now's Celery tasks: each takes ids and is safe to run twice.

What services.py announces is queued here: each pending message as a task of its own (an alert's few messages
go out side by side on as many workers as there are), and each wave's deadline as a task for that moment.
`sweep_alerts`, every 30 seconds from beat, is the safety net for a lost or unqueued task: a broker that was
down when the alert was raised, a worker killed holding a message.
"""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.utils import timezone

from recovery_network import broker

from . import sending, services

# Ahead of everything else queued (CELERY_TASK_DEFAULT_PRIORITY is lower): someone is waiting.
PRIORITY = 0


@shared_task(
    name="recovery_network.reach.tasks.send_alert_message",
    time_limit=settings.ALERT_SEND_TIME_LIMIT,
    # Below the hard limit (Celery refuses to queue a task whose soft limit, the default 240 s, is above it).
    soft_time_limit=settings.ALERT_SEND_TIME_LIMIT * 3 // 4,
    # A database gone for a moment (PostgreSQL restarting, the session cut): try again at once on a fresh session,
    # rather than wait for the sweep; the claim keeps it from going out twice.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=1,
    max_retries=6,
)
def send_alert_message(send_id):
    outcome = sending.send_alert_message(send_id)
    if outcome.retry_in is not None:
        send_alert_message.apply_async((send_id,), countdown=outcome.retry_in, priority=PRIORITY)
    return outcome.status


@shared_task(name="recovery_network.reach.tasks.escalate_alert")
def escalate_alert(alert_id):
    wave = services.escalate(alert_id)
    return wave.number if wave else None


@shared_task(name="recovery_network.reach.tasks.sweep_alerts")
def sweep_alerts():
    """Escalate every alert past its deadline, and send again what a lost task left behind."""
    now = timezone.now()
    escalated = [alert_id for alert_id in services.due_alert_ids(now) if services.escalate(alert_id, now)]
    stalled = sending.stalled_ids(now)
    queue_sends(stalled)
    return {"escalated": len(escalated), "requeued": len(stalled)}


def queue_sends(send_ids):
    """Queue each message; a broker that cannot be reached is logged, and the sweep sends them later."""
    if not send_ids:
        return

    def send():
        with send_alert_message.app.producer_or_acquire() as producer:
            for send_id in send_ids:
                send_alert_message.apply_async((send_id,), producer=producer, priority=PRIORITY)

    if not broker.publish(send, f"{len(send_ids)} alert messages"):
        sending.not_queued(send_ids)  # pending in the database: the next sweep sends them


@receiver(services.alerts_pending, dispatch_uid="reach-queue-sends")
def queue_pending(sender, send_ids, **kwargs):
    queue_sends(send_ids)


@receiver(services.wave_started, dispatch_uid="reach-queue-deadline")
def queue_deadline(sender, alert_id, at, **kwargs):
    # Not queued, the deadline is in the database: sweep_alerts escalates it.
    broker.publish(
        lambda: escalate_alert.apply_async((alert_id,), eta=at, priority=PRIORITY), f"the deadline of alert {alert_id}"
    )
