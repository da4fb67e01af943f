"""Demo data for progress: a year of realistic check-ins with one setback, and --scale people.

Runs after supports' demo data (see recovery_network.demo.APPS_WITH_DEMO_DATA), so the
demo owner's meetings and contacts already exist and the check-ins can reflect them:
cravings run lower on days with a meeting or a call, as they do for many people.
Idempotent: a second run adds only the days that are missing.
"""

import datetime as dt
import random
from decimal import Decimal

from recovery_network.demo import chunks, insert_rows
from supports.demo_data import LARGEST_NETWORK_INDEX, SCALE_CHUNK
from supports.models import Attendance, Contact, Supporter

from . import signals
from .models import CalendarFeed, CheckIn, Encouragement, Journey, PersonalGoal, Setback

DEMO_JOURNEY_WORDS = "Sober from drinking"
FIRST_START_DAYS_AGO = 430
SETBACK_DAYS_AGO = 160
HISTORY_DAYS = 365
DEMO_COST_PER_DAY = Decimal("18.00")
DEMO_HOURS = Decimal("3.0")

GRATITUDE = [
    "Coffee with Sam this morning.",
    "A full night's sleep.",
    "Marcus picked up on the first ring.",
    "The walk by the river.",
    "My daughter laughed at my terrible joke.",
    "Made it through the work dinner.",
    "The home group remembered my name.",
    "",
    "",
    "",
]
OWN_TRIGGER = "Payday Fridays"


def _day_answers(rng, day, days_into_count, network_day, weekday):
    """One day's answers: early days and weekends are harder; the network softens cravings."""
    early = max(0.0, 1.0 - days_into_count / 120)
    craving = 2.5 + 4.0 * early + (1.2 if weekday >= 4 else 0) - (1.5 if network_day else 0) + rng.gauss(0, 1.2)
    craving = int(min(10, max(0, round(craving))))
    mood = 3.3 + 0.9 * (1 - early) - 0.12 * craving + (0.4 if network_day else 0) + rng.gauss(0, 0.6)
    mood = int(min(5, max(1, round(mood))))
    triggers = []
    if craving >= 5:
        triggers = rng.sample(["stress", "tired", "loneliness", "anger", "money", "celebration"], k=rng.randint(1, 2))
    if weekday == 4 and day.day <= 7 and craving >= 3:
        triggers.append(OWN_TRIGGER)
    helped = []
    if network_day:
        helped.append("meeting" if rng.random() < 0.6 else "supporter")
    helped += rng.sample(["exercise", "prayer", "rest", "reading", "outdoors", "journaling"], k=rng.randint(0, 2))
    return {"mood": mood, "craving": craving, "triggers": triggers, "helped": helped}


def seed_cast(cast, now):
    owner = cast["owner"]
    today = owner.local_today(now)
    rng = random.Random(4)  # the same year every time
    first_start = today - dt.timedelta(days=FIRST_START_DAYS_AGO)
    setback_day = today - dt.timedelta(days=SETBACK_DAYS_AGO)
    journey = _ensure_journey(owner, first_start, setback_day)
    setback_day = journey.setbacks.order_by("happened_on").values_list("happened_on", flat=True).first() or setback_day
    new_checkins = _add_checkins(owner, rng, today, first_start, setback_day)
    _link_supporters(owner, new_checkins, rng)
    PersonalGoal.objects.get_or_create(owner=owner, title="200 days", defaults={"journey": journey, "days": 200})
    PersonalGoal.objects.get_or_create(
        owner=owner, title="My sober birthday", defaults={"on_date": dt.date(today.year + 1, 2, 14)}
    )
    _ensure_encouragement(owner, journey)
    CalendarFeed.objects.get_or_create(owner=owner)


def _ensure_journey(owner, first_start, setback_day):
    """The demo journey, restarted after its one setback when it is first made."""
    journey, created = Journey.objects.get_or_create(
        owner=owner,
        kind=Journey.Kind.ALCOHOL,
        own_words=DEMO_JOURNEY_WORDS,
        defaults={"first_started_on": first_start, "started_on": first_start},
    )
    if journey.cost_per_day is None and journey.hours_per_day is None:
        # What the drinking cost each day, so the home and the journey show what the count gave back.
        journey.cost_per_day, journey.cost_currency, journey.hours_per_day = DEMO_COST_PER_DAY, "USD", DEMO_HOURS
        journey.save(update_fields=["cost_per_day", "cost_currency", "hours_per_day"])
    if created:
        Setback.objects.create(
            owner=owner,
            journey=journey,
            happened_on=setback_day,
            restart_on=setback_day + dt.timedelta(days=1),
            previous_started_on=journey.started_on,
            what_happened="The office holiday party. I told myself one glass would be fine.",
            what_learned="Leave before the toasts, bring my own drink, and text Marcus on the way in.",
            reach_out_to="Marcus, my sponsor, and Sam",
            reach_out_supporter=Supporter.objects.for_owner(owner).filter(name="Marcus").first(),
        )
        journey.started_on = setback_day + dt.timedelta(days=1)
        journey.save(update_fields=["started_on"])
    return journey


def _network_days(owner, first_day, today):
    """The local days with a meeting (in the history) or a logged contact (at any time)."""
    meeting_days = set(
        Attendance.objects.for_owner(owner).between(first_day, today).values_list("attended_on", flat=True)
    )
    zone = owner.zone
    contact_days = {
        moment.astimezone(zone).date()
        for moment in Contact.objects.for_owner(owner).values_list("happened_at", flat=True)
    }
    return meeting_days | contact_days


