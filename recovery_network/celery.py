"""The Celery application, configured from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery_network.settings")

app = Celery("recovery_network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
