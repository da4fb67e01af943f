"""The export's zip: its files, their formats, the documented schema, and the operator's command."""

import csv
import io
import json
import zipfile
from pathlib import Path

import icalendar
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from milestones.models import CheckIn
from recovery_network.privacy import exporting, schema
from recovery_network.privacy.catalogue import SCHEMA, SCHEMA_VERSION, SECTIONS


def _open(content):
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_documentation_is_current():
    committed = Path(settings.BASE_DIR, "docs", "EXPORT.md").read_text()
    assert committed == schema.markdown(), "run: python manage.py export_schema > docs/EXPORT.md"


def test_the_zip_holds_the_document_a_csv_per_section_the_calendar_and_a_page(pair):
    ada, _ = pair
    with _open(exporting.write_zip(ada)) as archive:
        names = set(archive.namelist())
        doc = json.loads(archive.read("recovery-network.json"))
        checkins = list(csv.DictReader(io.StringIO(archive.read("csv/checkins.csv").decode())))
        calendar = icalendar.Calendar.from_ical(archive.read("calendar.ics"))
        summary = archive.read("summary.html").decode()
    assert names == {"recovery-network.json", "calendar.ics", "summary.html"} | {
        f"csv/{section.key}.csv" for section in SECTIONS
    }
    assert doc["schema"] == SCHEMA and doc["schema_version"] == SCHEMA_VERSION
    assert doc["time_zone"] == "America/Chicago"
    assert doc["data"]["checkins"][0]["notes"] == "Good day"
    assert doc["data"]["checkins"][0]["local_date"] == ada.local_today().isoformat()
    assert checkins[0]["notes"] == "Good day" and checkins[0]["helped_supporters"]
    assert any(component.name == "VEVENT" for component in calendar.walk())
    for section in SECTIONS:
        assert section.title.replace("'", "&#x27;") in summary
    assert "Good day" in summary


def test_the_page_shows_a_persons_words_as_text(pair):
    ada, _ = pair
    CheckIn.objects.filter(owner=ada).update(notes='<script>alert("x")</script>')
    with _open(exporting.write_zip(ada)) as archive:
        summary = archive.read("summary.html").decode()
    assert "<script>alert" not in summary and "&lt;script&gt;" in summary


def test_progress_is_told_section_by_section(pair):
    ada, _ = pair
    told = []
    exporting.document(ada, progress=lambda done, total, title: told.append((done, total)))
    assert told[0] == (1, len(SECTIONS)) and told[-1] == (len(SECTIONS), len(SECTIONS))


def test_the_command_writes_the_same_export_readable_by_the_operator_alone(pair, tmp_path):
    target = tmp_path / "ada.zip"
    call_command("export_person", "ADA@example.org", output=str(target))
    assert target.stat().st_mode & 0o777 == 0o600
    doc = exporting.read_document(target.read_bytes())
    assert doc["data"]["account"][0]["email"] == "ada@example.org"
    with pytest.raises(CommandError, match="exists already"):
        call_command("export_person", "ada@example.org", output=str(target))
    with pytest.raises(CommandError, match="No account"):
        call_command("export_person", "nobody@example.org", output=str(tmp_path / "x.zip"))


def test_the_export_needs_a_fixed_number_of_queries(pair, django_assert_max_num_queries):
    ada, _ = pair
    with django_assert_max_num_queries(len(SECTIONS) + 12):
        exporting.write_zip(ada)
