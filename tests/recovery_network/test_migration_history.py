"""Today's migrations carry a real database forward: a PostgreSQL database built and filled by an older commit
keeps every row, every foreign key and every content type id when this tree's `migrate` runs on it.

Models move between apps (their tables kept, their state moved by SeparateDatabaseAndState), so nothing here
names an app or a model: tables, rows, links and content types are compared as PostgreSQL holds them.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import pytest
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[2]
# The last commit of main before the app moves (the notification engine left recovery_network, then the
# circle of care left supports): the database every deployment had then.
BASE = "f717284e11e19b85d5c1af7d79d05cceb274ce55"
# Django's bookkeeping, rewritten by migrate by design; content types are compared by id below instead.
BOOKKEEPING = {"django_migrations", "django_content_type", "django_session"}
# migrate adds the permissions of models created since BASE; every row BASE had must still be there.
GROWS_ON_MIGRATE = {"auth_permission"}
# Every concrete model of the current tree, read row by row (a count alone would not notice a column the
# model names but the table lacks). The base manager, because a default manager may filter rows out.
READ_EVERY_MODEL = """
import json
from django.apps import apps
from django.db import connection
tables = set(connection.introspection.table_names())
models = [m for m in apps.get_models(include_auto_created=True) if not m._meta.proxy and m._meta.db_table in tables]
print(json.dumps({
    "app_labels": [config.label for config in apps.get_app_configs()],
    "models": [[m._meta.label, m._meta.db_table, sum(1 for _ in m._base_manager.iterator())] for m in models],
}))
"""

# The demo leaves the engine's and the access log's tables empty; BASE's own code fills one row of each model that
# moved (the records a deployment holds by then: a delivered reminder, a preference, a look, an invitation).
FILL_MOVED_MODELS = """
from recovery_network.models import Delivery, Notification, NotificationPreference, User
from supports import sharing
from supports.caseload import caseload
from supports.models import AccessEvent
owner, family = User.objects.get(email="alex@example.com"), User.objects.get(email="sam@example.com")
caseload(User.objects.get(email="rivera@example.com"), path="/network/clients/")  # a roster, its entries, a view
delivery = Delivery.objects.create(
    recipient=owner, kind="checkin", subject_id=owner.pk, occurrence="2026-01-01", status="sent", in_app=True
)
Notification.objects.create(recipient=owner, delivery=delivery, kind="checkin", title="Time for your check-in")
NotificationPreference.objects.create(user=owner, kind="meeting", by_email=False, in_app=True)
sharing.log(owner, family, AccessEvent.Action.VIEWED, "clean time", f"/network/people/{owner.pk}/")
sharing.invite(owner, "friend@example.org")
"""

pytestmark = pytest.mark.services


def _require(condition, reason):
    """Skip where the machine lacks what the test needs; fail instead in CI (REQUIRE_SERVICES), as conftest does."""
    if condition:
        return
    if os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}")
    pytest.skip(reason)


@pytest.fixture
def base_tree(tmp_path):
    """BASE's source, as `git archive` gives it, from the repository this file lives in."""
    _require(shutil.which("git"), "git is not installed")
    found = subprocess.run(
        ["git", "-C", ROOT, "rev-parse", "--verify", "--quiet", f"{BASE}^{{commit}}"], capture_output=True
    )
    _require(found.returncode == 0, f"commit {BASE[:7]} is not in {ROOT} (a shallow clone?); fetch it to run this")
    tree = tmp_path / "base"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", ROOT, "archive", BASE], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
    return tree


@pytest.fixture
def scratch_database_url():
    """A database of its own on DATABASE_URL's server, dropped afterwards whatever happened."""
    database_url = os.environ.get("DATABASE_URL", "")
    # conftest skips `services` tests without PostgreSQL, but its REQUIRE_SERVICES failure comes too late to
    # stop this fixture; say it here.
    _require(database_url.startswith(("postgres://", "postgresql://")), "DATABASE_URL does not point at PostgreSQL")
    url = urlsplit(database_url)
    name = f"rn_migrhist_{secrets.token_hex(6)}"
    server = psycopg2.connect(url._replace(path="/postgres").geturl())
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        yield url._replace(path=f"/{name}").geturl()
    finally:
        with server.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.close()


def _environment(database_url, var_dir):
    # Without Redis the embedded defaults apply; without PYTHONPATH each tree imports its own code.
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "PYTHONPATH")}
    env.update(
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),  # the embedded broker's queues and emails, away from everyone else's
        DJANGO_SETTINGS_MODULE="recovery_network.settings",
        DEBUG="1",  # seed_demo refuses to run with DEBUG off
    )
    return env


def _manage(tree, env, *args):
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=tree, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, (
        f"manage.py {' '.join(args)} in {tree} exited {done.returncode}\n"
        f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-6000:]}"
    )
    return done.stdout


def _columns(cursor):
    """{table: [column, …]} for every table in schema public."""
    cursor.execute(
        """SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position)
        FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' GROUP BY c.table_name"""
    )
    return dict(cursor.fetchall())


def _rows(cursor, table, columns):
    """The table's rows as text, over the given columns only, so a column added since BASE changes nothing."""
    cursor.execute(
        sql.SQL("SELECT ROW({})::text FROM {}").format(
            sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
        )
    )
    return Counter(text for (text,) in cursor.fetchall())


