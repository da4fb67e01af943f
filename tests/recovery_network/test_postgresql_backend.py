"""The health check of a reused connection (recovery_network.postgresql) finds a connection the server
ended, before the request uses it, without asking anything of a connection that is still good."""

import select
import time

import psycopg2
import pytest
from django.db import close_old_connections, connection

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's")
    assert connection.settings_dict["ENGINE"] == "recovery_network.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _new_request():
    """What Django does between two requests on a persistent connection."""
    close_old_connections()
    assert connection.connection is not None and not connection.health_check_done


class _Silent:
    """Stands in for the driver's connection: any statement sent through it fails the test."""

    def __init__(self, real):
        self.real = real

    def __getattr__(self, name):
        return getattr(self.real, name)

    def cursor(self, *args, **kwargs):
        raise AssertionError("the health check sent a statement")


def test_a_good_connection_is_checked_without_a_round_trip_and_kept():
    pid = _backend_pid()
    _new_request()
    real = connection.connection
    connection.connection = _Silent(real)
    try:
        connection.close_if_health_check_failed()
    finally:
        connection.connection = real
    assert connection.health_check_done
    assert _backend_pid() == pid, "the same session serves the next request"


def _wait_until_readable(fd, seconds=5):
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    deadline = time.monotonic() + seconds
    while not poller.poll(50):
        assert time.monotonic() < deadline, "the server never ended the session"


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    pid = _backend_pid()
    _new_request()
    other = psycopg2.connect(
        **{k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")}
    )
    try:
        with other, other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()
    _wait_until_readable(connection.connection.fileno())

    # The request's first query runs on a new session instead of failing with "server closed the connection".
    assert _backend_pid() != pid
    assert connection.health_check_done


def test_a_closed_driver_connection_fails_the_check():
    _backend_pid()
    _new_request()
    connection.connection.close()
    assert _backend_pid()  # a fresh connection, no error


def test_the_check_runs_once_a_request():
    _backend_pid()
    _new_request()
    connection.close_if_health_check_failed()
    assert connection.health_check_done
    real = connection.connection
    real.close()  # ended after the check: the check does not run again within the request
    connection.close_if_health_check_failed()
    assert connection.connection is real
    connection.close()


def test_a_stale_connection_reports_through_is_usable_too():
    """After an error Django asks is_usable() (a real SELECT 1), which the backend leaves as Django's."""
    _backend_pid()
    assert connection.is_usable()
    connection.connection.close()
    assert not connection.is_usable()
    connection.close()
