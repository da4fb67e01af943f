"""Django's PostgreSQL backend, with a health check that costs no round trip.

CONN_HEALTH_CHECKS makes Django run `SELECT 1` before the first query of every
request that reuses a persistent connection: a round trip on every page, the
same price as the query that loads the signed-in person. We keep the check and
drop the round trip. A connection the server has ended (a restart, an idle
timeout, `pg_terminate_backend`) leaves its last words on the socket, a FATAL
message and then end of file, so the socket turns readable; an idle connection
that is still good has nothing to read, as nothing is asked of the server
between requests. One zero-timeout poll of the socket tells the two apart.

What a poll cannot see, a link that silently stopped carrying packets, `SELECT 1`
could not see promptly either (it waits for TCP to give up); the first query
fails instead and Django drops the connection at the end of that request, as it
does after any error (then with a real `SELECT 1`, `is_usable()`).
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.socket_is_quiet():
            self.close()
        self.health_check_done = True

    def socket_is_quiet(self):
        """True when nothing from the server waits on the socket of this idle connection."""
        if self.connection.closed:
            return False
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
