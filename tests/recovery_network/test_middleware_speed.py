"""What keeps the per-request middleware cheap stays bounded and correct."""

from django.http import HttpResponse

from recovery_network.middleware import SESSION_SEEN_SECONDS, UserSessionsMiddleware


def middleware(remembered):
    sessions = UserSessionsMiddleware(lambda request: HttpResponse())
    sessions.REMEMBERED = remembered
    return sessions


def test_a_process_remembers_sessions_for_a_minute():
    sessions = middleware(100)
    sessions.remember("a", now=1000.0)
    assert sessions.asked_until == {"a": 1000.0 + SESSION_SEEN_SECONDS}


def test_lapsed_sessions_are_forgotten_when_the_memory_is_full():
    sessions = middleware(4)
    for key in ("a", "b", "c"):
        sessions.remember(key, now=1000.0)
    sessions.remember("d", now=1000.0 + SESSION_SEEN_SECONDS / 2)
    sessions.remember("e", now=1000.0 + SESSION_SEEN_SECONDS + 1)  # a, b and c have lapsed
    assert set(sessions.asked_until) == {"d", "e"}


def test_the_memory_never_grows_past_its_limit_even_when_every_session_is_live():
    sessions = middleware(10)
    for number in range(1000):
        sessions.remember(f"session-{number}", now=1000.0)
        assert len(sessions.asked_until) <= 10
