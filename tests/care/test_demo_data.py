"""seed_demo links the demo family member and counselor, and --scale gives the counselor a caseload."""

import random

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recovery_network import demo
from recovery_network.care import demo_data, sharing
from recovery_network.care.caseload import caseload
from recovery_network.care.models import SCOPE_FIELDS, CaseloadRoster, CaseloadView, Consent, Grant, Recommendation
from tests.care.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_family_member_and_counselor_are_linked_with_sensible_scopes(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    cast = demo.ensure_cast()
    counts = (Grant.objects.count(), Consent.objects.count(), Recommendation.objects.count())
    call_command("seed_demo")
    assert (
        (Grant.objects.count(), Consent.objects.count(), Recommendation.objects.count()) == counts == (1, 1, 3)
    )  # two of the circle's, one of the course (learning/demo_data.py)

    grant = Grant.objects.get(owner=cast["owner"], viewer=cast["family"])
    assert grant.scopes == {"clean_time", "checkins", "attendance"}  # not the map, not setbacks
    consent = Consent.objects.get(owner=cast["owner"], counselor=cast["counselor"])
    assert consent.is_valid() and consent.scopes == set(SCOPE_FIELDS)
    assert Authenticator.objects.filter(user=cast["counselor"], type="totp").exists()

    family_page = client_for(cast["family"]).get(reverse("care:person", args=[cast["owner"].pk]))
    assert family_page.status_code == 200 and "Sunrise Serenity" in family_page.content.decode()
    counselor = client_for(cast["counselor"])
    assert counselor.get(reverse("care:client", args=[cast["owner"].pk])).status_code == 200
    assert "Alex" in counselor.get(reverse("care:caseload")).content.decode()
    home = client_for(cast["owner"]).get(reverse("home")).content.decode()
    assert "From your circle" in home and "Reconnect with Tom" in home


def test_scale_gives_the_counselor_a_caseload_of_at_most_200_in_bulk(django_assert_max_num_queries):
    cast = demo.ensure_cast()
    people = demo.ensure_scale_people(205, random.Random(1))
    # Consents, then a roster and half a year of views, in bulk (SQLite takes a few more, smaller batches).
    with django_assert_max_num_queries(16):
        demo_data.seed_caseload(people, random.Random(1), timezone.now())
    demo_data.seed_caseload(people, random.Random(1), timezone.now())
    assert Consent.objects.filter(counselor=cast["counselor"]).count() == 200
    assert len(caseload(cast["counselor"])) == 200
    # Half a year of looks at the caseload, each a line in every client's access log.
    assert CaseloadRoster.objects.filter(counselor=cast["counselor"]).count() == 1
    seeded = CaseloadView.objects.filter(roster__counselor=cast["counselor"]).count()
    assert 100 * 2 <= seeded <= 130 * 8 + 1  # 2–8 on each weekday, and the look just above
    client = people[0]
    lines = sharing.access_log(client, size=10_000)[0]
    assert len(lines) == seeded and all(line.what.startswith("caseload summary") for line in lines)
