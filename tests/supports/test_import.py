"""Importing meetings from Meeting Guide feeds: the shared sample, messy and broken feeds, the command, the upload."""

import datetime as dt
import http.server
import json
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from supports.feeds import FeedError, import_feed, parse_feed
from supports.models import Meeting, MeetingFormat

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "meeting-guide-sample.json"


def sample_bytes():
    return SAMPLE.read_bytes()


def feed(*records):
    return json.dumps(list(records)).encode()


def test_sample_feed_imports_every_meeting():
    report = import_feed(sample_bytes())
    assert (report.created, report.updated, report.skipped) == (10, 0, [])
    assert Meeting.objects.filter(owner__isnull=True).count() == 10


def test_sample_feed_days_are_converted_from_sunday_zero_to_monday_zero():
    import_feed(sample_bytes())
    # "day": 1 (Monday in Meeting Guide) is Python's 0.
    assert Meeting.objects.get(slug="sunrise-serenity-mon").weekday_list == [0]
    # "day": 0 (Sunday) is Python's 6.
    assert Meeting.objects.get(slug="reunion-en-espanol").weekday_names == ["Sunday"]
    # An array of days: Monday to Friday.
    assert Meeting.objects.get(slug="nooners-online").weekday_list == [0, 1, 2, 3, 4]
    assert Meeting.objects.get(slug="night-owls").weekday_list == [0, 1, 2, 3, 4, 5, 6]


def test_sample_feed_formats_times_zones_and_closures():
    import_feed(sample_bytes())
    nooners = Meeting.objects.get(slug="nooners-online")
    assert nooners.format == MeetingFormat.ONLINE
    assert nooners.time_zone == "America/New_York"
    assert nooners.online_url == "https://zoom.us/j/5550100123"
    assert nooners.online_notes == "Passcode: serenity"
    hybrid = Meeting.objects.get(slug="young-peoples-big-book")
    assert hybrid.format == MeetingFormat.HYBRID
    in_person = Meeting.objects.get(slug="sunrise-serenity-mon")
    assert in_person.format == MeetingFormat.IN_PERSON
    assert in_person.address == "214 Elm St, Springfield, IL 62701, USA"
    assert in_person.source_updated_at == dt.datetime(2026, 9, 14, 10, 22, 5, tzinfo=dt.UTC)
    # No end_time: one hour after the start, as the format says.
    tuesdays = Meeting.objects.get(slug="tradition-tuesdays")
    assert (tuesdays.start_time, tuesdays.end_time) == (dt.time(19, 30), dt.time(20, 30))
    assert tuesdays.temporarily_closed  # the TC type code
    # Unknown type codes are kept as given, not rejected.
    assert "BA" in Meeting.objects.get(slug="saturday-speaker").types


def test_importing_the_same_feed_again_changes_nothing():
    import_feed(sample_bytes())
    report = import_feed(sample_bytes())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 10)
    assert Meeting.objects.count() == 10


def test_a_changed_record_is_updated_in_place():
    import_feed(feed({"name": "Old name", "slug": "m1", "day": 1, "time": "19:00"}))
    first = Meeting.objects.get(slug="m1")
    report = import_feed(feed({"name": "New name", "slug": "m1", "day": "2", "time": "20:00"}))
    assert (report.created, report.updated) == (0, 1)
    first.refresh_from_db()
    assert (first.name, first.weekday_list, first.start_time) == ("New name", [1], dt.time(20))


PARTLY_BAD = [
    {"name": "Good", "slug": "good", "day": 3, "time": "18:00", "timezone": "America/Chicago", "address": "1 A St"},
    {"name": "Strings for numbers", "slug": "strings", "day": ["1", "3"], "time": "7:05", "types": "O,D"},
    {"slug": "no-name", "day": 1, "time": "18:00"},
    {"name": "No slug", "day": 1, "time": "18:00"},
    {"name": "Bad day", "slug": "bad-day", "day": 7, "time": "18:00"},
    {"name": "Bad time", "slug": "bad-time", "day": 2, "time": "25:61"},
    {"name": "Bad zone", "slug": "bad-zone", "day": 2, "time": "18:00", "timezone": "Mars/Olympus"},
    {"name": "Bad slug", "slug": "has spaces!", "day": 2},
    "not a meeting",
    {"name": "Good again", "slug": "good", "day": 4},
    {"name": "Odd link", "slug": "odd-link", "day": 5, "time": "12:00", "conference_url": "zoom me"},
    {"name": "Unknown codes", "slug": "codes", "day": 6, "time": "10:00", "types": ["O", "ZZZ"]},
]


