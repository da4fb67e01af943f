"""Gaps read from the network itself, each with a concrete next step, and change over time."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supports.models import SUPPORT_KIND_FIELDS
from supports.network import NetworkSummary, changes_since, find_gaps, network_summary
from tests.supports.factories import MeetingFactory, PeerGroupFactory, SupporterFactory

pytestmark = pytest.mark.django_db


def codes(user):
    return [gap.code for gap in find_gaps(user)]


def everything(**overrides):
    values = dict.fromkeys(SUPPORT_KIND_FIELDS, True)
    values.update(overrides)
    return values


def strong_network(owner):
    SupporterFactory(owner=owner, name="Sam", closeness=1, relationship="family", **everything())
    SupporterFactory(owner=owner, name="Dr Lee", closeness=2, relationship="counselor")
    PeerGroupFactory(owner=owner)


def test_an_empty_network_suggests_starting_with_one_person(owner):
    gaps = find_gaps(owner)
    assert gaps[0].code == "no_supporters"
    assert gaps[0].steps[0].url == reverse("supports:supporter_create")
    assert {"missing_crisis", "no_professional", "no_peer_group"} <= {gap.code for gap in gaps}


def test_a_strong_network_has_no_gaps(owner):
    strong_network(owner)
    assert codes(owner) == []


def test_a_kind_of_support_no_one_gives_is_a_gap_with_someone_to_ask(owner):
    strong_network(owner)
    owner.supporters.filter(name="Sam").update(gives_crisis=False)
    gaps = find_gaps(owner)
    assert [gap.code for gap in gaps] == ["missing_crisis"]
    steps = [step.text for step in gaps[0].steps]
    assert "Ask Sam or Dr Lee whether they could give you crisis support (someone to call at 3 a.m.)." in steps
    assert gaps[0].steps[-1].url == reverse("crisis")


def test_a_risky_tie_does_not_fill_a_gap(owner):
    strong_network(owner)
    owner.supporters.filter(name="Sam").update(gives_companionship=False)
    SupporterFactory(owner=owner, name="Jesse", influence="risk", gives_companionship=True)
    assert "missing_companionship" in codes(owner)


def test_an_archived_supporter_who_gave_the_missing_kind_is_suggested_to_reconnect(owner):
    strong_network(owner)
    owner.supporters.filter(name="Sam").update(gives_practical=False)
    tom = SupporterFactory(owner=owner, name="Tom", gives_practical=True)
    tom.archive()
    gap = next(gap for gap in find_gaps(owner) if gap.code == "missing_practical")
    assert gap.steps[0].text == "Reconnect with Tom, who gave you practical help before."
    assert gap.steps[0].url == reverse("supports:supporter_detail", args=[tom.pk])


def test_no_professional_points_to_finding_a_counselor(owner):
    strong_network(owner)
    owner.supporters.filter(name="Dr Lee").update(relationship="friend")
    gap = next(gap for gap in find_gaps(owner) if gap.code == "no_professional")
    assert gap.steps[0].url == "https://findtreatment.gov/"


def test_no_peer_group_suggests_meetings_from_the_imported_list(owner):
    strong_network(owner)
    owner.peer_groups.update(archived_at=timezone.now())
    MeetingFactory(name="Sunrise Serenity", weekdays=",0,3,")
    MeetingFactory(name="Closed For Now", temporarily_closed=True)
    gap = next(gap for gap in find_gaps(owner) if gap.code == "no_peer_group")
    texts = [step.text for step in gap.steps]
    assert "Join Sunrise Serenity (Monday, Thursday)." in texts
    assert not any("Closed For Now" in text for text in texts)
    assert gap.steps[0].url == reverse("supports:meeting_list") + "?q=Sunrise+Serenity"


def test_inner_circle_not_contacted_within_its_rhythm(owner):
    strong_network(owner)
    owner.supporters.filter(name="Sam").update(
        contact_every_days=7, contact_due_at=timezone.now() - dt.timedelta(days=2)
    )
    # Someone in the wider circle being overdue is not an inner-circle gap.
    SupporterFactory(owner=owner, closeness=3, contact_every_days=7, created_at=timezone.now() - dt.timedelta(days=30))
    gap = next(gap for gap in find_gaps(owner) if gap.code == "inner_circle_overdue")
    assert "one person in your inner circle" in gap.detail
    assert [step.text for step in gap.steps] == ["Reach out to Sam, then log it."]


def test_risky_ties_outnumbering_supportive_ones(owner):
    strong_network(owner)
    for name in ("Jesse", "Rick", "Dee"):
        SupporterFactory(owner=owner, name=name, influence="risk", gives_emotional=False)
    gap = next(gap for gap in find_gaps(owner) if gap.code == "risk_outnumbers_support")
    assert gap.detail == "Three people in your network may put your recovery at risk, and two people are supportive."
    owner.supporters.filter(name="Rick").update(influence="neutral")
    assert "risk_outnumbers_support" not in codes(owner)  # two risky, two supportive: not outnumbered


def test_summary_counts(owner):
    strong_network(owner)
    SupporterFactory(owner=owner, influence="risk", closeness=3)
    SupporterFactory(owner=owner).archive()
    summary = network_summary(owner)
    assert (summary.supporters, summary.personal, summary.professional) == (3, 2, 1)
    assert (summary.inner, summary.close, summary.wider) == (1, 1, 1)
    assert (summary.supportive, summary.risk, summary.peer_groups) == (2, 1, 1)
    assert summary.kinds["gives_crisis"] == 1


def test_changes_since_speaks_plainly():
    before = NetworkSummary(supporters=1, kinds={"gives_crisis": 0, "gives_emotional": 1})
    after = NetworkSummary(supporters=3, professional=1, kinds={"gives_crisis": 2, "gives_emotional": 1})
    assert changes_since(before.as_dict(), after) == [
        "You had no one for crisis support; now you have two people.",
        "You had one person; now you have three people.",
        "You had no professionals; now you have one professional.",
    ]


def test_gaps_page_compares_with_a_chosen_snapshot(owner_client, owner):
    from supports.services import save_snapshot

    first = save_snapshot(owner, note="first", now=timezone.now() - dt.timedelta(days=90))
    SupporterFactory(owner=owner, gives_crisis=True)
    save_snapshot(owner, note="second")
    SupporterFactory(owner=owner, gives_crisis=True)
    page = owner_client.get(reverse("supports:gaps"))
    assert b"You had no one for crisis support; now you have two people." in page.content  # oldest by default
    assert b"3\xc2\xa0months ago" in page.content or b"2\xc2\xa0months" in page.content
    newer = owner.network_snapshots.get(note="second")
    page = owner_client.get(reverse("supports:gaps"), {"since": newer.pk})
    assert b"You had one person for crisis support; now you have two people." in page.content
    assert first.summary["supporters"] == 0
