"""Warning signs, told to whom the person chose: no check-in for N days, cravings of 8 or more three days
running, a check-in recording use.

Each stretch of a sign is a `SignEpisode`, unique per (person, sign, the day that begins it), and each person
told of it a unique `Delivery` of the `warning_sign` kind (notifications/delivery.notify): so a sign fires
once per episode however often it is evaluated, and fires again only after it ended and came back. A check-in
is evaluated as it is saved (receivers.py); silence, by `sweep_silence` from beat every 15 minutes. Someone is
told only while their grant or consent shows the sign (SIGN_SCOPES) — checked again just before sending.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from milestones.models import CheckIn
from recovery_network.models import User
from recovery_network.notifications.delivery import notify
from recovery_network.notifications.registry import get_kind

from .models import SignEpisode, SignWatch, WarningSign, allowed_signs
from .notification_kinds import WarningSignKind, may_be_told

log = logging.getLogger(__name__)

STRONG_CRAVING = 8
RUN_DAYS = 3


@receiver(post_save, sender=CheckIn, dispatch_uid="care-warning-signs-checkin")
def checkin_saved(sender, instance, **kwargs):
    """Evaluated once the check-in is committed; a failure here is logged and never costs the check-in."""

    def evaluate():
        try:
            checked_in(instance)
        except Exception:  # noqa: BLE001 — the person's check-in is saved; the sweep sees silence anyway
            log.exception("Warning signs of check-in %s could not be evaluated", instance.pk)

    transaction.on_commit(evaluate)


def _open(owner, sign, started_on, now, ended=False):
    """The episode (made now if new) and whether it was made."""
    try:
        with transaction.atomic():
            episode = SignEpisode.objects.create(
                owner=owner, sign=sign, started_on=started_on, opened_at=now, ended_at=now if ended else None
            )
            return episode, True
    except IntegrityError:
        return SignEpisode.objects.get(owner=owner, sign=sign, started_on=started_on), False


def tell(episode, now=None, days_silent=None):
    """Tell each watcher of this episode's sign, once: [names told now]."""
    now = now or timezone.now()
    if get_kind(WarningSignKind.key) is None:
        return []
    told = []
    watches = SignWatch.objects.filter(owner_id=episode.owner_id, **{episode.sign: True}).select_related("watcher")
    for watch in watches:
        if days_silent is not None and days_silent < watch.no_checkin_days:
            continue  # their own N is not reached yet
        if may_be_told(watch, episode.sign, now) and notify(
            watch.watcher, WarningSignKind.key, episode, f"w{episode.pk}", now=now
        ):
            told.append(watch.watcher.name)
    return told


def checked_in(checkin, now=None):
    """A check-in was saved: silence ends, a run of strong cravings opens or ends, a use is its own episode."""
    now = now or timezone.now()
    owner = checkin.owner
    SignEpisode.objects.filter(owner=owner, sign=WarningSign.NO_CHECKIN, ended_at__isnull=True).update(ended_at=now)
    if not SignWatch.objects.filter(owner=owner).exists():
        return  # no one is to be told anything: nothing to keep
    _craving(owner, checkin, now)
    if checkin.sober == CheckIn.Sober.NO:
        episode, _ = _open(owner, WarningSign.USE, checkin.local_date, now, ended=True)
        tell(episode, now)


def _craving(owner, checkin, now):
    """The run of consecutive days with craving >= 8 ending on the newest check-in, if it is 3 days or more."""
    recent = list(
        CheckIn.objects.filter(owner=owner, local_date__lte=owner.local_today(now))
        .order_by("-local_date")
        .values_list("local_date", "craving")[:30]
    )
    run = []
    for day, craving in recent:
        if (craving or 0) < STRONG_CRAVING or (run and run[-1] - day != dt.timedelta(days=1)):
            break
        run.append(day)
    if len(run) >= RUN_DAYS:
        episode, _ = _open(owner, WarningSign.CRAVING, run[-1], now)
        tell(episode, now)
    else:
        SignEpisode.objects.filter(owner=owner, sign=WarningSign.CRAVING, ended_at__isnull=True).update(ended_at=now)


def sweep_silence(now=None):
    """Everyone watched for silence whose last check-in is N or more of their own days ago: the episode opened
    (once) and each watcher told when their own N is reached. Three queries, and a few for each person silent."""
    now = now or timezone.now()
    fewest = dict(
        SignWatch.objects.filter(no_checkin=True, owner__has_journey=True, owner__is_active=True)
        .values("owner")
        .annotate(fewest=Min("no_checkin_days"))
        .values_list("owner", "fewest")
    )
    last = dict(
        CheckIn.objects.filter(owner_id__in=fewest)
        .values("owner")
        .annotate(last=Max("local_date"))
        .values_list("owner", "last")
    )
    opened = 0
    for owner in User.objects.filter(pk__in=fewest):
        started_on = last.get(owner.pk) or _journey_start(owner)
        if started_on is None:
            continue
        silent = (owner.local_today(now) - started_on).days
        if silent >= fewest[owner.pk]:
            episode, made = _open(owner, WarningSign.NO_CHECKIN, started_on, now)
            if episode.ended_at is None:
                opened += made
                tell(episode, now, days_silent=silent)
    return opened


def _journey_start(owner):
    return owner.journeys.order_by("started_on").values_list("started_on", flat=True).first()


def shown_to(owner, watcher, scopes, now=None):
    """The signs of this person, open or from the last three days, that this watcher is told of: two queries."""
    watch = SignWatch.objects.filter(owner=owner, watcher=watcher).first()
    if watch is None:
        return []
    allowed = allowed_signs(scopes)
    return [
        episode
        for episode in SignEpisode.objects.for_owner(owner).recent(now or timezone.now())
        if watch.watches(episode.sign) and episode.sign in allowed
    ]
