"""Importing meetings from a feed in the Meeting Guide JSON format.

The format (code4recovery/spec) is a JSON array of meeting objects keyed by
`slug`. Real feeds are messy, so each record is checked on its own: a valid
record is created or updated by its slug, an invalid one is skipped and named
in the report with the reason. A file that is not a JSON array of objects is
refused whole, and the writes happen in one transaction, so a bad file never
leaves half an import behind. Whatever a record holds (a list where a time should
be, a number with a thousand digits, a NUL character) makes it a skipped record
with its reason, never an error: each value is checked for its type before use.
"""

import datetime as dt
import json
import re
import reprlib
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from recovery_network import page_cache, params
from recovery_network.timezones import is_time_zone

from .models import Fellowship, Meeting, MeetingFormat

MAX_FEED_BYTES = 10 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 20
# Times as feeds in the wild write them: "19:30", "19:30:00", "7:30 PM", "7:30pm", "7:30 p.m.", "7 PM".
TIME_PATTERN = re.compile(r"^([0-9]{1,2})(?::([0-9]{2})(?::([0-9]{2}))?)?\s*(?:([ap])\.?\s*m\.?)?$", re.IGNORECASE)
NAMED_TIMES = {"noon": dt.time(12), "midnight": dt.time(0)}
# Days as feeds in the wild write them besides the spec's 0-6 (Sunday = 0): names and their short forms.
DAY_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("sunday", "sun"),
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
        ]
    )
    for name in names
}
# What a meeting held by appointment may say in place of a day or a time: nothing to schedule.
BY_APPOINTMENT = {"appointment", "by appointment", "by appt", "appt"}
SLUG_PATTERN = re.compile(r"^[\w-]+$")
SLUG_LENGTH = Meeting._meta.get_field("slug").max_length
TYPE_CODE_LENGTH = 20
UPDATE_FIELDS = [
    "name",
    "fellowship",
    "weekdays",
    "start_time",
    "end_time",
    "time_zone",
    "format",
    "types",
    "location",
    "address",
    "region",
    "online_url",
    "online_notes",
    "phone",
    "notes",
    "group_name",
    "url",
    "temporarily_closed",
    "source_updated_at",
    "imported_at",
]
_valid_url = URLValidator(schemes=["http", "https"])


class FeedError(Exception):
    """The whole feed is unusable; nothing was imported."""


class InvalidRecord(Exception):
    pass


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list = field(default_factory=list)  # [(position, label, reason)]
    warnings: list = field(default_factory=list)  # [(position, label, message)]

    @property
    def imported(self):
        return self.created + self.updated + self.unchanged

    def lines(self):
        yield (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, {len(self.skipped)} skipped."
        )
        for position, label, reason in self.skipped:
            yield f"Skipped record {position} ({label}): {reason}"
        for position, label, message in self.warnings:
            yield f"Note on record {position} ({label}): {message}"


