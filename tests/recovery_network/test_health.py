import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import timezone

from recovery_network import health
from recovery_network.celery import app as celery_app
from recovery_network.models import Heartbeat
from recovery_network.notifications.models import Delivery, Reminder
from recovery_network.reach.models import Alert, AlertSend
from tests.reach.factories import AlertContactFactory

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
    assert body["dispatch_lag"] == "0s" and body["alert_lag"] == "0s"


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


# Late work turns /healthz unhealthy, naming the part


def ago(**kwargs):
    return timezone.now() - dt.timedelta(**kwargs)


def detail(client):
    response = client.get("/healthz", headers=MONITOR)
    return response.status_code, response.json()


def due_reminder(person, due_at, written_at=None, subject_id=1):
    reminder = Reminder.objects.create(
        recipient=person, kind="checkin", subject_id=subject_id, occurrence="o",
        occurs_at=due_at, expires_at=due_at + dt.timedelta(hours=4), due_at=due_at,
    )  # fmt: skip
    Reminder.objects.filter(pk=reminder.pk).update(updated_at=written_at or due_at)
    return reminder


def alert_message(owner, **fields):
    alert = Alert.objects.create(owner=owner)
    return AlertSend.objects.create(alert=alert, contact=AlertContactFactory(owner=owner), channel="email", **fields)


def test_the_defaults_allow_a_few_heartbeats_and_ten_minutes_of_dispatch_lag():
    assert django_settings.HEALTHZ_MAX_HEARTBEAT_AGE_SECONDS == 3 * django_settings.HEARTBEAT_INTERVAL_SECONDS
    assert django_settings.HEALTHZ_MAX_DISPATCH_LAG_SECONDS == 600
    assert django_settings.HEALTHZ_MAX_ALERT_LAG_SECONDS == 120


def test_a_worker_beating_and_work_on_time_is_healthy(anon_client, owner):
    Heartbeat.record("worker", now=ago(seconds=30))
    due_reminder(owner, ago(seconds=45))
    alert_message(owner, next_attempt_at=ago(seconds=5))
    status, body = detail(anon_client)
    assert status == 200, body
    assert body["worker_heartbeat"].endswith("s ago") and not body["worker_heartbeat"].startswith("late")
    assert int(body["dispatch_lag"].removesuffix("s")) >= 45
    assert int(body["alert_lag"].removesuffix("s")) >= 5


