"""Import: an export's own records come back in a new account, and the round trip gives the same document."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder

from milestones.models import CheckIn
from recovery_network.models import User
from recovery_network.privacy import exporting, importing
from recovery_network.privacy.catalogue import SECTIONS, SECTIONS_BY_KEY
from supports.models import Meeting
from tests.factories import UserFactory, sign_in

# Fields that name the import itself rather than the record: its ids, and when the import wrote it.
IMPORT_STAMPS = {"id", "owner_id", "user_id", "recipient_id", "updated_at"}


def _comparable(doc):
    """The importable sections with ids replaced by positions, so two documents compare record by record."""
    positions = {}
    for key in importing.ORDER:
        model = SECTIONS_BY_KEY[key].model
        positions[model] = {row["id"]: number for number, row in enumerate(doc["data"][key])}
    out = {}
    for key in (*importing.ORDER, "account"):
        section = SECTIONS_BY_KEY[key]
        relations = {field.attname: field.related_model for field in section.fields() if field.is_relation}
        m2m = {field.name: field.related_model for field in section.many_to_many()}
        rows = []
        for row in doc["data"][key]:
            item = {}
            for name, value in row.items():
                if name in IMPORT_STAMPS or (key == "account" and name not in importing.ACCOUNT_FIELDS):
                    continue
                if name in relations and relations[name] is User:
                    value = None  # a link to another account: not recreated
                elif name in relations and value is not None:
                    value = positions.get(relations[name], {}).get(value, "elsewhere")
                elif name in m2m:
                    value = sorted(positions.get(m2m[name], {}).get(v, "elsewhere") for v in value)
                item[name] = value
            rows.append(item)
        out[key] = rows
    return json.loads(json.dumps(out, cls=DjangoJSONEncoder))


def _as_json(doc):
    return json.loads(json.dumps(doc, cls=DjangoJSONEncoder))


def test_the_round_trip_gives_the_same_records(pair, tmp_path):
    ada, _ = pair
    archive = tmp_path / "ada.zip"
    call_command("export_person", "ada@example.org", output=str(archive))
    first = exporting.read_document(archive.read_bytes())

    call_command("import_person", str(archive), email="ada.new@example.org")
    second = _as_json(exporting.document(User.objects.get(email="ada.new@example.org")))

    assert _comparable(second) == _comparable(first)
    assert all(first["data"][key] for key in importing.ORDER), "the round trip must carry rows of every kind"


def test_the_round_trip_through_an_empty_database(pair, tmp_path):
    """Export, empty the database of every person's rows, import, export again: the same records."""
    archive = tmp_path / "ada.zip"
    call_command("export_person", "ada@example.org", output=str(archive))
    first = exporting.read_document(archive.read_bytes())
    User.objects.all().delete()
    Meeting.objects.all().delete()
    for section in SECTIONS:  # what outlives a person (a consent's record, a caseload's roster) goes too
        section.model._base_manager.all().delete()
    for section in SECTIONS:
        assert not section.model._base_manager.exists(), section.key

    call_command("import_person", str(archive), email="ada@example.org")
    second = _as_json(exporting.document(User.objects.get(email="ada@example.org")))
    assert _comparable(second) == _comparable(first)


def test_links_to_other_accounts_are_not_recreated(pair):
    ada, ben = pair
    user, counts = importing.import_person(exporting.write_zip(ada), "ada.new@example.org")
    assert counts["checkins"] == 1
    assert not user.grants_given.exists() and not user.consents_given.exists()
    assert not user.supporters.filter(linked_user__isnull=False).exists()
    assert not user.encouragements.filter(sender__isnull=False).exists()
    assert user.has_usable_password() is False
    assert not ben.grants_held.filter(owner=user).exists()


def test_an_import_into_a_new_account_from_the_first_run(client, pair):
    ada, _ = pair
    archive = io.BytesIO(exporting.write_zip(ada))
    archive.name = "export.zip"
    newcomer = UserFactory(email="new@example.org")
    sign_in(client, newcomer)
    response = client.post("/privacy/import/", {"archive": archive})
    assert response.status_code == 302
    assert CheckIn.objects.filter(owner=newcomer, notes="Good day").exists()
    newcomer.refresh_from_db()
    assert newcomer.has_journey and newcomer.time_zone == ada.time_zone
    # Only into an account with nothing of its own: a second upload is refused, and adds nothing.
    archive.seek(0)
    response = client.post("/privacy/import/", {"archive": archive})
    assert response.status_code == 400 and b"already has records" in response.content
    assert CheckIn.objects.filter(owner=newcomer).count() == 1


