"""A counselor opens a client's network-review comparison: only with a valid consent that shares the support map,
through the sharing door (two-factor, one line in the client's access log); recovery capital only with its scope.
Family and friends are not offered it (recovery_network/review/changes_views.py says why)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from recovery_network.care import sharing
from recovery_network.care.models import SCOPE_FIELDS, AccessEvent, Consent, Grant
from recovery_network.review.models import NetworkReview
from tests.factories import sign_in, without_csrf_tokens
from tests.review.history import CLOSE, finished_review, person, seed_history, summary
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

HAS_CAPITAL_SCOPE = "recovery_capital" in SCOPE_FIELDS


@pytest.fixture
def history(owner):
    return seed_history(owner)


@pytest.fixture
def urls(owner, history):
    first, second = history
    return {
        "latest": reverse("review:client_latest", args=[owner.pk]),
        "first": reverse("review:client_changes", args=[owner.pk, first.pk]),
        "second": reverse("review:client_changes", args=[owner.pk, second.pk]),
    }


def consent_of(owner, counselor):
    return Consent.objects.get(owner=owner, counselor=counselor)


def test_counselor_sees_the_latest_review_compared_with_the_one_before(counselor_client, urls, history):
    first, _ = history
    response = counselor_client.get(urls["latest"])
    assert response.status_code == 200
    body = response.content.decode()
    for words in ("Jo (close → inner circle)", "Sam (inner circle → wider circle)", "Friday (stopped going)",
                  "Inner circle overdue", urls["first"]):  # fmt: skip
        assert words in body, words


def test_counselor_opens_a_given_review(counselor_client, urls):
    body = counselor_client.get(urls["first"]).content.decode()
    assert "This is Olive’s first network review" in body
    assert counselor_client.get(urls["second"]).content.decode().count("Jo (close → inner circle)") == 1


@pytest.mark.parametrize("name", ["latest", "second"])
def test_each_look_is_one_line_in_the_clients_access_log(owner, counselor, counselor_client, urls, name):
    before = AccessEvent.objects.filter(owner=owner).count()
    counselor_client.get(urls[name])
    lines = list(AccessEvent.objects.filter(owner=owner).order_by("-id"))
    assert len(lines) == before + 1
    assert (lines[0].actor_id, lines[0].action, lines[0].path) == (counselor.pk, AccessEvent.Action.VIEWED, urls[name])
    assert "support map" in lines[0].what


@pytest.mark.parametrize("name", ["latest", "first", "second"])
def test_without_the_support_map_scope_it_is_a_404(owner, counselor, counselor_client, urls, name):
    Consent.objects.filter(pk=consent_of(owner, counselor).pk).update(support_map=False)
    response = counselor_client.get(urls[name])
    assert response.status_code == 404
    assert "Sam" not in without_csrf_tokens(response.content.decode())


def test_a_revoked_consent_cuts_access_at_once(owner, counselor, counselor_client, urls):
    assert counselor_client.get(urls["latest"]).status_code == 200
    sharing.revoke_consent(consent_of(owner, counselor))
    for url in urls.values():
        assert counselor_client.get(url).status_code == 404


def test_without_this_sessions_second_factor_it_asks_for_it_and_logs_nothing(owner, counselor, urls):
    client = sign_in(Client(), counselor, two_factor=False)
    before = AccessEvent.objects.filter(owner=owner).count()
    response = client.get(urls["latest"])
    assert response.status_code == 403
    assert "Sam" not in without_csrf_tokens(response.content.decode())
    assert AccessEvent.objects.filter(owner=owner).count() == before


def test_recovery_capital_is_not_shown_without_its_scope(owner, counselor, counselor_client, urls):
    if HAS_CAPITAL_SCOPE:
        Consent.objects.filter(pk=consent_of(owner, counselor).pk).update(recovery_capital=False)
    with CaptureQueriesContext(connection) as queries:
        body = counselor_client.get(urls["latest"]).content.decode()
    assert "Recovery capital" not in body and "49 of 60" not in body
    assert not any("capital_capitalcheck" in query["sql"] for query in queries.captured_queries)


@pytest.mark.skipif(not HAS_CAPITAL_SCOPE, reason="the consent has no recovery capital scope yet")
def test_recovery_capital_then_and_now_with_its_scope(owner, counselor, counselor_client, urls):
    Consent.objects.filter(pk=consent_of(owner, counselor).pk).update(recovery_capital=True)
    body = counselor_client.get(urls["latest"]).content.decode()
    assert "40 of 60" in body and "49 of 60" in body


@pytest.mark.parametrize("who", ["owner_client", "family_client", "stranger_client"])
def test_no_one_but_the_counselor_opens_it(request, owner, urls, who):
    client = request.getfixturevalue(who)
    if who == "family_client":  # even a grant that shares the map: the review is not offered to family
        Grant.objects.filter(owner=owner).update(support_map=True)
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 404, (who, url)
        assert "Sam" not in without_csrf_tokens(response.content.decode())


def test_anonymous_is_sent_to_sign_in(anon_client, urls):
    for url in urls.values():
        response = anon_client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_another_persons_review_or_one_in_progress_is_a_404(owner, stranger, counselor_client, history):
    elsewhere = finished_review(stranger, stranger.local_today(), summary())
    in_progress = NetworkReview.objects.create(owner=owner, started_on=owner.local_today())
    for review in (elsewhere, in_progress):
        response = counselor_client.get(reverse("review:client_changes", args=[owner.pk, review.pk]))
        assert response.status_code == 404


def test_a_client_who_is_not_theirs_is_a_404(stranger, counselor_client, history):
    finished_review(stranger, stranger.local_today(), summary())
    assert counselor_client.get(reverse("review:client_latest", args=[stranger.pk])).status_code == 404


def test_before_any_finished_review_the_page_says_so(owner, counselor_client):
    NetworkReview.objects.create(owner=owner, started_on=owner.local_today())  # in progress: not shared
    response = counselor_client.get(reverse("review:client_latest", args=[owner.pk]))
    assert response.status_code == 200
    assert "hasn’t finished a network review yet" in response.content.decode()


def test_the_client_page_links_to_network_reviews_only_with_the_map(owner, counselor, counselor_client):
    link = reverse("review:client_latest", args=[owner.pk])
    with override_settings(PAGE_CACHE=False):
        assert link in counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()
        Consent.objects.filter(pk=consent_of(owner, counselor).pk).update(support_map=False)
        assert link not in counselor_client.get(reverse("care:client", args=[owner.pk])).content.decode()


def test_the_page_runs_a_fixed_number_of_queries(owner, counselor_client, urls, history, django_assert_max_num_queries):
    first, second = history

    def grow(count):
        for number in range(count):
            supporter = SupporterFactory(owner=owner, name=f"Extra {number}")
            person(first, supporter, CLOSE)
            person(second, supporter, CLOSE, 1 + number % 3)

    grow(5)
    counselor_client.get(urls["latest"])  # the session's first request writes its own rows
    with override_settings(PAGE_CACHE=False), CaptureQueriesContext(connection) as small:
        counselor_client.get(urls["latest"])
    grow(35)
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(len(small)):
        counselor_client.get(urls["latest"])
