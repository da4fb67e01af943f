import pytest
from django.db import OperationalError

from recovery_network import health
from recovery_network.celery import app as celery_app
from recovery_network.models import Heartbeat

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_and_broker_answer(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker_heartbeat"] == "never"


def test_healthz_reports_a_recent_worker_heartbeat(anon_client):
    Heartbeat.record("worker")
    assert anon_client.get("/healthz").json()["worker_heartbeat"].endswith("s ago")


def test_healthz_says_the_broker_failed_when_it_cannot_connect(anon_client):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = anon_client.get("/healthz")
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"].startswith("unavailable")
    assert body["database"] == "ok"


def test_healthz_says_the_database_failed(anon_client, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable: OperationalError"
    assert "worker_heartbeat" not in response.json()


def test_healthz_is_not_cached_and_reveals_no_detail(anon_client):
    response = anon_client.get("/healthz")
    assert "no-cache" in response.headers["Cache-Control"]
    assert "password" not in response.content.decode().lower()
