"""Helpers for reminder tests: a fixed clock and a fan-out that records instead of publishing."""

import datetime as dt

import pytest

from recovery_network.notifications import dispatch as reminders


@pytest.fixture(autouse=True)
def enqueued(monkeypatch):
    """Stands in for the Celery fan-out everywhere in these tests: collects the delivery ids that
    would go to send tasks, so no test publishes to a real broker (the worker tests start their own)."""
    ids = []
    monkeypatch.setattr("recovery_network.notifications.tasks.enqueue_deliveries", ids.extend)
    return ids


@pytest.fixture
def dispatch(enqueued):
    def run(now, **kwargs):
        return reminders.dispatch(now=now, enqueue=enqueued.extend, **kwargs)

    return run


def chicago(*args):
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, tzinfo=ZoneInfo("America/Chicago")).astimezone(dt.UTC)


@pytest.fixture
def smtp_sink():
    from tests.notifications.smtp_sink import Sink

    sink = Sink().start()
    yield sink
    sink.stop()
