"""Path converters for the ids, days and tokens in our URLs, registered in recovery_network/urls.py.

Django's <int:…> takes any run of digits, so /care/people/99999999999999999999999/
reached the view and then the database, which refused it (an error page, not a 404);
<str:…> takes anything but a slash, a NUL character included, which PostgreSQL refuses
in a query. These match only what can name a row or a day; anything else is no match,
a plain 404.
"""

from . import params


class IdConverter:
    """A primary key: digits only, 1 … 2**63 - 1 (BigAutoField on every database)."""

    regex = "[0-9]+"

    def to_python(self, value):
        number = params.object_id(value)
        if number is None:
            raise ValueError(f"not an id: {value[:30]!r}")  # Django reads a ValueError as "this pattern doesn't match"
        return number

    def to_url(self, value):
        return str(value)


class DateConverter:
    """A calendar day as YYYY-MM-DD (a date, or text already in that form, to reverse())."""

    regex = "[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value):
        day = params.date(value)
        if day is None:
            raise ValueError(f"not a date: {value!r}")
        return day

    def to_url(self, value):
        return value if isinstance(value, str) else value.isoformat()


class TokenConverter:
    """A random token looked up in the database (secrets.token_urlsafe: letters, digits, - and _).

    Signed tokens (an invitation, an unsubscribe or "I reached out" link) stay <str:…>: their
    signature is checked before any query, and their pages explain a mangled link themselves.
    """

    regex = "[-A-Za-z0-9_]{1,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
