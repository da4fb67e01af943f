"""Rows written in bulk with one INSERT, for the hot paths where bulk_create() costs more than the writing.

On PostgreSQL each column travels as one array literal through UNNEST; elsewhere
(SQLite 3.35+) as VALUES in chunks. Used by the reminder dispatch (deliveries,
notifications) and by the caseload's access-log lines.
"""

import functools

from django.db import connection, models


def insert_rows(model, names, rows, *, returning=(), ignore_conflicts=False, chunk=1000):
    """INSERT rows (sequences of values for the fields `names`); returns the `returning`
    columns of the rows inserted. With ignore_conflicts a row that meets a unique
    constraint is left out, and is not returned.

    For the dispatch's fan-out, where bulk_create() spent longer preparing each value in
    Python than the database spent writing it: values go to the driver as they are, only
    date-times and UUIDs converted for the database. On PostgreSQL each column travels as
    one array through UNNEST, as bulk_create does there (a thousand rows of placeholders
    cost more to parse than to insert); elsewhere (SQLite 3.35+) `chunk` rows a statement.
    """
    ops = connection.ops
    fields = [model._meta.get_field(name) for name in names]
    adapters = []
    for index, field in enumerate(fields):
        if isinstance(field, models.DateTimeField):
            adapters.append((index, ops.adapt_datetimefield_value))
        elif isinstance(field, models.UUIDField):
            adapters.append((index, functools.partial(field.get_db_prep_save, connection=connection)))
    if adapters:
        rows = [list(row) for row in rows]
        for row in rows:
            for index, adapt in adapters:
                if row[index] is not None:
                    row[index] = adapt(row[index])
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    if returning:
        tail += " RETURNING " + ", ".join(ops.quote_name(model._meta.get_field(name).column) for name in returning)
    unnest = connection.vendor == "postgresql"
    if unnest:
        chunk = max(len(rows), 1)
        arrays = ", ".join(f"(%s)::{field.db_type(connection)}[]" for field in fields)
        source = f"SELECT * FROM UNNEST({arrays})"  # noqa: S608 - our column types and placeholders
    row_sql = f"({', '.join(['%s'] * len(names))})"
    found = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            if unnest:
                params = [_array_literal(column) for column in zip(*part, strict=True)]
            else:
                source = f"VALUES {', '.join([row_sql] * len(part))}"
                params = [value for row in part for value in row]
            # Only our table and column names, types and placeholders are interpolated; the values are parameters.
            cursor.execute(f"INSERT INTO {table} ({columns}) {source}{tail}", params)  # noqa: S608
            if returning:
                found += cursor.fetchall()
    return found


def _array_literal(values):
    """A PostgreSQL array literal ('{"1","two",NULL}'), sent as one string parameter.

    The driver would otherwise adapt each element on its own (a few microseconds each,
    date-times more) and send an ARRAY[…] expression for the server to parse element by
    element; the cast in the statement gives the elements their type.
    """
    quoted = {}
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
            continue
        text = quoted.get(value)
        if text is None:
            text = quoted[value] = '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        parts.append(text)
    return "{" + ",".join(parts) + "}"