def test_partly_bad_feed_imports_the_valid_records_and_names_each_skipped_one():
    report = import_feed(json.dumps(PARTLY_BAD).encode(), default_zone="America/Denver")
    assert sorted(Meeting.objects.values_list("slug", flat=True)) == ["codes", "good", "odd-link", "strings"]
    skipped = {position: (label, reason) for position, label, reason in report.skipped}
    assert skipped[3] == ("no-name", "no name")
    assert skipped[4] == ("No slug", "no slug")
    assert skipped[5][0] == "Bad day [bad-day]"
    assert "day 7" in skipped[5][1]
    assert "25:61" in skipped[6][1]
    assert "Mars/Olympus" in skipped[7][1]
    assert "letters, digits" in skipped[8][1]
    assert skipped[9] == ("entry 9", "not a meeting object")
    assert "appears earlier" in skipped[10][1]
    assert len(report.skipped) == 8
    assert report.created == 4
    strings = Meeting.objects.get(slug="strings")
    assert strings.weekday_list == [0, 2]
    assert strings.start_time == dt.time(7, 5)
    assert strings.types == ["O", "D"]
    assert strings.time_zone == "America/Denver"  # no timezone in the record: the default applies
    odd = Meeting.objects.get(slug="odd-link")
    assert odd.online_url == "" and odd.format == MeetingFormat.IN_PERSON
    assert any("zoom me" in message for _, _, message in report.warnings)
    lines = list(report.lines())
    assert lines[0] == "4 created, 0 updated, 0 unchanged, 8 skipped."
    assert lines[3].startswith("Skipped record 5 (Bad day [bad-day]): day 7 is not")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"meetings": []}', "JSON list of meetings"),
        (b'["a", 1, null]', "None of the entries"),
        ("día".encode("latin-1"), "not UTF-8"),
        (b"", "not valid JSON"),
    ],
)
def test_broken_feed_is_refused_whole_and_writes_nothing(data, message):
    Meeting.objects.create(slug="existing", name="Existing", weekdays=",1,")
    with pytest.raises(FeedError, match=message):
        import_feed(data)
    assert list(Meeting.objects.values_list("slug", flat=True)) == ["existing"]


def test_failure_while_writing_leaves_no_half_import():
    Meeting.objects.create(slug="good", name="Before", weekdays=",1,")
    records = feed({"name": "New", "slug": "new", "day": 1}, {"name": "After", "slug": "good", "day": 2})
    real_bulk_create = Meeting.objects.bulk_create

    def create_then_fail(objs, **kwargs):
        real_bulk_create(objs, **kwargs)
        assert Meeting.objects.filter(slug="new").exists()
        raise RuntimeError("disk full")

    with (
        mock.patch.object(Meeting.objects, "bulk_create", side_effect=create_then_fail),
        pytest.raises(RuntimeError),
    ):
        import_feed(records)
    assert list(Meeting.objects.values_list("slug", "name")) == [("good", "Before")]


def test_empty_list_is_a_valid_feed_with_nothing_to_do():
    report = import_feed(b"[]")
    assert report.imported == 0 and report.skipped == []


def test_parse_feed_accepts_a_byte_order_mark():
    assert parse_feed(b"\xef\xbb\xbf[]") == []


def test_uploaded_meetings_are_private_to_the_uploader_and_slugs_do_not_clash(owner, stranger):
    import_feed(feed({"name": "Directory", "slug": "shared", "day": 1}))
    import_feed(feed({"name": "Mine", "slug": "shared", "day": 2}), owner=owner)
    assert Meeting.objects.visible_to(owner).count() == 2
    assert list(Meeting.objects.visible_to(stranger).values_list("name", flat=True)) == ["Directory"]


# The management command


def test_command_imports_a_file(capsys):
    call_command("import_meetings", str(SAMPLE), "--fellowship", "na")
    out = capsys.readouterr().out
    assert "10 created, 0 updated, 0 unchanged, 0 skipped." in out
    assert set(Meeting.objects.values_list("fellowship", flat=True)) == {"na"}


def test_command_reports_skipped_records(tmp_path, capsys):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(PARTLY_BAD))
    call_command("import_meetings", str(path))
    out = capsys.readouterr().out
    assert "8 skipped" in out
    assert "Skipped record 7 (Bad zone [bad-zone]): timezone 'Mars/Olympus' is not an IANA time zone name" in out


