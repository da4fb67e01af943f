"""Workflows that span more than one record: a setback and its journey, a check-in and its links."""

from django.db import IntegrityError, transaction

from .models import CheckIn, CheckInReceipt, Journey, Setback


def start_journey(owner, *, kind, started_on, own_words="", **costs):
    """`costs`: what the habit cost each day, if given (cost_per_day, cost_currency, hours_per_day)."""
    return Journey.objects.create(
        owner=owner, kind=kind, own_words=own_words, first_started_on=started_on, started_on=started_on, **costs
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


def save_checkin(owner, local_date, *, entered_late=False, supporters=None, groups=None, **fields):
    """Create or update the person's one check-in for `local_date`; returns (checkin, created).

    `entered_late` marks a check-in created now for a missed day; changing one later keeps its mark as it was.

    Fields not given keep their saved values, and links (`supporters`, `groups`) not given
    stay as they are: the offline page's short form sends only its few answers.

    Two submits for the same day (a double tap, a phone and a laptop) may both find no
    check-in and both insert: the database's unique constraint stops the second, and
    update_or_create then applies its answers to the row that won. Either way the person
    ends with exactly one check-in holding their latest answers, and never an error page.
    The owner's pages are marked changed by the save and the links' signals.
    """
    unknown = set(fields) - set(CHECKIN_FIELDS)
    if unknown:
        raise TypeError(f"unknown check-in fields: {', '.join(sorted(unknown))}")
    links = {"helped_supporters": supporters, "helped_groups": groups}
    links = {name: list(items) for name, items in links.items() if items is not None}
    # The links name the owner's own network only; anything else is a bug upstream.
    if any(item.owner_id != owner.pk for items in links.values() for item in items):
        raise ValueError("A check-in can only link to the owner's own supporters and groups.")
    with transaction.atomic():
        checkin, created = CheckIn.objects.update_or_create(
            owner=owner,
            local_date=local_date,
            defaults=fields,
            create_defaults={**fields, "entered_late": entered_late},
        )
        for name, items in links.items():
            if created:  # no links yet: nothing to read or clear
                getattr(checkin, name).add(*items)
            else:
                getattr(checkin, name).set(items)
    return checkin, created


def save_checkin_from_device(owner, key, local_date, **answers):
    """Save a check-in a phone kept while offline and sent once it could; returns (checkin, created).

    `key` is the phone's own name for this check-in. A second arrival with the same key (the phone
    sent again because the first answer was lost) saves nothing and returns (None, False), so a copy
    sent late never overwrites what the person changed in between.
    """
    try:
        with transaction.atomic():
            CheckInReceipt.objects.create(owner=owner, key=key, local_date=local_date)
            return save_checkin(owner, local_date, **answers)
    except IntegrityError:
        if CheckInReceipt.objects.filter(owner=owner, key=key).exists():
            return None, False
        raise