def _zip(document):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("recovery-network.json", document)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "archive",
    [
        b"",
        b"not a zip at all",
        b"PK\x03\x04truncated",
        _zip("{"),
        _zip("[]"),
        _zip(json.dumps({"schema": "something-else"})),
        _zip(json.dumps({"schema": "recovery-network-export", "schema_version": 99, "data": {}})),
        _zip(json.dumps({"schema": "recovery-network-export", "schema_version": 1, "data": []})),
        _zip(json.dumps({"schema": "recovery-network-export", "schema_version": 1, "data": {"checkins": "x"}})),
        _zip(b"\xff\xfe\x00bad"),
        _zip("[" * 100_000 + "]" * 100_000),
    ],
    ids=[
        "empty",
        "text",
        "truncated",
        "broken-json",
        "a-list",
        "another-schema",
        "newer-version",
        "data-a-list",
        "section-a-string",
        "not-utf8",
        "deeply-nested",
    ],
)
def test_a_damaged_or_hostile_file_imports_nothing_and_says_why(db, archive):
    with pytest.raises(importing.ImportRefused) as refused:
        importing.import_person(archive, "someone@example.org")
    assert str(refused.value)
    assert not User.objects.filter(email="someone@example.org").exists()


def _tampered(pair, key, change):
    ada, _ = pair
    doc = _as_json(exporting.document(ada))
    change(doc["data"][key])
    return _zip(json.dumps(doc))


@pytest.mark.parametrize(
    ("key", "change"),
    [
        ("checkins", lambda rows: rows[0].update(mood=99)),  # out of range
        ("checkins", lambda rows: rows[0].update(local_date="yesterday")),
        ("checkins", lambda rows: rows.append(dict(rows[0], id=10**9))),  # two check-ins on one day
        ("contacts", lambda rows: rows[0].update(supporter_id=10**9)),  # a supporter the file does not hold
        ("journeys", lambda rows: rows[0].update(kind="x" * 500)),
        ("checkins", lambda rows: rows[0].update(helped_supporters="everyone")),
        ("account", lambda rows: rows[0].update(time_zone="Mars/Olympus")),
    ],
    ids=["mood-99", "bad-date", "same-day-twice", "missing-supporter", "bad-kind", "bad-links", "bad-zone"],
)
def test_a_file_with_refused_values_imports_nothing(pair, key, change):
    archive = _tampered(pair, key, change)
    with pytest.raises(importing.ImportRefused):
        importing.import_person(archive, "someone@example.org")
    assert not User.objects.filter(email="someone@example.org").exists()
    assert CheckIn.objects.count() == 2  # Ada's and Ben's, nothing more


def test_the_upload_refuses_a_bad_file_with_a_message_and_saves_nothing(client, db):
    newcomer = UserFactory(email="new@example.org")
    sign_in(client, newcomer)
    upload = io.BytesIO(b"junk")
    upload.name = "junk.zip"
    response = client.post("/privacy/import/", {"archive": upload})
    assert response.status_code == 400
    assert "not a Recovery Network export" in response.content.decode()
    assert not newcomer.journeys.exists()


def test_an_account_with_records_of_its_own_is_not_imported_into(pair):
    ada, ben = pair
    with pytest.raises(importing.ImportRefused):
        importing.import_archive(exporting.write_zip(ada), ben)


def test_the_command_refuses_an_existing_email_and_a_missing_file(pair, tmp_path):
    with pytest.raises(CommandError):
        call_command("import_person", str(tmp_path / "nothing.zip"), email="x@example.org")
    archive = tmp_path / "ada.zip"
    archive.write_bytes(exporting.write_zip(pair[0]))
    with pytest.raises(CommandError, match="exists already"):
        call_command("import_person", str(archive), email="ben@example.org")


def test_every_importable_section_is_written_in_order():
    assert {section.key for section in SECTIONS if section.importable} == set(importing.ORDER) | {"account"}
