"""The meeting import through a real Celery worker on Redis and PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from supports.models import Meeting
from supports.tasks import import_meeting_feed

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "meeting-guide-sample.json"


def worker_database_url():
    """The test database, as a URL a separate worker process can connect to."""
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_imports_a_feed_sent_through_the_broker(tmp_path):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_QUEUE": queue,
        "VAR_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "recovery_network", "worker", "--concurrency", "1"]
        + ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "-Q", queue],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        import_meeting_feed.apply_async(args=[str(SAMPLE)], kwargs={"fellowship": "na"}, queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Meeting.objects.count() < 10:
            time.sleep(0.5)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert Meeting.objects.filter(owner__isnull=True, fellowship="na").count() == 10, output[-3000:]
    assert "supports.tasks.import_meeting_feed" in output
