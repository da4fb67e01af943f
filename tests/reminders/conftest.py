"""Helpers for reminder tests: a fixed clock and a fan-out that records instead of publishing."""

import datetime as dt

import pytest

from recovery_network import reminders


@pytest.fixture
def enqueued():
    """Stands in for the Celery fan-out: collects the delivery ids a dispatch would send to tasks."""
    ids = []
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
    from tests.reminders.smtp_sink import Sink

    sink = Sink().start()
    yield sink
    sink.stop()
