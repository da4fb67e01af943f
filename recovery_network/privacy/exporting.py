"""A person's whole record, as one zip they can take anywhere (issue 21; GDPR articles 15 and 20).

The zip holds:
- `recovery-network.json`: every section of catalogue.SECTIONS, one versioned schema (docs/EXPORT.md, made from
  the catalogue by `python manage.py export_schema`);
- `csv/<section>.csv`: the same rows, a file per table, for a spreadsheet;
- `calendar.ics`: milestones and group meetings (milestones/ics.py, as the calendar feed gives them);
- `summary.html`: a readable page of the same, self-contained (it opens from the zip, offline).

`build(export_id)` runs in the worker and writes its progress on the Export row as it goes; the settings page
shows it. `write_zip(user)` is the same file at once, for `manage.py export_person`.
"""

import csv
import datetime as dt
import io
import json
import logging
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from milestones import ics
from recovery_network import broker
from recovery_network.models import User

from .catalogue import SCHEMA, SCHEMA_VERSION, SECTIONS
from .models import Export

log = logging.getLogger(__name__)

OFFERED_FOR = dt.timedelta(hours=24)
# A queued or building export not finished after this was lost with its task (a broker down when it was asked
# for, a worker killed): the sweep queues it again.
STALLED_AFTER = dt.timedelta(minutes=10)
JSON_NAME = "recovery-network.json"


def _value(field, instance):
    value = getattr(instance, field.attname)
    if isinstance(value, memoryview | bytes):
        return None
    return value


def section_rows(section, user):
    """The rows of one section as plain dicts: concrete fields by their column names (`journey_id`), and each
    many-to-many field as a sorted list of ids."""
    fields = section.fields()
    m2m = section.many_to_many()
    queryset = section.rows(user)
    if m2m:
        queryset = queryset.prefetch_related(*[field.name for field in m2m])
    rows = []
    for instance in queryset.iterator(chunk_size=2000) if not m2m else queryset:
        row = {field.attname: _value(field, instance) for field in fields}
        for field in m2m:
            row[field.name] = sorted(related.pk for related in getattr(instance, field.name).all())
        rows.append(row)
    return rows


def document(user, now=None, progress=None):
    """The export's JSON document as Python data. `progress(done, total, title)` is told after each section."""
    now = now or timezone.now()
    data = {}
    for number, section in enumerate(SECTIONS, start=1):
        data[section.key] = section_rows(section, user)
        if progress:
            progress(number, len(SECTIONS), section.title)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "exported_at": now,
        "time_zone": user.time_zone,
        "documentation": "docs/EXPORT.md in the Recovery Network source",
        "data": data,
    }


def _csv(rows, section):
    out = io.StringIO()
    columns = [field.attname for field in section.fields()] + [field.name for field in section.many_to_many()]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: ";".join(map(str, value)) if isinstance(value, list) else _csv_value(value)
                for key, value in row.items()
            }
        )
    return out.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder)
    return value


def _summary(user, doc):
    sections = []
    for section in SECTIONS:
        rows = doc["data"][section.key]
        columns = [(field.attname, str(field.verbose_name)) for field in section.fields()]
        columns += [(field.name, str(field.verbose_name)) for field in section.many_to_many()]
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "about": section.about,
                "columns": columns,
                "rows": [[_csv_value(row.get(name)) for name, _ in columns] for row in rows],
            }
        )
    return render_to_string(
        "privacy/export_summary.html",
        {"person": user, "exported_at": doc["exported_at"], "sections": sections, "schema_version": SCHEMA_VERSION},
    )


def write_zip(user, now=None, progress=None):
    """The whole export of one person as zip bytes."""
    now = now or timezone.now()
    doc = document(user, now, progress)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(doc, cls=DjangoJSONEncoder, indent=1, ensure_ascii=False))
        for section in SECTIONS:
            archive.writestr(f"csv/{section.key}.csv", _csv(doc["data"][section.key], section))
        archive.writestr("calendar.ics", ics.build_calendar(user, now))
        archive.writestr("summary.html", _summary(user, doc))
    return buffer.getvalue()


def read_document(archive_bytes):
    """The JSON document of an export zip (for import and tests). Raises ValueError with a reason a person can
    read when the file is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
            raw = archive.read(JSON_NAME)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
        raise ValueError(
            gettext("This is not a Recovery Network export (a zip with recovery-network.json in it).")
        ) from exc
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValueError(gettext("The export's recovery-network.json is damaged.")) from exc
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ValueError(gettext("This file is not a Recovery Network export."))
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(
            gettext("This export's format (version %(version)s) is not one this site reads.")
            % {"version": repr(doc.get("schema_version"))}
        )
    if not isinstance(doc.get("data"), dict):
        raise ValueError(gettext("The export's recovery-network.json is damaged."))
    return doc


# The asynchronous export the settings page offers


def request_export(user, enqueue, now=None):
    """Ask for an export: one at a time per person (a second ask while one is being built returns it)."""
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one ask at a time per person
        current = Export.objects.for_owner(user).filter(status__in=[Export.Status.QUEUED, Export.Status.BUILDING])
        export = current.first()
        if export is None:
            export = Export.objects.create(owner=user, created_at=now, expires_at=now + OFFERED_FOR)
            transaction.on_commit(lambda: broker.publish(lambda: enqueue(export.pk), f"export {export.pk}"))
    return export


def build(export_id, now=None):
    """Build one export (the task). Safe to run twice: a finished export is left as it is."""
    now = now or timezone.now()
    claimed = Export.objects.filter(
        Q(status=Export.Status.QUEUED) | Q(status=Export.Status.BUILDING, started_at__lte=now - STALLED_AFTER),
        pk=export_id,
        expires_at__gt=now,
    ).update(status=Export.Status.BUILDING, started_at=now, progress=0, step="")
    if not claimed:
        return "skipped"
    export = Export.objects.select_related("owner").get(pk=export_id)

    def progress(done, total, title):
        with translation.override(None):  # stored in English, the section's msgid: the page translates it
            step = str(title)[:80]
        Export.objects.filter(pk=export_id).update(progress=min(99, done * 100 // total), step=step)

    try:
        with translation.override(export.owner.language):  # the readable summary in its reader's language
            content = write_zip(export.owner, now, progress)
    except Exception:
        log.exception("Export %s could not be built", export_id)
        Export.objects.filter(pk=export_id).update(status=Export.Status.FAILED, step="")
        raise
    Export.objects.filter(pk=export_id, status=Export.Status.BUILDING).update(
        status=Export.Status.READY,
        content=content,
        size=len(content),
        progress=100,
        step="",
        ready_at=timezone.now(),
    )
    return "ready"


def requeue_stalled(task, now=None):
    """Queue again the exports whose task was lost; returns how many."""
    now = now or timezone.now()
    stalled = list(
        Export.objects.filter(expires_at__gt=now)
        .filter(
            Q(status=Export.Status.QUEUED, created_at__lte=now - STALLED_AFTER)
            | Q(status=Export.Status.BUILDING, started_at__lte=now - STALLED_AFTER)
        )
        .values_list("pk", flat=True)
    )
    for export_id in stalled:
        broker.publish(lambda export_id=export_id: task.delay(export_id), f"export {export_id}")
    return len(stalled)


def delete_expired(now=None):
    """Delete the files no longer offered (a day after they were asked for); returns how many. Beat runs it
    with sweep_exports every few minutes, so a file does not outlive its day by more than that."""
    deleted, _ = Export.objects.expired(now or timezone.now()).delete()
    return deleted
