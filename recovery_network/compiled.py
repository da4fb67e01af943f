"""ORM queries built and compiled once per process, then run again with each request's values.

For the short lookups a hot page makes on every request (is there a grant? write the
access log line), building the QuerySet and compiling it to SQL costs more CPU than
running it. Here the ORM builds the query once, with stand-in values, and each call
runs that same SQL with the real ones, making model instances as the ORM does
(`Model.from_db`, and `select_related` objects cached on their parent). The SQL is the
ORM's own, so a filter changed in the query's `build` function changes it too.

Where the database hands back values the ORM must convert (SQLite's dates and times),
`first` goes through the ORM instead; PostgreSQL needs no conversion for these models.
docs/DEVELOPING.md "Written-out SQL on hot paths" says when to use this and how it is tested.

On PostgreSQL, `execute` runs such fixed SQL as a prepared statement (PREPARE once per
database session, then EXECUTE): the server then skips parsing and planning it again,
a fifth to a third of what a short lookup costs it. Prepared statements live as long as
the session and outlast a rolled-back transaction; each new connection starts a new set
(connection_created). Keep a connection pooler in session mode if one is put in front.
"""

import functools
import re
from dataclasses import dataclass

from django.db import connections, router
from django.db.backends.signals import connection_created


@dataclass(frozen=True)
class _Plan:
    alias: str
    sql: str
    params: tuple  # (name, None) for a value given by the caller, (None, value) for one of the query's own
    klass_info: dict
    attnames: dict  # id(klass_info) -> (select positions, attnames)


def first(build, **values):
    """`build(**values)[:1]`'s one object (with its select_related objects), or None.

    `build` is a module-level function of integer values (ids) returning a QuerySet of
    models; every value must appear as a parameter of the query.
    """
    plan = _plan(build, tuple(sorted(values)))
    if plan is None:
        return next(iter(build(**values)[:1]), None)
    with connections[plan.alias].cursor() as cursor:
        execute(cursor, plan.sql, [values[name] if name else value for name, value in plan.params])
        row = cursor.fetchone()
    return None if row is None else _instance(plan, plan.klass_info, row)


def _instance(plan, klass_info, row):
    positions, attnames = plan.attnames[id(klass_info)]
    obj = klass_info["model"].from_db(plan.alias, attnames, [row[position] for position in positions])
    for related_info in klass_info.get("related_klass_infos", ()):
        related = _instance(plan, related_info, row)
        if related.pk is None:  # a nullable relation that is empty, as the ORM leaves it
            related = None
        related_info["local_setter"](obj, related)
        if related is not None:
            related_info["remote_setter"](related, obj)
    return obj


@functools.cache
def _plan(build, names):
    stand_ins = {name: -(index + 1) for index, name in enumerate(names)}  # ids are never negative
    queryset = build(**stand_ins)[:1]
    alias = queryset.db
    compiler = queryset.query.get_compiler(using=alias)
    sql, query_params = compiler.as_sql()
    by_stand_in = {value: name for name, value in stand_ins.items()}
    params = tuple(
        (by_stand_in[value], None) if type(value) is int and value in by_stand_in else (None, value)
        for value in query_params
    )
    if sorted(name for name, _ in params if name) != sorted(names):
        raise ValueError(f"{build.__name__}: each of {', '.join(names)} must appear once in the query")
    if compiler.get_converters([column for column, _, _ in compiler.select]):
        return None
    attnames = {}

    def collect(klass_info):
        positions = tuple(klass_info["select_fields"])
        attnames[id(klass_info)] = (positions, [compiler.select[i][0].target.attname for i in positions])
        for related_info in klass_info.get("related_klass_infos", ()):
            collect(related_info)

    collect(compiler.klass_info)
    return _Plan(alias, sql, params, compiler.klass_info, attnames)


def insert(model, **values):
    """One row of `model` with these field values (every column but the primary key; a relation by its id,
    as `owner=5` or `owner_id=5`), in an INSERT compiled once. No instance is made and no signal sent: for
    append-only rows written on every request."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    names = tuple(values)
    sql, fields = _insert_sql(model, alias, names)
    prepared = [field.get_db_prep_save(values[name], connection) for name, field in zip(names, fields, strict=True)]
    with connection.cursor() as cursor:
        execute(cursor, sql, prepared)


@functools.cache
def _insert_sql(model, alias, names):
    ops = connections[alias].ops
    fields = [model._meta.get_field(name) for name in names]
    missing = {field.name for field in model._meta.concrete_fields if not field.primary_key}
    missing -= {field.name for field in fields}
    if missing:
        raise ValueError(f"{model.__name__}: no value for {', '.join(sorted(missing))}")
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = ops.quote_name(model._meta.db_table)
    return f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", fields  # noqa: S608 — our names


# Prepared statements (PostgreSQL)

_names = {}  # SQL text -> statement name, the same in every session of this process


def execute(cursor, sql, params):
    """cursor.execute(sql, params) for SQL fixed per process (its values all parameters): on PostgreSQL as a
    statement prepared once per database session."""
    database = cursor.db
    if database.vendor != "postgresql":
        return cursor.execute(sql, params)
    name = _names.get(sql)
    if name is None:
        name = _names.setdefault(sql, f"rn_{len(_names) + 1}")
    prepared = database.__dict__.setdefault("prepared_statements", set())
    if name not in prepared:
        # On the driver's own cursor: preparing is bookkeeping, not one of the page's queries.
        cursor.cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
        prepared.add(name)
    if not params:
        return cursor.execute(f"EXECUTE {name}")
    return cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)


def _numbered(sql):
    """psycopg2's %s placeholders as PostgreSQL's $1, $2, … (a literal %% stays a %)."""
    count = 0

    def number(match):
        nonlocal count
        if match.group() == "%%":
            return "%"
        count += 1
        return f"${count}"

    return re.sub(r"%%|%s", number, sql)


def _new_session(sender, connection, **kwargs):
    connection.__dict__["prepared_statements"] = set()  # a new session has none prepared


connection_created.connect(_new_session, dispatch_uid="compiled-prepared-statements")
