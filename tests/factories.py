"""Factories for test data. Each app's factories live here too, grouped by app."""

import re

import factory
from allauth.account.models import EmailAddress

from recovery_network.models import User

TEST_PASSWORD = "a-long-test-passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name")
    time_zone = "America/Chicago"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Every factory user has a verified primary email unless verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


def sign_in(client, user, *, two_factor=None, reauthenticated=False):
    """Sign `client` in as `user`, leaving the session as allauth's sign-in form does.

    allauth records in the session how it was authenticated: a password, then the code
    from an authenticator app when the account has one (it asks for it before signing in).
    `two_factor=None` follows the account; `False` leaves a password alone, as in a session
    signed in before the account's authenticator was added; `True` records a code, turning an
    authenticator app on for the account first if it has none. `reauthenticated` records the
    password as just typed again, which opens allauth's reauthentication-guarded pages for a while.
    """
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import RequestFactory

    client.force_login(user)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if two_factor and authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "password", reauthenticated=reauthenticated or None)
    if two_factor or (two_factor is None and authenticator is not None):
        record_authentication(request, user, "mfa", type="totp", id=authenticator.pk)
    request.session.save()
    return client


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def without_csrf_tokens(html):
    """A page with its CSRF tokens taken out: a check that a short name is not on a page must not find it in a
    random token (64 letters and digits: "Jo" is in about one in sixty of them, and CI once did)."""
    return CSRF_TOKEN.sub("", html)
