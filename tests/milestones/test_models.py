"""Journeys, streaks and setbacks: history is never erased."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from milestones import services
from milestones.models import CheckIn, Journey, PersonalGoal, Setback
from tests.milestones.factories import CheckInFactory, JourneyFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_restart_closes_the_streak_and_keeps_it_in_history(owner):
    journey = services.start_journey(owner, kind="opioids", started_on=D(2025, 1, 1))
    setback = services.record_setback(
        journey, happened_on=D(2025, 4, 11), restart_on=D(2025, 4, 12), what_learned="Call before, not after."
    )
    journey.refresh_from_db()
    assert journey.started_on == D(2025, 4, 12)
    assert journey.first_started_on == D(2025, 1, 1)
    assert setback.previous_started_on == D(2025, 1, 1)

    today = D(2025, 5, 12)
    streaks = journey.streaks(today)
    assert [(s.started_on, s.ended_on, s.days) for s in streaks] == [
        (D(2025, 1, 1), D(2025, 4, 10), 100),
        (D(2025, 4, 12), None, 30),
    ]
    assert streaks[0].highest_milestone == "90 days"
    assert streaks[1].highest_milestone == "30 days"
    assert journey.total_sober_days(today) == 130
    assert journey.longest_streak(today).days == 100
    assert journey.clean_days(today) == 30


def test_a_setback_without_restart_keeps_the_count_and_is_still_recorded(owner):
    journey = services.start_journey(owner, kind="alcohol", started_on=D(2025, 1, 1))
    services.record_setback(journey, happened_on=D(2025, 2, 1), restart_on=None, what_happened="One drink.")
    journey.refresh_from_db()
    assert journey.started_on == D(2025, 1, 1)
    assert [s.days for s in journey.streaks(D(2025, 3, 1))] == [59]
    assert Setback.objects.get().what_happened == "One drink."


def test_several_restarts_keep_every_streak_in_order(owner):
    journey = services.start_journey(owner, kind="gambling", started_on=D(2024, 1, 1))
    services.record_setback(journey, happened_on=D(2024, 3, 1), restart_on=D(2024, 3, 2))
    services.record_setback(journey, happened_on=D(2024, 3, 2), restart_on=D(2024, 3, 3))  # the next day, again
    services.record_setback(journey, happened_on=D(2024, 6, 1), restart_on=None)
    journey = Journey.objects.with_history().get(pk=journey.pk)
    streaks = journey.streaks(D(2024, 12, 31))
    assert [s.days for s in streaks] == [60, 0, 303]
    assert journey.longest_streak(D(2024, 12, 31)).is_current


def test_the_database_refuses_a_restart_before_the_setback(owner):
    journey = JourneyFactory(owner=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Setback.objects.create(
            owner=owner,
            journey=journey,
            happened_on=D(2026, 2, 1),
            restart_on=D(2026, 1, 1),
            previous_started_on=D(2026, 1, 1),
        )


def test_the_database_refuses_a_current_count_before_the_first_day(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        Journey.objects.create(owner=owner, kind="alcohol", first_started_on=D(2026, 2, 1), started_on=D(2026, 1, 1))


def test_the_database_refuses_a_goal_that_is_both_or_neither(owner):
    journey = JourneyFactory(owner=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonalGoal.objects.create(owner=owner, title="x", journey=journey, days=100, on_date=D(2026, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonalGoal.objects.create(owner=owner, title="x")


def test_day_count_goal_follows_a_restart(owner):
    journey = services.start_journey(owner, kind="alcohol", started_on=D(2026, 1, 1))
    goal = PersonalGoal.objects.create(owner=owner, title="100 days", journey=journey, days=100)
    assert goal.due_on == D(2026, 4, 11)
    services.record_setback(journey, happened_on=D(2026, 2, 1), restart_on=D(2026, 2, 2))
    goal.refresh_from_db()
    assert goal.due_on == D(2026, 5, 13)


def test_any_day_count_can_be_celebrated_and_weeks_read_as_weeks(owner):
    journey = JourneyFactory(owner=owner, started_on=D(2026, 1, 1))
    assert journey.milestone_for_days(45).label == "45 days"
    assert journey.milestone_for_days(14).label == "2 weeks"
    assert journey.milestone_for_days(14).due_on == D(2026, 1, 15)


def test_one_check_in_per_local_day_is_a_database_rule(owner, stranger):
    CheckInFactory(owner=owner, local_date=D(2026, 3, 1))
    CheckInFactory(owner=stranger, local_date=D(2026, 3, 1))  # someone else's day is theirs
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(owner=owner, local_date=D(2026, 3, 1), sober="yes")


def test_mood_and_craving_ranges_are_database_rules(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(owner=owner, local_date=D(2026, 3, 1), sober="yes", mood=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(owner=owner, local_date=D(2026, 3, 2), sober="yes", craving=11)


def test_save_checkin_updates_the_days_one_check_in(owner):
    first, created = services.save_checkin(owner, D(2026, 3, 1), sober="yes", mood=2)
    assert created
    second, created = services.save_checkin(owner, D(2026, 3, 1), sober="yes", mood=4, notes="Better by evening.")
    assert not created
    assert first.pk == second.pk
    assert CheckIn.objects.get().mood == 4


def test_save_checkin_refuses_another_persons_supporter(owner, stranger):
    from supports.models import Supporter

    theirs = Supporter.objects.create(owner=stranger, name="Not yours")
    with pytest.raises(ValueError):
        services.save_checkin(owner, D(2026, 3, 1), sober="yes", supporters=[theirs])
    assert not CheckIn.objects.exists()
