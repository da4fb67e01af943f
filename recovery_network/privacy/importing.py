"""Bringing a person's own records from an export into an account on this site (GDPR article 20: portability).

Only what is the person's alone is recreated (catalogue sections marked `importable`): their profile settings,
journeys, check-ins, setbacks, their own milestones, encouragement received (without the sender's account),
supporters, contacts, groups and their meeting times, attendance, uploaded meetings, community, snapshots and
reminder settings. Links to other accounts are not: grants, consents and calls for support belong to people on
the other site, and a supporter is not linked to any account here. Rows get new ids; references between them
(a check-in's "what helped", a contact's supporter) are carried over to the new ids.

Everything is checked before anything is written, with the model's own validation, and written in one
transaction: a file that is damaged, hostile or from a newer version imports nothing and says why.
"""

import logging

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from milestones.signals import refresh_has_journey
from recovery_network import page_cache
from recovery_network.models import User
from recovery_network.notifications.dispatch import refresh_person
from recovery_network.welcome.models import FirstRun
from supports.models import Supporter

from . import exporting
from .catalogue import SECTIONS_BY_KEY

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
BATCH = 1000
MAX_ROWS = 200_000  # far beyond any one person's history: a file claiming more is not an export of ours
# The account's own settings, taken from the export's one account row.
ACCOUNT_FIELDS = (
    "display_name",
    "time_zone",
    "checkin_time",
    "quiet_hours_start",
    "quiet_hours_end",
    "meeting_reminder_minutes",
)
# The order rows are written in: each after the rows it refers to.
ORDER = (
    "supporters",
    "peer_groups",
    "meeting_times",
    "meetings_uploaded",
    "journeys",
    "personal_goals",
    "setbacks",
    "checkins",
    "encouragement_received",
    "contacts",
    "attendance",
    "community",
    "network_snapshots",
    "network_reviews",
    "network_review_supporters",
    "network_review_groups",
    "recovery_capital",
    "course_progress",
    "reminder_settings",
)


class ImportRefused(Exception):
    """Why an export cannot be imported; the message is shown to the person as it is."""


def account_is_empty(user):
    """Whether this account has none of the records an import brings (it is brought only into a new one)."""
    return not any(
        SECTIONS_BY_KEY[key].rows(user).exists() for key in ("journeys", "checkins", "supporters", "peer_groups")
    )


def _rows(doc, key):
    rows = doc["data"].get(key, [])
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ImportRefused(gettext("The export's “%(section)s” is damaged.") % {"section": SECTIONS_BY_KEY[key].title})
    return rows


def _instances(doc, key, user, ids):
    """Unsaved instances of one section, validated, with references carried to new ids ({model: {old: new}})."""
    section = SECTIONS_BY_KEY[key]
    model = section.model
    built = []
    relations = [field.name for field in section.fields() if field.is_relation]
    for row in _rows(doc, key):
        values = {}
        for field in section.fields():
            if field.primary_key:
                continue
            raw = row.get(field.attname)
            if field.is_relation:
                target = field.related_model
                if target is User:
                    values[field.attname] = user.pk if field.name == section.path else None
                elif raw is None:
                    values[field.attname] = None
                elif target in ids and raw in ids[target]:
                    values[field.attname] = ids[target][raw]
                elif field.null:
                    values[field.attname] = None  # a row of another person's, or of the shared directory
                else:
                    raise ImportRefused(
                        gettext("The export's “%(section)s” refers to a record it does not hold.")
                        % {"section": section.title}
                    )
                continue
            if field.attname not in row:
                continue  # the model's default
            try:
                values[field.attname] = field.to_python(raw) if raw is not None else None
            except ValidationError as exc:
                raise ImportRefused(
                    gettext("The export's “%(section)s” has a value this site cannot read.")
                    % {"section": section.title}
                ) from exc
        instance = model(**values)
        try:
            # References were checked above, against the rows written before: not by a query per row and field.
            instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            names = ", ".join(sorted(exc.message_dict)) if hasattr(exc, "message_dict") else ""
            raise ImportRefused(
                gettext("The export's “%(section)s” has values this site refuses (%(names)s).")
                % {"section": section.title, "names": names}
            ) from exc
        links = {}
        for field in section.many_to_many():
            old_ids = row.get(field.name) or []
            if not isinstance(old_ids, list):
                raise ImportRefused(gettext("The export's “%(section)s” is damaged.") % {"section": section.title})
            mapping = ids.get(field.related_model, {})
            links[field.name] = [mapping[old] for old in old_ids if old in mapping]
        built.append((row.get("id"), instance, links))
    return built


