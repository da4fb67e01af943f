"""Demo data for the network review (see recovery_network/demo.py).

Alex (the owner) finished a review 95 days ago, so the quarterly reminder fell due four days ago, still within
its week: it arrives with the demo's first dispatch, and "Review your network" shows the last review and its
"what changed" page. His next review, begun from the reminder, has that one to compare with.
"""

import datetime as dt

from supports.models import Influence

from . import services
from .models import GroupReview, NetworkReview, StillGoing, StillSupportive, SupporterReview

REVIEWED_DAYS_AGO = 95


def _began_at(person, now):
    """Ten in the morning where the person is, REVIEWED_DAYS_AGO of their days back: the twenty minutes the review
    takes never cross their midnight, whatever the hour the seed runs (a seed at 22:45 in Chicago once finished
    the review on the next day, 94 days back)."""
    day = person.local_today(now) - dt.timedelta(days=REVIEWED_DAYS_AGO)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=person.zone)


def seed_cast(cast, now):
    owner = cast["owner"]
    if NetworkReview.objects.for_owner(owner).exists():
        return
    began_at = _began_at(owner, now)
    review, _ = services.begin_review(owner, began_at)
    answered_at = began_at + dt.timedelta(minutes=12)
    people = list(review.supporter_reviews.all())
    for row in people:
        supportive = row.influence_before == Influence.SUPPORTIVE
        row.still_supportive = StillSupportive.YES if supportive else StillSupportive.UNSURE
        row.closeness_after, row.influence_after = row.closeness_before, row.influence_before
        row.answered_at = answered_at
    SupporterReview.objects.bulk_update(
        people, ["still_supportive", "closeness_after", "influence_after", "answered_at"]
    )
    groups = list(review.group_reviews.all())
    for row in groups:
        row.still_going, row.answered_at = StillGoing.YES, answered_at
    GroupReview.objects.bulk_update(groups, ["still_going", "answered_at"])
    services.save_notes(review, gaps_note="Ask Priya about a weekend walk now and then.")
    services.finish_review(review, began_at + dt.timedelta(minutes=20))


def seed_scale(people, rng, now):
    """Every tenth load-test person (person000010, …, person000100 the heaviest) finished a review 95 days ago, and
    every twentieth has begun the next one, so the benches measure the review's pages with a large network (its
    pages run a fixed number of queries whatever its size: tests/review/). Idempotent: a person with a review is
    left as they are."""
    chosen = [person for person in people if _index(person) % 10 == 0]
    have = set(NetworkReview.objects.filter(owner__in=chosen).values_list("owner_id", flat=True))
    for person in chosen:
        if person.pk in have:
            continue
        began_at = _began_at(person, now)
        review, _ = services.begin_review(person, began_at)
        services.finish_review(review, began_at + dt.timedelta(minutes=20))
        if _index(person) % 20 == 0:
            services.begin_review(person, now)


def _index(person):
    # person000100@scale.example.com → 100
    digits = person.email.partition("@")[0].removeprefix("person")
    return int(digits) if digits.isdigit() else 1
