"""Celery tasks as plain functions, and the beat → broker → worker pipeline for real."""

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from recovery_network import tasks
from recovery_network.celery import app as celery_app
from recovery_network.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_heartbeat_task_records_a_beat():
    tasks.heartbeat()
    tasks.heartbeat()
    assert Heartbeat.objects.get(name="worker").beats == 2


@pytest.mark.django_db
def test_clear_expired_sessions_keeps_live_ones():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="live", session_data="x", expire_date=now + dt.timedelta(days=1))
    assert tasks.clear_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_beat_schedules_the_heartbeat_through_the_broker():
    schedule = celery_app.conf.beat_schedule
    assert schedule["heartbeat"]["task"] == "recovery_network.tasks.heartbeat"
    assert "recovery_network.tasks.heartbeat" in celery_app.tasks


def worker_database_url():
    """The test database, as a URL a separate worker process can connect to."""
    s = connection.settings_dict
    return f"postgresql://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_real_worker_and_beat_on_redis_run_the_heartbeat(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": worker_database_url(),
        "HEARTBEAT_INTERVAL_SECONDS": "1",
        # A queue of its own, so a parallel run on the same Redis cannot take our tasks.
        "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "VAR_DIR": str(tmp_path),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "recovery_network",
            "worker",
            "--beat",
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        beats = 0
        while time.monotonic() < deadline and beats < 2:
            time.sleep(0.5)
            beat = Heartbeat.objects.filter(name="worker").first()
            beats = beat.beats if beat else 0
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert beats >= 2, output[-3000:]
    assert "Connected to redis://" in output
