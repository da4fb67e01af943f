"""The network review's workflows: begin one (recording the network as it stands), answer for a supporter or a
group (the answer applies to the network at once), and finish (a dated snapshot).

Views, the demo data and tests call these with plain arguments. Every write to a person's own records goes
through their models (a save, `archive()`, an OwnedQuerySet write), so their cached pages and reminders follow.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop, ngettext

from recovery_network.models import local_moment
from supports.models import CommunityActivity, ContactEvery, PeerGroup, Supporter
from supports.services import save_snapshot

from .models import LOOK_BACK_DAYS, GroupReview, NetworkReview, StillGoing, StillSupportive, SupporterReview

# Stored with the snapshot (a record, in English like every stored value), not a translated string.
# The note on the snapshot a review ends with: the person's own note (they may write their own on the next), so
# written in their language.
SNAPSHOT_NOTE = gettext_noop("Network review")


def window(user, now):
    """(first local day, last local day, the UTC moment the first began): the LOOK_BACK_DAYS local days up to
    and including today, in the person's zone, as the attendance counts ("90 in 90") read them."""
    local_today = user.local_today(now)
    first_day = local_today - dt.timedelta(days=LOOK_BACK_DAYS - 1)
    return first_day, local_today, local_moment(first_day, dt.time(0, 0), user.zone)


def begin_review(user, now=None):
    """(review, begun): the person's review in progress, or a new one recording every current supporter and
    peer group as they stand. Seven queries whatever the size of the network.

    One review in progress per person is a database constraint; two "Begin" taps at once (a double submit, a
    phone and a laptop) both end up with the one review the first began.
    """
    now = now or timezone.now()
    in_progress = NetworkReview.objects.for_owner(user).open().first()
    if in_progress is not None:
        return in_progress, False
    try:
        with transaction.atomic():
            review = NetworkReview.objects.create(owner=user, started_at=now, started_on=user.local_today(now))
            _record_network(review, user, now)
    except IntegrityError:
        return NetworkReview.objects.for_owner(user).open().get(), False
    return review, True


def _record_network(review, user, now):
    first_day, last_day, since_utc = window(user, now)
    supporters = (
        Supporter.objects.for_owner(user)
        .active()
        .annotate(
            recent_contacts=Count(
                "contacts", filter=Q(contacts__happened_at__gte=since_utc, contacts__happened_at__lte=now)
            )
        )
        .order_by("closeness", "name", "id")
    )
    SupporterReview.objects.bulk_create(
        SupporterReview(
            review=review,
            supporter=supporter,
            name=supporter.name,
            closeness_before=supporter.closeness,
            influence_before=supporter.influence,
            contact_every=supporter.contact_every_days,
            contacts_in_window=supporter.recent_contacts,
        )
        for supporter in supporters
    )
    in_window = Q(attendances__attended_on__gte=first_day, attendances__attended_on__lte=last_day)
    groups = PeerGroup.objects.for_owner(user).active().annotate(recent=Count("attendances", filter=in_window))
    GroupReview.objects.bulk_create(
        GroupReview(review=review, group=group, name=group.name, attended_in_window=group.recent) for group in groups
    )


def _answered(row, answers, now):
    for name, value in answers.items():
        setattr(row, name, value)
    row.answered_at = now


@transaction.atomic
def answer_supporter(row, answers, now=None):
    """Save what the person decided about one supporter and apply it to their network: where they belong now,
    how they affect the person's recovery now, and stepping back from them (archived, never deleted; un-ticking
    it in the same review brings them back). `answers` holds SupporterReview fields."""
    now = now or timezone.now()
    stepped_back_before = row.stepped_back
    _answered(row, answers, now)
    row.save()
    supporter = Supporter.objects.select_for_update().filter(pk=row.supporter_id).first()
    if supporter is None:
        return row  # gone since the review began (an erasure): the review keeps what it saw
    changed = []
    if row.closeness_after and supporter.closeness != row.closeness_after:
        supporter.closeness = row.closeness_after
        changed.append("closeness")
    if row.influence_after and supporter.influence != row.influence_after:
        supporter.influence = row.influence_after
        changed.append("influence")
    if changed:
        supporter.save(update_fields=[*changed, "updated_at"])
    if row.stepped_back:
        supporter.archive(now)
    elif stepped_back_before:
        supporter.restore()
    return row


