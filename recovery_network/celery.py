"""The Celery application, configured from Django settings (CELERY_* names)."""

import logging.config
import os

from celery import Celery
from celery.signals import setup_logging
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery_network.settings")

app = Celery("recovery_network")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect(weak=False, dispatch_uid="django-logging")
def log_as_the_web_does(loglevel=None, **kwargs):
    """Workers and beat log as the web does (settings.LOGGING: JSON lines in production, LOG_FORMAT), not in
    Celery's own format, at LOG_LEVEL or --loglevel, whichever says more (a worker started without --loglevel is
    at Celery's WARNING, which would hide the task lines; one started with --loglevel INFO says it is ready)."""
    logging.config.dictConfig(settings.LOGGING)
    if isinstance(loglevel, str):
        loglevel = logging.getLevelNamesMapping().get(loglevel.upper())
    root = logging.getLogger()
    if isinstance(loglevel, int) and loglevel < root.level:
        root.setLevel(loglevel)
