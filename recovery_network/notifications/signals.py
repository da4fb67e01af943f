"""Keep Reminder rows current when the records they follow change.

Each kind lists the models it `watches`; a save or delete of one of them
recomputes that kind's rows for the affected subjects. The work runs after the
transaction commits: it then sees the final state (a contact's supporter has
its new due time by then, a joined group has its meeting times), and a failure
here is logged instead of undoing the person's own change.

Writes that bypass signals (bulk_create, QuerySet.update) are caught by the
dispatch, which checks each due row against fresh data, and by reconcile().
"""

import logging

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from recovery_network.models import User

from .delivery import mark_done
from .dispatch import refresh_person, refresh_subjects
from .registry import kinds

log = logging.getLogger(__name__)

# Saving any of these on a person changes when their reminders fall.
PERSON_FIELDS = {"time_zone", "checkin_time", "is_active", "meeting_reminder_minutes"}


def _later(callback):
    transaction.on_commit(callback, robust=True)


def person_changed(sender, instance, created=False, update_fields=None, **kwargs):
    if update_fields is not None and not PERSON_FIELDS & set(update_fields):
        return  # e.g. last_login on every sign-in

    _later(lambda: refresh_person(instance))


def _subject_receiver(kind_key, subject_ids_of):
    def receiver(sender, instance, **kwargs):
        _later(lambda: refresh_subjects(kind_key, subject_ids_of(instance)))

    return receiver


def _done_receiver(kind_key, occurrence_of):
    def receiver(sender, instance, raw=False, **kwargs):
        done = None if raw else occurrence_of(instance)
        if done is not None:
            recipient_id, occurrence = done
            _later(lambda: mark_done(recipient_id, kind_key, occurrence))

    return receiver


_receivers = []  # signals hold receivers weakly; keep ours alive


def connect():
    post_save.connect(person_changed, sender=User, dispatch_uid="reminders-person")
    for kind in kinds().values():
        for label, subject_ids_of in kind.watches.items():
            model = apps.get_model(label)
            receiver = _subject_receiver(kind.key, subject_ids_of)
            _receivers.append(receiver)
            uid = f"reminders-{kind.key}-{label}"
            post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}-delete")
        for label, occurrence_of in kind.done_by.items():
            receiver = _done_receiver(kind.key, occurrence_of)
            _receivers.append(receiver)
            post_save.connect(receiver, sender=apps.get_model(label), dispatch_uid=f"reminders-{kind.key}-{label}-done")
