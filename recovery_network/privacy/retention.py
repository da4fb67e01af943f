"""Keeping nothing longer than needed: the nightly sweep (`apply()`, beat's "apply-retention" at 03:30 UTC).

What goes, and when (each period a setting; 0 keeps those records for ever):

- Notifications read more than NOTIFICATION_RETENTION_DAYS (90) ago. An unread one stays however old: the
  person has not seen it yet.
- Deliveries finished more than DELIVERY_RETENTION_DAYS (90, never fewer) ago: sent ones from when they went,
  skipped and failed ones from when they were written — a reminder not sent, or that could not be, holds
  nothing the person needs. Pending, held and sending ones are never touched, and two kinds whose deliveries
  are records something still reads are kept while what they are about exists (`expired_deliveries`).
- The access log after ACCESS_LOG_RETENTION_DAYS (2192: six years, the period HIPAA asks records to be kept,
  45 CFR 164.316(b)(2)): its lines and each look at a counselor's caseload; a caseload's roster (who was on
  it, and what it showed of each) once no kept look needs it.
- At once when they expire: invitations never accepted and consent requests never signed, each holding
  someone's email address (declined and withdrawn ones too, once past their date: until then their link says
  what became of them), and exports, the file with its record. An accepted invitation or a signed request
  stays: it is the record of how someone joined the circle (the inviter's export lists it), holds only the
  address of someone now in it, and goes when either of them erases their account.

Deletes go BATCH ids at a time in id order, each batch its own transaction, so no table is locked for long and
one long run reads a table once. Two workers at once skip each other's locked rows and each row goes once; run
again, it finds nothing. The page cache hears of deleted invitations as of any queryset delete (one UPDATE a
batch). Returns the counts, which one log line gives, naming no one.
"""

import datetime as dt
import logging
from collections import Counter
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from milestones.models import Journey
from recovery_network.care.models import (
    AccessEvent,
    CaseloadRoster,
    CaseloadView,
    ConsentRequest,
    Invitation,
    RosterEntry,
    SignEpisode,
)
from recovery_network.care.notification_kinds import CircleNews, WarningSignKind
from recovery_network.notifications.models import Delivery, Notification
from supports.models import ContactEvery

from .models import Export

log = logging.getLogger(__name__)

BATCH = 5000

# A delivery's row is what makes its occurrence go out once: a dispatch meeting the occurrence again inserts
# nothing. A reminder's occurrence is worth sending for 90 days at most (a quarterly reach-out nudge, until the
# next is due; every other one's within its day), and a schedule rebuilt looks back no further (Kind.catch_up);
# an event's (a kind word) is made once, when it happens. A row kept this long outlives its occurrence, so the
# dispatch can only meet it again as missed (skipped, nothing sent): the period never goes below this, whatever
# the setting (tests/privacy/test_retention.py shows a 30-day period sending a quarterly nudge twice).
ONCE_ONLY_DAYS = max(ContactEvery.values)

# Event kinds whose deliveries are also a record something reads back, kept while what they are about exists:
# who was told of a milestone (the celebration page lists them, and "Tell my circle" tells no one twice, for
# any milestone at any time), and who was told of a warning sign (the sweep tells each watcher once while the
# sign lasts, however long; the person's page lists who was told of each).
RECORD_KINDS = {CircleNews.key: Journey, WarningSignKind.key: SignEpisode}

COUNTED = {
    "notifications": Notification,
    "deliveries": Delivery,
    "access_events": AccessEvent,
    "caseload_views": CaseloadView,
    "caseload_rosters": CaseloadRoster,
    "roster_entries": RosterEntry,
    "invitations": Invitation,
    "consent_requests": ConsentRequest,
    "exports": Export,
}


def apply(now=None, batch_size=BATCH):
    """Delete what is past its period (the nightly task). Returns {kind of record: rows deleted}."""
    now = now or timezone.now()
    deleted = Counter()
    for rows, delete in _sweeps(now):
        deleted.update(_in_batches(rows, delete, batch_size))
    counts = {name: deleted[model._meta.label] for name, model in COUNTED.items()}
    log.info("Retention deleted %s", ", ".join(f"{count} {name}" for name, count in counts.items()))
    return counts


