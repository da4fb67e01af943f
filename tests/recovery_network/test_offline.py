"""Installable and in reach without a connection: the web manifest, the service worker and the offline page.

What the worker does in a browser (offline navigation, the kept check-in, sign-out forgetting) is proven in
tests/e2e/test_offline.py; here, what each person is served.
"""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db
OFFLINE = reverse("offline")


def _static_path(url):
    return url.removeprefix("/static/")


def test_the_manifest_names_the_app_its_start_and_icons_that_exist(anon_client):
    response = anon_client.get(reverse("manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert finders.find(_static_path(icon["src"])), icon["src"]
    assert {shortcut["url"] for shortcut in manifest["shortcuts"]} == {reverse("milestones:checkin"), reverse("crisis")}


def test_every_page_links_the_manifest_and_says_who_is_signed_in_only_when_someone_is(anon_client, owner_client, owner):
    anonymous = anon_client.get(reverse("crisis")).content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in anonymous
    assert 'data-sw="/sw.js"' in anonymous and "data-person" not in anonymous
    assert f'data-person="{owner.pk}"' in owner_client.get(reverse("home")).content.decode()


def test_the_service_worker_is_served_from_the_top_and_never_from_a_stale_cache(anon_client):
    response = anon_client.get(reverse("service_worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert f'const OFFLINE_URL = "{OFFLINE}";' in script
    precached = json.loads(re.search(r"const PRECACHED = (\[.*?\]);", script).group(1))
    assert precached and all(finders.find(_static_path(url)) for url in precached)


def test_the_service_worker_stores_nothing_but_static_files_and_the_offline_page(anon_client):
    script = anon_client.get(reverse("service_worker")).content.decode()
    # Every cache.put in the worker is of a static file or of the offline page; navigations are never stored.
    puts = re.findall(r"cache\.put\(([^,]+),", script)
    assert sorted(puts) == ["OFFLINE_URL", "request"]
    assert "url.pathname.startsWith(STATIC_PREFIX)" in script
    assert 'if (request.method !== "GET") return;' in script


def test_anyone_offline_gets_the_crisis_lines_and_no_form(anon_client):
    response = anon_client.get(OFFLINE)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="tel:988"' in page and "You're offline" in page
    assert "data-offline-checkin" not in page
    # "Chat online" needs a connection; the offline page doesn't offer it.
    assert "Chat online" not in page


def test_the_owner_offline_gets_their_own_crisis_supporters_and_a_short_check_in(owner_client, owner, stranger):
    SupporterFactory(owner=owner, name="Maya", phone="555 0101", gives_crisis=True)
    SupporterFactory(owner=owner, name="Nobody At Night", phone="555 0102", gives_crisis=False)
    SupporterFactory(owner=owner, name="No Number", phone="", gives_crisis=True)
    archived = SupporterFactory(owner=owner, name="Moved Away", phone="555 0103", gives_crisis=True)
    archived.archive()
    SupporterFactory(owner=stranger, name="Someone Else's", phone="555 0104", gives_crisis=True)
    page = owner_client.get(OFFLINE).content.decode()
    assert re.search(r'href="tel:5550101">.*?Call Maya</a>', page)
    for name in ("Nobody At Night", "No Number", "Moved Away", "Someone Else"):
        assert name not in page
    assert 'name="answers" value="core"' in page and 'data-zone="America/Chicago"' in page
    assert 'name="triggers"' not in page  # the short form asks four things


@pytest.mark.parametrize("url", [OFFLINE, reverse("crisis")])
@pytest.mark.parametrize("person", ["family", "counselor", "stranger"])
def test_others_offline_and_in_crisis_see_only_their_own_people(request, owner, person, url):
    SupporterFactory(owner=owner, name="Maya", phone="555 0101", gives_crisis=True)
    user = request.getfixturevalue(person)
    SupporterFactory(owner=user, name="Their Own Friend", phone="555 0199", gives_crisis=True)
    response = request.getfixturevalue(f"{person}_client").get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Maya" not in page and "Call Their Own Friend</a>" in page and 'href="tel:988"' in page


def test_the_crisis_page_puts_my_own_people_first_one_tap_away(owner_client, anon_client, owner):
    SupporterFactory(owner=owner, name="Maya", phone="(555) 0101", gives_crisis=True)
    page = owner_client.get(reverse("crisis")).content.decode()
    assert "Your people for a bad night" in page
    assert page.index("Call Maya</a>") < page.index("Call 988</a>")
    assert 'href="tel:(555)0101"' in page and 'href="sms:(555)0101"' in page  # call or text, one tap each
    assert "Your people" not in anon_client.get(reverse("crisis")).content.decode()


def test_the_offline_page_reads_a_fixed_number_of_rows(owner_client, owner, django_assert_max_num_queries):
    for number in range(20):
        SupporterFactory(owner=owner, phone=f"555 01{number:02}", gives_crisis=True)
    owner_client.get(OFFLINE)  # the device's first look is recorded once (allauth's sessions)
    with django_assert_max_num_queries(3):  # session, user, the five supporters shown
        page = owner_client.get(OFFLINE).content.decode()
    assert page.count('href="tel:555') == 5
