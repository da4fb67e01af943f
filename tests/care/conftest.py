"""An owner with something in every area, and the people around them in each state of sharing.

Strings marked PRIVATE must never reach anyone but the owner, whatever they are allowed to see.
"""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from milestones.models import CheckIn, Journey, PersonalGoal, Setback
from recovery_network.capital.models import ITEM_FIELDS, CapitalCheck
from recovery_network.care.models import Consent, Grant, Recommendation
from recovery_network.notifications.models import Notification
from tests.care.factories import ConsentFactory, GrantFactory, InvitationFactory, all_scopes, turn_on_two_factor
from tests.factories import UserFactory, sign_in
from tests.milestones.factories import EncouragementFactory
from tests.supports.factories import (
    AttendanceFactory,
    CommunityActivityFactory,
    ContactFactory,
    MeetingTimeFactory,
    PeerGroupFactory,
    SupporterFactory,
)

PRIVATE = [
    "PRIVATE-CHECKIN-NOTE",
    "PRIVATE-GRATITUDE",
    "PRIVATE-SETBACK-STORY",
    "PRIVATE-SETBACK-LESSON",
    "PRIVATE-CONTACT-NOTE",
    "PRIVATE-SUPPORTER-NOTE",
    "PRIVATE-OWN-TRIGGER",
    "PRIVATE-ALERT-WORDS",
]
# Shared only within a scope: visible to a viewer holding it, to no one else.
SCOPED = {
    "clean_time": "Sober from wine",
    "support_map": "Marisol Vega",
    "attendance": "1 meeting in the last 30 days",
    "setbacks": "a new count began",
    "checkins": "check-ins since",
    "recovery_capital": 'id="capital-heading"',
}
OWNER_ONLY = ["Recovery walk volunteer", "Rowan's graduation", "Kept note from Gran"]


def client_for(user):
    return sign_in(Client(), user)


@pytest.fixture
def world(owner):
    """The owner's data, in every app, with private and scoped markers."""
    today = owner.local_today()
    supporter = SupporterFactory(
        owner=owner, name="Marisol Vega", closeness=1, contact_every_days=7, notes="PRIVATE-SUPPORTER-NOTE"
    )
    contact = ContactFactory(supporter=supporter, note="PRIVATE-CONTACT-NOTE")
    group = PeerGroupFactory(owner=owner, name="Tuesday Serenity Circle")
    MeetingTimeFactory(group=group)
    AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=2))
    activity = CommunityActivityFactory(owner=owner, title="Recovery walk volunteer")
    journey = Journey.objects.create(
        owner=owner,
        kind=Journey.Kind.ALCOHOL,
        own_words="Sober from wine",
        first_started_on=today - dt.timedelta(days=200),
        started_on=today - dt.timedelta(days=80),
    )
    Setback.objects.create(
        owner=owner,
        journey=journey,
        happened_on=today - dt.timedelta(days=81),
        restart_on=today - dt.timedelta(days=80),
        previous_started_on=today - dt.timedelta(days=200),
        what_happened="PRIVATE-SETBACK-STORY",
        what_learned="PRIVATE-SETBACK-LESSON",
    )
    for offset in range(1, 6):
        CheckIn.objects.create(
            owner=owner,
            local_date=today - dt.timedelta(days=offset),
            sober="yes",
            mood=4,
            craving=3,
            triggers=["stress", "PRIVATE-OWN-TRIGGER"],
            notes="PRIVATE-CHECKIN-NOTE",
            gratitude="PRIVATE-GRATITUDE",
        )
    CapitalCheck.objects.create(owner=owner, taken_on=today - dt.timedelta(days=3), **dict.fromkeys(ITEM_FIELDS, 5))
    goal = PersonalGoal.objects.create(owner=owner, title="Rowan's graduation", on_date=today + dt.timedelta(days=40))
    encouragement = EncouragementFactory(owner=owner, from_name="Gran", message="Kept note from Gran")
    notification = Notification.objects.create(recipient=owner, kind="checkin", title="Time to check in")
    return {
        "today": today,
        "supporter": supporter,
        "contact": contact,
        "group": group,
        "activity": activity,
        "journey": journey,
        "goal": goal,
        "encouragement": encouragement,
        "notification": notification,
    }


@pytest.fixture
def grant(owner, family):
    return Grant.objects.get(owner=owner, viewer=family, revoked_at__isnull=True)


@pytest.fixture
def consent(owner, counselor):
    return Consent.objects.get(owner=owner, counselor=counselor)


@pytest.fixture
def recommendation(owner, counselor):
    return Recommendation.objects.create(owner=owner, counselor=counselor, counselor_name="Casey", text="Call Marcus")


@pytest.fixture
def pending_invitation(owner):
    return InvitationFactory(owner=owner, email="newcomer@example.org")


@pytest.fixture
def people(owner, family, counselor, stranger):
    """Everyone in the matrix, each with a signed-in client (anonymous has none)."""
    expired = UserFactory(email="expired@example.org", display_name="Ex Counselor")
    turn_on_two_factor(expired)
    ConsentFactory(owner=owner, counselor=expired, expires_on=owner.local_today() - dt.timedelta(days=1))
    revoked = UserFactory(email="revoked@example.org", display_name="Rev Counselor")
    turn_on_two_factor(revoked)
    ConsentFactory(owner=owner, counselor=revoked, revoked_at=timezone.now())
    password_only = UserFactory(email="password-only@example.org", display_name="Pat Counselor")
    turn_on_two_factor(password_only)  # the matrix signs this one in without the code (a session from before)
    ConsentFactory(owner=owner, counselor=password_only)
    no_two_factor = UserFactory(email="nototp@example.org", display_name="Plain Counselor")
    ConsentFactory(owner=owner, counselor=no_two_factor)
    assert not Authenticator.objects.filter(user=no_two_factor).exists()
    family_everything = UserFactory(email="fam-all@example.org", display_name="Fam All")
    GrantFactory(owner=owner, viewer=family_everything, **all_scopes())
    return {
        "owner": owner,
        "family": family,
        "family_everything": family_everything,
        "counselor": counselor,
        "counselor_expired": expired,
        "counselor_revoked": revoked,
        "counselor_no_2fa": no_two_factor,
        "counselor_password_only": password_only,
        "stranger": stranger,
    }
