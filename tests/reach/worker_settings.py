"""Settings for a Celery worker started by the reach tests: the reminder tests' worker settings (SMTP to the
test's sink on SINK_PORT), and texts through the SMS backend the test names. The test settings keep texts in
memory, which a test in another process cannot read."""

import os

from tests.notifications.worker_settings import *  # noqa: F403

SMS_BACKEND = os.environ.get("SMS_BACKEND", "sms.backends.locmem.SmsBackend")
