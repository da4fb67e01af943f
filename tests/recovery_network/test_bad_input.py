"""Bad input never gives a 500: a clear 4xx, or the page as if the bad part weren't there.

Ids in paths go through the `id` converter (1 … 2**63 - 1, the BigAutoField range), days
through `date`, and what arrives in a query string through `recovery_network.params`.
"""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.utils.regex_helper import normalize

from milestones.models import CalendarFeed
from recovery_network import params
from recovery_network.converters import DateConverter, IdConverter, TokenConverter
from supports import sharing

pytestmark = pytest.mark.django_db

MAX_ID = 2**63 - 1

# The readers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ID), MAX_ID),
        (7, 7),
        ("0", None),
        ("-1", None),
        (str(MAX_ID + 1), None),
        ("99999999999999999999999", None),
        ("1" * 5000, None),  # past Python's 4300-digit limit for int(): refused before it is tried
        ("١٢", None),  # Arabic-Indic digits: str.isdigit() says yes, a URL id says no
        (" 1", None),
        ("1e3", None),
        (True, None),
        (None, None),
    ],
)
def test_an_object_id_is_ascii_digits_within_the_bigint_range(text, expected):
    assert params.object_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30", 30), ("-5", -5), ("365", 365), ("366", None), ("-11", None), ("1" + "0" * 30, None), ("1e3", None),
     ("", None), ("-", None), ("nan", None), (None, None)],
)  # fmt: skip
def test_an_integer_parameter_is_kept_within_its_range(text, expected):
    assert params.integer(text, -10, 365) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26", dt.date(2026, 11, 26)),
        ("9999-12-31", dt.date(9999, 12, 31)),
        ("2026-02-30", None),
        ("0000-01-01", None),
        ("20261126", None),
        ("2026-W48-4", None),
        ("yesterday", None),
        ("2026-11-26\x00", None),
    ],
)
def test_a_date_is_yyyy_mm_dd(text, expected):
    assert params.date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-26T14:40:00+00:00", dt.datetime(2026, 11, 26, 14, 40, tzinfo=dt.UTC)),
        ("2026-11-26T09:40:00.5-05:00", dt.datetime(2026, 11, 26, 14, 40, 0, 500000, tzinfo=dt.UTC)),
        ("2026-11-26T14:40Z", dt.datetime(2026, 11, 26, 14, 40, tzinfo=dt.UTC)),
        ("0001-01-01T00:00:00+00:00", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
        ("2026-11-26T14:40:00", None),  # no offset: which zone it meant is unknown
        ("0001-01-01T00:00:00+14:00", None),  # parses, but is before year 1 in UTC
        ("9999-12-31T23:59:59-14:00", None),  # parses, but is in year 10000 in UTC
        ("2026-02-30T00:00:00+00:00", None),
        ("2026-11-26T14:40:00+00:00" + "0" * 100, None),
    ],
)
def test_an_aware_datetime_carries_its_offset_and_comes_back_in_utc(text, expected):
    moment = params.aware_datetime(text)
    assert moment == expected
    assert moment is None or moment.tzinfo is dt.UTC


def test_the_id_converter_matches_the_bigint_range_and_nothing_else():
    converter = IdConverter()
    assert converter.to_python("1") == 1 and converter.to_python(str(MAX_ID)) == MAX_ID
    for text in ("0", str(MAX_ID + 1), "99999999999999999999999"):
        with pytest.raises(ValueError):
            converter.to_python(text)
    assert re.fullmatch(converter.regex, "-1") is None and re.fullmatch(converter.regex, "١") is None
    assert converter.to_url(5) == "5"


def test_the_date_converter_reads_real_days_and_reverses_dates_and_their_text():
    converter = DateConverter()
    assert converter.to_python("2026-03-08") == dt.date(2026, 3, 8)
    with pytest.raises(ValueError):
        converter.to_python("2026-02-30")
    assert converter.to_url(dt.date(2026, 3, 8)) == converter.to_url("2026-03-08") == "2026-03-08"


