"""The circle page and the counselor's and family's lists, kept rendered: the same warm as cold, for each reader
their own, bounded a page at a time, and a revoked grant or consent gone from the very next page."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from milestones.models import Journey, Setback
from recovery_network.care import views as care_views
from recovery_network.care.models import SCOPE_FIELDS, Consent, Grant, Recommendation
from tests.care.factories import ConsentFactory, GrantFactory, InvitationFactory, RecommendationFactory
from tests.factories import UserFactory, sign_in
from tests.recovery_network.test_cached_pages import cold_and_warm, page, warm_and_cold
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def circle_world(owner, family, counselor):
    InvitationFactory(owner=owner, email="pending@example.org")
    RecommendationFactory(owner=owner, counselor=counselor, text="Call your sponsor on Sundays")
    return owner


def test_the_circle_page_is_the_same_warm_and_cold_and_follows_the_owners_zone(circle_world, owner_client):
    owner = circle_world
    url = reverse("care:circle")
    first = page(owner_client, url)
    assert "Fran" in first and "pending@example.org" in first and "Call your sponsor on Sundays" in first
    owner.time_zone = "Pacific/Auckland"
    owner.save()
    warm, cold = warm_and_cold(owner_client, url)
    assert warm == cold


def test_the_circle_pages_buttons_post_through_one_form_outside_the_kept_part(circle_world, owner_client):
    html = owner_client.get(reverse("care:circle")).content.decode()
    actions = r'<form id="circle-actions" method="post"[^>]*><input type="hidden" name="csrfmiddlewaretoken"'
    assert re.search(actions, html)
    kept = html.split('<form id="circle-actions"', 1)[1].split("</form>", 1)[1].split("</main>", 1)[0]
    assert "Stop sharing with Fran" in kept and "csrfmiddlewaretoken" not in kept and "<form" not in kept
    grant = Grant.objects.get(owner=circle_world)
    assert f'form="circle-actions" formaction="{reverse("care:grant_revoke", args=[grant.pk])}"' in html


def test_a_revoked_grant_leaves_both_circle_pages_at_once(circle_world, owner_client, family, family_client):
    circle = reverse("care:circle")
    assert "Fran" in page(owner_client, circle)
    assert reverse("care:person", args=[circle_world.pk]) in page(family_client, circle)  # both kept now
    grant = Grant.objects.get(owner=circle_world, viewer=family)
    owner_client.post(reverse("care:grant_revoke", args=[grant.pk]))
    assert "Stop sharing with Fran" not in page(owner_client, circle)
    assert reverse("care:person", args=[circle_world.pk]) not in page(family_client, circle)
    assert family_client.get(reverse("care:person", args=[circle_world.pk])).status_code == 404


def test_a_revoked_consent_leaves_the_counselors_circle_page_at_once(circle_world, owner_client, counselor):
    counselor_client = sign_in(Client(), counselor, two_factor=True)
    circle = reverse("care:circle")
    assert "Your caseload (1 client)" in page(counselor_client, circle)
    consent = Consent.objects.get(owner=circle_world, counselor=counselor)
    owner_client.post(reverse("care:consent_revoke", args=[consent.pk]))
    assert "Your caseload" not in page(counselor_client, circle)
    assert counselor_client.get(reverse("care:client", args=[circle_world.pk])).status_code == 404


def test_the_circle_shows_recommendations_a_page_at_a_time(owner, counselor, owner_client):
    size = care_views.RECOMMENDATIONS_PER_PAGE
    for number in range(size + 3):
        RecommendationFactory(owner=owner, counselor=counselor, text=f"Step {number:02d}")
    first = page(owner_client, reverse("care:circle"))
    assert first.count("Mark done<span") == size
    assert "?recommendations=2#recommendations" in first
    second = page(owner_client, reverse("care:circle") + "?recommendations=2")
    assert second.count("Mark done<span") == 3
    shown = set(re.findall(r"Step \d\d", first)) | set(re.findall(r"Step \d\d", second))
    assert len(shown) == size + 3


def test_a_counselor_sees_only_their_own_recommendations_warm_and_cold(owner):
    first, second = UserFactory(display_name="Ana"), UserFactory(display_name="Lee", time_zone="Asia/Kolkata")
    for counselor in (first, second):
        ConsentFactory(owner=owner, counselor=counselor)
        RecommendationFactory(owner=owner, counselor=counselor, text=f"From {counselor.display_name}")
    first_client = sign_in(Client(), first, two_factor=True)
    second_client = sign_in(Client(), second, two_factor=True)
    Consent.objects.filter(owner=owner).update(support_map=True)
    for name in ("care:client", "care:client_report"):
        url = reverse(name, args=[owner.pk])
        cold, warm = cold_and_warm(first_client, second_client, url)
        assert warm == cold
        assert "From Lee" in cold and "From Ana" not in cold


def test_a_counselors_recommendations_go_a_page_at_a_time(owner, counselor, counselor_client):
    size = care_views.RECOMMENDATIONS_PER_PAGE
    for number in range(size + 2):
        RecommendationFactory(owner=owner, counselor=counselor, text=f"Step {number:02d}")
    url = reverse("care:client", args=[owner.pk])
    first = page(counselor_client, url)
    assert len(set(re.findall(r"Step \d\d", first))) == size
    assert "?recommendations=2#recommendations" in first
    second = page(counselor_client, url + "?recommendations=2")
    assert len(set(re.findall(r"Step \d\d", second))) == 2


def test_setbacks_shown_to_others_go_a_page_at_a_time(owner):
    viewer = UserFactory(display_name="Fay")
    GrantFactory(owner=owner, viewer=viewer, **dict.fromkeys(SCOPE_FIELDS, True))
    today = owner.local_today()
    journey = Journey.objects.create(owner=owner, kind="alcohol", first_started_on=today, started_on=today)
    size = care_views.SETBACKS_PER_PAGE
    for number in range(size + 4):
        day = today - dt.timedelta(days=10 * (number + 1))
        Setback.objects.create(owner=owner, journey=journey, happened_on=day, restart_on=None, previous_started_on=day)
    client = sign_in(Client(), viewer)
    url = reverse("care:person", args=[owner.pk])
    first = page(client, url)
    assert first.count("the count went on") == size
    assert f"{size + 4} in all, newest first" in first
    assert "?setbacks=2#setbacks-heading" in first
    second = page(client, url + "?setbacks=2")
    assert second.count("the count went on") == 4
    newest = (today - dt.timedelta(days=10)).strftime("%Y-%m-%d")
    assert newest in first and newest not in second


def test_a_counselor_who_is_also_family_opens_the_client_page_through_the_consent(owner):
    both = UserFactory(display_name="Bo")
    GrantFactory(owner=owner, viewer=both)
    ConsentFactory(owner=owner, counselor=both)
    client = sign_in(Client(), both, two_factor=True)
    assert client.get(reverse("care:person", args=[owner.pk])).status_code == 200
    assert client.get(reverse("care:client", args=[owner.pk])).status_code == 200
    assert Recommendation.objects.count() == 0


def test_the_access_log_shows_a_new_look_at_once_and_follows_the_owners_zone(
    owner, family, family_client, owner_client
):
    url = reverse("care:access_log")
    family_client.get(reverse("care:person", args=[owner.pk]))
    first = page(owner_client, url)  # kept now
    assert first.count("Fran (family@example.org)") == 1
    family_client.get(reverse("care:person", args=[owner.pk]))
    second = page(owner_client, url)  # the two looks, one after the other, are one entry
    assert second.count("Fran (family@example.org)") == 1 and "Viewed 2 times" in second
    owner.time_zone = "Pacific/Auckland"
    owner.save()
    warm, cold = warm_and_cold(owner_client, url)
    assert warm == cold


def test_the_invitation_form_marks_the_supporter_asked_for_and_lists_a_new_one_at_once(owner, owner_client):
    first, second = SupporterFactory(owner=owner, name="Rhea"), SupporterFactory(owner=owner, name="Sol")
    url = reverse("care:invite")
    assert f'<option value="{first.pk}" selected>' in page(owner_client, f"{url}?supporter={first.pk}")
    warm = page(owner_client, f"{url}?supporter={second.pk}")
    assert f'<option value="{second.pk}" selected>' in warm and f'<option value="{first.pk}" selected>' not in warm
    cache.clear()
    assert warm == page(owner_client, f"{url}?supporter={second.pk}")
    SupporterFactory(owner=owner, name="Tam")
    assert "Tam" in page(owner_client, url)


def test_of_two_consents_from_one_client_the_newest_in_effect_opens_the_page(owner):
    """find_access reads the consents without the model's ordering and picks the newest itself."""
    from recovery_network.care import sharing

    counselor = UserFactory(display_name="Cy")
    now = timezone.now()
    older = ConsentFactory(owner=owner, counselor=counselor)
    newer = ConsentFactory(owner=owner, counselor=counselor, checkins=False)
    Consent.objects.filter(pk=older.pk).update(signed_at=now - dt.timedelta(days=2))
    Consent.objects.filter(pk=newer.pk).update(signed_at=now - dt.timedelta(days=1))
    assert sharing.find_access(counselor, owner.pk, now).consent == newer
    Consent.objects.filter(pk=older.pk).update(signed_at=now)
    assert sharing.find_access(counselor, owner.pk, now).consent == older
    Consent.objects.filter(pk=older.pk).update(revoked_at=now)
    assert sharing.find_access(counselor, owner.pk, now, sharing.COUNSELOR).consent == newer
