"""Hostile input, made up by Hypothesis: every form and query parameter of every page, as each person of the cast.

test_bad_input.py sweeps every page with a fixed list of hostile values; here Hypothesis invents them. The pages
come from the URL resolver and their forms from the HTML each person is served, so a new page, form or field is
covered without a change here. Whatever is sent, the response is below 500, and a POST that is refused (4xx) or
re-rendered with errors leaves the row count of every table as it was. The meeting-feed upload gets files of its
own: too large, nested too deep, in the wrong encoding, cut short, or not JSON at all.

Each input is sent inside a savepoint that is rolled back, with the cache emptied and the client's cookies put
back afterwards (a sign-out form signs nobody out for the next input), so every input meets the same site and
Hypothesis can replay and shrink any of them.
"""

import datetime as dt
import json
import logging
import re
import string
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.test.utils import ContextList
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recovery_network.care.models import AccessEvent
from recovery_network.params import MAX_ID
from supports.feeds import MAX_FEED_BYTES
from supports.models import Meeting
from tests.milestones.factories import CheckInFactory, JourneyFactory, PersonalGoalFactory
from tests.recovery_network import test_bad_input as sweep
from tests.supports.factories import (
    CommunityActivityFactory,
    ContactFactory,
    MeetingFactory,
    PeerGroupFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db

# The owner's site and the cast, signed in as test_bad_input.py's sweep has them.
site, cast = sweep.site, sweep.cast

settings.register_profile(
    "hostile-input",
    derandomize=True,  # the same inputs on every run, so CI never fails on an input no one can replay
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
PROFILE = settings.get_profile("hostile-input")
# Inputs per target: a page (its path arguments and query parameters), a form, an uploaded feed.
EXAMPLES = {"page": 3, "form": 8, "feed": 60}
FIGURES = dict.fromkeys(["inputs", "5xx", "refused posts checked", "posts accepted", "feeds", "pages", "forms"], 0)
FIGURES["seconds"] = 0.0

ROLES = ("anonymous", "stranger", "family", "counselor", "owner")
APP_SOURCES = ("recovery_network", "supports", "milestones")

# Values


def _long(text):
    return text * (10_000 // len(text))


NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(
        ["-1", "0", "-0", "1.5", "1e400", "-1e400", "nan", "inf", "0x1F", " 7 ", "٣", "Ⅻ", "1_000"]
        + [str(2**31), str(MAX_ID), str(MAX_ID + 1), "9" * 30, "1" * 5000]
    ),
)
NOT_DAYS = ["2026-02-30", "2026-13-01", "0000-01-01", "99999-01-01", "2026-1-1", "20261126", "2026-W48-4", "yesterday"]
EDGE_DAYS = ["0001-01-01", "9999-12-31", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00+14:00", "24:00", "23:59:60"]
DATES = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(lambda moment: moment.isoformat(timespec="minutes")),
    st.times().map(dt.time.isoformat),
    st.sampled_from(NOT_DAYS + EDGE_DAYS + ["99:99"]),
)
ODD_TEXT = st.sampled_from(
    ["", " ", "\t\n", "a\x00b", "\x00", "\ufeff", "\u202eevil", "\u200b", "e\u0301", "💥" * 3, "𝔘𝔫𝔦", "ǅ", "ß", "İ"]
    + ["<script>alert(1)</script>", "{{ 7|add:7 }}", "{% debug %}", "' OR 1=1 --", "%s%n%d", "../../etc/passwd"]
    + ["http://[::1", "javascript:alert(1)", "//example.com", "\r\nSet-Cookie: x=1", "null", "None", "[]", "{}"]
)
TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co"]), min_size=1, max_size=8),
    st.sampled_from(["x", "9", "é", "💥", "\x00", "a\x00"]).map(_long),
    ODD_TEXT,
)
# Bytes that are not UTF-8: a form can send them, urlencoded, and Django must read them as something.
NOT_UTF8 = st.sampled_from(
    [b"\xff\xfe", b"caf\xe9", b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\xaf", b"\x80", b"\xf4\x90\x80\x80"]
)
FIELD_NAMES = st.one_of(
    st.text(string.ascii_letters + string.digits + "_-[].", min_size=1, max_size=20),
    st.sampled_from(["a\x00", "x" * 1000, "é", "__proto__", "csrfmiddlewaretoken", "page[]", "a-0-b", "-"]),
)


def hostile_values(ids):
    """Something no one should type: any of the above, someone's id, or several of them for a single field."""
    one = st.one_of(TEXT, NUMBERS, DATES, st.sampled_from(ids).map(str), NOT_UTF8)
    return st.one_of(one, st.lists(one, min_size=2, max_size=3))


@dataclass
class Field:
    name: str
    kind: str  # an <input>'s type, or "select" or "textarea"
    values: list = field(default_factory=list)  # the options offered, or the value served
    multiple: bool = False


@dataclass
class Form:
    page: str  # where it was found, to say so in a failure
    method: str
    action: str
    fields: dict = field(default_factory=dict)
    buttons: list = field(default_factory=list)  # (name, value) of named submit buttons

    def _repr_pretty_(self, printer, cycle):  # Hypothesis shows a failing input's form so, not field by field
        printer.text(f"<{self.method} {self.action} form of {self.page}: {', '.join(self.fields)}>")

    @property
    def key(self):
        return (self.method, self.action, tuple(sorted(self.fields)), tuple(sorted(self.buttons)))


class FormFinder(HTMLParser):
    """The <form>s of a page, with each field's name, type and the values it offers."""

    def __init__(self, page):
        super().__init__()
        self.page, self.forms = page, []
        self.form = self.select = self.textarea = self.option = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urlsplit(attrs.get("action", ""))
            path = action.path or urlsplit(self.page).path
            if action.netloc:  # somewhere else, not ours to test
                return
            self.form = Form(
                self.page, attrs.get("method", "get").upper(), path + (f"?{action.query}" * bool(action.query))
            )
            self.forms.append(self.form)
        elif tag == "option" and self.select is not None:
            self.option = attrs.get("value")
            if self.option is not None:
                self.select.values.append(self.option)
        elif self.form is None or attrs.get("name", "csrfmiddlewaretoken") == "csrfmiddlewaretoken":
            return  # no field, or CSRF's token: the test client skips CSRF checks, and they are not tested here
        elif tag in ("input", "button"):
            kind = attrs.get("type", "text" if tag == "input" else "submit").lower()
            if kind in ("submit", "image", "button", "reset"):
                self.form.buttons.append((attrs["name"], attrs.get("value", "")))
                return
            existing = self.form.fields.get(attrs["name"])
            if existing is not None and kind in ("checkbox", "radio"):
                existing.values.append(attrs.get("value", "on"))
                existing.multiple = existing.multiple or kind == "checkbox"
            else:
                self.form.fields[attrs["name"]] = Field(
                    attrs["name"], kind, [attrs.get("value", "on" if kind in ("checkbox", "radio") else "")]
                )
        elif tag == "select":
            self.select = self.form.fields[attrs["name"]] = Field(attrs["name"], "select", [], "multiple" in attrs)
        elif tag == "textarea":
            self.textarea = self.form.fields[attrs["name"]] = Field(attrs["name"], "textarea", [""])

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.values[0] += data
        elif self.select is not None and self.option is None and data.strip():
            self.select.values.append(data.strip())  # an <option> without a value sends its text

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            self.textarea.values[0] = self.textarea.values[0].removeprefix("\n")  # as a browser reads it
            self.textarea = None


def _plausible(field):
    """A value that might pass: what the page served, one of its options, or something of the field's type."""
    served = [value for value in field.values if value]
    typed = {
        "date": st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(dt.date.isoformat),
        "datetime-local": st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1)).map(
            lambda moment: moment.isoformat(timespec="minutes")
        ),
        "time": st.times().map(lambda moment: moment.strftime("%H:%M")),
        "number": st.integers(0, 40).map(str),
        "email": st.sampled_from(["sam@example.org", "owner@example.org", "new.person@example.org"]),
        "url": st.just("https://example.org/meet"),
        "tel": st.just("555 0100"),
        "password": st.sampled_from(["a-long-test-passphrase", "another-long-passphrase"]),
        "file": SMALL_FEEDS.map(lambda feed: feed[1]),
    }.get(field.kind, st.text(string.ascii_letters + " ", min_size=1, max_size=20))
    if (field.kind == "select" and field.multiple) or (field.kind == "checkbox" and len(field.values) > 1):
        return st.lists(st.sampled_from(field.values or [""]), max_size=3, unique=True)
    if field.kind in ("select", "radio", "checkbox"):
        return st.sampled_from(field.values or [""]) | st.none()
    if field.kind == "hidden":
        return st.sampled_from(field.values)
    return (st.sampled_from(served) | typed) if served else typed


