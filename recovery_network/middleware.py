"""Request-wide pieces: each signed-in person sees times in their own zone; devices are seen at most once a minute."""

import hashlib

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
    minute through, so "last seen" is at most a minute old.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_key = getattr(request, "session", None) and request.session.session_key
        # cache.add is true for the first request of a session's minute only.
        if session_key and request.user.is_authenticated and cache.add(seen_key(session_key), 1, SESSION_SEEN_SECONDS):
            UserSession.objects.create_from_request(request)
        return self.get_response(request)
