"""The circle's sections of the signed-in home page: kind words and open recommendations for the person in
recovery; the people who share with a family member or friend; a counselor's caseload at a glance."""

import datetime as dt

from django.utils import timezone

from milestones.models import READY_PHRASE_LABELS, Encouragement, Journey, Setback

from . import log_lines, sharing
from .models import AccessEvent, Consent, Grant, Recommendation

ENCOURAGEMENT_DAYS = 14


def circle_section(user):
    """Kind words from the circle and open recommendations (two queries); nothing when there are none."""
    since = user.local_today() - dt.timedelta(days=ENCOURAGEMENT_DAYS)
    encouragements = list(
        Encouragement.objects.for_owner(user).from_circle().filter(received_on__gte=since).order_by("-created_at")[:5]
    )
    recommendations = list(Recommendation.objects.for_owner(user).open()[:5])
    if not encouragements and not recommendations:
        return None
    return {
        "template": "care/home_section.html",
        "encouragements": encouragements,
        "recommendations": recommendations,
    }


# The home page's sections for the other roles an account may hold. They show other people's records, so they are
# rendered outside the home page's kept part (which is keyed on this person's own data) and run a fixed number of
# queries whatever the number of people.

PEOPLE_SHOWN = 10
CELEBRATE_WITHIN_DAYS = 3
LAPSING_WITHIN_DAYS = 14
# A setback the person shares is news for two weeks: the card says so, points to the course's lesson on helping
# after one and offers words from it.
SETBACK_NEWS_DAYS = 14


def family_section(user, now=None):
    """Each person who shares with this family member or friend: their clean time and next milestone where they
    share it (a "celebrate" nudge when it is near), a setback of the last two weeks where they share setbacks (each
    with the family course's lesson for it), what they share, and a one-tap kind word that fits. At most five
    queries; a person whose clean time or setback it shows gets a line in their access log, as for a look at their
    page."""
    if not user.views_someone:
        return None
    now = now or timezone.now()
    grants = list(
        Grant.objects.active()
        .for_viewer(user)
        .filter(owner__is_active=True)
        .select_related("owner")
        .order_by("owner__display_name", "owner_id")[: PEOPLE_SHOWN + 1]
    )
    if not grants:
        return None
    sharing_clean_time = [grant.owner_id for grant in grants[:PEOPLE_SHOWN] if grant.clean_time]
    first_journeys = {}
    for journey in Journey.objects.filter(owner_id__in=sharing_clean_time).order_by("owner_id", "started_on", "pk"):
        first_journeys.setdefault(journey.owner_id, journey)
    setbacks = _recent_setbacks([grant for grant in grants[:PEOPLE_SHOWN] if grant.setbacks], now)
    people = [
        _person_row(grant, first_journeys.get(grant.owner_id), setbacks.get(grant.owner_id), now)
        for grant in grants[:PEOPLE_SHOWN]
    ]
    shown = [row["owner"].pk for row in people if row["journey"] is not None]
    if shown:
        sharing.log_each(shown, user, AccessEvent.Action.VIEWED, log_lines.HOME_CLEAN_TIME, "/")
    if setbacks:
        sharing.log_each(list(setbacks), user, AccessEvent.Action.VIEWED, log_lines.HOME_SETBACK, "/")
    return {"template": "care/home_family.html", "people": people, "more": len(grants) > PEOPLE_SHOWN}


def _recent_setbacks(grants, now):
    """{owner id: their latest setback} of those that happened in the last SETBACK_NEWS_DAYS of each owner's own
    calendar (one query, none when no one shares setbacks)."""
    if not grants:
        return {}
    # A day's margin either side of UTC's date covers every zone; each owner's own today decides below.
    since = now.date() - dt.timedelta(days=SETBACK_NEWS_DAYS + 1)
    owners = {grant.owner_id: grant.owner for grant in grants}
    latest = {}
    for setback in Setback.objects.filter(owner_id__in=list(owners), happened_on__gte=since).order_by(
        "owner_id", "-happened_on", "-pk"
    ):
        today = owners[setback.owner_id].local_today(now)
        if setback.owner_id not in latest and (today - setback.happened_on).days <= SETBACK_NEWS_DAYS:
            latest[setback.owner_id] = setback
    return latest


def _phrase(row):
    """The one-tap kind word that fits the moment: words from the course's lesson after a setback; pride near a
    milestone; otherwise that they are in your thoughts. (key, its words in the reader's language): the button
    sends the key, and the encouragement keeps the English words (sharing.send_encouragement)."""
    if row["setback"] is not None:
        key = "not_erased"
    elif row["journey"] is not None and (row["milestone_today"] or row["near"]):
        key = "proud"
    else:
        key = "thinking"
    return key, READY_PHRASE_LABELS[key]


def _person_row(grant, journey, setback, now):
    row = {"owner": grant.owner, "scopes": grant.scope_names, "journey": journey, "setback": setback}
    if journey is not None:
        today = grant.owner.local_today(now)
        upcoming = journey.upcoming_milestones(today, 1)
        row["clean_time"] = journey.clean_time(today)
        row["milestone_today"] = journey.milestone_today(today)
        row["next"] = upcoming[0] if upcoming else None
        row["days_to_go"] = upcoming[0].days_to_go(today) if upcoming else None
        row["near"] = row["days_to_go"] is not None and row["days_to_go"] <= CELEBRATE_WITHIN_DAYS
    row["phrase"] = _phrase(row)
    return row


def counselor_section(user, now=None):
    """For a counselor: how many clients have a valid consent and how many of those lapse soon, and the way to the
    caseload (behind the second factor, which names them). No client is named here, so nothing is logged. One
    query."""
    if not user.counsels_someone:
        return None
    now = now or timezone.now()
    consents = [
        consent
        for consent in Consent.objects.possibly_valid(now).for_counselor(user).select_related("owner")
        if consent.is_valid(now) and consent.owner.is_active
    ]
    # A client's consent lapses when the last of theirs to this counselor does.
    lapses = {}
    for consent in consents:
        until = Consent.lapses_at(consent.expires_on, consent.owner.zone)
        lapses[consent.owner_id] = max(until, lapses.get(consent.owner_id, until))
    soon = now + dt.timedelta(days=LAPSING_WITHIN_DAYS)
    return {
        "template": "care/home_counselor.html",
        "clients": len(lapses),
        "lapsing": sum(1 for until in lapses.values() if until <= soon),
        "lapsing_within_days": LAPSING_WITHIN_DAYS,
    }