@st.composite
def form_inputs(draw, form, hostile, names):
    """[(name, value)] for a form: its fields' plausible values, up to three made hostile, maybe a field it lacks."""
    made_hostile = draw(st.sets(st.sampled_from(sorted(form.fields)), max_size=3)) if form.fields else set()
    pairs = []
    for name, served in form.fields.items():
        value = draw(hostile if name in made_hostile else _plausible(served))
        if value is not None:
            pairs.extend((name, one) for one in (value if isinstance(value, list) else [value]))
    if form.buttons:
        pairs.extend(draw(st.sampled_from([[], *([button] for button in form.buttons)])))
    extra = draw(st.lists(st.tuples(st.sampled_from(names) | FIELD_NAMES, hostile), max_size=2))
    pairs.extend((name, one) for name, value in extra for one in (value if isinstance(value, list) else [value]))
    return pairs


@st.composite
def query_inputs(draw, params, hostile):
    """[(name, value)] for a query string: some of the parameters pages read, and some no page reads."""
    chosen = draw(st.lists(st.sampled_from(params), max_size=4, unique=True))
    pairs = [(name, draw(hostile)) for name in chosen]
    pairs.extend(draw(st.lists(st.tuples(FIELD_NAMES, hostile), max_size=2)))
    return [(name, one) for name, value in pairs for one in (value if isinstance(value, list) else [value])]


