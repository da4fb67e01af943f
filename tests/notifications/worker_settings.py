"""Settings for a Celery worker started by an integration test: the test settings, sending real SMTP
to the test's sink on SINK_PORT."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["SINK_PORT"])
EMAIL_USE_TLS = False
EMAIL_USE_SSL = False
EMAIL_TIMEOUT = float(os.environ.get("EMAIL_TIMEOUT", "60"))  # a test of a hanging server shortens it
