"""Factories for the milestones app."""

import datetime as dt

import factory

from milestones.models import CheckIn, Encouragement, Journey, PersonalGoal, Setback
from tests.factories import UserFactory


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    owner = factory.SubFactory(UserFactory)
    kind = Journey.Kind.ALCOHOL
    started_on = dt.date(2026, 1, 1)
    first_started_on = factory.LazyAttribute(lambda journey: journey.started_on)


class SetbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Setback

    journey = factory.SubFactory(JourneyFactory)
    owner = factory.LazyAttribute(lambda setback: setback.journey.owner)
    happened_on = dt.date(2026, 2, 1)
    previous_started_on = factory.LazyAttribute(lambda setback: setback.journey.started_on)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    owner = factory.SubFactory(UserFactory)
    local_date = dt.date(2026, 1, 2)
    sober = CheckIn.Sober.YES
    mood = 4
    craving = 2


class PersonalGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonalGoal

    owner = factory.SubFactory(UserFactory)
    title = "Sober birthday"
    on_date = dt.date(2026, 6, 1)


class EncouragementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Encouragement

    owner = factory.SubFactory(UserFactory)
    from_name = "Mum"
    message = "So proud of you."
    received_on = dt.date(2026, 1, 31)
