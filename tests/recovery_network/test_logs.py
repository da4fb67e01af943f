"""The logs: one JSON line per request and per task run, and nothing of anyone's recovery in any line."""

import copy
import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from milestones.models import CalendarFeed, CheckIn
from recovery_network import tasks
from recovery_network.models import Heartbeat
from recovery_network.notifications import tasks as notification_tasks
from recovery_network.notifications.delivery import Outcome
from tests.factories import TEST_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
REQUEST_KEYS = {"method", "route", "view", "status", "duration_ms", "user_id", "request_id"}
TASK_KEYS = {"task", "task_id", "state", "duration_ms", "retries"}


class Lines:
    """What the console would print in production (LOG_FORMAT=json), as parsed JSON objects, and as text."""

    def __init__(self, stream):
        self.stream = stream

    @property
    def text(self):
        return self.stream.getvalue()

    def all(self):
        return [json.loads(line) for line in self.text.splitlines()]

    def of(self, logger):
        return [line for line in self.all() if line["logger"] == logger]


@pytest.fixture
def log():
    """A console handler as settings.LOGGING builds it with LOG_FORMAT=json, on the root logger for the test."""
    config = copy.deepcopy(settings.LOGGING)
    configurator = logging.config.DictConfigurator(config)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(config["formatters"]["json"]))
    for name in config["handlers"]["console"]["filters"]:
        handler.addFilter(configurator.configure_filter(config["filters"][name]))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield Lines(stream)
    finally:
        root.removeHandler(handler)


def test_production_writes_json_and_development_text():
    assert settings.LOGGING["handlers"]["console"]["formatter"] == settings.LOG_FORMAT == "text"  # DEBUG=1 here
    code = "from django.conf import settings; print(settings.LOG_FORMAT)"
    for env, expected in (({"DEBUG": "0"}, "json"), ({"DEBUG": "0", "LOG_FORMAT": "text"}, "text")):
        production = {"SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuv", "ALLOWED_HOSTS": "example.org"}
        found = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "recovery_network.settings", **production, **env},
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.split()[-1]  # fmt: skip
        assert found == expected, env


# Requests


@pytest.mark.django_db
def test_each_request_is_one_line_naming_its_route_never_its_path_or_query(owner_client, owner, log):
    feed = CalendarFeed.objects.create(owner=owner)
    response = owner_client.get(reverse("milestones:calendar_feed", args=[feed.token]) + "?name=secret-query-words")
    assert response.status_code == 200
    [line] = log.of("recovery_network.request")
    assert set(line) >= REQUEST_KEYS
    assert line["method"] == "GET" and line["status"] == 200 and line["level"] == "INFO"
    assert line["route"] == "progress/calendar/<token:token>.ics" and line["view"] == "milestones:calendar_feed"
    assert line["user_id"] == owner.pk and isinstance(line["duration_ms"], float)
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert feed.token not in log.text and "secret-query-words" not in log.text


@pytest.mark.django_db
def test_a_check_in_note_and_an_email_address_never_reach_the_log(owner_client, owner, log):
    note = "Relapsed after the party at Jordan's, called my sponsor"
    assert owner_client.post(reverse("milestones:checkin"), {"sober": "no", "notes": note}).status_code == 302
    assert CheckIn.objects.get(owner=owner).notes == note
    Client().post(reverse("account_login"), {"login": owner.email, "password": TEST_PASSWORD})
    Client().post(reverse("account_login"), {"login": "someone.else@example.net", "password": "wrong-password"})
    lines = log.of("recovery_network.request")
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("POST", "progress/checkin/", 302), ("POST", "accounts/login/", 302), ("POST", "accounts/login/", 200),
    ]  # fmt: skip
    assert lines[0]["user_id"] == lines[1]["user_id"] == owner.pk and lines[2]["user_id"] is None
    for private in ("Relapsed", "Jordan", "sponsor", owner.email, "someone.else", "example.net", TEST_PASSWORD):
        assert private not in log.text, private


@pytest.mark.django_db
def test_djangos_own_warnings_name_the_route_instead_of_a_path_holding_a_key(anon_client, log):
    key = "Zk3pQ9rT2vX8bN4mL7cW1yH6"  # what a calendar address could hold: no such feed
    assert anon_client.get(f"/progress/calendar/{key}.ics?name=secret-query-words").status_code == 404
    assert anon_client.get(f"/nowhere/{key}/").status_code == 404
    warnings = [line["message"] for line in log.of("django.request")]
    assert warnings == ["Not Found: /progress/calendar/<token:token>.ics", "Not Found: (no route)"]
    routes = [line["route"] for line in log.of("recovery_network.request")]
    assert routes == ["progress/calendar/<token:token>.ics", None]
    assert key not in log.text and "secret-query-words" not in log.text
    assert all("request" not in line for line in log.all())  # Django's request object: path and query string


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_and_anything_else_replaced(anon_client, log):
    assert anon_client.get("/healthz", headers={"x-request-id": "lb-7f3a.42"})["X-Request-ID"] == "lb-7f3a.42"
    made = anon_client.get("/healthz", headers={"x-request-id": '"}, {"evil": 1'})["X-Request-ID"]
    assert made != '"}, {"evil": 1' and len(made) == 32
    assert [line["request_id"] for line in log.of("recovery_network.request")] == ["lb-7f3a.42", made]