def test_command_refuses_a_broken_file(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('{"oops": true')
    with pytest.raises(CommandError, match="not valid JSON.*Nothing was imported"):
        call_command("import_meetings", str(path))
    assert not Meeting.objects.exists()


def test_command_refuses_a_missing_file_unknown_owner_and_bad_zone():
    with pytest.raises(CommandError, match="Could not read"):
        call_command("import_meetings", "/no/such/feed.json")
    with pytest.raises(CommandError, match="No account"):
        call_command("import_meetings", str(SAMPLE), "--owner", "nobody@example.org")
    with pytest.raises(CommandError, match="IANA"):
        call_command("import_meetings", str(SAMPLE), "--time-zone", "Mars/Olympus")


def test_command_imports_into_a_persons_own_list(owner):
    call_command("import_meetings", str(SAMPLE), "--owner", owner.email)
    assert Meeting.objects.filter(owner=owner).count() == 10


class _FeedHandler(http.server.BaseHTTPRequestHandler):
    routes = {}

    def do_GET(self):  # noqa: N802 - the http.server API
        status, body, delay = self.routes.get(self.path, (404, b"not found", 0))
        time.sleep(delay)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as the timeout test intends

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedHandler)
    _FeedHandler.routes = {
        "/feed.json": (200, sample_bytes(), 0),
        "/broken.json": (200, b"<html>oops</html>", 0),
        "/slow.json": (200, b"[]", 3),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_command_imports_from_a_url(feed_server, capsys):
    call_command("import_meetings", f"{feed_server}/feed.json")
    assert "10 created" in capsys.readouterr().out
    assert Meeting.objects.count() == 10


def test_command_refuses_a_url_that_is_not_a_feed(feed_server):
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("import_meetings", f"{feed_server}/broken.json")
    with pytest.raises(CommandError, match="Could not fetch"):
        call_command("import_meetings", f"{feed_server}/missing.json")
    assert not Meeting.objects.exists()


def test_command_gives_up_on_a_slow_url(feed_server):
    started = time.monotonic()
    with pytest.raises(CommandError, match="Could not fetch"):
        call_command("import_meetings", f"{feed_server}/slow.json", "--timeout", "1")
    assert time.monotonic() - started < 3


def test_large_feed_imports_and_reimports_quickly(capsys):
    records = [
        {"name": f"Meeting {n}", "slug": f"meeting-{n}", "day": n % 7, "time": "19:00", "timezone": "UTC"}
        for n in range(5000)
    ]
    timings = {}
    started = time.monotonic()
    first = import_feed(json.dumps(records).encode())
    timings["create"] = time.monotonic() - started
    started = time.monotonic()
    same = import_feed(json.dumps(records).encode())
    timings["unchanged"] = time.monotonic() - started
    for record in records:
        record["time"] = "19:30"
    started = time.monotonic()
    changed = import_feed(json.dumps(records).encode())
    timings["update"] = time.monotonic() - started
    assert (first.created, same.unchanged, changed.updated) == (5000, 5000, 5000)
    with capsys.disabled():
        print("\n[import timing] 5000 meetings: " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
    assert max(timings.values()) < 30


# The upload page


def upload(client, data, name="feed.json", fellowship="aa"):
    return client.post(
        reverse("supports:meeting_import"),
        {"feed": SimpleUploadedFile(name, data, content_type="application/json"), "fellowship": fellowship},
    )


def test_owner_uploads_a_feed_and_sees_the_report(owner_client, owner):
    response = upload(owner_client, json.dumps(PARTLY_BAD).encode())
    assert response.status_code == 200
    assert b"4 new, 0 updated, 0 unchanged, 8 skipped." in response.content
    assert b"Record 7 (Bad zone [bad-zone])" in response.content
    assert Meeting.objects.filter(owner=owner).count() == 4
    # Records without a zone take the uploader's own.
    assert Meeting.objects.get(slug="strings").time_zone == owner.time_zone


def test_upload_of_a_broken_file_explains_and_imports_nothing(owner_client):
    response = upload(owner_client, b"this is not json")
    assert response.status_code == 400
    assert b"Nothing was imported." in response.content
    assert b"not valid JSON" in response.content
    assert not Meeting.objects.exists()


def test_upload_without_a_file_asks_for_one(owner_client):
    response = owner_client.post(reverse("supports:meeting_import"), {"fellowship": "aa"})
    assert response.status_code == 400
    assert b"This field is required" in response.content


def test_anonymous_cannot_upload(anon_client):
    response = upload(anon_client, sample_bytes())
    assert response.status_code == 302
    assert not Meeting.objects.exists()


# Hostile files and records: a clear refusal or a skipped record, never an error


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000, "nested too deeply"),
        (b'[{"name": "x", "slug": "x", "day": ' + b"1" * 5000 + b"}]", "number too long"),
    ],
)
def test_a_hostile_file_is_refused_whole_with_a_clear_message(data, message):
    with pytest.raises(FeedError, match=message):
        import_feed(data)
    assert not Meeting.objects.exists()


