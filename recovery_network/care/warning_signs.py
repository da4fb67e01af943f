"""Warning signs, told to whom the person chose: no check-in for N days, cravings of 8 or more three days
running, a check-in recording use.

Each stretch of a sign is a `SignEpisode`, unique per (person, sign, the day that begins it), and each person
told of it a unique `Delivery` of the `warning_sign` kind (notifications/delivery.notify): so a sign fires
once per episode however often it is evaluated, and fires again only after it ended and came back. A check-in
is evaluated once it is committed (`checkin_saved`); silence, by `sweep_silence` from beat every 15 minutes.
Someone is told only while their grant or consent shows the sign (SIGN_SCOPES) — asked again just before the
email is sent (WarningSignKind.still_allowed).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, Min, OuterRef
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy

from milestones.models import CheckIn, Journey
from recovery_network.notifications.delivery import notify
from recovery_network.notifications.models import Delivery
from recovery_network.notifications.registry import get_kind

from .models import Consent, Grant, SignEpisode, SignWatch, WarningSign, allowed_signs
from .notification_kinds import WarningSignKind, may_be_told

log = logging.getLogger(__name__)

FAMILY, COUNSELOR = "family or friend", "counselor"  # a Member's role: a key, shown as ROLE_LABELS says
ROLE_LABELS = {FAMILY: gettext_lazy("family or friend"), COUNSELOR: gettext_lazy("counselor")}

STRONG_CRAVING = 8
RUN_DAYS = 3
# How many check-ins back a run of strong cravings is read (a longer run is still its open episode: _craving).
RUN_LOOKBACK = 30


@receiver(post_save, sender=CheckIn, dispatch_uid="care-warning-signs-checkin")
def checkin_saved(sender, instance, **kwargs):
    """Evaluated once the check-in is committed; a failure here is logged and never costs the check-in."""

    def evaluate():
        try:
            checked_in(instance)
        except Exception:  # noqa: BLE001 — the person's check-in is saved; the sweep sees silence anyway
            log.exception("Warning signs of check-in %s could not be evaluated", instance.pk)

    transaction.on_commit(evaluate)


def _open(owner_id, sign, started_on, now, ended=False):
    """(the episode, made now if new; whether it was made). Two evaluations at once make it once."""
    try:
        with transaction.atomic():
            episode = SignEpisode.objects.create(
                owner_id=owner_id, sign=sign, started_on=started_on, opened_at=now, ended_at=now if ended else None
            )
            return episode, True
    except IntegrityError:
        return SignEpisode.objects.get(owner_id=owner_id, sign=sign, started_on=started_on), False


def occurrence(episode):
    """The delivery's occurrence: one note per watcher and episode."""
    return f"w{episode.pk}"


def tell(episode, watches, now=None):
    """Tell each of these watchers of this episode, once, if their grant or consent shows it: [names told now]."""
    now = now or timezone.now()
    if get_kind(WarningSignKind.key) is None:
        return []
    told = []
    for watch in watches:
        if may_be_told(watch, episode.sign, now) and notify(
            watch.watcher, WarningSignKind.key, episode, occurrence(episode), now=now
        ):
            told.append(watch.watcher.name)
    return told


def _watching(owner_id, sign):
    return SignWatch.objects.filter(owner_id=owner_id, watcher__is_active=True, **{sign: True}).select_related(
        "watcher"
    )


def checked_in(checkin, now=None):
    """A check-in was saved: silence ends, a run of strong cravings opens or ends, a use is its own episode."""
    now = now or timezone.now()
    owner = checkin.owner
    SignEpisode.objects.filter(owner_id=owner.pk, sign=WarningSign.NO_CHECKIN, ended_at__isnull=True).update(
        ended_at=now
    )
    if not SignWatch.objects.filter(owner_id=owner.pk).exists():
        return  # no one is to be told anything: nothing to keep
    _craving(owner, now)
    if checkin.sober == CheckIn.Sober.NO:
        episode, _ = _open(owner.pk, WarningSign.USE, checkin.local_date, now, ended=True)
        tell(episode, _watching(owner.pk, WarningSign.USE), now)


