"""When a person's next BARC-10 check-up is due: a rule in local dates, shared by the overview and the reminder.

Monthly: 30 days after the last check-up. Someone who has never answered is first invited a week after their
account was made — a week to settle in, and the account's own date (rather than a journey's start, which may lie
years back for someone counting long clean time) needs nothing but the person. A check-up left unanswered is
offered again every 30 days, never every day.
"""

import datetime as dt

EVERY = dt.timedelta(days=30)
FIRST_AFTER = dt.timedelta(days=7)


def first_due_on(last_taken_on, joined_on):
    """The local date the next check-up falls due, whether or not that date has passed."""
    return last_taken_on + EVERY if last_taken_on is not None else joined_on + FIRST_AFTER


def due_dates_from(last_taken_on, joined_on, local_day):
    """The due dates on or after `local_day`, soonest first (the first due date, then every 30 days)."""
    due_on = first_due_on(last_taken_on, joined_on)
    if due_on < local_day:
        due_on += EVERY * -(-(local_day - due_on).days // EVERY.days)  # rounded up to the next 30 days
    while True:
        yield due_on
        due_on += EVERY


def joined_on(user):
    """The local date the person's account was made."""
    return user.date_joined.astimezone(user.zone).date()
