"""What changed since the last network review: the comparison on seeded histories, and the owner's page."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from recovery_network.review.changes import PersonChange, compare, previous_review
from recovery_network.review.models import NetworkReview
from tests.factories import without_csrf_tokens
from tests.review.history import CLOSE, capital_check, finished_review, person, seed_history, summary
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(owner):
    return seed_history(owner)


@pytest.fixture
def changes(history):
    first, second = history
    return compare(second, previous_review(second))


def names(people):
    return [person.name for person in people]


def test_the_previous_review_is_the_finished_one_before(owner, history):
    first, second = history
    assert previous_review(second) == first
    assert previous_review(first) is None
    in_progress = NetworkReview.objects.create(owner=owner, started_on=owner.local_today())
    assert previous_review(in_progress) == second


def test_people_added_are_matched_by_supporter_not_by_name(changes):
    # Kit's row lost its supporter (deleted since): matched with no one, so never counted as someone new.
    assert changes.added == [PersonChange("Nia", "wider circle")]


def test_people_who_moved_closer_say_from_where_to_where(changes):
    assert changes.closer == [PersonChange("Jo", "close → inner circle")]


def test_people_who_drifted_moved_outward_stepped_back_or_are_not_supportive_now(changes):
    assert set(changes.drifted) == {
        PersonChange("Sam", "inner circle → wider circle"),
        PersonChange("Pat", "stepped back"),
        PersonChange("Lee", "not supportive any more"),
    }
    assert "Ava" not in names(changes.drifted + changes.closer)  # the same circle both times


def test_people_no_longer_in_the_network_were_in_the_last_review_and_are_not_now(changes):
    # Ray was archived and Dee deleted since; Ona had already stepped back at the review before.
    assert sorted(names(changes.gone)) == ["Dee", "Ray"]


def test_groups_started_and_stopped(changes):
    assert names(changes.groups_started) == ["Sunday"]
    assert set(changes.groups_stopped) == {
        PersonChange("Friday", "stopped going"),
        PersonChange("Monday", "no longer among the groups"),
    }


def test_attendance_then_and_now_per_group(changes):
    assert [(line.name, line.then, line.now) for line in changes.attendance] == [
        ("Friday", 8, 0),
        ("Monday", 3, None),
        ("Sunday", None, 6),
        ("Tuesday", 10, 4),
    ]


def test_gaps_closed_and_opened_come_from_the_two_snapshots(changes):
    assert changes.gaps_closed == ["No one for crisis support (someone to call at 3 a.m.)", "No professional"]
    assert changes.gaps_opened == ["Inner circle overdue"]
    assert changes.gaps_open == ["Inner circle overdue"]
    assert changes.missing_snapshot == ""


SHAPE = [
    "You had no one for crisis support; now you have one person.",
    "You had no professionals; now you have one professional.",
    "You had no people in your inner circle; now you have two people in your inner circle.",
]


def test_the_shape_in_numbers_is_in_sentences(changes):
    assert changes.shape == SHAPE


def test_recovery_capital_then_and_now_is_the_latest_check_up_on_or_before_each_review(changes):
    assert changes.capital_then.total == 40
    assert changes.capital_now.total == 49  # not the 30 taken after the review
    assert "below the 47 line" in changes.capital_then.words
    assert "at or above the 47 line" in changes.capital_now.words
    assert changes.capital_change_words == "9 higher than then"


def test_without_capital_nothing_of_it_is_read(history):
    first, second = history
    with CaptureQueriesContext(connection) as queries:
        changes = compare(second, first, capital=False)
    assert changes.capital_now is None and changes.capital_then is None
    assert not any("capital" in query["sql"] for query in queries.captured_queries)


def test_no_check_up_yet_says_so(owner):
    review = finished_review(owner, owner.local_today(), summary())
    changes = compare(review, None)
    assert changes.capital_now.check is None
    assert changes.capital_now.words == "No check-up yet"


def test_the_same_check_up_at_both_reviews_is_not_a_change(owner):
    today = owner.local_today()
    capital_check(owner, today - dt.timedelta(days=200), 45)
    first = finished_review(owner, today - dt.timedelta(days=100), summary())
    second = finished_review(owner, today, summary())
    changes = compare(second, first)
    assert changes.same_capital_check and changes.capital_change_words == ""


def test_a_review_without_a_snapshot_says_gaps_cannot_be_compared(owner):
    today = owner.local_today()
    first = finished_review(owner, today - dt.timedelta(days=100), None)
    second = finished_review(owner, today, summary(professional=0))
    changes = compare(second, first)
    assert changes.gaps_closed is None and changes.shape is None
    assert changes.gaps_open == ["No professional"]
    assert "review before kept no snapshot" in changes.missing_snapshot


def test_the_first_review_shows_the_picture_at_that_review(owner):
    review = finished_review(owner, owner.local_today(), summary(professional=1, peer_groups=0))
    person(review, SupporterFactory(owner=owner, name="Jo"), CLOSE, 1)
    person(review, SupporterFactory(owner=owner, name="Bo"), CLOSE)
    person(review, SupporterFactory(owner=owner, name="Al"), CLOSE, stepped_back=True)
    changes = compare(review, previous_review(review))
    assert changes.is_first
    assert changes.circles == [("Inner circle", ["Jo"]), ("Close", ["Bo"])]
    assert changes.gaps_open == ["No peer group"]
    assert changes.added == [] and changes.gaps_closed is None


# The owner's page


def test_owner_sees_every_part_of_the_comparison(owner_client, history):
    first, second = history
    response = owner_client.get(reverse("review:changes", args=[second.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for words in (
        "Jo (close → inner circle)",
        "Sam (inner circle → wider circle)",
        "Pat (stepped back)",
        "Nia (wider circle)",
        "No longer in the network",
        "Friday (stopped going)",
        "Inner circle overdue",
        "No one for crisis support",
        "49 of 60",
        "40 of 60",
        "9 higher than then",
        reverse("review:changes", args=[first.pk]),
        reverse("supports:index"),
    ):
        assert words in body, words


def test_the_first_review_says_next_time_will_show_what_changed(owner_client, history):
    first, _ = history
    body = owner_client.get(reverse("review:changes", args=[first.pk])).content.decode()
    assert "This is your first review — next time this page will show what changed." in body
    assert "40 of 60" in body


def test_a_review_in_progress_shows_what_is_known_so_far(owner, owner_client, history):
    _, second = history
    review = NetworkReview.objects.create(owner=owner, started_on=owner.local_today())
    jo = second.supporter_reviews.get(name="Jo")
    person(review, jo.supporter, 1, 2)
    response = owner_client.get(reverse("review:changes", args=[review.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "isn’t finished yet" in body
    assert "Jo (inner circle → close)" in body
    assert "no snapshot yet" in body


@pytest.mark.parametrize("who", ["family_client", "counselor_client", "stranger_client"])
def test_anyone_else_gets_404_for_the_owners_review(request, history, who):
    _, second = history
    response = request.getfixturevalue(who).get(reverse("review:changes", args=[second.pk]))
    assert response.status_code == 404
    assert "Sam" not in without_csrf_tokens(response.content.decode())


def test_anonymous_is_sent_to_sign_in(anon_client, history):
    _, second = history
    response = anon_client.get(reverse("review:changes", args=[second.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def _grow(owner, review, previous, count):
    """`count` more supporters in both reviews, each moved a circle, and a group each."""
    for number in range(count):
        supporter = SupporterFactory(owner=owner, name=f"Extra {number}")
        person(previous, supporter, CLOSE)
        person(review, supporter, CLOSE, 1 + number % 3)


def _queries(client, url):
    with override_settings(PAGE_CACHE=False), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_runs_a_fixed_number_of_queries(owner, owner_client, history, django_assert_max_num_queries):
    first, second = history
    url = reverse("review:changes", args=[second.pk])
    _grow(owner, second, first, 5)
    small = _queries(owner_client, url)
    _grow(owner, second, first, 35)
    assert second.supporter_reviews.count() > 40
    with override_settings(PAGE_CACHE=False), django_assert_max_num_queries(small):
        owner_client.get(url)
    assert small <= 15, small


def test_a_review_finished_at_the_same_moment_as_another_picks_the_earlier_id(owner):
    moment = timezone.now()
    one = finished_review(owner, owner.local_today(), summary())
    two = finished_review(owner, owner.local_today(), summary())
    NetworkReview.objects.filter(pk__in=[one.pk, two.pk]).update(finished_at=moment)
    two.refresh_from_db()
    one.refresh_from_db()
    assert previous_review(two) == one and previous_review(one) is None
