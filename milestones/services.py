"""Workflows that span more than one record: a setback and its journey, a check-in and its links."""

import functools

from django.db import IntegrityError, connection, connections, router, transaction

from recovery_network import compiled, page_cache

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


def _existing_checkin(owner, local_date):
    """The day's check-in, if any, knowing whether it links supporters or groups (so an unlinked one isn't asked).

    Written out as SQL: the same query through the ORM (two Exists annotations) took
    longer to build than the rest of a check-in's save, on every submit.
    """
    return next(iter(CheckIn.objects.raw(_existing_sql(), [owner.pk, local_date])), None)


@functools.cache
def _existing_sql():
    ops = connection.ops
    table = ops.quote_name(CheckIn._meta.db_table)
    supporters = ops.quote_name(CheckIn.helped_supporters.through._meta.db_table)
    groups = ops.quote_name(CheckIn.helped_groups.through._meta.db_table)
    return (  # our models' tables; every value is a parameter
        f"SELECT c.*, EXISTS (SELECT 1 FROM {supporters} s WHERE s.checkin_id = c.id) AS has_supporters,"  # noqa: S608
        f" EXISTS (SELECT 1 FROM {groups} g WHERE g.checkin_id = c.id) AS has_groups"
        f" FROM {table} c WHERE c.owner_id = %s AND c.local_date = %s"
    )


def save_checkin(owner, local_date, *, supporters=(), groups=(), **fields):
    """Create or update the person's one check-in for `local_date`; returns (checkin, created).

    Two submits for the same day (a double tap, a phone and a laptop) may both find
    no check-in and both insert: the database's unique constraint stops the second,
    which then applies its answers to the row that won. Either way the person ends
    with exactly one check-in holding their latest answers, and never an error page.
    """
    unknown = set(fields) - set(CHECKIN_FIELDS)
    if unknown:
        raise TypeError(f"unknown check-in fields: {', '.join(sorted(unknown))}")
    supporters, groups = list(supporters), list(groups)
    # The links name the owner's own network only; anything else is a bug upstream.
    if any(item.owner_id != owner.pk for item in supporters + groups):
        raise ValueError("A check-in can only link to the owner's own supporters and groups.")
    if not supporters and not groups and connection.vendor == "postgresql":
        return _save_unlinked(owner, local_date, fields)

    checkin = _existing_checkin(owner, local_date)
    created = checkin is None
    with transaction.atomic():
        if created:
            try:
                with transaction.atomic():
                    checkin = CheckIn.objects.create(owner=owner, local_date=local_date, **fields)
            except IntegrityError:
                created = False
                checkin = CheckIn.objects.select_for_update().get(owner=owner, local_date=local_date)
        if not created:
            for name, value in fields.items():
                setattr(checkin, name, value)
            checkin.save()
        # set() reads the current links first; a check-in known to have none, kept with none, needs no query.
        if supporters or getattr(checkin, "has_supporters", not created):
            checkin.helped_supporters.set(supporters)
        if groups or getattr(checkin, "has_groups", not created):
            checkin.helped_groups.set(groups)
    return checkin, created


def _save_unlinked(owner, local_date, fields):
    """save_checkin for a check-in that names no supporter or group, in one statement (PostgreSQL).

    Most submits link nobody. Through the ORM they took six round trips (the lookup,
    BEGIN, the save, the owner's data version, COMMIT) and most of the submit's CPU;
    here one INSERT … ON CONFLICT DO UPDATE writes the day's check-in whether it exists
    or not (a racing second submit updates the row the first wrote), clears any links it
    had, and bumps the owner's data version, all or nothing. Values are prepared by the
    model's own fields, as save() prepares them.
    """
    checkin = CheckIn(owner=owner, local_date=local_date, **fields)
    alias = router.db_for_write(CheckIn)
    database = connections[alias]
    sql, columns = _save_unlinked_sql(alias)
    values = [field.get_db_prep_save(field.pre_save(checkin, True), database) for field in columns]
    with database.cursor() as cursor:
        compiled.execute(cursor, sql, [*values, owner.pk])
        checkin.pk, created = cursor.fetchone()
    checkin._state.adding, checkin._state.db = False, alias
    return checkin, created


@functools.cache
def _save_unlinked_sql(alias):
    quote = connections[alias].ops.quote_name
    table = quote(CheckIn._meta.db_table)
    columns = [field for field in CheckIn._meta.concrete_fields if not field.primary_key]
    changed = [field for field in columns if field.name in CHECKIN_FIELDS or getattr(field, "auto_now", False)]
    one_a_day = ("owner", "local_date")
    [constraint] = [quote(item.name) for item in CheckIn._meta.constraints if getattr(item, "fields", ()) == one_a_day]
    names = ", ".join(quote(field.column) for field in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    updates = ", ".join(f"{quote(field.column)} = EXCLUDED.{quote(field.column)}" for field in changed)
    clears = "".join(
        f", cleared_{number} AS (DELETE FROM {quote(field.remote_field.through._meta.db_table)}"  # noqa: S608
        f" WHERE {quote(field.m2m_column_name())} IN (SELECT id FROM saved))"
        for number, field in enumerate(CheckIn._meta.many_to_many)
    )
    # Our models' tables and columns only; every value is a parameter.
    sql = (
        f"WITH saved AS (INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        f" ON CONFLICT ON CONSTRAINT {constraint} DO UPDATE SET {updates} RETURNING id, (xmax = 0) AS created)"
        f"{clears}, bumped AS ({page_cache.bump_one_sql()})"
        " SELECT id, created FROM saved"
    )
    return sql, columns
