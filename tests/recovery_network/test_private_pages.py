"""No page showing someone's data may be kept by a browser or a cache between: `Cache-Control: private, no-store`.

A shared family computer keeps what its browser caches; the back button shows it again.
Every page of every role is asked, rendered and served from the page cache alike.
"""

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from milestones.models import CalendarFeed, CheckIn, Journey
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

# Our own pages that take no argument, by their URL names (allauth's are asked below as well).
OURS = ("supports", "milestones", "notifications")


def no_argument_pages():
    names = ["home", "profile", "crisis"]
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace in OURS:
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern) and inner.name and not inner.pattern.converters:
                    names.append(f"{pattern.namespace}:{inner.name}")
    return names


def assert_private(response, url):
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, (url, response.get("Cache-Control"))
    assert "public" not in directives, url


@pytest.fixture
def owner_world(owner):
    today = owner.local_today()
    SupporterFactory(owner=owner, name="Marisol Vega", closeness=1)
    start = today - dt.timedelta(days=40)
    Journey.objects.create(owner=owner, kind="alcohol", first_started_on=start, started_on=start)
    CheckIn.objects.create(owner=owner, local_date=today, sober="yes", mood=4, craving=2)
    return owner


@pytest.mark.parametrize("name", no_argument_pages())
def test_every_owner_page_is_private_rendered_and_from_the_cache(owner_world, owner_client, name):
    url = reverse(name)
    for _ in range(2):  # the second is served from the page cache where the page has one
        response = owner_client.get(url)
        assert response.status_code < 500
        assert_private(response, url)


@pytest.mark.parametrize(
    "role, name",
    [
        ("family", "care:person"),
        ("family", "home"),
        ("counselor", "care:caseload"),
        ("counselor", "care:client"),
        ("counselor", "care:client_report"),
        ("stranger", "care:person"),
    ],
)
def test_pages_shown_to_the_circle_are_private(request, owner_world, role, name):
    client = request.getfixturevalue(f"{role}_client")
    url = reverse(name, args=[owner_world.pk]) if name.startswith("care:") and name != "care:caseload" else None
    url = url or reverse(name)
    for _ in range(2):
        response = client.get(url)
        assert response.status_code in (200, 404)
        assert_private(response, url)


def test_a_redirect_and_an_error_of_a_signed_in_person_are_private(owner_client):
    for url in (reverse("supports:supporter_detail", args=[999999]), reverse("milestones:checkin") + "?x"):
        assert_private(owner_client.get(url), url)
    assert_private(owner_client.post(reverse("profile"), {"display_name": ""}), "profile POST")


def test_the_private_calendar_feed_is_private(owner_world, anon_client):
    feed = CalendarFeed.objects.create(owner=owner_world)
    url = reverse("milestones:calendar_feed", args=[feed.token])
    response = anon_client.get(url)
    assert response.status_code == 200
    assert_private(response, url)


@pytest.mark.parametrize("url", ["/", "/help/", "/accounts/login/", "/accounts/signup/", "/healthz", "/healthz/web"])
def test_anonymous_pages_are_not_kept_either(anon_client, url):
    assert_private(anon_client.get(url), url)


def test_static_files_keep_their_own_caching(settings):
    from django.test import Client

    # As in production, WhiteNoise answers before the app's middleware (here from the source folders).
    settings.WHITENOISE_USE_FINDERS = settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get(settings.STATIC_URL + "css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/care/clients", "/progress", "/profile", "/accounts/2fa"])
def test_the_redirect_that_adds_a_slash_is_private_too(owner_client, url):
    response = owner_client.get(url)
    assert response.status_code == 301
    assert_private(response, url)
