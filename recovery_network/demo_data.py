"""Demo reminders (see recovery_network/demo.py), so a newcomer sees reminders arrive within minutes.

seed_demo runs this module before the support network and milestones are
seeded, so the reminder rows for everything they create are built after the
seed commits (reconcile() also covers their bulk inserts).

- Alex (the owner) gets a reach-out nudge about the most overdue person in his
  inner circle straight away — in the notification centre, with the one-tap
  "I reached out", and by email (var/mail) once the worker runs.
- Alex's check-in reminder is set two minutes ahead; the demo history already
  holds today's check-in, so that one shows as skipped ("already checked in")
  in the admin's deliveries — the rule at work.
- Sam (family) has no check-in yet today: Sam's check-in reminder arrives two
  minutes after seeding, by email and in Sam's notification centre.
Quiet hours are off for the cast so this works at any hour; turn them on in
Settings to see reminders held until morning.
"""

import datetime as dt

from django.db import transaction

from supports.models import Supporter

from .notifications import notify
from .reminders import reconcile, refresh_person

SOON = dt.timedelta(minutes=2)


def seed_cast(cast, now):
    for role in ("owner", "family"):
        person = cast[role]
        person.checkin_time = (person.local_now(now) + SOON).time().replace(second=0, microsecond=0)
        person.quiet_hours_start = person.quiet_hours_end = None
        person.reminders_paused_until = None
        person.save(update_fields=["checkin_time", "quiet_hours_start", "quiet_hours_end", "reminders_paused_until"])
    transaction.on_commit(lambda: _after_seed(cast, now))


def _after_seed(cast, now):
    reconcile(now=now)
    for person in cast.values():
        refresh_person(person, now=now)
    owner = cast["owner"]
    overdue = Supporter.objects.for_owner(owner).inner_circle().overdue(now).order_by("contact_due_at").first()
    if overdue is not None:
        # The nudge for this overdue stretch: the same occurrence the schedule would use, so never twice.
        occurrence = overdue.contact_due_at.astimezone(dt.UTC).isoformat(timespec="seconds")
        notify(owner, "reach_out", overdue, occurrence, now=now)


def seed_scale(people, rng, now):
    """Reminder rows for the load-test people and everything seeded for them in bulk."""
    transaction.on_commit(lambda: reconcile(now=now))