def test_upload_of_a_deeply_nested_file_explains_and_imports_nothing(owner_client):
    response = upload(owner_client, b"[" * 100_000)
    assert response.status_code == 400
    assert b"Nothing was imported." in response.content
    assert b"The file is nested too deeply to be a meeting feed." in response.content
    assert not Meeting.objects.exists()


def test_command_refuses_a_deeply_nested_file_without_a_traceback(tmp_path):
    path = tmp_path / "feed.json"
    path.write_bytes(b"[" * 100_000)
    with pytest.raises(CommandError, match="nested too deeply to be a meeting feed. Nothing was imported."):
        call_command("import_meetings", str(path))
    assert not Meeting.objects.exists()


def test_command_refuses_a_time_zone_that_is_a_folder_of_zones():
    with pytest.raises(CommandError, match="IANA"):
        call_command("import_meetings", str(SAMPLE), "--time-zone", "America")


def _deep(depth):
    return "[" * depth + "]" * depth


# Each record as JSON text, so values json.dumps wouldn't write (10**400, a list 500 deep) can be in it.
HOSTILE_RECORDS = [
    ('{"name": "Huge day", "slug": "huge-day", "day": 1' + "0" * 400 + "}", "day 1000"),
    ('{"name": "Long day", "slug": "long-day", "day": "' + "1" * 5000 + '"}', "is not a number from 0"),
    ('{"name": "Listed day", "slug": "listed-day", "day": [[1]]}', "day […] is not a number"),
    ('{"name": "Float day", "slug": "float-day", "day": 1e400}', "day inf is not"),
    ('{"name": "Bad time", "slug": "bad-time", "time": "99:99"}', "time '99:99' is not a 24-hour time"),
    ('{"name": "Deep time", "slug": "deep-time", "time": ' + _deep(500) + "}", "time […] is not"),
    ('{"name": "Folder zone", "slug": "folder-zone", "timezone": "America"}', "'America' is not an IANA"),
    ('{"name": "Long zone", "slug": "long-zone", "timezone": "' + "a" * 10000 + '"}', "is not an IANA"),
    ('{"name": "Number zone", "slug": "number-zone", "timezone": 5}', "timezone 5 is not an IANA"),
    ('{"name": "Path zone", "slug": "path-zone", "timezone": "../../etc/passwd"}', "is not an IANA"),
    ('{"name": "Long slug", "slug": "' + "a" * 10000 + '"}', "longer than 200 characters"),
    ('{"name": "N\\u0000L", "slug": "nul-name"}', "“name” holds characters that are not text"),
    ('{"name": "Half a pair", "slug": "surrogate", "notes": "\\ud800"}', "“notes” holds characters"),
    ('{"name": {"nested": ' + _deep(500) + '}, "slug": "object-name"}', "“name” should be text"),
]


def test_hostile_records_are_each_skipped_with_their_reason():
    records = [text for text, _ in HOSTILE_RECORDS]
    good = '{"name": "Good", "slug": "good", "day": 1, "time": "19:00", "updated": [[1]], "types": 5}'
    codes = '{"name": "Odd codes", "slug": "odd-codes", "types": ["O", "a\\u0000b", "' + "x" * 100 + '", true, 7]}'
    report = import_feed(("[" + ", ".join([*records, good, codes]) + "]").encode())
    reasons = [reason for _, _, reason in report.skipped]
    assert len(reasons) == len(HOSTILE_RECORDS)
    for reason, (_, expected) in zip(reasons, HOSTILE_RECORDS, strict=True):
        assert expected in reason and len(reason) < 200
    assert sorted(Meeting.objects.values_list("slug", flat=True)) == ["good", "odd-codes"]
    assert Meeting.objects.get(slug="good").source_updated_at is None
    assert Meeting.objects.get(slug="odd-codes").types == ["O", "7"]
    assert any("ignored types" in message for _, _, message in report.warnings)
    assert any("ignored type codes" in message for _, _, message in report.warnings)


def test_upload_with_hostile_records_reports_them_and_keeps_the_good_one(owner_client, owner):
    records = [text for text, _ in HOSTILE_RECORDS] + ['{"name": "Good", "slug": "good", "day": 1}']
    response = upload(owner_client, ("[" + ", ".join(records) + "]").encode())
    assert response.status_code == 200
    assert f"1 new, 0 updated, 0 unchanged, {len(HOSTILE_RECORDS)} skipped.".encode() in response.content
    assert list(Meeting.objects.filter(owner=owner).values_list("slug", flat=True)) == ["good"]