def test_a_stale_heartbeat_is_a_503_naming_the_worker(anon_client, settings):
    settings.HEALTHZ_MAX_HEARTBEAT_AGE_SECONDS = 180
    Heartbeat.record("worker", now=ago(seconds=400))
    status, body = detail(anon_client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["worker_heartbeat"].startswith("late: 40") and body["worker_heartbeat"].endswith("s ago (limit 180s)")
    assert body["database"] == body["broker"] == "ok" and body["dispatch_lag"] == "0s"
    assert anon_client.get("/healthz").json() == {"status": "unavailable"}  # no detail without the token


def test_a_worker_that_never_beat_fails_nothing_on_a_fresh_deploy(anon_client):
    """The web comes up before the workers; a worker that never comes up shows in the lag once anything is due."""
    parts = {"database": "ok", "broker": "ok", "worker_heartbeat": "never", "dispatch_lag": "0s", "alert_lag": "0s"}
    assert detail(anon_client) == (200, {"status": "ok", **parts})


def test_a_worker_that_never_came_up_shows_once_reminders_wait(anon_client, owner):
    due_reminder(owner, ago(minutes=11))
    status, body = detail(anon_client)
    assert status == 503 and body["worker_heartbeat"] == "never"
    assert body["dispatch_lag"].startswith("late: 6") and body["dispatch_lag"].endswith("s (limit 600s)")


def test_reminders_due_longer_than_the_limit_are_a_503(anon_client, owner, settings):
    Heartbeat.record("worker")
    due_reminder(owner, ago(minutes=5), subject_id=2)
    assert detail(anon_client)[0] == 200
    due_reminder(owner, ago(minutes=11), subject_id=3)
    status, body = detail(anon_client)
    assert status == 503 and body["dispatch_lag"].startswith("late: ")
    settings.HEALTHZ_MAX_DISPATCH_LAG_SECONDS = 0  # reported, never failing
    status, body = detail(anon_client)
    assert status == 200 and int(body["dispatch_lag"].removesuffix("s")) >= 660


def test_a_reminder_written_already_due_waits_from_when_it_was_written(anon_client, owner):
    """A schedule built with catch-up (a supporter overdue when added) is due at once, days "late"."""
    Heartbeat.record("worker")
    due_reminder(owner, ago(days=3), written_at=ago(seconds=20))
    status, body = detail(anon_client)
    assert status == 200 and int(body["dispatch_lag"].removesuffix("s")) in range(20, 60)


def test_a_delivery_whose_send_was_lost_waits_from_the_end_of_its_lease(anon_client, owner, settings):
    Heartbeat.record("worker")
    lease = dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    made = {"recipient": owner, "kind": "checkin", "by_email": True}
    Delivery.objects.create(**made, occurrence="a", status="pending", next_attempt_at=timezone.now() - lease)
    assert detail(anon_client)[0] == 200  # stalled just now: the next dispatch queues it again
    Delivery.objects.create(**made, occurrence="b", status="sending", claimed_at=ago(minutes=11) - lease)
    status, body = detail(anon_client)
    assert status == 503 and body["dispatch_lag"].startswith("late: ")


def test_alert_messages_waiting_past_their_tighter_limit_are_a_503(anon_client, owner):
    Heartbeat.record("worker")
    alert_message(owner, next_attempt_at=timezone.now() + dt.timedelta(minutes=5))  # waiting out a back-off
    alert_message(owner, status="sent", next_attempt_at=ago(hours=1))
    assert detail(anon_client)[0] == 200
    alert_message(owner, next_attempt_at=ago(minutes=3))
    status, body = detail(anon_client)
    assert status == 503
    assert body["alert_lag"].startswith("late: 18") and body["alert_lag"].endswith("s (limit 120s)")
    assert body["dispatch_lag"] == "0s"


def test_healthz_asks_a_fixed_number_of_queries_whatever_is_waiting(anon_client, owner, django_assert_max_num_queries):
    """SELECT 1, the heartbeat, the reminders, the deliveries and the alert messages: one query each."""
    Heartbeat.record("worker")
    for subject_id in range(1, 31):
        due_reminder(owner, ago(minutes=subject_id), subject_id=subject_id)
    for number in range(10):
        Delivery.objects.create(recipient=owner, kind="checkin", occurrence=str(number), status="pending",
                                next_attempt_at=ago(hours=number + 1))  # fmt: skip
    for minutes in range(5):
        alert_message(owner, next_attempt_at=ago(minutes=minutes))
    with django_assert_max_num_queries(5):
        status, body = detail(anon_client)
    assert status == 503 and body["dispatch_lag"].startswith("late: ") and body["alert_lag"].startswith("late: ")


# /healthz/web, for the proxy: can this instance serve people


def test_the_proxys_check_stays_200_with_the_broker_down_and_the_worker_stopped(anon_client, owner, settings):
    """Taking every instance out for what is the same on all of them would take the crisis page down with them."""
    settings.HEALTHZ_MAX_HEARTBEAT_AGE_SECONDS = 180
    Heartbeat.record("worker", now=ago(seconds=4000))
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        assert anon_client.get("/healthz", headers=MONITOR).status_code == 503
        response = anon_client.get("/healthz/web", headers=MONITOR)
    finally:
        celery_app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert anon_client.get("/healthz/web").json() == {"status": "ok"}  # no detail without the token


def test_the_proxys_check_is_a_503_when_this_instance_cannot_reach_the_database(anon_client, monkeypatch):
    def broken():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    response = anon_client.get("/healthz/web", headers=MONITOR)
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable: OperationalError"}
    assert anon_client.get("/healthz/web").json() == {"status": "unavailable"}


def test_the_proxys_check_asks_one_query(anon_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert anon_client.get("/healthz/web").status_code == 200
