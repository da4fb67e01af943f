"""The circle of care's Celery tasks: thin, safe to run twice."""

from celery import shared_task

from . import warning_signs


@shared_task(name="recovery_network.care.tasks.sweep_silence")
def sweep_silence():
    return warning_signs.sweep_silence()