def test_the_token_converter_takes_what_secrets_token_urlsafe_makes():
    token = CalendarFeed(owner_id=1).token
    assert re.fullmatch(TokenConverter.regex, token)
    assert not any(re.fullmatch(TokenConverter.regex, text) for text in ("a\x00b", "é", "a.b", "x" * 65, ""))


def test_every_primary_key_is_a_bigint_as_the_id_converter_assumes():
    """The converter's bound is BigAutoField's; a table with a 32-bit id would need its own bound."""
    ours = [apps.get_app_config(app).get_models() for app in ("recovery_network", "supports", "milestones")]
    for model in (model for models in ours for model in models):
        assert model._meta.pk.get_internal_type() == "BigAutoField", model


SKIPPED_PREFIXES = ("admin/",)  # Django's admin: none of the cast is staff, so each of its pages is a redirect


def _patterns():
    """(name, route as a %-format, {argument: kind}) for every URL pattern of the site, includes followed."""

    def walk(resolver, prefix, namespace, converters):
        for entry in resolver.url_patterns:
            route, args = normalize(entry.pattern.regex.pattern)[0]
            route = prefix + route
            found = {**converters, **getattr(entry.pattern, "converters", {})}
            if route.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(entry, URLResolver):
                yield from walk(entry, route, ":".join(filter(None, [namespace, entry.namespace])), found)
            else:
                name = ":".join(filter(None, [namespace, entry.name])) or route
                yield name, route, {arg: _converter_kind(found.get(arg)) for arg in args}

    return [(name, "/" + route, args) for name, route, args in walk(get_resolver(), "", "", {})]


def _converter_kind(converter):
    if isinstance(converter, IdConverter):
        return "id"
    if isinstance(converter, IntConverter):
        return "int"
    if isinstance(converter, DateConverter):
        return "date"
    return "text"


def test_no_url_of_ours_takes_a_bare_int():
    """Every id in a path is <id:…>: Django's <int:…> takes ids the database cannot hold."""
    for name, route, args in _patterns():
        if not name.startswith(("account_", "mfa_", "usersessions_")):
            assert "int" not in args.values(), f"{name} ({route}) takes an <int:…>: use <id:…>"


# Ids, days and tokens in paths


@pytest.mark.parametrize("who", ["owner_client", "family_client", "counselor_client", "stranger_client"])
@pytest.mark.parametrize("owner_id", ["99999999999999999999999", "9223372036854775808", "0"])
def test_an_id_the_database_cannot_hold_is_a_404(request, who, owner_id):
    client = request.getfixturevalue(who)
    for path in (f"/network/people/{owner_id}/", f"/network/clients/{owner_id}/", f"/network/supporters/{owner_id}/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/network/people/{owner_id}/encourage/", {"phrase": "proud"}).status_code == 404


def test_the_largest_id_the_database_can_hold_is_an_ordinary_404(family_client):
    assert family_client.get(f"/network/people/{MAX_ID}/").status_code == 404
    assert family_client.post(f"/network/people/{MAX_ID}/encourage/", {"phrase": "proud"}).status_code == 404


def test_find_access_refuses_an_id_no_row_can_have(family, owner):
    """The grant's query is a prepared statement on PostgreSQL: a value past bigint would be an error there."""
    assert sharing.find_access(family, owner.pk) is not None
    for owner_id in (MAX_ID + 1, str(MAX_ID + 1), "99999999999999999999999", "-1", "0", "1 ", None):
        assert sharing.find_access(family, owner_id) is None


@pytest.mark.parametrize("day", ["2026-02-30", "0000-01-01", "yesterday", "2026-1-1", "1" * 5000])
def test_a_day_that_is_not_a_date_is_a_404(owner_client, day):
    assert owner_client.get(f"/progress/checkins/{day}/").status_code == 404


@pytest.mark.parametrize("token", ["a%00b", "x" * 65, "%C3%A9t%C3%A9", "a.b"])
def test_a_calendar_address_no_token_could_have_is_a_404(anon_client, owner, token):
    """PostgreSQL refuses a NUL character in a query: the token never reaches it unless it could be one."""
    CalendarFeed.objects.create(owner=owner)
    assert anon_client.get(f"/progress/calendar/{token}.ics").status_code == 404
