"""Seeded review histories for the "what changed" tests: two finished reviews, built directly with the ORM.

Between the two reviews: Jo moved closer (close → inner circle); Sam drifted (inner circle → wider circle); Pat
stepped back; Lee is "not supportive any more"; Nia is new; Ray was archived and Dee deleted since; Ona had already
stepped back at the first review; Ava stayed as she was. Tuesday meetings went on (10 then, 4 now), Friday's
stopped, Monday's is gone and Sunday's began. The snapshots close "No one for crisis support" and "No professional"
and open "Inner circle overdue". BARC-10 check-ups: 40 before the first review, 49 before the second, 30 after it.
"""

import datetime as dt

from django.utils import timezone

from recovery_network.capital.models import ITEM_FIELDS, CapitalCheck
from recovery_network.review.models import GroupReview, NetworkReview, StillGoing, StillSupportive, SupporterReview
from supports.models import Closeness, Influence, NetworkSnapshot
from supports.network import NetworkSummary
from tests.supports.factories import PeerGroupFactory, SupporterFactory

INNER, CLOSE, WIDER = Closeness.INNER, Closeness.CLOSE, Closeness.WIDER
ALL_KINDS = ["gives_emotional", "gives_practical", "gives_advice", "gives_accountability", "gives_companionship"]


def summary(**counts):
    """A snapshot's summary: every kind of support covered unless `missing` names it."""
    missing = counts.pop("missing", ())
    kinds = {kind: (0 if kind in missing else 1) for kind in [*ALL_KINDS, "gives_crisis"]}
    return NetworkSummary(**{"supporters": 6, "supportive": 6, "peer_groups": 2, **counts}, kinds=kinds).as_dict()


def finished_review(owner, finished_on, summary_dict=None):
    """A finished review on that local day, with a snapshot of `summary_dict` (none if None)."""
    at = timezone.now() - dt.timedelta(days=(owner.local_today() - finished_on).days)
    snapshot = None
    if summary_dict is not None:
        snapshot = NetworkSnapshot.objects.create(owner=owner, taken_at=at, taken_on=finished_on, summary=summary_dict)
    return NetworkReview.objects.create(
        owner=owner,
        started_at=at - dt.timedelta(hours=1),
        started_on=finished_on,
        finished_at=at,
        finished_on=finished_on,
        snapshot=snapshot,
    )


def person(review, supporter, before, after=None, name=None, **answers):
    return SupporterReview.objects.create(
        review=review,
        supporter=supporter,
        name=name or supporter.name,
        closeness_before=before,
        closeness_after=after,
        influence_before=Influence.SUPPORTIVE,
        **answers,
    )


def group_row(review, group, attended, name=None, **answers):
    return GroupReview.objects.create(
        review=review, group=group, name=name or group.name, attended_in_window=attended, **answers
    )


def capital_check(owner, taken_on, total):
    """A BARC-10 check-up whose ten answers add up to `total` (10 to 60)."""
    answers, left = {}, total
    for index, field in enumerate(ITEM_FIELDS):
        still_to_fill = len(ITEM_FIELDS) - index - 1
        answers[field] = max(1, min(6, left - still_to_fill))
        left -= answers[field]
    return CapitalCheck.objects.create(owner=owner, taken_on=taken_on, **answers)


def seed_history(owner):
    today = owner.local_today()
    first_day, second_day = today - dt.timedelta(days=100), today - dt.timedelta(days=5)
    first = finished_review(owner, first_day, summary(professional=0, missing={"gives_crisis"}))
    second = finished_review(owner, second_day, summary(professional=1, inner=2, inner_overdue=1))
    people = {
        name: SupporterFactory(owner=owner, name=name)
        for name in ("Jo", "Sam", "Pat", "Lee", "Nia", "Ray", "Ava", "Ona", "Dee")
    }
    person(first, people["Jo"], CLOSE)
    person(second, people["Jo"], CLOSE, INNER, still_supportive=StillSupportive.YES)
    person(first, people["Sam"], CLOSE, INNER)  # moved in at the first review: inner circle then
    person(second, people["Sam"], INNER, WIDER)
    person(first, people["Pat"], CLOSE)
    person(second, people["Pat"], CLOSE, stepped_back=True)
    person(first, people["Lee"], CLOSE)
    person(second, people["Lee"], CLOSE, CLOSE, still_supportive=StillSupportive.NO)
    person(second, people["Nia"], WIDER)
    person(first, people["Ray"], WIDER)
    person(first, None, CLOSE, name="Dee")  # deleted since: the row lost its supporter
    person(first, people["Ona"], WIDER, stepped_back=True)
    person(first, people["Ava"], INNER)
    person(second, people["Ava"], INNER, INNER)
    person(second, None, WIDER, name="Kit")  # deleted after the second review: matched with no one
    groups = {name: PeerGroupFactory(owner=owner, name=name) for name in ("Tuesday", "Friday", "Monday", "Sunday")}
    group_row(first, groups["Tuesday"], 10)
    group_row(second, groups["Tuesday"], 4, still_going=StillGoing.LESS)
    group_row(first, groups["Friday"], 8)
    group_row(second, groups["Friday"], 0, still_going=StillGoing.STOPPED)
    group_row(first, groups["Monday"], 3)
    group_row(second, groups["Sunday"], 6, still_going=StillGoing.YES)
    capital_check(owner, first_day - dt.timedelta(days=3), 40)
    capital_check(owner, second_day - dt.timedelta(days=1), 49)
    capital_check(owner, today, 30)  # after the second review: not its "now"
    return first, second
