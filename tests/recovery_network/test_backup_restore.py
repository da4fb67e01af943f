"""A backup is only as good as its restore: pg_dump of a database holding a circle of care, restored into a fresh
database with the commands docs/DEPLOYMENT.md gives, holds every row and serves the app.

The source is the test database (a transaction=True test commits, so pg_dump's own session sees the rows); the copy
is a database of its own, test_restore_<hex>, dropped afterwards.
"""

import datetime as dt
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.urls import reverse

from milestones.models import CheckIn, Journey
from recovery_network.care.models import AccessEvent, Consent, Grant
from recovery_network.models import User
from supports.models import Contact, Supporter
from tests.factories import TEST_PASSWORD, sign_in
from tests.milestones.factories import CheckInFactory, JourneyFactory
from tests.supports.factories import ContactFactory, SupporterFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

CHECKINS = 30
SUPPORTERS = 4


@pytest.fixture(autouse=True)
def _postgresql_and_its_tools():
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore back up PostgreSQL")
    missing = [tool for tool in ("pg_dump", "pg_restore", "createdb", "dropdb") if shutil.which(tool) is None]
    if missing:
        why = f"{', '.join(missing)} not installed (Debian: postgresql-client)"
        if os.environ.get("REQUIRE_SERVICES", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"REQUIRE_SERVICES is set but {why}", pytrace=False)
        pytest.skip(why)


def run(*command):
    """One of PostgreSQL's client programs, against the test database's server, as its user."""
    s = connection.settings_dict
    server = ["--host", s["HOST"] or "127.0.0.1", "--port", str(s["PORT"] or 5432), "--username", s["USER"]]
    env = {**os.environ, "PGPASSWORD": s["PASSWORD"] or ""}
    done = subprocess.run([*command, *server], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def circle(owner, family, counselor):
    """The owner's journey, a month of check-ins, supporters with a contact logged, the family member's grant and
    the counselor's consent (the conftest cast), and each of them having looked: lines in the access log."""
    today = owner.local_today()
    JourneyFactory(owner=owner, started_on=today - dt.timedelta(days=60))
    for days_ago in range(1, CHECKINS + 1):
        CheckInFactory(owner=owner, local_date=today - dt.timedelta(days=days_ago), mood=1 + days_ago % 5)
    supporters = SupporterFactory.create_batch(SUPPORTERS, owner=owner)
    ContactFactory(supporter=supporters[0])
    assert sign_in(Client(), family).get(reverse("care:person", args=[owner.pk])).status_code == 200
    assert sign_in(Client(), counselor).get(reverse("care:client", args=[owner.pk])).status_code == 200
    for model in (User, Journey, CheckIn, Supporter, Contact, Grant, Consent, AccessEvent):
        assert model.objects.exists(), model  # so equal counts are not two empty tables
    return owner


@pytest.fixture
def restored(circle, tmp_path):
    """The name of a fresh database restored from a custom-format dump of the test database."""
    backup = tmp_path / "recovery.dump"
    run("pg_dump", "--format=custom", f"--file={backup}", connection.settings_dict["NAME"])
    name = f"test_restore_{uuid.uuid4().hex[:12]}"
    run("createdb", "--template=template0", name)
    try:
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={name}", str(backup))
        yield name
    finally:
        run("dropdb", "--force", "--if-exists", name)


@contextmanager
def served_from(name):
    """This process's ORM on database `name` inside the block, with nothing kept from the source's pages."""
    settings_dict = {**connections["default"].settings_dict, "NAME": name}
    copy = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    saved = connections["default"]
    connections["default"] = copy
    cache.clear()
    try:
        yield copy
    finally:
        copy.close()
        connections["default"] = saved
        cache.clear()


def row_counts(db):
    with db.cursor() as cursor:
        tables = db.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {db.ops.quote_name(table)}")  # noqa: S608 — our own table names
            counts[table] = cursor.fetchone()[0]
    return counts


def test_a_restored_backup_has_every_row_of_every_table(restored):
    source = row_counts(connection)
    with served_from(restored) as copy:
        assert row_counts(copy) == source
    assert source[CheckIn._meta.db_table] == CHECKINS and source[AccessEvent._meta.db_table] >= 2


def test_the_restored_database_serves_the_circle_of_care(restored, circle, family, counselor):
    with served_from(restored):
        owner = User.objects.get(email=circle.email)
        assert owner.check_password(TEST_PASSWORD)  # people sign in with the passwords they had
        assert CheckIn.objects.for_owner(owner).count() == CHECKINS
        assert Supporter.objects.for_owner(owner).active().count() == SUPPORTERS
        assert Grant.objects.active().filter(owner=owner, viewer__email=family.email).exists()
        looks = AccessEvent.objects.filter(owner=owner, action="viewed")
        assert looks.count() == 2

        owner_client = sign_in(Client(), owner)
        for name in ("home", "supports:index", "milestones:checkins"):
            assert owner_client.get(reverse(name)).status_code == 200, name
        access_log = owner_client.get(reverse("care:access_log")).content.decode()
        assert family.email in access_log and counselor.email in access_log

        # The circle still opens the owner's pages, and each look is logged in the copy: rows are added after the
        # restored ones (the sequences came back with the data).
        family_view = sign_in(Client(), User.objects.get(email=family.email))
        client_page = sign_in(Client(), User.objects.get(email=counselor.email))
        assert family_view.get(reverse("care:person", args=[owner.pk])).status_code == 200
        assert client_page.get(reverse("care:client", args=[owner.pk])).status_code == 200
        assert looks.count() == 4
        assert owner_client.post(reverse("milestones:checkin"), {"sober": "yes", "mood": "4"}).status_code == 302
        assert CheckIn.objects.for_owner(owner).count() == CHECKINS + 1
    assert CheckIn.objects.filter(owner=circle).count() == CHECKINS  # the source is untouched
