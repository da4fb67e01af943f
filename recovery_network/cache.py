"""Django's Redis cache, keeping one client per connection pool instead of building one per call, and missing
instead of failing while Redis is unreachable.

Django's RedisCacheClient makes a new `redis.Redis` for every cache operation, and
each one fills a table of some 340 response callbacks: on a page served from the
page cache that was a third of a millisecond per lookup. A `redis.Redis` is safe to
share between threads (it takes a connection from its pool per command), so one per
pool does.

A cache that is down is a cache that misses. Sessions are kept in the database as well (cached_db), page parts
are rendered again and sign-in rate limits start from nothing, so signing in and every page work from the
database alone. With Django's client, every cache call raised while Redis was unreachable and every page
answered 500. After a failure the client does not try Redis again for `RETRY_AFTER` seconds (state of this
process): each try costs up to the connect timeout (settings: 0.25 s), and a page makes several cache calls.

Two kinds of key must not simply miss, because a miss there is a door left open: allauth's sign-in rate limits
(`allauth:rl:…`, with their locks) and its record of two-factor codes already used (`allauth.mfa.totp.used…`).
While Redis is down those keys are kept in this process's memory instead (`GUARDED`, a LocMemCache per client):
password guessing is still limited — per web process, as Django's own default cache would limit it — and a
code cannot be used twice on the same process. That is process-local state, and its reason is safety, not speed;
tests/recovery_network/test_cache_down.py pins it. Everything else misses.
"""

import logging
import time

import redis
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
# What each operation answers while Redis is down: what it answers for a key that isn't there. So an add
# succeeds (the page cache's keys; allauth's own keys are GUARDED below and kept in memory instead).
MISSED = {
    "add": lambda *args, **kwargs: True,
    "get": lambda key, default: default,
    "set": lambda *args, **kwargs: None,
    "touch": lambda *args, **kwargs: False,
    "delete": lambda *args, **kwargs: False,
    "get_many": lambda *args, **kwargs: {},
    "has_key": lambda *args, **kwargs: False,
    "set_many": lambda *args, **kwargs: [],
    "delete_many": lambda *args, **kwargs: None,
    "clear": lambda *args, **kwargs: False,
}


# Keys that are kept in memory while Redis is down rather than missed (see the module's docstring).
GUARDED = ("allauth:rl:", "allauth.mfa.totp.used")
# The operations on one key that allauth makes on them.
SINGLE_KEY = {"add", "get", "set", "touch", "delete", "has_key"}


def _guarded(name, args, kwargs):
    key = args[0] if args else kwargs.get("key")
    return name in SINGLE_KEY and isinstance(key, str) and any(part in key for part in GUARDED)


def _missing_when_down(name):
    def while_down(self, *args, **kwargs):
        if _guarded(name, args, kwargs):
            return getattr(self._guards, name)(*args, **kwargs)
        return MISSED[name](*args, **kwargs)

    def operation(self, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return while_down(self, *args, **kwargs)
        try:
            return getattr(super(ReusedRedisCacheClient, self), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._down_until = time.monotonic() + RETRY_AFTER
            log.warning("The cache is unreachable (%s); missing for %s s", exc, RETRY_AFTER)
            return while_down(self, *args, **kwargs)

    operation.__name__ = name
    return operation


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}
        self._down_until = 0.0
        # Rate limits and used two-factor codes while Redis is down; a name of its own per client.
        self._guards = LocMemCache(f"redis-down-guards-{id(self)}", {"MAX_ENTRIES": 10_000})

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


# incr is left to fail: Django's incr raises for a missing key too, and nothing of ours calls it.
for _name in MISSED:
    setattr(ReusedRedisCacheClient, _name, _missing_when_down(_name))


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
