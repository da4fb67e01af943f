"""Money and time back: what a journey's habit cost each day, and what the current count has given back,
on the owner's home and journey page only, in their currency and language."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from milestones import money, services
from milestones.models import Journey
from recovery_network import demo
from recovery_network.models import User
from recovery_network.privacy import exporting, importing
from tests.factories import UserFactory
from tests.milestones.factories import JourneyFactory

pytestmark = pytest.mark.django_db

# 15:00 UTC on 30 March 2026 is 10:00 in Chicago (the owner's zone): their 30 March.
NOW = dt.datetime(2026, 3, 30, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 3, 30)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _costly(owner, days=10, **costs):
    costs = {"cost_per_day": Decimal("18.00"), "hours_per_day": Decimal("3.0"), **costs}
    return JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=days), **costs)


def _text(response):
    assert response.status_code == 200
    return response.content.decode()


# What was saved


def test_saved_is_the_daily_cost_times_the_days_of_the_current_count(owner):
    saved = _costly(owner, days=10).saved(TODAY)
    assert (saved.money, saved.currency, saved.hours, saved.days) == (Decimal("180.00"), "USD", Decimal("30.0"), 10)
    assert saved.since == TODAY - dt.timedelta(days=10)


def test_saved_on_the_first_day_is_nothing_yet_and_after_one_day_one_days_worth(owner):
    journey = _costly(owner, days=0)
    assert (journey.saved(TODAY).money, journey.saved(TODAY).hours) == (0, 0)
    tomorrow = journey.saved(TODAY + dt.timedelta(days=1))
    assert (tomorrow.money, tomorrow.hours) == (Decimal("18.00"), Decimal("3.0"))


def test_nothing_is_saved_when_no_cost_was_entered(owner):
    assert JourneyFactory(owner=owner).saved(TODAY) is None


def test_money_alone_or_hours_alone_is_saved_alone(owner):
    only_money = _costly(owner, hours_per_day=None).saved(TODAY)
    assert (only_money.money, only_money.hours) == (Decimal("180.00"), None)
    only_hours = _costly(owner, cost_per_day=None).saved(TODAY)
    assert (only_hours.money, only_hours.hours) == (None, Decimal("30.0"))


def test_a_restart_after_a_setback_starts_saved_again_from_the_new_start(owner):
    journey = _costly(owner, days=100)
    services.record_setback(journey, happened_on=TODAY - dt.timedelta(days=4), restart_on=TODAY - dt.timedelta(days=3))
    journey.refresh_from_db()
    saved = journey.saved(TODAY)
    assert (saved.money, saved.days, saved.since) == (Decimal("54.00"), 3, TODAY - dt.timedelta(days=3))


def test_saved_counts_the_days_of_the_persons_own_calendar(owner):
    """At 02:00 UTC on 31 March it is still 30 March in Chicago: the home counts 10 days, not 11."""
    _costly(owner, days=10)
    owner.time_zone = "America/Chicago"
    with time_machine.travel(dt.datetime(2026, 3, 31, 2, 0, tzinfo=dt.UTC), tick=False):
        journey = Journey.objects.get(owner=owner)
        assert journey.saved(owner.local_today()).money == Decimal("180.00")
        owner.time_zone = "Pacific/Auckland"  # already 31 March there, 15:00
        assert journey.saved(owner.local_today()).money == Decimal("198.00")


# How it reads


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        ("0", "0 hours"),
        ("1", "1 hour"),
        ("2.5", "2.5 hours"),
        ("24", "24 hours — about 1 day"),
        ("312", "312 hours — about 13 days"),
        ("4380.5", "4,381 hours — about 183 days"),
    ],
)
def test_hours_read_as_hours_and_when_large_as_days(hours, shown):
    with translation.override("en-us"):
        assert money.format_hours(Decimal(hours)) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "language", "shown"),
    [
        ("54.00", "USD", "en-us", "$54.00"),
        ("99.50", "USD", "en-us", "$99.50"),
        ("1234.56", "USD", "en-us", "$1,235"),
        ("100.00", "USD", "en-us", "$100"),
        ("12.50", "EUR", "en-us", "€12.50"),
        ("1234.56", "EUR", "de", "1.235\xa0€"),
        ("1234.56", "EUR", "es", "1.235\xa0€"),
    ],
)
def test_money_is_written_in_the_active_language_without_cents_from_100(amount, currency, language, shown):
    with translation.override(language):
        assert money.format_money(Decimal(amount), currency) == shown


def test_the_currencies_offered_are_named_and_include_the_common_ones():
    with translation.override("en-us"):
        choices = dict(money.currency_choices())
    assert choices["USD"] == "US Dollar (USD)"
    assert choices["EUR"] == "Euro (EUR)"
    assert {"GBP", "CAD", "AUD", "MXN", "INR"} <= set(choices)
    assert "DEM" not in choices  # no currency retired long ago


def test_the_kept_list_of_currencies_is_the_list_worked_out_afresh():
    """The list is kept per process (money.py says why): it must be what building it again gives, in each language."""
    for language in ("en-us", "es"):
        with translation.override(language):
            locale = money.current_locale()
            money.currency_choices()  # kept
            assert money.currency_choices() == list(money._choices_in.__wrapped__(locale))
            assert money._codes() == money._codes.__wrapped__()


# The form


def _journey_post(**fields):
    return {"kind": "alcohol", "own_words": "Dry", "started_on": "2026-03-20", **fields}


def test_the_form_asks_gently_and_the_cost_is_optional(owner_client, owner):
    page = _text(owner_client.get(reverse("milestones:journey_create")))
    assert "<legend>What it cost you</legend>" in page
    assert "Optional. Roughly what you spent on it each day, and the hours it took." in page
    assert '<option value="EUR">Euro (EUR)</option>' in page
    owner_client.post(reverse("milestones:journey_create"), _journey_post())
    journey = Journey.objects.get(owner=owner)
    assert (journey.cost_per_day, journey.cost_currency, journey.hours_per_day) == (None, "USD", None)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("12", Decimal("12")), ("12.50", Decimal("12.50")), ("12,50", Decimal("12.50")), ("1,234.50", Decimal("1234.50"))],
)
def test_a_new_journey_keeps_its_cost_typed_with_a_point_or_a_comma(owner_client, owner, typed, kept):
    response = owner_client.post(
        reverse("milestones:journey_create"),
        _journey_post(cost_per_day=typed, cost_currency="EUR", hours_per_day="2,5"),
    )
    assert response.status_code == 302
    journey = Journey.objects.get(owner=owner)
    assert (journey.cost_per_day, journey.cost_currency, journey.hours_per_day) == (kept, "EUR", Decimal("2.5"))


def test_editing_a_journey_adds_its_cost(owner_client, owner):
    journey = JourneyFactory(owner=owner, started_on=dt.date(2026, 3, 20))
    url = reverse("milestones:journey_edit", args=[journey.pk])
    assert owner_client.post(url, _journey_post(cost_per_day="18", hours_per_day="3")).status_code == 302
    journey.refresh_from_db()
    assert (journey.cost_per_day, journey.hours_per_day, journey.own_words) == (Decimal("18"), Decimal("3"), "Dry")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cost_per_day": "-5"}, "Enter an amount of 0 or more."),
        ({"cost_per_day": "lots"}, "Enter the money as a number, for example 12.50."),
        ({"cost_per_day": "12.505"}, "Use at most 2 decimal places, for example 12.50."),
        ({"cost_per_day": "123456789012"}, "That is more than we can keep; enter a smaller amount."),
        ({"hours_per_day": "25"}, "A day has 24 hours: enter 24 or fewer."),
        ({"hours_per_day": "1000"}, "A day has 24 hours: enter 24 or fewer."),
        ({"hours_per_day": "-1"}, "Enter 0 hours or more."),
        ({"hours_per_day": "all day"}, "Enter the hours as a number, for example 3 or 1.5."),
        ({"cost_currency": "XXX"}, "Choose a currency from the list."),
    ],
)
def test_bad_costs_get_a_plain_message_and_nothing_typed_is_lost(owner_client, owner, fields, message):
    typed = _journey_post(**{"own_words": "Sober from drinking", "cost_per_day": "18", "hours_per_day": "3", **fields})
    response = owner_client.post(reverse("milestones:journey_create"), typed)
    page = _text(response)
    assert message in page
    assert 'value="Sober from drinking"' in page
    assert 'value="2026-03-20"' in page
    for name in ("cost_per_day", "hours_per_day"):
        assert f'name="{name}" value="{typed[name]}"' in page
    assert not Journey.objects.filter(owner=owner).exists()


def test_the_database_refuses_a_negative_cost_or_a_day_longer_than_24_hours(owner):
    for costs in ({"cost_per_day": Decimal("-1")}, {"hours_per_day": Decimal("24.5")}):
        with pytest.raises(IntegrityError), transaction.atomic():
            JourneyFactory(owner=owner, **costs)


def test_the_first_run_asks_only_the_journey_itself(owner_client):
    page = _text(owner_client.get(reverse("welcome:journey")))
    assert "cost_per_day" not in page


# Where it shows


@override_settings(PAGE_CACHE=False)
def test_the_home_counter_shows_what_was_given_back(owner_client, owner):
    _costly(owner, days=100)
    page = _text(owner_client.get(reverse("home")))
    assert "What you've got back since" in page
    assert "<strong>$1,800</strong> and <strong>300 hours — about 13 days</strong>" in page


@override_settings(PAGE_CACHE=False)
def test_the_journey_page_shows_it_since_the_restart(owner_client, owner):
    journey = _costly(owner, days=100, cost_currency="EUR")
    services.record_setback(journey, happened_on=TODAY - dt.timedelta(days=4), restart_on=TODAY - dt.timedelta(days=3))
    page = _text(owner_client.get(reverse("milestones:journey", args=[journey.pk])))
    assert '<time datetime="2026-03-27">27 March 2026</time>: <strong>€54.00</strong>' in page
    assert "9 hours" in page


@override_settings(PAGE_CACHE=False)
def test_on_the_first_day_the_page_says_what_each_day_gives_back(owner_client, owner):
    journey = _costly(owner, days=0)
    page = _text(owner_client.get(reverse("milestones:journey", args=[journey.pk])))
    assert "Each day from here gives you back about $18.00 and 3 hours." in page


@override_settings(PAGE_CACHE=False)
def test_nothing_about_money_shows_when_no_cost_was_entered(owner_client, owner):
    journey = JourneyFactory(owner=owner, started_on=TODAY - dt.timedelta(days=100))
    for url in (reverse("home"), reverse("milestones:journey", args=[journey.pk])):
        page = _text(owner_client.get(url))
        assert "got back" not in page
        assert "gives you back" not in page
        assert 'class="saved' not in page


def test_the_home_follows_a_change_of_cost_through_its_cache(owner_client, owner):
    journey = _costly(owner, days=100)
    assert "$1,800" in _text(owner_client.get(reverse("home")))
    owner_client.post(
        reverse("milestones:journey_edit", args=[journey.pk]),
        {"kind": "alcohol", "started_on": journey.started_on.isoformat(), "cost_per_day": "20", "cost_currency": "USD"},
    )
    assert "$2,000" in _text(owner_client.get(reverse("home")))


def test_the_cached_home_is_kept_per_language(owner_client, owner):
    """The kept home is written in one language: another one gets its own rendering, not the first's."""
    _costly(owner, days=100, cost_currency="EUR")
    assert "€1,800" in _text(owner_client.get(reverse("home")))
    User.objects.filter(pk=owner.pk).update(language="es")  # the reader's language alone changes: no data_version
    assert "1.800\xa0€" in _text(owner_client.get(reverse("home")))


