"""Two-factor authentication: whether an account has it, and whether this session passed it.

An account with TOTP on is not enough to open client data or the admin: a session
signed in with a password alone before TOTP was turned on (or on a device where the
code was never typed) would be let through. allauth records in the session each way
it was authenticated; a session passed the second factor when one of those records
is a code from an authenticator (at sign-in or when asked again to reauthenticate).

Adding or removing an authenticator ends every other session of the account, so a
session that never saw the new factor cannot outlive the change.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from allauth.usersessions.models import UserSession


def totp_authenticators(user):
    """The authenticator apps of `user` (a user, an id or an OuterRef): the one rule for "has a second factor"
    — recovery codes alone don't count."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)


def account_has_totp(user):
    """Whether the account has an authenticator app set up."""
    if not user.is_authenticated:
        return False
    return totp_authenticators(user).exists()


def session_passed(request):
    """Whether this session's sign-in (or a reauthentication since) included a code from an authenticator."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, user))


def verified(request):
    """This session passed the second factor, and the account still has an authenticator app."""
    return session_passed(request) and account_has_totp(request.user)


def end_other_sessions(sender, request, user, **kwargs):
    """An authenticator was added or removed: sign the account out everywhere but here."""
    current = getattr(getattr(request, "session", None), "session_key", None)
    for session in UserSession.objects.filter(user_id=user.pk).exclude(session_key=current):
        session.end()


def connect():
    authenticator_added.connect(end_other_sessions, dispatch_uid="two-factor-added-ends-sessions")
    authenticator_removed.connect(end_other_sessions, dispatch_uid="two-factor-removed-ends-sessions")
