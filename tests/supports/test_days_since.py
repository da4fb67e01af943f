"""How long since a contact or a snapshot, in the reader's days: the same all day, so a kept part of a page is never
stale within the quarter hour it is kept (humanize's "4 minutes ago" was, and a kept page once differed from a
fresh one across a minute)."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from supports.models import Supporter
from supports.templatetags.days_since import days_since
from tests.recovery_network.test_cached_pages import page
from tests.supports.factories import ContactFactory, SupporterFactory

UTC = dt.UTC
TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("days", "english", "spanish"),
    [
        (0, "today", "hoy"),
        (1, "yesterday", "ayer"),
        (2, "2 days ago", "hace 2 días"),
        (9, "1 week, 2 days ago", "hace 1 semana, 2 días"),
        (45, "1 month, 2 weeks ago", "hace 1 mes, 2 semanas"),
        (400, "1 year, 1 month ago", "hace 1 año, 1 mes"),
    ],
)
def test_a_day_counted_and_said_in_the_readers_language(days, english, spanish):
    day = TODAY - dt.timedelta(days=days)
    assert days_since(day, TODAY).replace("\xa0", " ") == english  # timesince keeps a number with its unit
    with translation.override("es"):
        assert days_since(day, TODAY).replace("\xa0", " ") == spanish


def test_a_moment_is_counted_by_the_readers_calendar_not_the_servers():
    moment = dt.datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 21:00 on the 5th in Chicago, 16:00 on the 6th in Auckland
    with time_machine.travel(dt.datetime(2026, 12, 6, 15, 0, tzinfo=UTC), tick=False):
        with timezone.override("America/Chicago"):
            assert days_since(timezone.localtime(moment)) == "yesterday"
        with timezone.override("Pacific/Auckland"):
            assert days_since(timezone.localtime(moment)) == "yesterday"  # 04:00 on the 7th there now
        with timezone.override("Europe/London"):
            assert days_since(timezone.localtime(moment)) == "today"


def test_nothing_and_a_moment_ahead_of_the_reader():
    assert days_since(None) == ""
    assert days_since(TODAY + dt.timedelta(days=1), TODAY) == "today"


@pytest.mark.django_db
@override_settings(PAGE_CACHE=True)
def test_a_contact_just_logged_reads_the_same_kept_or_fresh_all_quarter_hour(owner, owner_client):
    supporter = SupporterFactory(owner=owner, name="Priya")
    urls = [reverse("supports:supporter_detail", args=[supporter.pk]), reverse("supports:index")]
    with time_machine.travel(dt.datetime(2026, 12, 6, 16, 0, 5, tzinfo=UTC), tick=False):
        ContactFactory(supporter=supporter, happened_at=timezone.now())
        Supporter.objects.filter(pk=supporter.pk).update(last_contact_at=timezone.now())
        cache.clear()
        kept = [page(owner_client, url) for url in urls]
    assert all("Last contact today" in text for text in kept)
    with time_machine.travel(dt.datetime(2026, 12, 6, 16, 14, 55, tzinfo=UTC), tick=False):
        warm = [page(owner_client, url) for url in urls]  # kept parts, fourteen minutes on
        cache.clear()
        assert [page(owner_client, url) for url in urls] == warm  # drawn afresh
    assert all("Last contact today" in text for text in warm)