def _sweeps(now):
    """(rows, how they are deleted) for each kind of record, in order: notifications before the deliveries
    they point at, a caseload's looks before its rosters."""
    if cutoff := _cutoff(now, settings.NOTIFICATION_RETENTION_DAYS):
        yield Notification.objects.filter(read_at__lt=cutoff), _delete
    if cutoff := _cutoff(now, settings.DELIVERY_RETENTION_DAYS, at_least=ONCE_ONLY_DAYS):
        yield expired_deliveries(cutoff), _delete
    if cutoff := _cutoff(now, settings.ACCESS_LOG_RETENTION_DAYS):
        yield AccessEvent.objects.filter(created_at__lt=cutoff), _purge
        yield CaseloadView.objects.filter(created_at__lt=cutoff), _purge
        yield unneeded_rosters(cutoff), _purge
    yield Invitation.objects.filter(accepted_at__isnull=True, expires_at__lte=now), _delete
    yield ConsentRequest.objects.filter(answered_at__isnull=True, expires_at__lte=now), _delete
    yield Export.objects.expired(now), _delete


def _cutoff(now, days, at_least=0):
    """The moment before which records are past a period of `days`; None for 0, kept for ever."""
    return now - dt.timedelta(days=max(days, at_least)) if days > 0 else None


def expired_deliveries(cutoff):
    """Finished deliveries past the cutoff whose row no occurrence still needs (ONCE_ONLY_DAYS) and no page
    reads (RECORD_KINDS)."""
    finished = Q(status=Delivery.Status.SENT, sent_at__lt=cutoff) | Q(
        status__in=[Delivery.Status.SKIPPED, Delivery.Status.FAILED]
    )
    records = reduce(
        or_,
        (
            Q(kind=key) & Exists(model._base_manager.filter(pk=OuterRef("subject_id")))
            for key, model in RECORD_KINDS.items()
        ),
    )
    # Skipped and failed ones count from when they were written. A sent one was written before it went, so the
    # same condition leaves sent ones as they are, and lets the (status, created_at) index find them all.
    return Delivery.objects.filter(finished, ~records, created_at__lt=cutoff)


def unneeded_rosters(cutoff):
    """Caseload rosters written before the cutoff that no kept look points at, and that the counselor's next
    look cannot take up again: a newer roster of theirs exists, or their account is gone. (The newest is the one
    caseload.log_view finds by its digest while the caseload is unchanged; deleting it between that lookup and
    the look's insert would fail the counselor's page.) Their entries go with them."""
    newer = CaseloadRoster.objects.filter(counselor=OuterRef("counselor"), pk__gt=OuterRef("pk"))
    return CaseloadRoster.objects.filter(
        ~Exists(CaseloadView.objects.filter(roster=OuterRef("pk"))),
        Q(counselor__isnull=True) | Exists(newer),
        created_at__lt=cutoff,
    )


def _delete(rows):
    return rows.delete()[1]


def _purge(rows):
    """Delete rows of the append-only access log: the one sanctioned way, and only for rows past
    ACCESS_LOG_RETENTION_DAYS. Its models refuse QuerySet.delete() and Model.delete() to everyone else
    (care.models.AppendOnly); this is Django's own delete past that refusal, cascading as a deleted account's
    does (a roster's entries go with it)."""
    return models.QuerySet.delete(rows)[1]


def _in_batches(rows, delete, batch_size):
    """Delete `rows` batch_size ids at a time in id order, each batch in its own transaction: {model label:
    rows deleted}. The delete asks the batch's conditions again, so a row that changed since (a failed delivery
    sent again) stays."""
    deleted = Counter()
    after = 0
    while True:
        with transaction.atomic():
            batch = rows.filter(pk__gt=after).order_by("pk").select_for_update(skip_locked=True)
            ids = list(batch.values_list("pk", flat=True)[:batch_size])
            if ids:
                deleted.update(delete(rows.filter(pk__in=ids)))
        if len(ids) < batch_size:
            return deleted
        after = ids[-1]
