"""Demo reminders (see recovery_network/demo.py), so a newcomer sees reminders arrive within minutes.

seed_demo runs this module before the support network and milestones are
seeded, so the reminder rows for everything they create are built after the
seed commits (reconcile() also covers their bulk inserts).

- Alex (the owner) gets a reach-out nudge about each overdue person in his
  inner circle in the first minute — in the notification centre, with the
  one-tap "I reached out", and by email (var/mail).
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

from .dispatch import reconcile, refresh_person

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


def seed_scale(people, rng, now):
    """Reminder rows for the load-test people and everything seeded for them in bulk."""
    transaction.on_commit(lambda: reconcile(now=now))
