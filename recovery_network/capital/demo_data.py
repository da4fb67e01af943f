"""Demo data for recovery capital: half a year of monthly check-ups for the demo owner, rising from the high 30s
to just past 47 as their network grew, and a few months to two years of them for --scale people.

Runs after milestones' demo data (recovery_network.demo.APPS_WITH_DEMO_DATA). Idempotent: a second run adds only
the check-ups that are missing.
"""

import datetime as dt

from recovery_network.demo import chunks, insert_rows
from supports.demo_data import SCALE_CHUNK

from .models import ITEM_FIELDS, CapitalCheck

# The demo owner's six check-ups, oldest first: one row of ten answers each (totals 38, 40, 42, 43, 46, 48).
# Friends, community and progress climb most, as the network grows on the support map.
DEMO_ANSWERS = [
    [5, 4, 3, 3, 3, 4, 4, 5, 4, 3],
    [5, 4, 4, 3, 3, 4, 4, 5, 4, 4],
    [5, 4, 4, 4, 4, 4, 4, 5, 4, 4],
    [5, 4, 4, 4, 4, 5, 4, 5, 4, 4],
    [6, 5, 4, 4, 5, 5, 4, 5, 4, 4],
    [6, 5, 4, 5, 5, 5, 4, 5, 4, 5],
]
DEMO_LAST_DAYS_AGO = 5
EVERY_DAYS = 30
MONTHS_OF_CHECK_UPS = [0, 0, 1, 3, 6, 12, 24]


def seed_cast(cast, now):
    owner = cast["owner"]
    today = owner.local_today(now)
    last = today - dt.timedelta(days=DEMO_LAST_DAYS_AGO)
    count = len(DEMO_ANSWERS)
    planned = {
        last - dt.timedelta(days=EVERY_DAYS * (count - 1 - index)): answers
        for index, answers in enumerate(DEMO_ANSWERS)
    }
    have = set(
        CapitalCheck.objects.for_owner(owner).filter(taken_on__in=list(planned)).values_list("taken_on", flat=True)
    )
    for taken_on, answers in planned.items():
        if taken_on not in have:
            CapitalCheck.objects.create(
                owner=owner,
                taken_on=taken_on,
                taken_at=now - dt.timedelta(days=(today - taken_on).days),
                **dict(zip(ITEM_FIELDS, answers, strict=True)),
            )


def seed_scale(people, rng, now):
    """Up to two years of monthly check-ups per load-test person (some have none), in bulk; bulk inserts skip
    save(), so each row's total is set here."""
    have = set(CapitalCheck.objects.filter(owner__in=people).values_list("owner_id", flat=True).distinct())
    todo = [person for person in people if person.pk not in have]
    for chunk in chunks(todo, SCALE_CHUNK):
        rows = []
        for person in chunk:
            today = person.local_today(now)
            answers = [rng.randint(2, 5) for _ in ITEM_FIELDS]
            # How many follows from the person, not the draw, so a rerun adds none to those who have none.
            for back in range(MONTHS_OF_CHECK_UPS[person.pk % len(MONTHS_OF_CHECK_UPS)], 0, -1):
                taken_on = today - dt.timedelta(days=EVERY_DAYS * back - rng.randint(0, 4))
                # A month's drift: most answers stay, one or two move by a step.
                for index in rng.sample(range(len(ITEM_FIELDS)), k=2):
                    answers[index] = min(6, max(1, answers[index] + rng.choice([-1, 1, 1])))
                check = CapitalCheck(
                    owner=person,
                    taken_on=taken_on,
                    taken_at=now - dt.timedelta(days=(today - taken_on).days),
                    **dict(zip(ITEM_FIELDS, answers, strict=True)),
                )
                check.total = check.compute_total()
                rows.append(check)
        insert_rows(CapitalCheck, rows)
