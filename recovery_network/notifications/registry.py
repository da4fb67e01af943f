"""The registry of notification kinds: what a kind is, and the kinds this site has.

A *kind* (a daily check-in reminder, a reach-out nudge…) is a class that lives in the
feature app it belongs to (`milestones/notification_kinds.py`, `supports/notification_kinds.py`…)
and is listed in settings.NOTIFICATION_KINDS. It knows its subjects (what a reminder is about),
when the next occurrence falls, and what to say. Everything else — due-finding (dispatch.py),
exactly-once delivery (delivery.py), quiet hours, pauses, preferences (preferences.py), email
(emails.py) and the in-app notification centre — is the engine's, and imports no feature app.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string

from recovery_network.models import end_of_local_day, local_moment


@dataclass(frozen=True)
class Occurrence:
    """One due moment of a kind for one subject, identified by `key` (a local date, a milestone…)."""

    key: str
    occurs_at: dt.datetime  # UTC
    expires_at: dt.datetime  # UTC: not worth sending after this


@dataclass(frozen=True)
class Message:
    """What a delivery says, in-app and in the email body (never in the subject line)."""

    title: str
    body: str = ""
    url: str = ""
    action_url: str = ""
    action_label: str = ""
    # The id of the person it tells someone else about (the owner of a shared milestone), if any: the
    # notification goes with their account when they erase it.
    about: int | None = None


class Kind:
    """The base of every kind. Subclasses set the class attributes and implement the methods.

    Scheduled kinds have Reminder rows and are found by the dispatch; event kinds
    (scheduled = False) are sent by calling notify() where the event happens.
    """

    key = ""  # stored in rows: never rename
    label = ""
    description = ""
    default_email = True
    default_in_app = True
    scheduled = True
    # How long after its time an occurrence is still worth sending (after downtime, after quiet hours).
    grace = dt.timedelta(hours=2)
    # True when only people who turned a channel on are recipients (who has rows follows preferences).
    recipients_opt_in = False
    # {"app_label.Model": callable(instance) -> iterable of subject ids} whose saves and deletes
    # change this kind's schedule; signals.py connects them.
    watches = {}
    # {"app_label.Model": callable(instance) -> (recipient id, occurrence key) or None}: saving one means the
    # person did what that occurrence asked (checked in for that day), so its notification is marked read.
    done_by = {}

    def load(self, subject_ids):
        """{id: subject} for the ids that still exist (one query)."""
        raise NotImplementedError

    def load_for(self, reminders):
        """{subject id: subject} for a batch of due reminders; a kind may reuse what the rows carry."""
        return self.load({reminder.subject_id for reminder in reminders})

    def recipients(self, subject):
        """Who is reminded about this subject."""
        return [subject.owner]

    def eligible(self):
        """A queryset of every subject that should have reminders (for reconcile_reminders)."""
        raise NotImplementedError

    def next_occurrence(self, recipient, subject, after_utc):
        """The first occurrence strictly after `after_utc`, or None if there is none any more."""
        raise NotImplementedError

    def catch_up(self, subject):
        """How far back a schedule built now looks, so an occurrence already due when the row is
        (re)built is still delivered — e.g. a supporter who was overdue before the nudge existed."""
        return dt.timedelta(0)

    def skip_reasons(self, reminders, now_utc):
        """{reminder id: Delivery.SkipReason} for due reminders that should not be sent (set-based)."""
        return {}

    def offered_to(self, user):
        """Whether the preferences page offers this kind to this person (a digest only to counselors)."""
        return True

    def subjects_for(self, recipient):
        """Ids of subjects this person may hear about though they have no row yet (their own
        check-in, the journeys of people who share with them), recomputed when they change."""
        return ()

    def still_allowed(self, delivery, subject, now_utc):
        """Asked again just before an email goes out: may this person still receive it?
        A kind sent to someone other than the owner says no once access has ended."""
        return True

    def subjects_about(self, person_id):
        """Ids of this kind's subjects that are about this person when others receive them: their erasure
        deletes other people's reminders and deliveries about these. Empty for kinds only ever sent to the owner."""
        return ()

    def delivered(self, items, now_utc):
        """Called with [(delivery, subject)] of the deliveries written to go out (e.g. to log them)."""

    def message(self, delivery, subject):
        raise NotImplementedError

    def __repr__(self):
        return f"<Kind {self.key}>"


class PersonalKind(Kind):
    """A reminder to a person about themselves (their check-in, their monthly check-up, their network review): the
    subject is the recipient, offered to people the app speaks to as in recovery."""

    def recipients(self, subject):
        return [subject]

    def subjects_for(self, recipient):
        return [recipient.pk]

    def offered_to(self, user):
        return user.in_recovery


def message_in(language, kind, delivery, subject):
    """The kind's message in the recipient's language, its texts made plain strings while that language is active
    (an in-app note is stored as written: it must not turn into whatever language is active when it is read)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        message = kind.message(delivery, subject)
        return Message(
            title=str(message.title),
            body=str(message.body),
            url=message.url,
            action_url=message.action_url,
            action_label=str(message.action_label),
            about=message.about,
        )


@functools.cache
def _registry(paths):
    kinds = {}
    for path in paths:
        kind = import_string(path)()
        if kind.key in kinds:
            raise ValueError(f"Two notification kinds share the key {kind.key!r}.")
        kinds[kind.key] = kind
    return kinds


def kinds():
    """{key: Kind} from settings.NOTIFICATION_KINDS, in that order."""
    return _registry(tuple(settings.NOTIFICATION_KINDS))


def get_kind(key):
    return kinds().get(key)


@functools.lru_cache(maxsize=4096)
def daily_occurrence(zone, wall_time, after_utc, grace):
    """The first `wall_time` in `zone` after `after_utc`, worth sending for `grace` (but not past that day).

    Kept: everyone due in the same minute in one zone chose the same time, so a busy
    minute of the dispatch computes this once per zone rather than once per person.
    """
    local_day = after_utc.astimezone(zone).date()
    for offset in range(3):
        day = local_day + dt.timedelta(days=offset)
        at = local_moment(day, wall_time, zone)
        if at > after_utc:
            return Occurrence(day.isoformat(), at, min(at + grace, end_of_local_day(day, zone)))
    return None  # pragma: no cover - tomorrow's time always lies ahead
