"""The shared cast of personas and the switches for service and browser tests.

Every view test asks "what does each of them get?":
owner (the person in recovery), family (a family member the owner invited),
counselor (linked by consent), stranger (signed in, unrelated) and anonymous.
The circle of care links them: `family` holds an accepted grant from `owner`
(clean time only, the default), and `counselor` holds a valid consent from `owner`
(every scope) with two-factor authentication on. Tests that need them unlinked
revoke the grant or consent, or use `stranger`.
"""

import os
import shutil

import pytest
from django.test import Client

from tests.factories import UserFactory, sign_in

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _strict(name):
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    """Skip service and browser tests where the machine lacks them — except in CI,
    where REQUIRE_SERVICES / REQUIRE_BROWSER turn a missing part into a failure."""
    db_url = os.environ.get("DATABASE_URL", "")
    have_services = db_url.startswith(("postgres://", "postgresql://")) and bool(
        os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    )
    have_browser = shutil.which(CHROMIUM) is not None
    for item in items:
        if "services" in item.keywords and not have_services:
            if _strict("REQUIRE_SERVICES"):
                item.add_marker(
                    pytest.mark.missing(
                        "REQUIRE_SERVICES is set but DATABASE_URL/REDIS_URL do not point at PostgreSQL and Redis"
                    )
                )
            else:
                item.add_marker(pytest.mark.skip(reason="set DATABASE_URL (PostgreSQL) and REDIS_URL to run"))
        if "browser" in item.keywords and not have_browser:
            if _strict("REQUIRE_BROWSER"):
                item.add_marker(pytest.mark.missing(f"REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}"))
            else:
                item.add_marker(pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}"))


def pytest_runtest_setup(item):
    """A test whose service or browser is missing where it is required fails here, saying which. (A fixture added
    by a `usefixtures` mark during collection would come too late: pytest has worked out fixtures by then.)"""
    for marker in item.iter_markers("missing"):
        pytest.fail(marker.args[0], pytrace=False)


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.org", display_name="Olive", time_zone="America/Chicago")


@pytest.fixture
def family(owner):
    from tests.care.factories import GrantFactory

    user = UserFactory(email="family@example.org", display_name="Fran", time_zone="America/Chicago")
    GrantFactory(owner=owner, viewer=user)
    return user


@pytest.fixture
def counselor(owner):
    from tests.care.factories import ConsentFactory, turn_on_two_factor

    user = UserFactory(email="counselor@example.org", display_name="Casey Counselor", time_zone="America/New_York")
    turn_on_two_factor(user)
    ConsentFactory(owner=owner, counselor=user)
    return user


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.org", display_name="Stan", time_zone="Europe/London")


def _client_for(user):
    return sign_in(Client(), user)


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def family_client(family):
    return _client_for(family)


@pytest.fixture
def counselor_client(counselor):
    return _client_for(counselor)


@pytest.fixture
def stranger_client(stranger):
    return _client_for(stranger)


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth keeps rate limits in the cache, and pages their rendered parts: each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _broker_not_known_down():
    """A test that made the broker unreachable leaves this process not trying it for a few seconds
    (recovery_network/broker.py): each test starts trusting it again."""
    from recovery_network import broker

    broker._down_until = 0.0
    yield
    broker._down_until = 0.0


@pytest.fixture(autouse=True, scope="session")
def _catalogues_compiled():
    """The Spanish pages read the compiled catalogue: built here when missing or older than its .po, as
    `python3 dev.py test` builds it, so running pytest directly reads the same translations."""
    from recovery_network import catalogues

    catalogues.compile_all()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request activates its reader's language in the thread and nothing resets it: each test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")
