"""A reused database connection the server ended is replaced before the request uses it (Django's stock
PostgreSQL backend with CONN_HEALTH_CHECKS)."""

import select
import time

import psycopg2
import pytest
from django.db import close_old_connections, connection

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the health check is asked of PostgreSQL here")
    assert connection.settings_dict["ENGINE"] == "django.db.backends.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"]


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _new_request():
    """What Django does between two requests on a persistent connection."""
    close_old_connections()
    assert connection.connection is not None and not connection.health_check_done


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


def test_a_good_connection_is_kept():
    pid = _backend_pid()
    _new_request()
    assert _backend_pid() == pid, "the same session serves the next request"
