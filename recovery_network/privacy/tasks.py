"""Your data's Celery tasks: each takes ids (or nothing) and is safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import erasure, exporting, retention


@shared_task(
    name="recovery_network.privacy.tasks.build_export",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=5,
)
def build_export(export_id):
    return exporting.build(export_id)


@shared_task(name="recovery_network.privacy.tasks.sweep_exports")
def sweep_exports():
    """Delete the files past their day, and queue again an export whose task was lost (a broker down when it
    was asked for, a worker killed)."""
    exporting.delete_expired()
    return exporting.requeue_stalled(build_export)


@shared_task(name="recovery_network.privacy.tasks.erase_due")
def erase_due():
    """Erase everyone whose grace period is over."""
    return erasure.erase_due()


@shared_task(name="recovery_network.privacy.tasks.apply_retention")
def apply_retention():
    """Delete what is kept no longer than needed (retention.py): nightly from beat."""
    return retention.apply()