def read_source(source, timeout=FETCH_TIMEOUT_SECONDS):
    """The bytes of a feed from a file path or an http(s) URL."""
    if source.startswith(("http://", "https://")):
        # Only http(s) reaches urlopen: the prefix is checked above, so no file: or ftp: URLs.
        request = urllib.request.Request(source, headers={"User-Agent": "RecoveryNetwork meeting import"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                data = response.read(MAX_FEED_BYTES + 1)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise FeedError(f"Could not fetch {source}: {getattr(exc, 'reason', exc)}.") from exc
    else:
        try:
            with open(source, "rb") as handle:
                data = handle.read(MAX_FEED_BYTES + 1)
        except OSError as exc:
            raise FeedError(f"Could not read {source}: {exc.strerror or exc}.") from exc
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB.")
    return data


def parse_feed(data):
    """The list of records in a feed, or FeedError if it isn't a JSON array of objects."""
    try:
        records = json.loads(data.decode("utf-8-sig") if isinstance(data, bytes) else data)
    except UnicodeDecodeError as exc:
        raise FeedError(gettext("The file is not UTF-8 text.")) from exc
    except json.JSONDecodeError as exc:
        # Translators: the reason at the end is the JSON reader's own, in English: "Expecting value".
        raise FeedError(
            gettext("The file is not valid JSON (line %(line)s, column %(column)s: %(reason)s).")
            % {"line": exc.lineno, "column": exc.colno, "reason": exc.msg}
        ) from exc
    except ValueError as exc:  # Python reads no integer of more than 4300 digits
        raise FeedError(gettext("The file holds a number too long to be part of a meeting feed.")) from exc
    except RecursionError as exc:  # [[[[… a few thousand deep: the decoder gives up, as it should
        raise FeedError(gettext("The file is nested too deeply to be a meeting feed.")) from exc
    except MemoryError as exc:
        raise FeedError(gettext("The file is too large to read as a meeting feed.")) from exc
    if not isinstance(records, list):
        raise FeedError(gettext("A Meeting Guide feed is a JSON list of meetings; this file holds something else."))
    if records and not any(isinstance(record, dict) for record in records):
        raise FeedError(gettext("None of the entries in this file is a meeting."))
    return records


_short = reprlib.Repr()
_short.maxstring, _short.maxlong = 60, 40


def _shown(value):
    """A value as a reason quotes it: cut short, and a list or object not printed at all (one nested a
    few hundred deep would overflow the stack being printed)."""
    if isinstance(value, list):
        return "[…]"
    if isinstance(value, dict):
        return "{…}"
    return _short.repr(value)


def _is_text(value):
    """Text a database column can hold: no NUL character, and no lone half of a UTF-16 surrogate pair (which
    JSON can spell as an escape, and UTF-8 cannot encode)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _text(record, key, limit):
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        # Translators: %(key)s is a field of the Meeting Guide format, left in English: “name”, “location”.
        raise InvalidRecord(gettext("“%(key)s” should be text") % {"key": key})
    if not _is_text(value):
        raise InvalidRecord(gettext("“%(key)s” holds characters that are not text") % {"key": key})
    return value.strip()[:limit]


def _weekdays(value):
    """Meeting Guide days (Sunday = 0) as Python weekdays (Monday = 0). A day is a number 0-6, a numeric
    string or a day's name ("Monday", "mon"); a record may list several, as an array or "1,3"."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", *BY_APPOINTMENT)):
        return []
    if isinstance(value, list):
        days = value
    elif isinstance(value, str) and "," in value:
        days = value.split(",")
    else:
        days = [value]
    result = []
    for day in days:
        number = _day_number(day)
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 6:
            raise InvalidRecord(
                gettext("day %(value)s is not a number from 0 (Sunday) to 6 (Saturday) or a day's name")
                % {"value": _shown(day)}
            )
        result.append((number + 6) % 7)
    return sorted(set(result))


def _day_number(day):
    """A day as a Meeting Guide number (Sunday = 0), or the value as it came when it names no day."""
    if isinstance(day, str):
        text = day.strip().lower().rstrip(".")
        if text.endswith("s") and text[:-1] in DAY_NAMES:  # "Mondays"
            text = text[:-1]
        return DAY_NAMES[text] if text in DAY_NAMES else params.integer(text, 0, 6)
    if isinstance(day, float) and day.is_integer():  # 1.0, as some spreadsheets export
        return int(day)
    return day


def _time(value, key):
    if value is None or value == "":
        return None
    text = value.strip().lower() if isinstance(value, str) else None
    if text in BY_APPOINTMENT:
        return None
    if text in NAMED_TIMES:
        return NAMED_TIMES[text]
    match = TIME_PATTERN.match(text) if text else None
    if match and (match.group(2) is not None or match.group(4) is not None):  # "19" alone could be anything
        hour, minute, second = (int(group or 0) for group in match.group(1, 2, 3))
        half = (match.group(4) or "").lower()
        if half and 1 <= hour <= 12:
            hour = hour % 12 + (12 if half == "p" else 0)
        elif half:
            hour = 99  # "13:00 PM" is not a time
        elif (hour, minute, second) == (24, 0, 0):  # the end of the day, as some feeds close a late meeting
            hour = 0
        if hour <= 23 and minute <= 59 and second <= 59:
            return dt.time(hour, minute)
    # Translators: %(key)s is a field of the Meeting Guide format, left in English: “time” or “end_time”.
    raise InvalidRecord(
        gettext("%(key)s %(value)s is not a 24-hour time like 19:30 or a 12-hour one like 7:30 PM")
        % {"key": key, "value": _shown(value)}
    )


def _zone(value, default_zone):
    if value is None or value == "":
        return default_zone
    name = value.strip() if isinstance(value, str) else None
    if not name or not is_time_zone(name):
        raise InvalidRecord(gettext("timezone %(value)s is not an IANA time zone name") % {"value": _shown(value)})
    return name


def _updated(value):
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _url(record, key, warnings):
    value = _text(record, key, 500)
    if not value:
        return ""
    try:
        _valid_url(value)
    except ValidationError:
        warnings.append(
            gettext("ignored %(key)s %(value)s, which is not a web address") % {"key": key, "value": repr(value)}
        )
        return ""
    return value


def meeting_fields(record, default_zone="UTC"):
    """The Meeting fields for one feed record, and any warnings; InvalidRecord if it can't be used."""
    if not isinstance(record, dict):
        raise InvalidRecord(gettext("not a meeting object"))
    warnings = []
    name, slug = _name_and_slug(record)
    weekdays, start_time, end_time, time_zone = _schedule(record, default_zone)
    types = _type_codes(record, warnings)
    address, online_url, phone, meeting_format = _place_and_format(record, warnings)
    return (
        slug,
        {
            "name": name,
            "weekdays": "," + ",".join(str(day) for day in weekdays) + "," if weekdays else "",
            "start_time": start_time,
            "end_time": end_time,
            "time_zone": time_zone,
            "format": meeting_format,
            "types": types,
            "location": _text(record, "location", 200),
            "address": address,
            "region": _text(record, "region", 120),
            "online_url": online_url,
            "online_notes": _text(record, "conference_url_notes", 300) or _text(record, "conference_phone_notes", 300),
            "phone": phone,
            "notes": _text(record, "notes", 4000),
            "group_name": _text(record, "group", 200),
            "url": _url(record, "url", warnings),
            "temporarily_closed": "TC" in types,
            "source_updated_at": _updated(record.get("updated")),
        },
        warnings,
    )


def _name_and_slug(record):
    """A record's name and slug, or InvalidRecord if either is missing or the slug can't name a meeting."""
    name = _text(record, "name", 200)
    if not name:
        raise InvalidRecord(gettext("no name"))
    slug = _text(record, "slug", None)
    if not slug:
        raise InvalidRecord(gettext("no slug"))
    if not SLUG_PATTERN.match(slug):
        raise InvalidRecord(
            gettext("slug %(value)s may only hold letters, digits, hyphens and underscores") % {"value": _shown(slug)}
        )
    if len(slug) > SLUG_LENGTH:  # a slug names the meeting: cut short, two could become one
        raise InvalidRecord(
            gettext("slug %(value)s is longer than %(limit)s characters")
            % {"value": _shown(slug), "limit": SLUG_LENGTH}
        )
    return name, slug


def _schedule(record, default_zone):
    """Weekdays, start and end time (an hour after the start if none is given) and time zone."""
    weekdays = _weekdays(record.get("day"))
    start_time = _time(record.get("time"), "time")
    end_time = _time(record.get("end_time"), "end_time")
    if start_time and not end_time:
        end_time = (dt.datetime.combine(dt.date(2000, 1, 1), start_time) + dt.timedelta(hours=1)).time()
    time_zone = _zone(record.get("timezone"), default_zone)
    return weekdays, start_time, end_time, time_zone


def _type_codes(record, warnings):
    """The record's usable type codes, warning about those ignored."""
    raw_types = record.get("types") or []
    if isinstance(raw_types, str):
        raw_types = raw_types.split(",")
    if not isinstance(raw_types, list):
        raw_types = []
        warnings.append(gettext("ignored types, which should be a list of codes"))
    codes = [str(code) if isinstance(code, int) and not isinstance(code, bool) else code for code in raw_types]
    types = [code.strip() for code in codes if isinstance(code, str) and code.strip()]
    if not all(len(code) <= TYPE_CODE_LENGTH and _is_text(code) for code in types):
        types = [code for code in types if len(code) <= TYPE_CODE_LENGTH and _is_text(code)]
        warnings.append(
            gettext("ignored type codes longer than %(limit)s characters or not text") % {"limit": TYPE_CODE_LENGTH}
        )
    return types


def _place_and_format(record, warnings):
    """Address, online link and phone, and the meeting format (in person, online or hybrid) they make."""
    address = _text(record, "formatted_address", 300)
    if not address:
        parts = [_text(record, key, 120) for key in ("address", "city", "state", "postal_code", "country")]
        address = ", ".join(part for part in parts if part)
    online_url = _url(record, "conference_url", warnings)
    phone = _text(record, "conference_phone", 80)
    if online_url and address:
        meeting_format = MeetingFormat.HYBRID
    elif online_url or phone:
        meeting_format = MeetingFormat.ONLINE
    else:
        meeting_format = MeetingFormat.IN_PERSON
    return address, online_url, phone, meeting_format


def _label(record, position):
    """How the report names a record: "Name [slug]", whichever of the two it has."""
    if not isinstance(record, dict):
        return gettext("entry %(position)s") % {"position": position}
    name, slug = (record.get(key) for key in ("name", "slug"))
    name = name.strip()[:80] if isinstance(name, str) else ""
    slug = slug.strip()[:80] if isinstance(slug, str) else ""
    if name and slug:
        return f"{name} [{slug}]"
    return name or slug or gettext("entry %(position)s") % {"position": position}


def import_feed(data, owner=None, fellowship=Fellowship.AA, default_zone="UTC", now=None):
    """Create or update meetings from feed bytes; return an ImportReport.

    owner=None fills the shared directory; a person's upload is kept to them.
    Raises FeedError, having written nothing, when the file is unusable.
    """
    now = now or timezone.now()
    records = parse_feed(data)
    report = ImportReport()
    valid = {}
    for position, record in enumerate(records, start=1):
        label = _label(record, position)
        try:
            slug, values, warnings = meeting_fields(record, default_zone)
        except InvalidRecord as exc:
            report.skipped.append((position, label, str(exc)))
            continue
        if slug in valid:
            report.skipped.append(
                (position, label, gettext("the slug %(slug)s appears earlier in the feed") % {"slug": repr(slug)})
            )
            continue
        valid[slug] = values
        report.warnings.extend((position, label, message) for message in warnings)

    with transaction.atomic():
        existing = {
            meeting.slug: meeting
            for meeting in Meeting.objects.filter(owner=owner, slug__in=list(valid)).select_for_update()
        }
        to_create, to_update = [], []
        for slug, values in valid.items():
            values = {**values, "fellowship": fellowship, "imported_at": now}
            meeting = existing.get(slug)
            if meeting is None:
                to_create.append(Meeting(owner=owner, slug=slug, **values))
            elif any(getattr(meeting, name) != value for name, value in values.items() if name != "imported_at"):
                for name, value in values.items():
                    setattr(meeting, name, value)
                to_update.append(meeting)
            else:
                report.unchanged += 1
        Meeting.objects.bulk_create(to_create, batch_size=1000)
        # One UPDATE per changed meeting: feeds change a few meetings at a time,
        # and even a full rewrite of 5,000 is several times faster this way than
        # bulk_update's CASE expressions (measured in tests/supports/test_import.py).
        for meeting in to_update:
            Meeting.objects.filter(pk=meeting.pk).update(**{name: getattr(meeting, name) for name in UPDATE_FIELDS})
    if owner is not None and (to_create or to_update):
        page_cache.bump([owner.pk])  # their own meetings changed: the meeting list they keep is stale
    report.created, report.updated = len(to_create), len(to_update)
    return report