@transaction.atomic
def answer_group(row, answers, now=None):
    """Save what the person decided about one group; stepping back archives it (its attendance stays), and
    un-ticking it in the same review brings it back."""
    now = now or timezone.now()
    stepped_back_before = row.stepped_back
    _answered(row, answers, now)
    row.save()
    group = PeerGroup.objects.select_for_update().filter(pk=row.group_id).first()
    if group is not None:
        if row.stepped_back:
            group.archive(now)
        elif stepped_back_before:
            group.restore()
    return row


def save_notes(review, **notes):
    """The community or gaps note (NetworkReview fields), saved through the model: the owner's pages follow."""
    for name, value in notes.items():
        setattr(review, name, value)
    review.save(update_fields=list(notes))
    return review


@transaction.atomic
def finish_review(review, now=None):
    """End the review with a dated snapshot of the network as the answers left it. Finishing twice (a double
    tap) finds it finished and changes nothing."""
    now = now or timezone.now()
    review = NetworkReview.objects.select_for_update().select_related("owner").get(pk=review.pk)
    if review.is_finished:
        return review
    owner = review.owner
    with translation.override(owner.language):
        note = gettext(SNAPSHOT_NOTE)
    review.snapshot = save_snapshot(owner, note=note, now=now)
    review.finished_at = now
    review.finished_on = owner.local_today(now)
    review.save(update_fields=["snapshot", "finished_at", "finished_on"])
    return review


def what_the_review_saw(row):
    """How often they really talked, against the wished-for rhythm, in plain words that blame no one."""
    count = row.contacts_in_window
    if count:
        seen = ngettext(
            "In the last %(days)s days you logged %(count)s contact with them.",
            "In the last %(days)s days you logged %(count)s contacts with them.",
            count,
        ) % {"days": LOOK_BACK_DAYS, "count": count}
    else:
        seen = gettext("In the last %(days)s days you logged no contact with them.") % {"days": LOOK_BACK_DAYS}
    wished = dict(ContactEvery.choices).get(row.contact_every)
    if not wished:
        return seen
    # Translators: the rhythm is one of the "how often" choices of a supporter, lower-cased: "every week".
    return gettext("You wished to be in touch %(rhythm)s.") % {"rhythm": wished.lower()} + " " + seen


def recent_community(user, now, limit=20):
    """The community activities of the last LOOK_BACK_DAYS local days, the newest first (one query)."""
    first_day, last_day, _ = window(user, now)
    return list(
        CommunityActivity.objects.for_owner(user).filter(happened_on__gte=first_day, happened_on__lte=last_day)[:limit]
    )


def summary_of(review):
    """What the person decided in this review, in counts for the last step (two queries)."""
    people = list(review.supporter_reviews.all())
    groups = list(review.group_reviews.all())
    return {
        "people": len(people),
        "people_answered": sum(1 for row in people if row.answered_at),
        "closer": sum(1 for row in people if row.closeness_after and row.closeness_after < row.closeness_before),
        "further": sum(1 for row in people if row.closeness_after and row.closeness_after > row.closeness_before),
        "not_supportive": sum(1 for row in people if row.still_supportive == StillSupportive.NO),
        "people_stepped_back": [row.name for row in people if row.stepped_back],
        "groups": len(groups),
        "groups_going": sum(1 for row in groups if row.still_going in (StillGoing.YES, StillGoing.LESS)),
        "groups_stepped_back": [row.name for row in groups if row.stepped_back],
    }
