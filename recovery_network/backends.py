"""Signing in: allauth's authentication backend, under the dotted path our sessions name."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.core.exceptions import PermissionDenied


class AuthenticationBackend(AllauthBackend):
    """allauth's backend, unchanged but for where a failed sign-in stops.

    It exists for its dotted path: sessions signed in since 26 November 2026 record
    `recovery_network.backends.AuthenticationBackend`, and Django loads a session's person
    through the backend the session names, so removing the path would sign them all out.

    The transitional backends listed after it (settings.AUTHENTICATION_BACKENDS) would
    check the same email and password again, hashing the password twice more on every
    failed sign-in. A password checked and refused here ends the chain instead:
    PermissionDenied is Django's documented way for a backend to stop `authenticate()`.
    """

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None and credentials.get("password"):
            raise PermissionDenied("wrong email or password")
        return user
