"""allauth's account adapter, with two of its answers made safe for any input.

- `is_safe_url`: allauth parses a `next` address before Django's own check, and a
  malformed one ("http://[::1") raised ValueError: a 500 on the sign-in page for anyone.
  A `next` that can't be parsed is not safe, so the person goes to the default page.
- `get_client_ip`: behind a proxy the client's address comes from X-Forwarded-For
  (TRUSTED_PROXY_COUNT). A request with fewer entries than that, or an entry that is no
  address, means the proxy setup is wrong; allauth then failed every request (500 or 403),
  signed-in pages included. The address the connection came from is used instead, and
  the misconfiguration is logged.

And one answer of our own: where signing in leads when no `next` says (`get_login_redirect_url`, and
`get_signup_redirect_url` for the sign-in that follows confirming a new account's email). settings.AFTER_SIGN_IN
names a function f(user) -> URL or None, by dotted path as the home sections are: the first run that answers it
lives in the welcome app, above the core.
"""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_safe_url(self, url):
        try:
            return super().is_safe_url(url)
        except ValueError:
            return False

    def get_login_redirect_url(self, request):
        return _after_sign_in(request) or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request):
        return _after_sign_in(request) or super().get_signup_redirect_url(request)

    def get_client_ip(self, request):
        try:
            return super().get_client_ip(request)
        except (ImproperlyConfigured, PermissionDenied) as problem:
            remote = request.META.get("REMOTE_ADDR")
            if not remote:
                raise
            log.warning("No client address in X-Forwarded-For (%s); check TRUSTED_PROXY_COUNT.", problem)
            return remote


def _after_sign_in(request):
    path = getattr(settings, "AFTER_SIGN_IN", "")
    if not path or not request.user.is_authenticated:
        return None
    return import_string(path)(request.user)
