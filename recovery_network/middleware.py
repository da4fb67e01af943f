"""Request-wide pieces: each signed-in person sees times in their own zone; devices are seen at most once a minute."""

import hashlib
import time

from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.utils import timezone

SESSION_SEEN_SECONDS = 60


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def seen_key(session_key):
    return "session-seen:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


class UserSessionsMiddleware:
    """allauth's session tracking (the device list's "last seen", a new device's row), once a minute per session.

    allauth's own middleware reads and rewrites the session's row on every request:
    four queries and a write, a third of a light page's time. A cache entry per
    session (named by a hash: the session key is a credential) lets one request a
    minute through. Each process also remembers for a minute the sessions it has
    asked about, so a session's other requests skip the cache too (that round trip
    was a seventh of a bare request's CPU); "last seen" is at most two minutes old.
    """

    # Past this many sessions asked about in the last minute, a process forgets the lapsed ones.
    REMEMBERED = 10_000

    def __init__(self, get_response):
        self.get_response = get_response
        self.asked_until = {}  # seen_key → when this process asks the cache about that session again

    def __call__(self, request):
        session_key = getattr(request, "session", None) and request.session.session_key
        if session_key and request.user.is_authenticated:
            key, now = seen_key(session_key), time.time()
            if self.asked_until.get(key, 0) <= now:
                self.remember(key, now)
                # cache.add is true for the first request of a session's minute only.
                if cache.add(key, 1, SESSION_SEEN_SECONDS):
                    UserSession.objects.create_from_request(request)
        return self.get_response(request)

    def remember(self, key, now):
        if len(self.asked_until) >= self.REMEMBERED:
            live = {k: until for k, until in self.asked_until.items() if until > now}
            # Forgetting everyone only costs a cache round trip each; it keeps this pruning rare.
            self.asked_until = live if len(live) < self.REMEMBERED // 2 else {}
        self.asked_until[key] = now + SESSION_SEEN_SECONDS
