import datetime as dt
import random

import pytest
from django.utils import timezone

from recovery_network import demo
from supports import demo_data
from supports.models import Attendance, CommunityActivity, Contact, Meeting, NetworkSnapshot, PeerGroup, Supporter
from supports.network import find_gaps

pytestmark = pytest.mark.django_db


def counts():
    return [
        model.objects.count()
        for model in (Supporter, Contact, PeerGroup, Attendance, CommunityActivity, NetworkSnapshot, Meeting)
    ]


def test_demo_owner_gets_a_network_with_a_story_and_reseeding_changes_nothing():
    cast = demo.ensure_cast()
    now = timezone.now()
    demo_data.seed_cast(cast, now)
    first = counts()
    demo_data.seed_cast(cast, now)
    assert counts() == first
    owner = cast["owner"]
    assert Supporter.objects.for_owner(owner).active().count() == 7
    assert Supporter.objects.for_owner(owner).archived().get().name == "Tom"
    assert Supporter.objects.for_owner(owner).risky().get().name == "Jesse"
    assert Supporter.objects.get(owner=owner, name="Sam").linked_user == cast["family"]
    home = PeerGroup.objects.get(owner=owner, is_home_group=True)
    assert home.sponsor.name == "Marcus" and home.meeting_times.exists()
    assert Attendance.objects.for_owner(owner).count() > 30
    # Three months ago no one gave crisis support; now two people do.
    snapshot = NetworkSnapshot.objects.get(owner=owner)
    assert snapshot.summary["kinds"]["gives_crisis"] == 0
    # The sample feed beside the repository fills the meeting directory.
    assert Meeting.objects.filter(owner__isnull=True).count() == 10
    # The story leaves one thing to do: Marcus is overdue.
    assert [gap.code for gap in find_gaps(owner, now=now)] == ["inner_circle_overdue"]
    assert not Supporter.objects.filter(owner__in=[cast["family"], cast["counselor"]]).exists()


def test_scale_people_get_varied_networks_once():
    people = demo.ensure_scale_people(60, random.Random(1))
    now = timezone.now()
    demo_data.seed_scale(people, random.Random(1), now)
    first = counts()
    demo_data.seed_scale(people, random.Random(2), now)
    assert counts() == first
    sizes = sorted(Supporter.objects.filter(owner=person).count() for person in people)
    assert sizes[-1] == 150 and sizes[0] >= 2
    someone = Supporter.objects.filter(contact_every_days__isnull=False).first()
    assert someone.contact_due_at == someone.last_contact_at + dt.timedelta(days=someone.contact_every_days)
