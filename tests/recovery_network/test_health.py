import pytest
from django.db import OperationalError

from recovery_network import health
from recovery_network.celery import app as celery_app
from recovery_network.models import Heartbeat

pytestmark = pytest.mark.django_db

MONITOR = {"authorization": "Bearer health-monitor-token"}


@pytest.fixture(autouse=True)
def _monitor_token(settings):
    settings.HEALTHZ_TOKEN = "health-monitor-token"


def test_healthz_answers_200_when_database_and_broker_answer(anon_client):
    response = anon_client.get("/healthz", headers=MONITOR)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker_heartbeat"] == "never"


def test_healthz_reports_a_recent_worker_heartbeat(anon_client):
    Heartbeat.record("worker")
    assert anon_client.get("/healthz", headers=MONITOR).json()["worker_heartbeat"].endswith("s ago")


def test_healthz_says_the_broker_failed_when_it_cannot_connect(anon_client):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = anon_client.get("/healthz", headers=MONITOR)
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
    response = anon_client.get("/healthz", headers=MONITOR)
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable: OperationalError"
    assert "worker_heartbeat" not in response.json()


def test_healthz_is_not_cached_and_reveals_no_detail(anon_client):
    response = anon_client.get("/healthz", headers=MONITOR)
    assert "no-cache" in response.headers["Cache-Control"]
    assert "password" not in response.content.decode().lower()


# Only operators are told which part failed


def test_anonymous_callers_learn_only_ok_or_not(anon_client, monkeypatch):
    Heartbeat.record("worker")
    assert anon_client.get("/healthz").json() == {"status": "ok"}

    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = anon_client.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}


def test_signed_in_people_who_are_not_operators_learn_only_ok_or_not(owner_client):
    assert owner_client.get("/healthz").json() == {"status": "ok"}


def test_staff_see_the_detail_only_in_a_session_that_passed_two_factor(db):
    from django.test import Client

    from tests.care.factories import turn_on_two_factor
    from tests.factories import UserFactory, sign_in

    staff = UserFactory(is_staff=True)
    assert sign_in(Client(), staff).get("/healthz").json() == {"status": "ok"}  # no authenticator
    turn_on_two_factor(staff)
    assert sign_in(Client(), staff, two_factor=False).get("/healthz").json() == {"status": "ok"}
    body = sign_in(Client(), staff).get("/healthz").json()
    assert body["database"] == "ok" and body["broker"] == "ok" and "worker_heartbeat" in body


def test_a_monitor_with_the_token_sees_the_detail(anon_client, settings):
    settings.HEALTHZ_TOKEN = "monitor-token-0123456789"
    detailed = anon_client.get("/healthz", headers={"authorization": "Bearer monitor-token-0123456789"})
    assert detailed.json()["database"] == "ok"
    for header in ("Bearer wrong-token", "Basic monitor-token-0123456789", "Bearer "):
        assert anon_client.get("/healthz", headers={"authorization": header}).json() == {"status": "ok"}, header
    settings.HEALTHZ_TOKEN = ""
    assert anon_client.get("/healthz", headers={"authorization": "Bearer "}).json() == {"status": "ok"}