def _write(doc, user):
    """Write the sections in ORDER, each in bulk (a ten-year history is tens of thousands of rows), carrying
    references to the ids the database gives. Returns {section: rows written}."""
    counts = {}
    ids = {}
    total = sum(len(_rows(doc, key)) for key in ORDER)
    if total > MAX_ROWS:
        raise ImportRefused(
            gettext("This file holds more records than any one person's export; it is not one of ours.")
        )
    for key in ORDER:
        section = SECTIONS_BY_KEY[key]
        model = section.model
        built = _instances(doc, key, user, ids)
        instances = [instance for _, instance, _ in built]
        stamps = [field for field in section.fields() if _stamped(field)]
        kept = [{field.attname: getattr(instance, field.attname) for field in stamps} for instance in instances]
        for instance in instances:
            if isinstance(instance, Supporter):
                instance.contact_due_at = instance.compute_due_at()  # what Supporter.save() keeps, bulk_create skips
        # bulk_create gives each row its new id (PostgreSQL and SQLite return them).
        model._base_manager.bulk_create(instances, batch_size=BATCH)
        mapping = ids.setdefault(model, {})
        for (old_id, instance, _), stamped in zip(built, kept, strict=True):
            if old_id is not None:
                mapping[old_id] = instance.pk
            # When the record was written is part of it: the insert stamped "now" over it.
            for attname, value in stamped.items():
                if value is not None:
                    setattr(instance, attname, value)
        if stamps and instances:
            model._base_manager.bulk_update(instances, [field.name for field in stamps], batch_size=BATCH)
        for field in section.many_to_many():
            through = field.remote_field.through
            source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
            through._base_manager.bulk_create(
                [
                    through(**{source: instance.pk, target: linked})
                    for _, instance, links in built
                    for linked in links[field.name]
                ],
                batch_size=BATCH,
            )
        counts[key] = len(built)
    return counts


def _stamped(field):
    """A date the insert writes itself (auto_now, auto_now_add): the import puts the record's own back."""
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


def _account(doc, user):
    rows = _rows(doc, "account")
    if len(rows) != 1:
        raise ImportRefused(gettext("The export's account is damaged."))
    row = rows[0]
    for name in ACCOUNT_FIELDS:
        if name in row:
            field = User._meta.get_field(name)
            try:
                setattr(user, name, field.to_python(row[name]) if row[name] is not None else None)
            except ValidationError as exc:
                raise ImportRefused(gettext("The export's account settings are damaged.")) from exc
    try:
        user.full_clean(exclude=["password", "email"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ImportRefused(gettext("The export's account settings are refused by this site.")) from exc


def _finish(user):
    # They set up their account on the other site: the first run is not walked through again.
    FirstRun.objects.filter(owner=user, finished_at__isnull=True).update(finished_at=timezone.now())
    refresh_has_journey([user.pk])
    page_cache.bump([user.pk])
    refresh_person(User.objects.get(pk=user.pk))


def import_archive(archive_bytes, user):
    """Bring an export's own records into `user`'s account, which must be new (account_is_empty)."""
    try:
        doc = exporting.read_document(archive_bytes)
    except ValueError as exc:
        raise ImportRefused(str(exc)) from exc
    if not account_is_empty(user):
        raise ImportRefused(
            gettext("This account already has records of its own; an export is brought only into a new one.")
        )
    try:
        with transaction.atomic():
            _account(doc, user)
            user.save(update_fields=list(ACCOUNT_FIELDS))
            counts = _write(doc, user)
    except (IntegrityError, DatabaseError) as exc:
        log.warning("An import into account %s was refused by the database", user.pk, exc_info=True)
        raise ImportRefused(
            gettext("The export holds records that contradict each other (two check-ins on one day…).")
        ) from exc
    _finish(user)
    log.info("Imported %s records into account %s", sum(counts.values()), user.pk)
    return counts


def import_person(archive_bytes, email):
    """A new account for `email` with an export's own records (manage.py import_person). It has no password:
    the person sets one with "Forgot your password?", which also confirms the address."""
    try:
        doc = exporting.read_document(archive_bytes)
    except ValueError as exc:
        raise ImportRefused(str(exc)) from exc
    email = User.objects.normalize_email(email.strip())
    if not email or "@" not in email:
        raise ImportRefused(f"{email!r} is not an email address.")
    if User.objects.filter(email__iexact=email).exists() or EmailAddress.objects.filter(email__iexact=email).exists():
        raise ImportRefused(f"An account with {email} exists already.")
    try:
        with transaction.atomic():
            user = User(email=email)
            user.set_unusable_password()
            _account(doc, user)
            user.save()
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            FirstRun.objects.get_or_create(owner=user)
            counts = _write(doc, user)
    except (IntegrityError, DatabaseError) as exc:
        raise ImportRefused(
            gettext("The export holds records that contradict each other (two check-ins on one day…).")
        ) from exc
    _finish(user)
    return user, counts
