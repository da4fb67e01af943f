"""Publishing tasks without waiting on a broker that is away.

Everything a task carries is in the database first (a pending delivery, a pending alert message, an alert's
deadline), so a publish that fails loses nothing: the next dispatch or sweep queues it again. What a failed
publish must not do is make the next one wait too. A Redis that is down refuses at once, but one that is hung
holds each try for the broker's socket timeout (2 s, settings), and raising an alert publishes twice (its
messages, its deadline). So after a failure this process does not try the broker again for `RETRY_AFTER`
seconds, as the cache does (recovery_network/cache.py). That is process-local state; its reason is that
someone pressing "I need support now" is not kept waiting, and tests/recovery_network/test_redis_down.py
pins it.
"""

import logging
import time

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds
_down_until = 0.0


def publish(send, what):
    """Run send() (which publishes); False, logged, when the broker is unreachable or was a moment ago."""
    global _down_until
    if time.monotonic() < _down_until:
        log.warning("The broker was unreachable a moment ago; not queuing %s now", what)
        return False
    try:
        send()
    except Exception:  # noqa: BLE001 — any failure to publish; what it carried is in the database
        _down_until = time.monotonic() + RETRY_AFTER
        log.warning("Could not queue %s; it waits in the database for the next dispatch or sweep", what, exc_info=True)
        return False
    return True
