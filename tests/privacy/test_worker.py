"""Your data's tasks through a real Celery worker on Redis (a separate process on the test database, as in
production): an export asked for on the page is built by the worker and downloaded, and an erasure past its
grace period is carried out by the worker's task."""

import datetime as dt
import io
import uuid
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recovery_network.models import User
from recovery_network.privacy import erasure, tasks
from recovery_network.privacy.models import Erasure, Export
from tests.factories import sign_in
from tests.notifications.smtp_sink import Sink
from tests.notifications.test_worker import Worker, wait_for
from tests.reach.test_worker import forget_queue

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

QUIET = {"REMINDER_DISPATCH_INTERVAL_SECONDS": "3600"}


@pytest.fixture
def worker(tmp_path, monkeypatch):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    for task in (tasks.build_export, tasks.erase_due):
        original = task.apply_async
        monkeypatch.setattr(task, "delay", lambda *args, original=original: original(args, queue=queue))
    sink = Sink().start()
    worker = Worker(tmp_path, sink.port, queue, **QUIET).start()
    assert wait_for(lambda: "ready." in worker.log.read_text(), timeout=60), worker.output()
    yield worker
    worker.stop()
    sink.stop()
    forget_queue(queue)


def test_an_export_asked_for_on_the_page_is_built_by_the_worker(worker, owner):
    client = sign_in(Client(), owner, reauthenticated=True)
    response = client.post(reverse("privacy:export"))
    export = Export.objects.get(owner=owner)
    assert response.url == reverse("privacy:export_status", args=[export.pk])
    assert wait_for(lambda: Export.objects.get(pk=export.pk).status == Export.Status.READY, timeout=60), worker.output()
    download = client.get(reverse("privacy:export_download", args=[export.pk]))
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert "recovery-network.json" in archive.namelist()


def test_an_erasure_past_its_grace_period_is_carried_out_by_the_worker(worker, owner):
    erasure.request(owner)
    Erasure.objects.filter(owner=owner).update(erase_after=timezone.now() - dt.timedelta(seconds=1))
    tasks.erase_due.delay()
    assert wait_for(lambda: not User.objects.filter(pk=owner.pk).exists(), timeout=60), worker.output()
