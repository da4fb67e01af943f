"""The guided network review: beginning records the network as it stands, each step is the owner's alone and
saves as it goes, answers change the network (never deleting anyone), and finishing leaves a dated snapshot."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from recovery_network.models import local_moment
from recovery_network.review import services
from recovery_network.review.models import NetworkReview, NetworkReviewQuerySet, SupporterReview
from supports.models import Closeness, Influence, NetworkSnapshot, PeerGroup, Supporter
from tests.supports.factories import (
    AttendanceFactory,
    CommunityActivityFactory,
    ContactFactory,
    PeerGroupFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db

STEPS = ["people", "groups", "community", "gaps", "finish"]
AUCKLAND = ZoneInfo("Pacific/Auckland")


def step_url(name, review, **query):
    url = reverse(f"review:{name}", args=[review.pk])
    return url + "".join(f"?{key}={value}" for key, value in query.items())


@pytest.fixture
def network(owner):
    marisol = SupporterFactory(owner=owner, name="Marisol", closeness=Closeness.CLOSE, contact_every_days=7)
    jon = SupporterFactory(owner=owner, name="Jon", closeness=Closeness.WIDER)
    group = PeerGroupFactory(owner=owner, name="Tuesday Serenity")
    return {"marisol": marisol, "jon": jon, "group": group}


@pytest.fixture
def review(owner, network):
    return services.begin_review(owner)[0]


def answers(**changes):
    return {"still_supportive": "yes", "closeness_after": "2", "influence_after": "supportive", "note": "", **changes}


# Beginning


def test_begin_records_the_network_as_it_stands_counting_in_the_persons_own_zone(owner):
    owner.time_zone = "Pacific/Auckland"
    owner.save()
    now = dt.datetime(2026, 6, 15, 3, 0, tzinfo=dt.UTC)  # 15:00 on 15 June in Auckland
    local_today = dt.date(2026, 6, 15)
    first_day = local_today - dt.timedelta(days=89)
    window_start = local_moment(first_day, dt.time(0), AUCKLAND)  # still 13 March in UTC
    marisol = SupporterFactory(owner=owner, name="Marisol", closeness=1, influence="supportive", contact_every_days=7)
    for happened_at in (window_start, window_start + dt.timedelta(days=30), now):
        ContactFactory(supporter=marisol, happened_at=happened_at)
    ContactFactory(supporter=marisol, happened_at=window_start - dt.timedelta(minutes=1))  # the day before
    ContactFactory(supporter=marisol, happened_at=now + dt.timedelta(minutes=1))  # after the review began
    archived = SupporterFactory(owner=owner, name="Gone")
    archived.archive()
    group = PeerGroupFactory(owner=owner, name="Harbour Group")
    for day in (first_day, local_today, first_day - dt.timedelta(days=1)):
        AttendanceFactory(group=group, attended_on=day)
    PeerGroupFactory(owner=owner, name="Old group").archive()

    review, begun = services.begin_review(owner, now)

    assert begun and (review.started_on, review.started_at) == (local_today, now)
    row = SupporterReview.objects.get(review=review)
    assert (row.supporter, row.name, row.closeness_before, row.influence_before) == (
        marisol,
        "Marisol",
        1,
        "supportive",
    )
    assert (row.contact_every, row.contacts_in_window) == (7, 3)
    group_row = review.group_reviews.get()
    assert (group_row.group, group_row.name, group_row.attended_in_window) == (group, "Harbour Group", 2)


def test_asking_twice_resumes_the_review_in_progress(owner, owner_client, network):
    first = owner_client.post(reverse("review:begin"))
    second = owner_client.post(reverse("review:begin"))
    review = NetworkReview.objects.get(owner=owner)
    assert first.url == second.url == step_url("people", review)
    assert review.supporter_reviews.count() == 2


def test_two_begins_at_once_end_with_the_one_review_the_first_began(owner, network, monkeypatch):
    existing, _ = services.begin_review(owner)
    # The second request looked before the first had committed: it saw no review in progress.
    monkeypatch.setattr(NetworkReviewQuerySet, "first", lambda self: None)
    review, begun = services.begin_review(owner)
    assert (review, begun) == (existing, False)
    assert NetworkReview.objects.filter(owner=owner).count() == 1
    assert SupporterReview.objects.count() == 2


def test_begin_is_post_only(owner_client):
    assert owner_client.get(reverse("review:begin")).status_code == 405


# Who may open a review


def test_the_start_page_offers_to_begin_then_to_continue(owner, owner_client, network):
    assert "Begin a review" in owner_client.get(reverse("review:start")).content.decode()
    services.begin_review(owner)
    assert "Continue your review" in owner_client.get(reverse("review:start")).content.decode()


@pytest.mark.parametrize("name", STEPS)
def test_each_step_is_the_owners_alone(name, review, owner_client, family_client, counselor_client, stranger_client,
                                       anon_client):  # fmt: skip
    url = step_url(name, review)
    assert owner_client.get(url).status_code == 200
    for client in (family_client, counselor_client, stranger_client):
        assert client.get(url).status_code == 404
        assert client.post(url, answers(stepped_back="on")).status_code == 404
    for method in (anon_client.get, anon_client.post):
        response = method(url)
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    review.refresh_from_db()
    assert not review.is_finished and not Supporter.objects.filter(archived_at__isnull=False).exists()


def test_the_start_page_shows_no_one_else_their_reviews(owner, review, stranger_client):
    services.finish_review(review)
    body = stranger_client.get(reverse("review:start")).content.decode()
    assert "Begin a review" in body and reverse("review:changes", args=[review.pk]) not in body


# The people, one at a time


def test_each_person_shows_what_the_review_saw_in_plain_words(owner, owner_client, network):
    ContactFactory(supporter=network["marisol"])
    review, _ = services.begin_review(owner)
    row = review.supporter_reviews.get(name="Marisol")
    body = owner_client.get(step_url("people", review, person=row.pk)).content.decode()
    assert "You wished to be in touch every week. In the last 90 days you logged 1 contact with them." in body
    assert "Step 1 of 5" in body and "Person 1 of 2" in body
    jon = review.supporter_reviews.get(name="Jon")
    body = owner_client.get(step_url("people", review, person=jon.pk)).content.decode()
    assert "In the last 90 days you logged no contact with them." in body and "wished" not in body


def test_an_answer_moves_a_person_and_their_influence_and_goes_on_to_the_next(owner, owner_client, review, network):
    first, second = review.supporter_reviews.all()  # the closest first: Marisol, then Jon
    assert (first.name, second.name) == ("Marisol", "Jon")
    response = owner_client.post(
        step_url("people", review), answers(closeness_after="1", still_supportive="yes", note="Calls every Sunday")
    )
    assert response.url == step_url("people", review, person=second.pk)
    network["marisol"].refresh_from_db()
    assert network["marisol"].closeness == Closeness.INNER
    first.refresh_from_db()
    assert (first.closeness_after, first.note) == (1, "Calls every Sunday") and first.answered_at

    response = owner_client.post(
        step_url("people", review, person=second.pk),
        answers(still_supportive="no", closeness_after="3", influence_after="risk"),
    )
    assert response.url == step_url("groups", review)
    network["jon"].refresh_from_db()
    assert (network["jon"].influence, network["jon"].archived_at) == (Influence.RISK, None)


def test_stepping_back_archives_and_never_deletes_and_can_be_undone(owner, owner_client, review, network):
    row = review.supporter_reviews.get(name="Jon")
    url = step_url("people", review, person=row.pk)
    owner_client.post(url, answers(closeness_after="3", stepped_back="on"))
    jon = Supporter.objects.get(pk=network["jon"].pk)
    assert jon.is_archived and jon.closeness == Closeness.WIDER
    owner_client.post(url, answers(closeness_after="3"))  # changed their mind on the way back
    jon.refresh_from_db()
    assert not jon.is_archived


def test_an_answer_left_out_is_asked_again_and_nothing_changes(owner, owner_client, review, network):
    response = owner_client.post(step_url("people", review), {"closeness_after": "1", "stepped_back": "on"})
    assert response.status_code == 400 and "“Not sure” is fine" in response.content.decode()
    network["marisol"].refresh_from_db()
    assert network["marisol"].closeness == Closeness.CLOSE and not network["marisol"].is_archived
    assert not SupporterReview.objects.filter(answered_at__isnull=False).exists()


def test_without_a_person_named_the_step_opens_at_the_first_not_yet_answered(owner, owner_client, review):
    first, second = review.supporter_reviews.all()
    services.answer_supporter(first, {"still_supportive": "yes", "closeness_after": 2})
    response = owner_client.get(step_url("people", review, person="99999999999999999999"))
    assert response.context["row"] == second
    assert response.context["back"] == step_url("people", review, person=first.pk)


def test_a_review_of_an_empty_network_says_so_and_goes_on(owner, owner_client):
    review, _ = services.begin_review(owner)
    body = owner_client.get(step_url("people", review)).content.decode()
    assert "no one in your network yet" in body and step_url("groups", review) in body


# Groups, community, gaps


def test_a_group_stopped_can_be_archived_and_keeps_its_attendance(owner, owner_client, network):
    AttendanceFactory(group=network["group"], attended_on=owner.local_today())
    review, _ = services.begin_review(owner)
    body = owner_client.get(step_url("groups", review)).content.decode()
    assert "In the last 90 days you logged 1 meeting here." in body
    response = owner_client.post(step_url("groups", review), {"still_going": "stopped", "stepped_back": "on"})
    assert response.url == step_url("community", review)
    group = PeerGroup.objects.get(pk=network["group"].pk)
    assert group.is_archived and group.attendances.count() == 1


def test_community_and_gaps_keep_their_notes(owner, owner_client, review):
    CommunityActivityFactory(owner=owner, title="Food bank shift", happened_on=owner.local_today())
    CommunityActivityFactory(owner=owner, title="Long ago", happened_on=owner.local_today() - dt.timedelta(days=90))
    body = owner_client.get(step_url("community", review)).content.decode()
    assert "Food bank shift" in body and "Long ago" not in body
    response = owner_client.post(step_url("community", review), {"community_note": "More service"})
    assert response.url == step_url("gaps", review)
    assert "No professional in your network" in owner_client.get(step_url("gaps", review)).content.decode()
    assert owner_client.post(step_url("gaps", review), {"gaps_note": "x" * 2001}).status_code == 400
    response = owner_client.post(step_url("gaps", review), {"gaps_note": "Find a counselor"})
    assert response.url == step_url("finish", review)
    review.refresh_from_db()
    assert (review.community_note, review.gaps_note) == ("More service", "Find a counselor")


# Finishing


def test_finishing_saves_a_snapshot_and_opens_what_changed(owner, owner_client, review):
    owner.time_zone = "Pacific/Auckland"
    owner.save()
    response = owner_client.post(step_url("finish", review))
    assert response.url == reverse("review:changes", args=[review.pk])
    review.refresh_from_db()
    snapshot = NetworkSnapshot.objects.get(owner=owner)
    assert review.snapshot == snapshot and snapshot.note == "Network review"
    assert review.finished_on == review.finished_at.astimezone(AUCKLAND).date() == snapshot.taken_on
    assert snapshot.summary["supporters"] == 2
    # A second tap finds it finished: still one snapshot.
    owner_client.post(step_url("finish", review))
    assert NetworkSnapshot.objects.filter(owner=owner).count() == 1


@pytest.mark.parametrize("name", STEPS)
def test_a_finished_reviews_steps_are_closed(name, owner, owner_client, review, network):
    services.finish_review(review)
    changes = reverse("review:changes", args=[review.pk])
    assert owner_client.get(step_url(name, review)).url == changes
    assert owner_client.post(step_url(name, review), answers(stepped_back="on")).url == changes
    assert not Supporter.objects.filter(archived_at__isnull=False).exists()
    # Beginning again starts a new review; the start page links the finished one's changes.
    body = owner_client.get(reverse("review:start")).content.decode()
    assert changes in body and "Begin a review" in body


# A fixed number of queries


def test_the_snapshot_note_is_written_in_the_persons_language(owner, owner_client, review):
    """The note is the person's own (the next snapshot's note they write themselves): in their language."""
    owner.language = "es"
    owner.save(update_fields=["language"])
    owner_client.post(step_url("finish", review))
    assert NetworkSnapshot.objects.get(owner=owner).note == "Revisión de tu red"


def build_network(owner, size):
    supporters = Supporter.objects.bulk_create(
        Supporter(owner=owner, name=f"Person {n}", closeness=1 + n % 3, contact_every_days=7) for n in range(size)
    )
    for supporter in supporters[:3]:
        ContactFactory(supporter=supporter)
    for _ in range(max(1, size // 10)):
        AttendanceFactory(group=PeerGroupFactory(owner=owner), attended_on=owner.local_today())


def count_queries(callable_):
    with CaptureQueriesContext(connection) as captured, override_settings(PAGE_CACHE=False):
        callable_()
    return len(captured.captured_queries)


def measure(person, client):
    counts = {"begin": count_queries(lambda: services.begin_review(person))}
    review = NetworkReview.objects.get(owner=person)
    for name in STEPS:
        counts[name] = count_queries(lambda name=name: client.get(step_url(name, review)))
    counts["start"] = count_queries(lambda: client.get(reverse("review:start")))
    return counts


def test_queries_do_not_grow_with_the_network(owner, owner_client, stranger, stranger_client):
    build_network(owner, 3)
    build_network(stranger, 30)
    small, large = measure(owner, owner_client), measure(stranger, stranger_client)
    assert small == large, (small, large)
    assert max(small.values()) <= 12, small
