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
