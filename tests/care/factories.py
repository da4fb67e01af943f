"""Factories for the circle of care."""

import datetime as dt
import secrets

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from recovery_network.care.models import SCOPE_FIELDS, Consent, Grant, Invitation, Recommendation
from tests.factories import UserFactory


def turn_on_two_factor(user, secret=None):
    return TOTP.activate(user, secret or generate_totp_secret())


def all_scopes():
    return dict.fromkeys(SCOPE_FIELDS, True)


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    owner = factory.SubFactory(UserFactory)
    viewer = factory.SubFactory(UserFactory)


class ConsentFactory(factory.django.DjangoModelFactory):
    """A signed, accepted consent covering everything, valid for 90 days."""

    class Meta:
        model = Consent

    owner = factory.SubFactory(UserFactory)
    counselor = factory.SubFactory(UserFactory)
    recipient_name = "Casey Counselor"
    organisation = "Riverside Counseling"
    purpose = "To support my treatment and recovery planning."
    expires_on = factory.LazyAttribute(lambda consent: consent.owner.local_today() + dt.timedelta(days=90))
    signed_name = "Olive Owner"
    clean_time = True
    checkins = True
    recovery_capital = True
    support_map = True
    attendance = True
    setbacks = True


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    owner = factory.SubFactory(UserFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    nonce = factory.LazyFunction(lambda: secrets.token_urlsafe(18))
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    owner = factory.SubFactory(UserFactory)
    counselor = factory.SubFactory(UserFactory)
    counselor_name = "Casey Counselor"
    text = "Join a SMART Recovery group"