def strong_craving_run(days):
    """The first day of the run of consecutive days with craving >= 8 that the newest check-in ends, when it is
    RUN_DAYS long or more, else None. `days`: [(local date, craving)], newest first."""
    run = []
    for day, craving in days:
        if (craving or 0) < STRONG_CRAVING or (run and run[-1] - day != dt.timedelta(days=1)):
            break
        run.append(day)
    return run[-1] if len(run) >= RUN_DAYS else None


def _craving(owner, now):
    recent = (
        CheckIn.objects.filter(owner_id=owner.pk, local_date__lte=owner.local_today(now))
        .order_by("-local_date")
        .values_list("local_date", "craving")[:RUN_LOOKBACK]
    )
    started_on = strong_craving_run(recent)
    running = SignEpisode.objects.filter(owner_id=owner.pk, sign=WarningSign.CRAVING, ended_at__isnull=True)
    if started_on is None:
        running.update(ended_at=now)
        return
    # An open episode is this run: any break (a day below 8, a day missed) ended it at that day's check-in. Kept
    # even when the run outgrew RUN_LOOKBACK and its first day is no longer seen.
    episode = running.first()
    if episode is None:
        episode, _ = _open(owner.pk, WarningSign.CRAVING, started_on, now)
    if episode.ended_at is None:
        tell(episode, _watching(owner.pk, WarningSign.CRAVING), now)


@dataclass
class Silence:
    """One person watched for silence: the day their silence began, how many of their days it has lasted, and the
    watchers whose own number of days it has reached."""

    started_on: dt.date
    days: int
    due: list


def sweep_silence(now=None):
    """Everyone watched for silence whose last check-in is N or more of their own days ago: the episode opened
    (once) and each watcher told once their own N is reached.

    Set-based: at most five queries whatever the number of people watched or long silent (the watches allowed to
    see check-ins, last check-ins, journey starts, the episodes and who was told of them); only a new episode or
    a watcher not yet told costs more. Returns the number of episodes opened.
    """
    now = now or timezone.now()
    silences = _silences(now)
    if not silences:
        return 0
    episodes = {
        (episode.owner_id, episode.started_on): episode
        for episode in SignEpisode.objects.filter(
            owner_id__in=list(silences),
            sign=WarningSign.NO_CHECKIN,
            started_on__in={silence.started_on for silence in silences.values()},
        )
    }
    told = told_of(episodes.values(), {watch.watcher_id for silence in silences.values() for watch in silence.due})
    opened = 0
    for owner_id, silence in silences.items():
        episode = episodes.get((owner_id, silence.started_on))
        if episode is None:
            episode, made = _open(owner_id, WarningSign.NO_CHECKIN, silence.started_on, now)
            opened += made
        if episode.ended_at is None:
            tell(episode, [watch for watch in silence.due if (episode.pk, watch.watcher_id) not in told], now)
    return opened


def told_of(episodes, recipient_ids):
    """{(episode id, recipient id)} of these episodes' notes to these people: one query. Filtered by recipient
    first, so it reads delivery_once_per_occurrence's index (recipient, kind, subject) rather than every delivery."""
    episode_ids = [episode.pk for episode in episodes]
    if not episode_ids or not recipient_ids:
        return set()
    return set(
        Delivery.objects.filter(
            recipient_id__in=list(recipient_ids), kind=WarningSignKind.key, subject_id__in=episode_ids
        )
        .values_list("subject_id", "recipient_id")
        .order_by()
    )


