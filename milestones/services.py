"""Workflows that span more than one record: a setback and its journey, a check-in and its links."""

from django.db import transaction

from .models import CheckIn, Journey, Setback


def start_journey(owner, *, kind, started_on, own_words=""):
    return Journey.objects.create(
        owner=owner, kind=kind, own_words=own_words, first_started_on=started_on, started_on=started_on
    )


def record_setback(
    journey,
    *,
    happened_on,
    restart_on=None,
    what_happened="",
    what_learned="",
    reach_out_to="",
    reach_out_supporter=None,
):
    """Record a setback; with `restart_on`, the journey's current count starts again from that day.

    The journey row is locked so two setbacks recorded at once cannot both read the
    same "previous start" and lose one restart. Nothing is deleted: the streak that
    ended stays in the history, told by `previous_started_on`.
    """
    with transaction.atomic():
        journey = Journey.objects.select_for_update().get(pk=journey.pk)
        setback = Setback.objects.create(
            owner=journey.owner,
            journey=journey,
            happened_on=happened_on,
            restart_on=restart_on,
            previous_started_on=journey.started_on,
            what_happened=what_happened,
            what_learned=what_learned,
            reach_out_to=reach_out_to,
            reach_out_supporter=reach_out_supporter,
        )
        if restart_on is not None:
            journey.started_on = restart_on
            journey.save(update_fields=["started_on"])
    return setback


CHECKIN_FIELDS = ("sober", "mood", "craving", "triggers", "helped", "gratitude", "notes")


def save_checkin(owner, local_date, *, supporters=(), groups=(), **fields):
    """Create or update the person's one check-in for `local_date`; returns (checkin, created).

    Two submits for the same day (a double tap, a phone and a laptop) may both find no
    check-in and both insert: the database's unique constraint stops the second, and
    update_or_create then applies its answers to the row that won. Either way the person
    ends with exactly one check-in holding their latest answers, and never an error page.
    The owner's pages are marked changed by the save and the links' signals.
    """
    unknown = set(fields) - set(CHECKIN_FIELDS)
    if unknown:
        raise TypeError(f"unknown check-in fields: {', '.join(sorted(unknown))}")
    supporters, groups = list(supporters), list(groups)
    # The links name the owner's own network only; anything else is a bug upstream.
    if any(item.owner_id != owner.pk for item in supporters + groups):
        raise ValueError("A check-in can only link to the owner's own supporters and groups.")
    with transaction.atomic():
        checkin, created = CheckIn.objects.update_or_create(owner=owner, local_date=local_date, defaults=fields)
        if created:  # no links yet: nothing to read or clear
            checkin.helped_supporters.add(*supporters)
            checkin.helped_groups.add(*groups)
        else:
            checkin.helped_supporters.set(supporters)
            checkin.helped_groups.set(groups)
    return checkin, created
