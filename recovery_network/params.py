"""What arrives as text in a URL (a path segment, a query parameter, a cursor), read in one place.

Each reader returns the value or None, never an exception: a page treats None as
"not given" (the newest page, the default period, no such object). A value the
database or Python's date types can't hold is None too, rather than reaching a
query and failing there: an id past a bigint, a date in year 10000, an instant
that only overflows once converted to UTC (0001-01-01T00:00:00+14:00).

Page numbers (?page=) are left to Django's Paginator.get_page, which already reads
any text: nonsense is the first page, past the end the last.
"""

import datetime as dt
import re

# Every model's primary key is a BigAutoField (DEFAULT_AUTO_FIELD): a signed 64-bit integer on PostgreSQL and
# SQLite, counted up from 1 (tests/recovery_network/test_bad_input.py checks every model has one).
MIN_ID, MAX_ID = 1, 2**63 - 1
_MAX_ID_DIGITS = len(str(MAX_ID))
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_DATETIME_LENGTH = 40  # "2026-11-26T14:40:00.123456+05:30:00" and a little room


def object_id(value):
    """A primary key given as text (ASCII digits only) or an int, within MIN_ID … MAX_ID; else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= _MAX_ID_DIGITS:
        number = int(value)
    else:
        return None
    return number if MIN_ID <= number <= MAX_ID else None


def integer(value, minimum, maximum):
    """A whole number given as text (an optional minus sign and ASCII digits) within minimum … maximum; else None."""
    if not isinstance(value, str):
        return None
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(max(abs(minimum), abs(maximum)))):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def search_text(value, max_length=100):
    """Words typed into a search box, trimmed to `max_length`; None for nothing, or for text no database column
    can hold (a NUL character)."""
    if not isinstance(value, str) or "\x00" in value:
        return None
    return value[:max_length].strip() or None


def date(value):
    """A calendar date written as YYYY-MM-DD; else None (not the other ISO forms, 20261126 or 2026-W48-4)."""
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def aware_datetime(value):
    """An ISO 8601 date and time that carries its UTC offset, as UTC; else None.

    A time without an offset is refused rather than guessed in the server's zone.
    The conversion to UTC is what overflows at the ends of the calendar, so it is done here.
    """
    if not isinstance(value, str) or len(value) > MAX_DATETIME_LENGTH or not value.isascii():
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
        if moment.utcoffset() is None:
            return None
        return moment.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