# Feeds: (what is wrong with it, its bytes, whether a careful importer takes it)

RECORD = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["Café Serenity", "Señora's Step Group", "Noon Über Group", "Äpfel und Birnen"]),
        "slug": st.text(string.ascii_lowercase + string.digits + "-", min_size=1, max_size=20),
        "day": st.integers(0, 6),
        "time": st.sampled_from(["19:30", "7:30 PM", "noon"]),
        "timezone": st.just("America/Chicago"),
        "address": st.just("1 Main St"),
    }
)
FEED_TEXT = st.lists(RECORD, min_size=1, max_size=3, unique_by=lambda record: record["slug"]).map(
    lambda records: json.dumps(records, ensure_ascii=False)
)  # each has a character outside ASCII, so no other encoding passes for UTF-8


def _cut(text, fraction):
    data = text.encode()
    return data[: max(1, min(len(data) - 1, int(len(data) * fraction)))]


def _spliced(text, position, junk):
    data = text.encode()
    at = int(len(data) * position)
    return data[:at] + junk + data[at:]


def _is_json(data):
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


NESTING = st.integers(2_000, 200_000)
SMALL_FEEDS = st.one_of(
    FEED_TEXT.map(lambda text: ("UTF-8 with a byte-order mark", b"\xef\xbb\xbf" + text.encode(), True)),
    FEED_TEXT.map(lambda text: ("two byte-order marks", b"\xef\xbb\xbf" * 2 + text.encode(), False)),
    FEED_TEXT.map(lambda text: ("Latin-1", text.encode("latin-1"), False)),
    st.tuples(FEED_TEXT, st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "cp437"])).map(
        lambda pair: (pair[1], pair[0].encode(pair[1]), False)
    ),
    st.tuples(FEED_TEXT, st.floats(0, 1), NOT_UTF8).map(lambda triple: ("not UTF-8 inside", _spliced(*triple), False)),
    st.tuples(FEED_TEXT, st.floats(0, 1)).map(lambda pair: ("cut short", _cut(*pair), False)),
    NESTING.map(lambda depth: ("nested arrays", b"[" * depth + b"]" * depth, False)),
    NESTING.map(lambda depth: ("nested objects, unclosed", b'{"a":' * depth, False)),
    NESTING.map(lambda depth: ("a meeting nested deep", b'[{"name": "A", "slug": "a", "day": ' + b"[" * depth, False)),
    st.sampled_from(
        [
            b"",
            b"name,slug,day,time\nCafe,cafe,1,19:30\n",
            b"<!DOCTYPE html><html><body>Meetings</body></html>",
            b'<?xml version="1.0"?><meetings><meeting/></meetings>',
            b"null",
            b"true",
            b"42",
            b'"a meeting"',
            b"{}",
            b'{"meetings": [{"name": "A", "slug": "a"}]}',
            b"[1, 2, 3]",
            b'["Cafe Serenity"]',
            b"[NaN, Infinity]",
            b"[" + b"9" * 5000 + b"]",
            b"\x00" * 64,
            b"\x1f\x8b\x08\x00" + b"\x00" * 32,  # gzip's start: a compressed feed, not a feed
            b"PK\x03\x04" + b"\x00" * 32,  # a zip file
        ]
    ).map(lambda data: ("not a list of meetings", data, False)),
    st.binary(min_size=1, max_size=200)
    .filter(lambda data: not _is_json(data.decode("utf-8-sig", "replace")))
    .map(lambda data: ("random bytes", data, False)),
)
TOO_LARGE = ("larger than the limit", b"[" + b" " * MAX_FEED_BYTES + b"]", False)
FEEDS = SMALL_FEEDS | st.just(TOO_LARGE)