def _silences(now):
    """{owner id: Silence} of the people watched for silence whose silence reached some watcher's N (three
    queries). Only watchers who may see check-ins now count, so a lapsed one is not asked again every sweep."""
    grants = Grant.objects.active().filter(owner=OuterRef("owner"), viewer=OuterRef("watcher"), checkins=True)
    consents = Consent.objects.possibly_valid(now).filter(
        owner=OuterRef("owner"), counselor=OuterRef("watcher"), checkins=True
    )
    may_see = Exists(grants) | Exists(consents)
    watches = list(
        SignWatch.objects.filter(
            may_see, no_checkin=True, owner__has_journey=True, owner__is_active=True, watcher__is_active=True
        ).select_related("owner", "watcher")
    )
    if not watches:
        return {}
    owners = {watch.owner_id: watch.owner for watch in watches}
    began = dict(
        CheckIn.objects.filter(owner_id__in=list(owners))
        .values("owner")
        .annotate(last=Max("local_date"))
        .values_list("owner", "last")
    )
    if never := [owner_id for owner_id in owners if owner_id not in began]:
        began.update(
            Journey.objects.filter(owner_id__in=never)
            .values("owner")
            .annotate(first=Min("started_on"))
            .values_list("owner", "first")
        )
    silences = {}
    for watch in watches:
        started_on = began.get(watch.owner_id)
        if started_on is None:
            continue
        days = (owners[watch.owner_id].local_today(now) - started_on).days
        if days >= watch.no_checkin_days:
            silences.setdefault(watch.owner_id, Silence(started_on, days, [])).due.append(watch)
    return silences


def shown_to(owner, watcher, scopes, now=None):
    """This person's current signs that this watcher hears of and their scopes show, each with its `words` ("no
    check-in for 4 days"): one query, two with a watch. Read on every request, outside the pages' kept parts."""
    watch = SignWatch.objects.filter(owner=owner, watcher=watcher).first()
    if watch is None:
        return []
    now = now or timezone.now()
    allowed, today = allowed_signs(scopes), owner.local_today(now)
    shown = []
    for episode in SignEpisode.objects.for_owner(owner).current(now).order_by("opened_at", "pk"):
        if episode.sign in allowed and watch.told_of(episode, today):
            episode.words = episode.summary(today)
            shown.append(episode)
    return shown


@dataclass(frozen=True)
class Member:
    """Someone in the person's circle who may be told of signs: their account, how they are there, what they see."""

    watcher: object
    role: str
    scopes: frozenset

    @property
    def allowed(self):
        return allowed_signs(self.scopes)

    @property
    def role_label(self):
        """How they are in the circle, in the reader's language ("family or friend", "counselor")."""
        return ROLE_LABELS[self.role]


def circle_of(owner, now=None):
    """{watcher id: Member} of everyone who may be told anything, in the order the page lists them: family and
    friends with an active grant, then counselors with a valid consent (the broader, should there be two)."""
    now = now or timezone.now()
    members = {
        grant.viewer_id: Member(grant.viewer, FAMILY, grant.scopes)
        for grant in Grant.objects.for_owner(owner).active().filter(viewer__is_active=True).select_related("viewer")
    }
    consents = Consent.objects.for_owner(owner).possibly_valid(now).filter(counselor__is_active=True)
    # Oldest first, so the newest valid consent is the one kept: sharing.find_access, which sending asks, reads it.
    for consent in consents.select_related("counselor", "owner").order_by("signed_at", "pk"):
        kept = members.get(consent.counselor_id)
        if consent.is_valid(now) and (kept is None or kept.role == COUNSELOR):
            members[consent.counselor_id] = Member(consent.counselor, COUNSELOR, consent.scopes)
    return members


def choose(owner, watcher_id, signs, no_checkin_days):
    """Save what this watcher is told of (`signs`: the set chosen). Nothing chosen leaves no row: private."""
    watches = SignWatch.objects.for_owner(owner).filter(watcher_id=watcher_id)
    if not signs:
        if watches.exists():
            watches.delete()
        return None
    values = {sign: sign in signs for sign in WarningSign.values}
    values["no_checkin_days"] = no_checkin_days
    watch = watches.first()
    if watch is None:
        watch, created = SignWatch.objects.get_or_create(owner=owner, watcher_id=watcher_id, defaults=values)
        if created:  # else a second submit made it a moment ago: brought in line below
            return watch
    if any(getattr(watch, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(watch, name, value)
        watch.save()
    return watch