@override_settings(PAGE_CACHE=False)
def test_family_and_counselors_never_see_the_money(owner, family_client, counselor_client):
    _costly(owner, days=100)
    family_pages = [reverse("care:person", args=[owner.pk]), reverse("home")]
    for client, url in [(family_client, url) for url in family_pages] + [
        (counselor_client, reverse("care:client", args=[owner.pk])),
        (counselor_client, reverse("care:client_report", args=[owner.pk])),
    ]:
        page = _text(client.get(url))
        assert "100" in page, url  # the clean time they are shown
        assert "$1,800" not in page, url
        assert "got back" not in page and "300 hours" not in page, url


def test_the_cost_goes_out_in_an_export_and_comes_back_in_an_import(owner):
    _costly(owner, days=10, cost_currency="EUR", hours_per_day=Decimal("2.5"))
    doc = exporting.document(owner)
    assert {k: doc["data"]["journeys"][0][k] for k in ("cost_per_day", "cost_currency", "hours_per_day")} == {
        "cost_per_day": Decimal("18.00"),
        "cost_currency": "EUR",
        "hours_per_day": Decimal("2.5"),
    }
    newcomer = UserFactory(email="new@example.org")
    importing.import_archive(exporting.write_zip(owner), newcomer)
    journey = Journey.objects.get(owner=newcomer)
    assert (journey.cost_per_day, journey.cost_currency, journey.hours_per_day) == (
        Decimal("18.00"),
        "EUR",
        Decimal("2.5"),
    )


def test_the_demo_owners_journey_shows_what_it_gave_back(client):
    cast, _ = demo.seed(now=NOW)
    owner = cast["owner"]
    journey = Journey.objects.get(owner=owner)
    saved = journey.saved(owner.local_today(NOW))
    assert (journey.cost_per_day, journey.cost_currency, journey.hours_per_day) == (Decimal("18.00"), "USD", 3)
    assert saved.money == 18 * saved.days > 0
