"""Factories for the support network."""

import datetime as dt

import factory
from django.utils import timezone

from supports.models import (
    Attendance,
    Closeness,
    CommunityActivity,
    Contact,
    Fellowship,
    Meeting,
    MeetingFormat,
    MeetingTime,
    PeerGroup,
    Relationship,
    Supporter,
)
from tests.factories import UserFactory


class SupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supporter

    owner = factory.SubFactory(UserFactory)
    name = factory.Faker("first_name")
    relationship = Relationship.FRIEND
    closeness = Closeness.CLOSE
    gives_emotional = True


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    supporter = factory.SubFactory(SupporterFactory)
    owner = factory.SelfAttribute("supporter.owner")
    happened_at = factory.LazyFunction(timezone.now)


class PeerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerGroup

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    fellowship = Fellowship.AA
    format = MeetingFormat.IN_PERSON
    time_zone = "America/Chicago"
    address = "1 Main St"


class MeetingTimeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingTime

    group = factory.SubFactory(PeerGroupFactory)
    weekday = 2
    start_time = dt.time(19, 0)
    end_time = dt.time(20, 0)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    group = factory.SubFactory(PeerGroupFactory)
    owner = factory.SelfAttribute("group.owner")
    attended_on = factory.LazyFunction(lambda: timezone.now().date())


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    slug = factory.Sequence(lambda n: f"meeting-{n}")
    name = factory.Sequence(lambda n: f"Meeting {n}")
    weekdays = ",2,"
    start_time = dt.time(19, 0)
    end_time = dt.time(20, 0)
    time_zone = "America/Chicago"
    address = "1 Main St"


class CommunityActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityActivity

    owner = factory.SubFactory(UserFactory)
    title = "Food bank shift"
    happened_on = factory.LazyFunction(lambda: timezone.now().date())
    hours = 2