# Pages and forms


# What views read from a query string: request.GET.get("page"), getlist("shown"), _page_number(request, "setbacks").
QUERY_READ = re.compile(r'(?:\.GET\.(?:get|getlist)\(|_page_number\(request,)\s*"(\w+)"')


def _read_params():
    """The query parameters the site's views read, from their source: a view reading a new one is covered."""
    found = {"next"}  # allauth's, read by Django's REDIRECT_FIELD_NAME
    for app in APP_SOURCES:
        for path in Path(apps.get_app_config(app).path).rglob("*.py"):
            found.update(QUERY_READ.findall(path.read_text()))
    return sorted(found)


@pytest.fixture
def elsewhere(stranger):
    """The stranger's own things: to everyone else, ids of someone else's objects."""
    today = stranger.local_today()
    supporter = SupporterFactory(owner=stranger, name="Not yours")
    return {
        "owner": stranger,
        "supporter": supporter,
        "contact": ContactFactory(supporter=supporter),
        "group": PeerGroupFactory(owner=stranger, name="Someone else's group"),
        "meeting": MeetingFactory(owner=stranger),
        "activity": CommunityActivityFactory(owner=stranger),
        "journey": JourneyFactory(owner=stranger, started_on=today - dt.timedelta(days=30)),
        "checkin": CheckInFactory(owner=stranger, local_date=today - dt.timedelta(days=2)),
        "goal": PersonalGoalFactory(owner=stranger, on_date=today + dt.timedelta(days=10)),
    }


def _ids(*places):
    return sorted({value.pk for place in places for value in place.values() if isinstance(value, models.Model)})


@dataclass
class Page:
    name: str
    route: str
    args: dict  # {argument: kind}
    choices: dict  # {argument: [valid values: the person's own, or those shared with them, then someone else's]}

    def path(self, chosen):
        return self.route % {arg: chosen[arg] for arg in self.args}


def _pages(site, elsewhere, who):
    """Every page of the site, its arguments filled with what this person can open first, then what they can't."""
    theirs, others = ({**site, **elsewhere}, site) if who == "stranger" else (site, {**site, **elsewhere})
    pages = []
    for name, route, args in sweep.PATTERNS:
        own = sweep._valid_args(name, route, args, theirs)
        other = sweep._valid_args(name, route, args, others)
        choices = {
            arg: list(dict.fromkeys(quote(str(value), safe="") for value in (own[arg], other[arg]))) for arg in args
        }
        pages.append(Page(name, route, args, choices))
    return pages


def _path_argument(kind, valid, ids):
    """A path argument: a valid one, or something hostile for its kind, written as it would travel in a URL."""
    hostile_by_kind = {
        "id": NUMBERS | st.sampled_from(ids).map(str),
        "int": NUMBERS,
        "date": DATES,
    }.get(kind, TEXT)
    raw = st.sampled_from(["%00", "%FF%FE", "%C0%AF", "..", "%2E%2E", "%2F", "a%20b"])
    return st.one_of(st.sampled_from(valid), hostile_by_kind.map(lambda value: quote(value, safe="")), raw)


@contextmanager
def _undone(client):
    """Whatever the request does is undone after it: the database, the cache, the client's cookies."""
    cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    try:
        with transaction.atomic():
            try:
                yield
            finally:
                transaction.set_rollback(True)
    finally:
        cache.clear()
        client.cookies = SimpleCookie(cookies)


TABLES = [model for model in apps.get_models() if model._meta.managed and not model._meta.proxy]


