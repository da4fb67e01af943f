"""Bad input never gives a 500: a clear 4xx, or the page as if the bad part weren't there.

Ids in paths go through the `id` converter (1 … 2**63 - 1, the BigAutoField range), days
through `date`, and what arrives in a query string through `recovery_network.params`. The sweep
at the end proves it for every page of the site: each URL pattern, with hostile values in each
path argument, query parameter and form field, by GET and POST, as each person of the cast.
"""

import datetime as dt
import importlib
import io
import logging
import re
import zipfile
from types import SimpleNamespace

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.utils.regex_helper import normalize

from milestones.models import CalendarFeed
from recovery_network import params
from recovery_network.care import consent_requests, sharing
from recovery_network.care.models import Consent, Grant
from recovery_network.converters import DateConverter, IdConverter, TokenConverter
from recovery_network.learning import content as learning_content
from recovery_network.learning.models import LessonSuggestion
from recovery_network.notifications import preferences as channel_prefs
from recovery_network.notifications.models import Delivery, Notification
from recovery_network.privacy import exporting as privacy_exporting
from recovery_network.reach import links as reach_links
from recovery_network.reach import services as reach_services
from recovery_network.review.models import NetworkReview
from recovery_network.review.services import begin_review
from supports import services
from supports.notification_kinds import reached_out_token
from tests.care.factories import InvitationFactory, RecommendationFactory
from tests.factories import sign_in
from tests.milestones.factories import CheckInFactory, JourneyFactory, PersonalGoalFactory
from tests.reach.factories import AlertContactFactory
from tests.supports.factories import (
    AttendanceFactory,
    CommunityActivityFactory,
    ContactFactory,
    MeetingFactory,
    MeetingTimeFactory,
    PeerGroupFactory,
    SupporterFactory,
)

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
    for path in (f"/care/people/{owner_id}/", f"/care/clients/{owner_id}/", f"/network/supporters/{owner_id}/"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/care/people/{owner_id}/encourage/", {"phrase": "proud"}).status_code == 404


def test_the_largest_id_the_database_can_hold_is_an_ordinary_404(family_client):
    assert family_client.get(f"/care/people/{MAX_ID}/").status_code == 404
    assert family_client.post(f"/care/people/{MAX_ID}/encourage/", {"phrase": "proud"}).status_code == 404


def test_find_access_refuses_an_id_no_row_can_have(family, owner):
    """A value past bigint would be an error in PostgreSQL's query, not a miss."""
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


# The sweep: every page, every person, hostile values everywhere

# Each round posts every form field's valid value with one kind of field made hostile, and sends
# hostile query parameters (?page=, ?days=, ?before=, …): (field kinds, value per kind, parameters).
# The stranger, who can open nothing of anyone's, gets the first round only.
ROLES = ("anonymous", "stranger", "family", "counselor", "owner")  # the owner last: their posts change things
ID_VALUES = ("0", "-1", str(MAX_ID), str(MAX_ID + 1), "99999999999999999999999", "1" * 5000)
DATE_VALUES = ("0000-01-01", "0001-01-01", "9999-12-31", "2026-02-30", "99999-01-01", "yesterday")
TEXT_VALUES = ("x" * 10000, "a%00b", "%C3%A9%F0%9F%92%A5%E2%80%AE", "..", "%FF%FE")
HUGE, PAST_BIGINT = "99999999999999999999999", str(MAX_ID + 1)
NUMBERS, DATES = {"id", "number", "choice"}, {"date", "datetime", "time"}
EVERY_KIND = NUMBERS | DATES | {"text", "flag", "cursor"}
ROUNDS = {
    "numbers past a bigint": (
        NUMBERS,
        {"id": PAST_BIGINT, "number": HUGE, "choice": HUGE},
        {"page": "99999999999999999999", "days": "1" + "0" * 30, "since": HUGE,
         "before": f"2026-01-01T00:00:00+00:00~e{PAST_BIGINT}"},
    ),
    "numbers below one": (
        NUMBERS,
        {"id": "0", "number": "-1", "choice": "-1"},
        {"page": "-1", "days": "-1", "since": "-1", "before": "2026-01-01T00:00:00+00:00~v-1"},
    ),
    "numbers at the edge": (  # a 32-bit integer column's largest: valid to a form, too many days for a date
        NUMBERS,
        {"id": str(MAX_ID), "number": str(2**31 - 1), "choice": "inf"},
        {"page": "1e400", "days": str(2**31 - 1), "since": str(MAX_ID), "before": f"2026-01-01T00:00:00Z~e{MAX_ID}"},
    ),
    "the first day": (
        DATES,
        {"date": "0001-01-01", "datetime": "0001-01-01T00:00", "time": "00:00"},
        {"before": "0001-01-01T00:00:00+14:00~e1", "since": "0001-01-01"},
    ),
    "the last day": (
        DATES,
        {"date": "9999-12-31", "datetime": "9999-12-31T23:59", "time": "23:59:59.999999"},
        {"before": "9999-12-31T23:59:59-14:00~v1", "since": "9999-12-31"},
    ),
    "no such day": (
        DATES,
        {"date": "2026-02-30", "datetime": "99999-01-01T00:00", "time": "99:99"},
        {"before": "2026-02-30T00:00:00+00:00~e1", "since": "2026-02-30"},
    ),
    "odd characters": (EVERY_KIND, dict.fromkeys(EVERY_KIND, "a\x00é💥\u202e\ufeff'\"<>"), {}),
    "very long": (EVERY_KIND, dict.fromkeys(EVERY_KIND, "9" * 10000), {}),
    "addresses that don't parse": ({"text"}, {"text": "http://[::1"}, {"next": "//[::1"}),  # urlparse raises
}  # fmt: skip
QUERY_ONLY = {"page": "number", "days": "number", "since": "id", "before": "cursor", "sort": "text", "next": "text",
              "person": "id", "group": "id"}  # fmt: skip
FORM_MODULES = (
    "supports.forms",
    "recovery_network.care.forms",
    "milestones.forms",
    "recovery_network.forms",
    "recovery_network.notifications.forms",
    "recovery_network.welcome.forms",
    "recovery_network.reach.forms",
    "recovery_network.privacy.forms",
    "recovery_network.review.forms",
    "recovery_network.capital.forms",
    "recovery_network.learning.forms",
)
# The object a path's <id:pk> names, by the path segment before it.
OBJECT_BEFORE_ID = {
    "supporters": "supporter",
    "contacts": "contact",
    "groups": "group",
    "meetings": "meeting",
    "community": "activity",
    "invitations": "invitation",
    "grants": "grant",
    "consents": "consent",
    "recommendations": "recommendation",
    "requests": "consent_request",
    "journeys": "journey",
    "goals": "goal",
    "notifications": "notification",
    "alerts": "alert",
    "people": "alert_contact",
    "export": "export",
    "review": "review",  # /network/review/<id:pk>/people/, …/changes/: the open review
    "%(client_id)s": "network_review",  # /network/review/clients/<id:client_id>/<id:pk>/: a finished one
    "suggest": "lesson_suggestion",  # /learn/suggest/<id:pk>/withdraw/: one the owner suggested
    "suggested": "lesson_suggestion_received",  # /learn/suggested/<id:pk>/set-aside/: one suggested to the owner
}
# Path arguments that aren't an object's id, by name (allauth's own keys have no valid value here).
TOKENS = {
    "care:invitation": lambda site: sharing.invitation_token(site["invitation"]),
    "care:consent_request": lambda site: consent_requests.consent_request_token(site["consent_request"]),
    "care:consent_request_sign": lambda site: consent_requests.consent_request_token(site["consent_request"]),
    "notifications:unsubscribe": lambda site: channel_prefs.unsubscribe_token(site["owner"], "checkin"),
    "supports:reached_out": lambda site: reached_out_token(site["delivery"]),
    "milestones:calendar_feed": lambda site: site["calendar"].token,
    "reach:request": lambda site: reach_links.request_path(site["alert_contact"]).split("/")[-2],
    "reach:answer": lambda site: reach_links.answer_path(site["alert"], site["alert_contact"]).split("/")[-2],
    "reach:stop": lambda site: reach_links.stop_path(site["alert_contact"]).split("/")[-2],
}
OTHER_ARGS = {
    "owner_id": lambda site: site["owner"].pk,
    "day": lambda site: site["checkin"].local_date.isoformat(),
    "key": lambda site: "m12",
    "uidb36": lambda site: "1",
    "supporter_pk": lambda site: site["supporter"].pk,
    "client_id": lambda site: site["owner"].pk,
    "slug": lambda site: learning_content.lessons()[0].slug,  # a lesson of the family course
}


def _field_kind(field):
    if isinstance(field, forms.ModelChoiceField):
        return "id"
    if isinstance(field, forms.FileField):
        return "file"
    for kind, types in (
        ("datetime", forms.DateTimeField),
        ("date", forms.DateField),
        ("time", forms.TimeField),
        ("number", (forms.IntegerField, forms.DecimalField, forms.FloatField)),
        ("choice", forms.ChoiceField),
        ("flag", forms.BooleanField),
    ):
        if isinstance(field, types):
            return kind
    return "text"


# Forms posted as a formset's first row: the group pages' meeting times, the warning-signs page's people.
FORMSET_PREFIXES = {"MeetingTimeForm": "times", "SignWatchForm": "signs"}


def _form_fields():
    """{field name: its kinds} over every form of ours, and the formsets' first rows as their pages post them."""
    kinds = {}
    for module in map(importlib.import_module, FORM_MODULES):
        for form in vars(module).values():
            if isinstance(form, type) and issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for name, field in form.base_fields.items():
                    prefix = f"{FORMSET_PREFIXES[form.__name__]}-0-" if form.__name__ in FORMSET_PREFIXES else ""
                    kinds.setdefault(prefix + name, set()).add(_field_kind(field))
    for formset in FORMSET_PREFIXES.values():
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            kinds[f"{formset}-{name}"] = {"number"}
    return kinds


FORM_FIELDS = _form_fields()


def _valid_values(site):
    """A valid value for every form field (one form's value, where two forms share a name)."""
    today, supporter = site["today"], site["supporter"]
    return {
        # supports.forms
        "name": "Sam Rivera", "relationship": "friend", "closeness": "2", "influence": "supportive",
        "gives_emotional": "on", "gives_practical": "", "gives_advice": "", "gives_accountability": "",
        "gives_companionship": "", "gives_crisis": "", "phone": "555 0100", "email": "sam@example.org",
        "preferred_channel": "phone", "online_via": "", "contact_every_days": "7", "notes": "Kind words.",
        "supporter": supporter.pk, "happened_at": f"{today - dt.timedelta(days=1)}T09:00", "channel": "phone",
        "helpfulness": "3",
        "note": "A good talk.", "fellowship": "aa", "format": "in_person", "time_zone": "America/Chicago",
        "address": "1 Main St", "online_url": "", "is_home_group": "", "sponsor": supporter.pk,
        "times-TOTAL_FORMS": "1", "times-INITIAL_FORMS": "0", "times-MIN_NUM_FORMS": "0",
        "times-MAX_NUM_FORMS": "1000", "times-0-weekday": "2", "times-0-start_time": "19:00",
        "times-0-end_time": "20:00", "attended_on": today, "q": "serenity", "day": "2", "circle": "2",
        "kind": "volunteering", "title": "Food bank", "happened_on": today - dt.timedelta(days=1), "hours": "2",
        "feed": "", "link_supporter": "", "archive": "",
        # recovery_network.care.forms
        "scopes": "clean_time", "recipient_name": "Casey", "organisation": "Riverside", "purpose": "Treatment",
        "expires_on": today + dt.timedelta(days=30), "signed_name": "Olive Owner", "understood": "on",
        "phrase": "proud", "message": "Proud of you.", "text": "Try a new meeting.",
        # milestones.forms
        "cost_per_day": "18.00", "cost_currency": "USD", "hours_per_day": "3",
        "sober": "yes", "mood": "4", "craving": "2", "triggers": "stress", "own_triggers": "", "helped": "meeting",
        "supporters": supporter.pk, "groups": site["group"].pk, "gratitude": "Sunshine", "from_name": "Me",
        "received_on": today, "own_words": "", "started_on": today - dt.timedelta(days=10),
        "journey": site["journey"].pk, "days": "7", "on_date": "", "what_happened": "A hard evening.",
        "what_learned": "", "reach_out_to": "", "reach_out_supporter": "", "count": "restart", "restart_on": "",
        "device_key": "0b7e6a2c-2f7e-4d8e-9a51-3c1f2b9d4e77", "filled_on": today, "answers": "all",
        # recovery_network.capital.forms: the ten BARC-10 answers, 1 (strongly disagree) to 6 (strongly agree)
        "beyond_using": "5", "happy_with_life": "4", "energy": "4", "community": "3", "friends": "5",
        "fulfilling_life": "4", "living_space": "4", "responsibility": "6", "professionals": "4", "progress": "5",
        # recovery_network
        "display_name": "Olive", "language": "en", "checkin_time": "20:00", "quiet_hours_start": "",
        "quiet_hours_end": "",
        "meeting_reminder_minutes": "30",
        # recovery_network.reach.forms
        "words": "A hard night.", "night_alerts": "on",
        # recovery_network.care.forms: the warning-signs page, its first row the counselor (who sees everything)
        "signs-TOTAL_FORMS": "1", "signs-INITIAL_FORMS": "1", "signs-MIN_NUM_FORMS": "0",
        "signs-MAX_NUM_FORMS": "500", "signs-0-watcher": getattr(site.get("consent"), "counselor_id", 1),
        "signs-0-no_checkin": "on", "signs-0-no_checkin_days": "3", "signs-0-craving": "on", "signs-0-use": "",
        # recovery_network.review.forms
        "still_supportive": "yes", "closeness_after": "2", "influence_after": "supportive", "stepped_back": "",
        "still_going": "yes", "community_note": "More service", "gaps_note": "Find a counselor",
        # recovery_network.learning.forms (its "note" shares the contact's valid value above, "message" the
        # encouragement's)
        "done": "on", "share_with": "", "readers": getattr(site.get("family"), "pk", 1), "lesson": "after-a-setback",
    }  # fmt: skip


VALID_FOR = {  # where two forms share a field name, this page's own
    "milestones:journey_create": {"kind": "alcohol"},
    "milestones:journey_edit": {"kind": "alcohol"},
    "welcome:journey": {"kind": "alcohol"},
    "supports:meeting_list": {"format": ""},
    "supports:index": {"kind": "personal"},
    "care:person_encourage": {"message": ""},
}
# A goal is a day count or a date: (the one given, the one left empty); when a round fills the empty one, the
# given one is emptied instead.
EITHER_OR = (("days", "on_date"),)


def _zipped(name, content):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


HOSTILE_FEED = b"[" * 100_000  # the meeting-feed upload's file in every round
HOSTILE_EXPORT = _zipped("recovery-network.json", HOSTILE_FEED)  # the export upload's


def _rounds(name, site):
    """(round name, data) for this page: every field's valid value, one kind made hostile, hostile parameters."""
    valid = {**_valid_values(site), **VALID_FOR.get(name, {})}
    for title, (kinds, values, query) in ROUNDS.items():
        data = {}
        for field, field_kinds in FORM_FIELDS.items():
            hostile = next((values[kind] for kind in sorted(field_kinds) if kind in kinds), None)
            data[field] = valid[field] if hostile is None else hostile
        for given, empty in EITHER_OR:
            if data[empty] != valid[empty] and data[given] == valid[given]:
                data[given] = ""
        for param, kind in QUERY_ONLY.items():
            if param in query or kind in values:
                data[param] = query.get(param, values.get(kind))
        yield title, data


@pytest.fixture
def site(owner, family, counselor, stranger):
    """Something of the owner's behind every page, so a valid id or token reaches past the first lookup.

    The owner lives at UTC+14, where the first moment of year 1 is still year 0 in UTC (the family
    member and the counselor are behind UTC, where the last moment of 9999 is already 10000)."""
    owner.time_zone = "Pacific/Kiritimati"
    owner.save(update_fields=["time_zone"])
    today = owner.local_today()
    supporter = SupporterFactory(owner=owner, name="Marisol", closeness=1, contact_every_days=7)
    group = PeerGroupFactory(owner=owner, name="Tuesday Serenity")
    MeetingTimeFactory(group=group)
    AttendanceFactory(group=group, attended_on=today)
    journey = JourneyFactory(owner=owner, started_on=today - dt.timedelta(days=400))
    services.save_snapshot(owner, note="First look")
    network_review = NetworkReview.objects.create(
        owner=owner, started_on=today, finished_on=today, finished_at=dt.datetime.now(dt.UTC)
    )
    return {
        "network_review": network_review,
        "review": begin_review(owner)[0],  # begun after the finished one: one open review at a time
        "today": today,
        "owner": owner,
        "supporter": supporter,
        "contact": ContactFactory(supporter=supporter),
        "group": group,
        "meeting": MeetingFactory(),
        "activity": CommunityActivityFactory(owner=owner),
        "journey": journey,
        "checkin": CheckInFactory(owner=owner, local_date=today - dt.timedelta(days=1)),
        "goal": PersonalGoalFactory(owner=owner, on_date=today + dt.timedelta(days=40)),
        "notification": Notification.objects.create(recipient=owner, kind="checkin", title="Time to check in"),
        "delivery": Delivery.objects.create(
            recipient=owner, kind="reach_out", subject_id=supporter.pk, occurrence="o1", status="sent", in_app=True
        ),
        "invitation": InvitationFactory(owner=owner, email="newcomer@example.org"),
        "consent_request": consent_requests.ask_for_consent(
            counselor,
            owner.email,
            scopes={"clean_time"},
            recipient_name="Casey",
            organisation="Riverside",
            purpose="Treatment",
            expires_on=today + dt.timedelta(days=30),
        ),
        "grant": Grant.objects.get(owner=owner, viewer=family),
        "consent": Consent.objects.get(owner=owner, counselor=counselor),
        "recommendation": RecommendationFactory(owner=owner, counselor=counselor),
        "lesson_suggestion": LessonSuggestion.objects.create(owner=owner, viewer=family, lesson="after-a-setback"),
        "lesson_suggestion_received": LessonSuggestion.objects.create(
            owner=family, viewer=owner, lesson="stepping-back"
        ),
        "family": family,
        "calendar": CalendarFeed.objects.create(owner=owner),
        "export": _export(owner),
        **_reach(owner, supporter),
    }


def _export(owner):
    """A download of the owner's data, built as the worker builds it."""
    export = privacy_exporting.request_export(owner, lambda export_id: None)
    privacy_exporting.build(export.pk)
    return export


def _reach(owner, supporter):
    """A supporter who agreed to be alerted, and an alert of the owner's."""
    contact = AlertContactFactory(owner=owner, supporter=supporter)
    return {"alert_contact": contact, "alert": reach_services.raise_alert(owner, "a hard night")[0]}


@pytest.fixture
def cast(owner, family, counselor, stranger):
    return {
        "anonymous": Client(),
        # Signed in as allauth's forms leave a session (the counselor with their code), the password just
        # typed again: reauthentication and two-factor checks pass, so every page's form is reached.
        "stranger": sign_in(Client(), stranger, reauthenticated=True),
        "family": sign_in(Client(), family, reauthenticated=True),
        "counselor": sign_in(Client(), counselor, reauthenticated=True),
        "owner": sign_in(Client(), owner, reauthenticated=True),
    }


def _valid_args(name, route, args, site):
    values = {}
    for arg in args:
        if arg == "pk":
            segment = route.split("%(pk)s")[0].rstrip("/").rsplit("/", 1)[-1]
            values[arg] = site[OBJECT_BEFORE_ID[segment]].pk
        elif name in TOKENS:
            values[arg] = TOKENS[name](site)
        else:
            values[arg] = OTHER_ARGS.get(arg, lambda site: "x")(site)
    return values


def _hostile_args(route, args, valid):
    """Each argument in turn made hostile (the others valid), for its kind, and its valid value's numbers made huge."""
    for arg, kind in args.items():
        values = {"id": ID_VALUES, "int": ID_VALUES, "date": DATE_VALUES}.get(kind, TEXT_VALUES)
        text = str(valid[arg])
        mutated = {re.sub(r"\d+", digits, text) for digits in ("99999999999999999996", "1" * 5000)} - {text}
        for value in (*values, *(sorted(mutated) if kind == "text" else ())):
            yield route % {**valid, arg: value}


def _request(client, method, path, data, who):
    """One request; a 500 or an exception fails the test, naming the page, the person and the input."""
    try:
        if method == "GET":
            response = client.get(path, {key: value for key, value in data.items() if key not in ("feed", "archive")})
        else:
            response = client.post(path, data)
    except Exception as exc:
        shown = {key: (str(value)[:40] + "…" if len(str(value)) > 40 else value) for key, value in data.items()}
        raise AssertionError(f"{method} {path[:200]} as {who} raised {exc!r}; data {shown}") from exc
    assert response.status_code < 500, f"{method} {path[:200]} as {who}: {response.status_code}"
    return response


PATTERNS = _patterns()


@pytest.mark.parametrize(("name", "route", "args"), PATTERNS, ids=[name for name, _, _ in PATTERNS])
def test_no_input_gives_a_server_error(site, cast, caplog, name, route, args):
    caplog.set_level(logging.ERROR, logger="django.request")  # the 404s' warnings, thousands of them
    valid = _valid_args(name, route, args, site)
    for who in ROLES:
        client = cast[who]
        for path in _hostile_args(route, args, valid):
            for method in ("GET", "POST"):
                _request(client, method, path, {}, who)
        for title, data in list(_rounds(name, site))[: 1 if who == "stranger" else None]:
            if name == "supports:meeting_import":
                data["feed"] = SimpleUploadedFile("feed.json", HOSTILE_FEED, "application/json")
            if name == "privacy:import":  # a zip of the same nesting, where an export's JSON should be
                data["archive"] = SimpleUploadedFile("export.zip", HOSTILE_EXPORT, "application/zip")
            for method in ("GET", "POST"):
                _request(client, method, route % valid, data, f"{who} ({title})")


def test_the_sweep_covers_every_page_and_every_form_field():
    names = {name for name, _, _ in PATTERNS}
    assert {"care:person", "care:access_log", "supports:meeting_import", "milestones:checkin_detail",
            "notifications:open", "account_login", "mfa_index"} <= names  # fmt: skip
    stand_in = SimpleNamespace(pk=1)
    site = {"today": dt.date(2026, 1, 1), "supporter": stand_in, "group": stand_in, "journey": stand_in}
    assert set(FORM_FIELDS) <= set(_valid_values(site))
    assert reverse("care:person", args=[MAX_ID]) == f"/care/people/{MAX_ID}/"


def test_the_sweeps_people_reach_pages_behind_reauthentication_and_two_factor(cast, owner):
    assert cast["owner"].get(reverse("care:consent_create")).status_code == 200
    assert cast["counselor"].get(reverse("care:client", args=[owner.pk])).status_code == 200


def test_words_typed_into_a_search_are_trimmed_and_a_nul_is_no_search():
    from recovery_network import params

    assert params.search_text("  sunrise group ") == "sunrise group"
    assert params.search_text("x" * 300) == "x" * 100
    assert params.search_text("a\x00b") is None
    assert params.search_text("   ") is None and params.search_text(None) is None
