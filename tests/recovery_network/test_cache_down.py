"""With Redis unreachable the cache misses instead of failing: signing in, pages and the check-in work from
the database alone (sessions are kept there too), and the cache is used again once Redis is back.

Each test runs its own redis-server on a free port (or none at all), never the shared one."""

import logging
import shutil
import socket
import subprocess
import time
from collections import Counter

import pytest
from django.core.cache import caches
from django.urls import reverse

from milestones.models import CheckIn
from recovery_network import cache as cache_module
from recovery_network.cache import RedisCache
from tests.factories import TEST_PASSWORD, UserFactory
from tests.milestones.factories import JourneyFactory
from tests.recovery_network.test_bad_input import PATTERNS, ROLES, _valid_args, cast, site  # noqa: F401 — fixtures

OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 1.0}
needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def own_redis():
    server = OwnRedis().start()
    yield server
    if server.process.poll() is None:
        server.stop()


@needs_redis_server
def test_a_cache_whose_redis_stops_misses_and_comes_back(own_redis, monkeypatch):
    cache = RedisCache(f"redis://127.0.0.1:{own_redis.port}/0", {"OPTIONS": OPTIONS})
    cache.set("k", "v")
    assert cache.get("k") == "v"

    own_redis.stop()
    assert cache.get("k", "missed") == "missed"  # no error: a miss
    assert cache.set("k", "w") is None and cache.add("other", 1) is True and cache.get_many(["k"]) == {}
    # While it is known to be down, nothing is tried (each try would wait for the connect timeout).
    monkeypatch.setattr(cache._cache, "get_client", lambda *a, **kw: pytest.fail("Redis was tried again"))
    assert cache.get("k") is None
    monkeypatch.undo()

    own_redis.start()
    monkeypatch.setattr(cache_module, "RETRY_AFTER", 0)
    cache._cache._down_until = 0
    cache.set("k", "back")
    assert cache.get("k") == "back"


@pytest.mark.django_db
def test_signing_in_pages_and_the_check_in_work_with_the_cache_unreachable(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "recovery_network.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                    "OPTIONS": OPTIONS},
        "off": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }  # fmt: skip
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PAGE_CACHE = True
    assert caches["default"].get("anything", "missed") == "missed"
    person = UserFactory(email="olive@example.org", time_zone="America/Chicago")
    JourneyFactory(owner=person, started_on=person.local_today())

    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    for name in ("home", "milestones:checkin", "supports:index", "crisis", "reach:now"):
        assert client.get(reverse(name)).status_code == 200, name
    saved = client.post(reverse("milestones:checkin"), {"sober": "yes", "mood": "4", "craving": "2"})
    assert saved.status_code == 302
    assert CheckIn.objects.filter(owner=person).count() == 1


def unreachable_cache():
    return RedisCache(f"redis://127.0.0.1:{free_port()}/0", {"OPTIONS": OPTIONS})


def test_rate_limits_and_used_codes_are_kept_in_memory_while_redis_is_down():
    cache = unreachable_cache()
    limit = "allauth:rl:account:login_failed:5/300s/key:abc"
    code = "allauth.mfa.totp.used?user=7&code=123456"
    # A page-cache key misses: an add always succeeds, nothing is kept.
    assert cache.add("page:home", 1) is True and cache.add("page:home", 1) is True
    assert cache.get("page:home", "missed") == "missed"
    # A rate limit's history and its lock are kept, and so is a used code: the second add is refused.
    cache.set(limit, [1.0, 2.0], 300)
    assert cache.get(limit, []) == [1.0, 2.0]
    assert cache.add(f"{limit}:lock", True, 10) is True and cache.add(f"{limit}:lock", True, 10) is False
    cache.delete(f"{limit}:lock")
    assert cache.add(f"{limit}:lock", True, 10) is True
    assert cache.add(code, "y", 90) is True and cache.add(code, "y", 90) is False
    # Each cache keeps its own: nothing is shared through module state.
    assert unreachable_cache().get(limit, []) == []


@pytest.mark.django_db
def test_failed_sign_ins_are_still_limited_with_the_cache_unreachable(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "recovery_network.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                    "OPTIONS": OPTIONS},
        "off": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }  # fmt: skip
    person = UserFactory(email="quinn@example.org")
    # allauth's default: 5 failures per account in 5 minutes.
    for attempt in range(5):
        response = client.post(reverse("account_login"), {"login": person.email, "password": f"wrong-{attempt}"})
        assert response.status_code == 200 and b"Too many" not in response.content
    response = client.post(reverse("account_login"), {"login": person.email, "password": TEST_PASSWORD})
    assert b"Too many failed login attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_every_page_answers_every_role_with_the_cache_unreachable(site, cast, settings, caplog):  # noqa: F811
    """Every URL pattern of the site (the bad-input sweep's list, with each page's own valid ids and tokens),
    as each person of the cast: no 500 with Redis unreachable, and the pages people use are served."""
    caplog.set_level(logging.ERROR, logger="django.request")
    settings.CACHES = {
        "default": {"BACKEND": "recovery_network.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
                    "OPTIONS": OPTIONS},
        "off": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }  # fmt: skip
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.PAGE_CACHE = True
    served = Counter()
    for name, route, args in PATTERNS:
        path = route % _valid_args(name, route, args, site)
        for who in ROLES:
            response = cast[who].get(path)
            assert response.status_code < 500, f"GET {path} as {who}: {response.status_code}"
            served[response.status_code] += 1
    # Each role's own pages are there: the owner's home, the family's view, the counselor's caseload.
    for who, name, args in (("owner", "home", []), ("family", "care:person", [site["owner"].pk]),
                            ("counselor", "care:caseload", []), ("owner", "supports:map", [])):  # fmt: skip
        assert cast[who].get(reverse(name, args=args)).status_code == 200, (who, name)
    assert served[200] >= len(PATTERNS), served
    print(f"\nCache unreachable: {len(PATTERNS)} pages × {len(ROLES)} roles, answers {dict(served)}")