def _add_checkins(owner, rng, today, first_start, setback_day):
    """A year of check-ins, about one day in ten skipped, adding only missing days; returns those added."""
    first_day = today - dt.timedelta(days=HISTORY_DAYS - 1)
    network_days = _network_days(owner, first_day, today)
    existing = set(CheckIn.objects.for_owner(owner).between(first_day, today).values_list("local_date", flat=True))
    new_checkins = []
    for offset in range(HISTORY_DAYS):
        day = first_day + dt.timedelta(days=offset)
        skipped = rng.random() < 0.1 and day not in (today, setback_day)
        answers = _day_answers(
            rng,
            day,
            (day - (first_start if day <= setback_day else setback_day)).days,
            day in network_days,
            day.weekday(),
        )
        gratitude = rng.choice(GRATITUDE)
        # Today stays open, so the check-in reminder a newcomer sees in the demo has a reason to arrive.
        if skipped or day in existing or day == today:
            continue
        sober = CheckIn.Sober.YES
        if day == setback_day:
            sober, answers["mood"], answers["craving"] = CheckIn.Sober.NO, 2, 9
            answers["triggers"] = ["celebration", "stress"]
        elif day == setback_day + dt.timedelta(days=1):
            sober = CheckIn.Sober.UNSAID
        new_checkins.append(CheckIn(owner=owner, local_date=day, sober=sober, gratitude=gratitude, **answers))
    CheckIn.objects.bulk_create(new_checkins)
    return new_checkins


def _ensure_encouragement(owner, journey):
    """Sam's note for the 90-day milestone."""
    sam = Supporter.objects.for_owner(owner).filter(name="Sam").first()
    Encouragement.objects.get_or_create(
        owner=owner,
        journey=journey,
        milestone_key="d90",
        defaults={
            "from_name": "Sam",
            "supporter": sam,
            "message": "90 days! I'm so proud of you. Dinner's on me this week.",
            "received_on": journey.started_on + dt.timedelta(days=90),
        },
    )


def _link_supporters(owner, checkins, rng):
    """Name a supporter on the check-ins where a call or a meeting helped."""
    supporters = list(Supporter.objects.for_owner(owner).active().filter(influence="supportive")[:5])
    if not supporters:
        return
    saved = {
        c.local_date: c.pk
        for c in CheckIn.objects.for_owner(owner).filter(local_date__in=[c.local_date for c in checkins])
    }
    through = CheckIn.helped_supporters.through
    through.objects.bulk_create(
        [
            through(checkin_id=saved[checkin.local_date], supporter=rng.choice(supporters))
            for checkin in checkins
            if "supporter" in checkin.helped
        ]
    )


def seed_scale(people, rng, now):
    """A journey and one to three years of daily check-ins per load-test person, in bulk.

    person000100 (see supports.demo_data.LARGEST_NETWORK_INDEX) has five years.
    Check-ins go in with COPY on PostgreSQL, a thousand people at a time.
    """
    have = set(Journey.objects.filter(owner__in=people).values_list("owner_id", flat=True))
    todo = [(index, person) for index, person in enumerate(people) if person.pk not in have]
    for chunk in chunks(todo, SCALE_CHUNK):
        _seed_history(chunk, rng, now)


def _seed_history(chunk, rng, now):
    journeys, setbacks, checkins = [], [], []
    kinds = [kind for kind, _ in Journey.Kind.choices]
    for index, person in chunk:
        today = person.local_today(now)
        history_days = 5 * 365 if index == LARGEST_NETWORK_INDEX else rng.randint(365, 3 * 365)
        first_start = today - dt.timedelta(days=history_days + rng.randint(0, 200))
        journey = Journey(owner=person, kind=rng.choice(kinds), first_started_on=first_start, started_on=first_start)
        span = (today - first_start).days
        if rng.random() < 0.3:
            happened_on = first_start + dt.timedelta(days=rng.randint(30, span - 10))
            journey.started_on = happened_on + dt.timedelta(days=1)
            setbacks.append(
                Setback(
                    owner=person,
                    journey=journey,
                    happened_on=happened_on,
                    restart_on=journey.started_on,
                    previous_started_on=first_start,
                )
            )
        journeys.append(journey)
        density = rng.uniform(0.5, 0.98)
        for offset in range(history_days):
            if rng.random() > density:
                continue
            craving = rng.randint(0, 7)
            checkins.append(
                CheckIn(
                    owner_id=person.pk,
                    local_date=today - dt.timedelta(days=offset),
                    sober=CheckIn.Sober.YES,
                    mood=rng.randint(2, 5),
                    craving=craving,
                    triggers=[rng.choice(TRIGGERS)] if craving > 4 else [],
                    helped=rng.sample(HELPED, k=rng.randint(0, 2)),
                )
            )
    Journey.objects.bulk_create(journeys, batch_size=5000)
    signals.refresh_has_journey({journey.owner_id for journey in journeys})
    for setback in setbacks:
        setback.journey_id = setback.journey.pk
    Setback.objects.bulk_create(setbacks, batch_size=5000)
    insert_rows(CheckIn, checkins)


TRIGGERS = ["stress", "tired", "loneliness", "boredom"]
HELPED = ["meeting", "supporter", "exercise", "prayer"]
