"""Demo accounts and load-test people, shared by `seed_demo` and the tests.

Each app may add a module `<app>/demo_data.py` with two functions, which seed_demo
calls in order after the accounts exist:

    seed_cast(cast, now)          # fill in the documented demo accounts
    seed_scale(people, rng, now)  # fill in --scale people, with bulk inserts

Both must be idempotent: running seed_demo twice leaves the same data.
"""

import datetime as dt
import importlib
import io
import json
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from .models import User

DEMO_PASSWORD = "recovery-demo-2026"
SCALE_DOMAIN = "scale.example.com"
APPS_WITH_DEMO_DATA = [
    "recovery_network.notifications",
    "supports",
    "milestones",
    "recovery_network.capital",
    "recovery_network.care",
    "recovery_network.review",
    "recovery_network.reach",
    "recovery_network.learning",
]


@dataclass(frozen=True)
class DemoPerson:
    role: str
    email: str
    display_name: str
    time_zone: str
    checkin_time: dt.time = dt.time(20, 0)


DEMO_PEOPLE = [
    DemoPerson("owner", "alex@example.com", "Alex", "America/Chicago", dt.time(20, 30)),
    DemoPerson("family", "sam@example.com", "Sam", "America/Chicago"),
    DemoPerson("counselor", "rivera@example.com", "Dana Rivera", "America/New_York"),
]

SCALE_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
]
SCALE_NAMES = [
    "Jamie",
    "Riley",
    "Morgan",
    "Casey",
    "Taylor",
    "Jordan",
    "Avery",
    "Quinn",
    "Rowan",
    "Skyler",
    "Drew",
    "Emerson",
    "Harper",
    "Kai",
    "Logan",
    "Parker",
    "Reese",
    "Sage",
    "Tatum",
    "Blake",
]


def ensure_person(person):
    """Create or refresh one demo account with a verified primary email."""
    user, _ = User.objects.get_or_create(email=person.email)
    user.display_name = person.display_name
    user.time_zone = person.time_zone
    user.checkin_time = person.checkin_time
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=person.email, defaults={"verified": True, "primary": True})
    return user


def ensure_cast():
    """The documented demo accounts, keyed by role."""
    return {person.role: ensure_person(person) for person in DEMO_PEOPLE}


def ensure_scale_people(count, rng):
    """Make sure `count` load-test people exist; return all of them.

    Bulk inserts: one hashed password shared by every load-test account
    (hashing is deliberately slow), users and emails in a few statements.
    """
    emails = [f"person{index:06d}@{SCALE_DOMAIN}" for index in range(1, count + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    new_users = []
    for email in emails:
        if email in existing:
            continue
        new_users.append(
            User(
                email=email,
                password=password,
                display_name=rng.choice(SCALE_NAMES),
                time_zone=rng.choice(SCALE_ZONES),
                checkin_time=dt.time(rng.choice([7, 8, 9, 12, 18, 19, 20, 21]), rng.choice([0, 15, 30, 45])),
                date_joined=now - dt.timedelta(days=rng.randint(30, 1100)),
            )
        )
    User.objects.bulk_create(new_users, batch_size=2000)
    people = list(User.objects.filter(email__in=emails).order_by("email"))
    have_address = (
        set(EmailAddress.objects.filter(user__in=people).values_list("user_id", flat=True)) if existing else set()
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in people if u.pk not in have_address],
        batch_size=2000,
    )
    return people


def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def insert_rows(model, objs, batch_size=5000):
    """Insert rows whose ids nobody needs back: COPY on PostgreSQL, bulk_create elsewhere.

    COPY writes millions of check-ins in seconds where bulk_create's SQL building
    takes minutes; the rows must not collide with existing ones (callers seed
    only people who have none yet).
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for batch in chunks(objs, 50_000):
            buffer = io.StringIO()
            for obj in batch:
                values = (field.pre_save(obj, True) for field in fields)
                buffer.write("\t".join(_copy_text(value) for value in values))
                buffer.write("\n")
            buffer.seek(0)
            cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def app_demo_modules():
    modules = []
    for app in APPS_WITH_DEMO_DATA:
        try:
            modules.append(importlib.import_module(f"{app}.demo_data"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo_data":
                raise
    return modules


def seed(scale=0, seed_value=2026, now=None):
    """Create or refresh all demo data; return the cast and the scale people."""
    now = now or timezone.now()
    rng = random.Random(seed_value)
    with transaction.atomic():
        cast = ensure_cast()
        for module in app_demo_modules():
            module.seed_cast(cast, now)
    people = []
    if scale:
        with transaction.atomic():
            people = ensure_scale_people(scale, rng)
            for module in app_demo_modules():
                module.seed_scale(people, rng, now)
    return cast, people