def test_an_email_address_in_any_message_or_traceback_is_blanked(log):
    logger = logging.getLogger("recovery_network.notifications.delivery")
    logger.warning("Delivery %s failed: %s", 7, "SMTPRecipientsRefused: {'maya.r@example.com': (550, 'no')}")
    try:
        raise ValueError("duplicate key: (email)=(maya.r@example.com)")
    except ValueError:
        logger.exception("Could not save")
    first, second = log.all()
    assert first["message"] == "Delivery 7 failed: SMTPRecipientsRefused: {'[email]': (550, 'no')}"
    assert "(email)=([email])" in second["exc_info"]
    assert "maya.r" not in log.text


# Tasks


@pytest.mark.django_db
def test_each_task_run_is_one_line_with_its_name_state_time_and_retries(log):
    result = tasks.heartbeat.apply()
    [line] = log.of("recovery_network.task")
    assert set(line) >= TASK_KEYS
    assert line["task"] == "recovery_network.tasks.heartbeat" and line["task_id"] == result.id
    assert (line["state"], line["retries"], line["level"]) == ("SUCCESS", 0, "INFO")
    assert line["duration_ms"] >= 0


@pytest.mark.django_db
def test_a_failed_task_says_so_without_its_arguments(log, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(Heartbeat, "record", refused)
    tasks.heartbeat.apply()
    [line] = log.of("recovery_network.task")
    assert (line["state"], line["level"]) == ("FAILURE", "WARNING")
    assert all("data" not in line for line in log.all())  # Celery's copy of the arguments and traceback


@pytest.mark.django_db
def test_a_retried_task_has_a_line_for_each_run(log, monkeypatch):
    calls = []

    def cut_once(delivery_id, connection=None):
        calls.append(delivery_id)
        if len(calls) == 1:
            raise OperationalError("the session was cut")
        return Outcome("sent")

    monkeypatch.setattr(notification_tasks, "send_delivery", cut_once)
    notification_tasks.send_deliveries.apply(args=([987654321],))
    states = [(line["state"], line["retries"]) for line in log.of("recovery_network.task")]
    assert states == [("RETRY", 0), ("SUCCESS", 1)]
    assert "987654321" not in log.text  # a task's arguments are never written


def test_workers_and_beat_log_as_the_web_does():
    """A worker's logging is set up through Celery's setup_logging signal: with LOG_FORMAT=json, JSON lines."""
    code = """
import logging
import django
django.setup()
from recovery_network.celery import app
app.log.setup(loglevel="DEBUG")

@app.task(name="probe")
def probe():
    return 1

probe.apply()
logging.getLogger("probe").info("hello")
"""
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "recovery_network.settings", "LOG_FORMAT": "json", "DEBUG": "1"},
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = [json.loads(line) for line in done.stderr.splitlines()]  # every line JSON
    [task] = [line for line in lines if line["logger"] == "recovery_network.task"]
    assert task["task"] == "probe" and task["state"] == "SUCCESS"
    assert lines[-1]["logger"] == "probe" and lines[-1]["message"] == "hello"


@pytest.mark.parametrize(
    ("log_level", "worker_level", "expected"),
    [("WARNING", "INFO", logging.INFO), ("INFO", "WARNING", logging.INFO), ("DEBUG", None, logging.DEBUG)],
)
def test_a_worker_logs_at_log_level_or_its_loglevel_whichever_says_more(log_level, worker_level, expected):
    """A bench quiets the web with LOG_LEVEL=WARNING and still reads its workers' "ready." at --loglevel INFO; a
    worker started without --loglevel (Celery's WARNING) still writes the task lines at LOG_LEVEL=INFO."""
    from recovery_network.celery import log_as_the_web_does

    saved = copy.deepcopy(settings.LOGGING)
    config = copy.deepcopy(settings.LOGGING)
    config["root"]["level"] = log_level
    try:
        settings.LOGGING = config
        log_as_the_web_does(loglevel=worker_level)
        assert logging.getLogger().level == expected
    finally:
        settings.LOGGING = saved
        logging.config.dictConfig(saved)
