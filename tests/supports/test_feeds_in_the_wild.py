"""Feeds as intergroups publish them, looser than the spec: 12-hour times, days as names, strings or arrays,
meetings by appointment. Each is read; only what truly can't be read is skipped and named."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from recovery_network import demo
from supports import demo_data
from supports.feeds import import_feed
from supports.models import Meeting

pytestmark = pytest.mark.django_db


def feed(*records):
    return json.dumps(list(records)).encode()


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("7:30 PM", dt.time(19, 30)),
        ("7:30pm", dt.time(19, 30)),
        ("7:30 p.m.", dt.time(19, 30)),
        ("7 PM", dt.time(19, 0)),
        ("12:00 PM", dt.time(12, 0)),
        ("12:15 am", dt.time(0, 15)),
        ("19:30", dt.time(19, 30)),
        ("7:30:00", dt.time(7, 30)),
        ("19:30:00", dt.time(19, 30)),
        (" 07:05 ", dt.time(7, 5)),
        ("noon", dt.time(12, 0)),
    ],
)
def test_times_as_feeds_write_them_are_read(written, read):
    report = import_feed(feed({"name": "Meeting", "slug": "m", "day": 1, "time": written}))
    assert report.skipped == []
    assert Meeting.objects.get().start_time == read


def test_an_intergroups_twelve_hour_feed_imports_every_meeting():
    records = [
        {"name": "Early Birds", "slug": "early-birds", "day": 1, "time": "6:30 AM", "end_time": "7:30 AM"},
        {"name": "Happy Hour", "slug": "happy-hour", "day": "5", "time": "5:30 PM", "end_time": "6:30 PM"},
        {"name": "Late Night", "slug": "late-night", "day": [5, 6], "time": "11:00 PM", "end_time": "12:00 AM"},
    ]
    report = import_feed(feed(*records))
    assert (report.created, report.skipped) == (3, [])
    late = Meeting.objects.get(slug="late-night")
    assert (late.start_time, late.end_time, late.weekday_names) == (dt.time(23), dt.time(0), ["Friday", "Saturday"])


@pytest.mark.parametrize(
    ("written", "weekdays"),
    [
        (0, [6]),
        ("3", [2]),
        ("Monday", [0]),
        ("mon", [0]),
        ("TUESDAY", [1]),
        ("Thurs.", [3]),
        ("Sundays", [6]),
        (["Mon", "Wed", "fri"], [0, 2, 4]),
        (["1", 3, "Friday"], [0, 2, 4]),
        ("1,3", [0, 2]),
        (2.0, [1]),
    ],
)
def test_days_as_feeds_write_them_are_read(written, weekdays):
    report = import_feed(feed({"name": "Meeting", "slug": "m", "day": written, "time": "19:00"}))
    assert report.skipped == []
    assert Meeting.objects.get().weekday_list == weekdays


@pytest.mark.parametrize(
    "record",
    [
        {"name": "By appointment", "slug": "appt"},
        {"name": "By appointment", "slug": "appt", "day": None, "time": None},
        {"name": "By appointment", "slug": "appt", "day": "", "time": ""},
        {"name": "By appointment", "slug": "appt", "day": "By appointment", "time": "appointment"},
    ],
)
def test_a_meeting_by_appointment_imports_with_no_day_or_time(record):
    report = import_feed(feed(record))
    assert (report.created, report.skipped) == (1, [])
    meeting = Meeting.objects.get()
    assert (meeting.weekday_list, meeting.start_time, meeting.end_time) == ([], None, None)


def test_only_what_truly_cannot_be_read_is_skipped_and_named():
    report = import_feed(
        feed(
            {"name": "Good", "slug": "good", "day": "Wednesday", "time": "7:30 PM"},
            {"name": "No such day", "slug": "funday", "day": "Funday", "time": "19:00"},
            {"name": "No such hour", "slug": "thirteen-pm", "day": 1, "time": "13:00 PM"},
            {"name": "Just a number", "slug": "nineteen", "day": 1, "time": "19"},
            {"name": "Eighth day", "slug": "eighth", "day": ["Mon", 7], "time": "19:00"},
        )
    )
    assert report.created == 1
    reasons = {label: reason for _, label, reason in report.skipped}
    assert reasons == {
        "No such day [funday]": "day 'Funday' is not a number from 0 (Sunday) to 6 (Saturday) or a day's name",
        "No such hour [thirteen-pm]": "time '13:00 PM' is not a 24-hour time like 19:30 or a 12-hour one like 7:30 PM",
        "Just a number [nineteen]": "time '19' is not a 24-hour time like 19:30 or a 12-hour one like 7:30 PM",
        "Eighth day [eighth]": "day 7 is not a number from 0 (Sunday) to 6 (Saturday) or a day's name",
    }


def test_a_broken_file_still_imports_nothing():
    from supports.feeds import FeedError

    with pytest.raises(FeedError):
        import_feed(b'[{"name": "Half", "slug": "half", "time": "7:30 PM"')
    assert not Meeting.objects.exists()


def test_the_demo_feed_kept_in_the_repository_imports_whole():
    report = import_feed(demo_data.DEMO_FEED.read_bytes())
    assert report.skipped == [] and report.created >= 10


def test_seed_demo_fills_the_directory_on_a_clean_clone(monkeypatch, tmp_path):
    monkeypatch.setattr(demo_data, "SAMPLE_FEED", tmp_path / "not-beside-this-clone.json")
    cast = demo.ensure_cast()
    demo_data.seed_cast(cast, timezone.now())
    directory = Meeting.objects.filter(owner__isnull=True)
    assert directory.count() >= 10
    assert directory.filter(slug="sunrise-serenity-mon").exists()  # the demo's home group comes from it
    demo_data.seed_cast(cast, timezone.now())
    assert Meeting.objects.filter(owner__isnull=True).count() == directory.count()