def _row_counts():
    """Rows in every table, except the access log's looks: a refused form that shows someone's shared page again
    logs that look, as every showing of shared data is logged (sharing.open_shared_or_404).

    One query for all the tables: a count() per model took 9.5 ms on PostgreSQL against 1.7 ms for this, some
    40 seconds over the two counts around each of the run's POSTs."""
    quoted = connection.ops.quote_name
    counts = [f"(SELECT COUNT(*) FROM {quoted(model._meta.db_table)})" for model in TABLES if model is not AccessEvent]
    action = quoted(AccessEvent._meta.get_field("action").column)
    counts.append(f"(SELECT COUNT(*) FROM {quoted(AccessEvent._meta.db_table)} WHERE {action} <> %s)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts), [AccessEvent.Action.VIEWED])
        row = cursor.fetchone()
    labels = [model._meta.label for model in TABLES if model is not AccessEvent] + ["care.AccessEvent, not looks"]
    return dict(zip(labels, row, strict=True))


def _refused(response):
    """A 4xx, a page re-rendered with a bound form's errors, or a redirect that says what went wrong."""
    if response.status_code >= 400:
        return True
    if any(message.level >= messages.WARNING for message in get_messages(response.wsgi_request)):
        return True
    if response.status_code != 200 or response.context is None:
        return False
    contexts = response.context if isinstance(response.context, ContextList) else [response.context]
    for context in contexts:
        for value in context.flatten().values():
            if isinstance(value, forms.BaseForm) and value.is_bound and value._errors:
                return True
            if isinstance(value, forms.BaseFormSet) and value.is_bound and _formset_errors(value):
                return True
    return False


def _formset_errors(formset):
    return formset._errors is not None and (any(formset._errors) or bool(formset._non_form_errors))


def _shown(pairs):
    shown = []
    for name, value in pairs:
        value = value if isinstance(value, str | bytes) else f"<file of {value.size} bytes>"
        shown.append(
            (name[:40], value[:60] + ("…" if isinstance(value, str) else b"...") if len(value) > 60 else value)
        )
    return shown


class Visitor:
    """One person of the cast, with what to send: ids to try, the query parameters pages read, the field names
    forms have. Shown as their role alone, so a failing input is printed short."""

    def __init__(self, who, client, ids, params=(), names=()):
        self.who, self.client, self.ids = who, client, ids
        self.hostile = hostile_values(ids)
        self.params, self.names = list(params), list(names)

    def __repr__(self):
        return self.who

    def arrive(self):
        """A first look at the home page, kept: a signed-in session gets its row in allauth's session list then,
        as anyone's does on their first request, rather than during each input."""
        self.send("GET", "/", [])
        return self

    def send(self, method, path, pairs, multipart=True):
        """One request; an exception or a 5xx fails with the person, the request and the input, cut short."""
        FIGURES["inputs"] += 1
        try:
            if method == "GET":
                response = self.client.get(path + (f"?{urlencode(pairs)}" if pairs else ""))
            elif multipart and not any(isinstance(value, bytes) for _, value in pairs):
                data = {}
                for name, value in pairs:
                    data.setdefault(name, []).append(value)
                data = {name: values[0] if len(values) == 1 else values for name, values in data.items()}
                response = self.client.post(path, data)
            else:
                body = urlencode([(name, value) for name, value in pairs if isinstance(value, str | bytes)])
                response = self.client.post(path, body, content_type="application/x-www-form-urlencoded")
        except Exception as exc:
            FIGURES["5xx"] += 1
            raise AssertionError(f"{method} {path[:200]} as {self.who} raised {exc!r}; input {_shown(pairs)}") from exc
        if response.status_code >= 500:
            FIGURES["5xx"] += 1
            raise AssertionError(f"{method} {path[:200]} as {self.who}: {response.status_code}; input {_shown(pairs)}")
        return response

    def post_refused_saves_nothing(self, path, pairs, multipart=True):
        before = _row_counts()
        response = self.send("POST", path, pairs, multipart)
        if not _refused(response):
            FIGURES["posts accepted"] += 1
        else:
            FIGURES["refused posts checked"] += 1
            after = _row_counts()
            changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
            assert not changed, (
                f"POST {path[:200]} as {self.who} was refused ({response.status_code}) but saved {changed}; "
                f"input {_shown(pairs)}"
            )
        return response

    def forms_served(self, pages):
        """The forms on every page they open, each once (the sign-out button is on nearly every page)."""
        found = {}
        for page in pages:
            path = page.path({arg: values[0] for arg, values in page.choices.items()})
            with _undone(self.client):
                response = self.send("GET", path, [])
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                finder = FormFinder(path)
                finder.feed(response.content.decode())
                for form in finder.forms:
                    found.setdefault(form.key, form)
        return list(found.values())


@settings(PROFILE, max_examples=EXAMPLES["page"])
@given(data=st.data())
def _try_page(visitor, page, data):
    """A page, its path arguments valid or not, with query parameters it reads and some it doesn't: GET or POST."""
    chosen = {
        arg: data.draw(_path_argument(kind, page.choices[arg], visitor.ids), label=arg)
        for arg, kind in page.args.items()
    }
    pairs = data.draw(query_inputs(visitor.params, visitor.hostile), label="input")
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    with _undone(visitor.client):
        if method == "GET":
            visitor.send("GET", page.path(chosen), pairs)
        else:
            visitor.post_refused_saves_nothing(page.path(chosen), pairs, multipart=data.draw(st.booleans()))


@settings(PROFILE, max_examples=EXAMPLES["form"])
@given(data=st.data())
def _try_form(visitor, form, data):
    """A form as served, some of its fields hostile, sent as a browser would (or, urlencoded, with bytes that
    aren't UTF-8)."""
    pairs = data.draw(form_inputs(form, visitor.hostile, visitor.names), label="input")
    files = {name for name, field in form.fields.items() if field.kind == "file"}
    pairs = [
        (name, SimpleUploadedFile("feed.json", value) if name in files and isinstance(value, bytes) else value)
        for name, value in pairs
    ]
    with _undone(visitor.client):
        if form.method == "GET":
            visitor.send("GET", form.action, [(name, value) for name, value in pairs if name not in files])
        else:
            visitor.post_refused_saves_nothing(form.action, pairs, multipart=data.draw(st.booleans()))


@pytest.mark.parametrize("who", ROLES)
def test_no_made_up_input_gives_a_server_error_or_saves_from_a_refused_form(site, elsewhere, cast, caplog, who):
    caplog.set_level(logging.ERROR, logger="django.request")  # thousands of 404s' warnings
    started = time.monotonic()
    visitor = Visitor(who, cast[who], _ids(site, elsewhere), _read_params()).arrive()
    pages = _pages(site, elsewhere, who)
    served = visitor.forms_served(pages)
    visitor.params = sorted(
        {*visitor.params, *(name for form in served if form.method == "GET" for name in form.fields)}
    )
    visitor.names = sorted({*visitor.params, *(name for form in served for name in form.fields)})
    for page in pages:
        _try_page(visitor, page)
    for form in served:
        _try_form(visitor, form)
    FIGURES["pages"] += len(pages)
    FIGURES["forms"] += len(served)
    FIGURES["seconds"] += time.monotonic() - started


# The meeting-feed upload


@settings(PROFILE, max_examples=EXAMPLES["feed"])
@example(feed=TOO_LARGE, fellowship="aa")
@given(feed=FEEDS, fellowship=st.sampled_from(["aa", "na", "other", "", "no such fellowship"]))
def _upload(visitor, owner, feed, fellowship):
    problem, data, importable = feed
    FIGURES["feeds"] += 1
    upload = SimpleUploadedFile("meetings.json", data, "application/json")
    with _undone(visitor.client):
        before = _row_counts()
        response = visitor.send(
            "POST", reverse("supports:meeting_import"), [("feed", upload), ("fellowship", fellowship)]
        )
        after = _row_counts()
        if importable and fellowship in ("aa", "na", "other"):
            assert response.status_code == 200, problem
            report = response.context["report"]
            assert report.created == len(json.loads(data.decode("utf-8-sig"))), problem
            assert Meeting.objects.filter(owner=owner).count() == report.created
            return
        assert response.status_code == 400, f"{problem}: {response.status_code}"
        assert before == after, f"{problem}: something was imported"
        form, error = response.context["form"], response.context["error"]
        said = [error] if error else [message for errors in form.errors.values() for message in errors]
        assert said, problem
        for message in said:  # a sentence for a person: no exception's name, no bytes, no traceback
            assert 10 < len(message) < 200 and not re.search(r"Error|Exception|Traceback|\\x|b'", message), message
            assert escape(message) in response.content.decode()


def test_a_hostile_meeting_feed_is_refused_with_a_clear_message_and_nothing_imported(owner, owner_client, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    started = time.monotonic()
    _upload(Visitor("owner", owner_client, []).arrive(), owner)
    FIGURES["seconds"] += time.monotonic() - started


def test_the_figures(capsys):
    """What the tests above tried, printed even under -q (run alone, they tried nothing and there is nothing to say)."""
    if not FIGURES["inputs"]:
        pytest.skip("the tests above did not run")
    with capsys.disabled():
        print("\nhostile input: " + ", ".join(f"{key} {value:.0f}" for key, value in FIGURES.items()))
    assert FIGURES["5xx"] == 0
    assert FIGURES["refused posts checked"] > 0 or not FIGURES["pages"]
