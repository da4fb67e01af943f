"""Request-wide pieces: a log line for each request, pages kept out of caches, times in each person's zone,
devices seen at most once a minute, the CSP header built once."""

import hashlib
import time

from allauth.usersessions.models import UserSession
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from . import logs

SESSION_SEEN_SECONDS = 60


class RequestLogMiddleware:
    """One line in the log for each request: its method, route, status, time taken, who (a numeric id) and an id
    for the request, given back as X-Request-ID (the proxy's own, when it sent one). Never its path or query
    string (recovery_network/logs.py).

    First in MIDDLEWARE, so the time covers all the rest, and a response made before the view (a redirect to
    HTTPS or to the address with a slash, a static file) has its line too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started_at = time.perf_counter()
        request.request_id = logs.request_id(request)
        response = self.get_response(request)
        logs.log_request(request, response, time.perf_counter() - started_at)
        response["X-Request-ID"] = request.request_id
        return response


class PrivatePagesMiddleware:
    """Nothing the app renders is kept by a browser or a cache on the way: `Cache-Control: private, no-store`.

    A family computer's browser, or a proxy at work, must not keep a page showing someone's
    recovery (its back button and history included). A signed-in person's responses always get
    it, whatever a view set; others get it unless the view chose its own caching. Static files
    are served (and cached for a year) by WhiteNoise before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


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


class UserLanguageMiddleware:
    """A signed-in person reads every page in the language of their profile, whatever their browser says;
    before sign-in LocaleMiddleware has chosen from the language cookie or Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language and user.language != request.LANGUAGE_CODE:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


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


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once instead of on every response.

    django-csp builds the header from settings twice per response (the policy, then the
    report-only one), a twentieth of a bare request's CPU. A response that asks for
    nothing of its own (no @csp_update, @csp_exempt or the like, no nonce) always gets
    the same header, so that one is kept; any other goes through django-csp unchanged.
    """

    # What django-csp's decorators set on a response.
    OWN_POLICY = tuple(
        f"_csp_{name}{suffix}" for name in ("config", "update", "replace", "exempt") for suffix in ("", "_ro")
    )

    def __init__(self, get_response):
        super().__init__(get_response)
        self.built_from = None

    def site_policy(self):
        """The two headers for the settings in force (tests override them), built once per change."""
        policies = (
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        )
        if self.built_from is None or any(a is not b for a, b in zip(self.built_from, policies, strict=True)):
            self.built_from = policies
            self.headers = (build_policy(), build_policy(report_only=True))
            self.excludes = any((policy or {}).get("EXCLUDE_URL_PREFIXES") for policy in policies)
        return self.headers

    def process_response(self, request, response):
        policy, report_only = self.site_policy()
        if (
            settings.DEBUG  # django-csp leaves Django's debug pages alone
            or self.excludes
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.OWN_POLICY)
        ):
            return super().process_response(request, response)
        if policy and HEADER not in response:
            response[HEADER] = policy
        if report_only and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = report_only
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