def _content_types(cursor):
    cursor.execute("SELECT id, app_label, model FROM django_content_type")
    return {id_: (app_label, model) for id_, app_label, model in cursor.fetchall()}


def _foreign_keys(cursor):
    """Every foreign key as (table, columns, referenced table, referenced columns): constraint names may change."""
    cursor.execute(
        """SELECT from_table.relname, to_table.relname,
            (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(f.conkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum),
            (SELECT array_agg(a.attname::text ORDER BY k.n) FROM unnest(f.confkey) WITH ORDINALITY k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum)
        FROM pg_constraint f
        JOIN pg_class from_table ON from_table.oid = f.conrelid
        JOIN pg_class to_table ON to_table.oid = f.confrelid
        WHERE f.contype = 'f' AND f.connamespace = 'public'::regnamespace"""
    )
    return {(table, tuple(columns), to, tuple(to_columns)) for table, to, columns, to_columns in cursor.fetchall()}


@contextmanager
def _database(database_url):
    connection = psycopg2.connect(database_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")  # rows as text read the same before and after
            yield cursor
    finally:
        connection.close()


def _some(rows, limit=3):
    shown = [text if len(text) < 200 else text[:200] + "…" for text in sorted(rows)[:limit]]
    return "; ".join(shown) + (f" … ({len(rows) - limit} more)" if len(rows) > limit else "")


def test_migrations_carry_a_filled_database_forward_keeping_every_row_link_and_content_type(
    base_tree, scratch_database_url, tmp_path
):
    env = _environment(scratch_database_url, tmp_path / "var")
    _manage(base_tree, env, "migrate", "--noinput")
    _manage(base_tree, env, "seed_demo")
    _manage(base_tree, env, "shell", "--verbosity", "0", "-c", FILL_MOVED_MODELS)

    with _database(scratch_database_url) as cursor:
        old_columns = {table: columns for table, columns in _columns(cursor).items() if table not in BOOKKEEPING}
        old_rows = {table: _rows(cursor, table, columns) for table, columns in old_columns.items()}
        old_types = _content_types(cursor)
        old_links = _foreign_keys(cursor)
    seeded = sum(rows.total() for rows in old_rows.values())
    assert seeded > 100, f"seed_demo filled {seeded} rows: the test would prove little"
    moved_tables = [
        "recovery_network_delivery",
        "recovery_network_notification",
        "recovery_network_notificationpreference",
        "supports_accessevent",
        "supports_invitation",
        "supports_grant",
        "supports_consent",
        "supports_caseloadroster",
        "supports_rosterentry",
        "supports_caseloadview",
    ]
    assert all(old_rows[table].total() for table in moved_tables), {t: old_rows[t].total() for t in moved_tables}

    _manage(ROOT, env, "migrate", "--noinput")
    _manage(ROOT, env, "migrate", "--check")  # exits non-zero while a migration is unapplied
    read = json.loads(_manage(ROOT, env, "shell", "--verbosity", "0", "-c", READ_EVERY_MODEL).splitlines()[-1])

    with _database(scratch_database_url) as cursor:
        new_columns = _columns(cursor)
        problems = []
        new_rows = {}
        for table, columns in sorted(old_columns.items()):
            if table not in new_columns:
                problems.append(f"table {table} is gone ({old_rows[table].total()} rows)")
                continue
            if dropped := sorted(set(columns) - set(new_columns[table])):
                problems.append(f"{table}: columns {dropped} are gone")
                continue
            new_rows[table] = _rows(cursor, table, columns)
            lost = old_rows[table] - new_rows[table]
            added = Counter() if table in GROWS_ON_MIGRATE else new_rows[table] - old_rows[table]
            if lost or added:
                change = f"{table}: {old_rows[table].total()} rows before, {new_rows[table].total()} after"
                if lost:
                    change += f"; {lost.total()} lost or changed: {_some(lost)}"
                if added:
                    change += f"; {added.total()} new or changed: {_some(added)}"
                problems.append(change)

        new_types = _content_types(cursor)
        app_labels = set(read["app_labels"])
        for id_, (app_label, model) in sorted(old_types.items()):
            now = new_types.get(id_)
            if now is None:
                problems.append(f"content type {id_} ({app_label}.{model}) is gone")
            elif now[1] != model or now[0] not in app_labels:
                was, is_now = f"{app_label}.{model}", ".".join(now)
                problems.append(f"content type {id_} was {was}, is {is_now} (installed: {sorted(app_labels)})")

        for table, columns, to, to_columns in sorted(old_links - _foreign_keys(cursor)):
            problems.append(f"foreign key {table}({', '.join(columns)}) → {to}({', '.join(to_columns)}) is gone")

    read_tables = set()
    for label, table, count in read["models"]:
        read_tables.add(table)
        if table in new_rows and count != new_rows[table].total():
            problems.append(f"{label} reads {count} rows of {table}, which holds {new_rows[table].total()}")
    for table in sorted(set(new_rows) - read_tables):
        problems.append(f"no model reads {table} ({new_rows[table].total()} rows) any more")

    assert not problems, f"migrating BASE's database ({BASE[:7]}) to this tree:\n" + "\n".join(problems)
