"""Pages run a fixed number of queries whatever the size of the network.

Each page is measured with a small network and a large one; the counts must be
equal, and below a ceiling (django_assert_max_num_queries) that includes the
session, the user and allauth's device tracking.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from supports.models import Attendance, CommunityActivity, Contact, Meeting, MeetingTime, PeerGroup, Supporter
from supports.services import save_snapshot
from tests.factories import UserFactory
from tests.supports.factories import SupporterFactory

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 150


def build_network(owner, size):
    now = timezone.now()
    supporters = Supporter.objects.bulk_create(
        Supporter(
            owner=owner,
            name=f"Person {n}",
            relationship=["friend", "counselor", "sponsor"][n % 3],
            closeness=1 + n % 3,
            influence="risk" if n % 7 == 0 else "supportive",
            gives_emotional=n % 2 == 0,
            contact_every_days=7,
            contact_due_at=now - dt.timedelta(days=1) if n % 2 == 0 else now + dt.timedelta(days=1),
        )
        for n in range(size)
    )
    Supporter.objects.bulk_create(
        Supporter(owner=owner, name=f"Archived {n}", archived_at=now, gives_crisis=True) for n in range(size)
    )
    Contact.objects.bulk_create(
        Contact(owner=owner, supporter=supporters[0], happened_at=now - dt.timedelta(hours=n)) for n in range(size)
    )
    groups = PeerGroup.objects.bulk_create(
        PeerGroup(owner=owner, name=f"Group {n}", fellowship="aa", time_zone="America/New_York", sponsor=supporters[0])
        for n in range(size)
    )
    MeetingTime.objects.bulk_create(
        MeetingTime(group=group, weekday=day, start_time=dt.time(19)) for group in groups for day in (0, 3)
    )
    today = owner.local_today()
    Attendance.objects.bulk_create(
        Attendance(owner=owner, group=groups[0], attended_on=today - dt.timedelta(days=n)) for n in range(size)
    )
    CommunityActivity.objects.bulk_create(
        CommunityActivity(owner=owner, title=f"Shift {n}", kind=["volunteering", "advocacy"][n % 2], happened_on=today)
        for n in range(size)
    )
    Meeting.objects.bulk_create(
        Meeting(owner=owner, slug=f"m-{n}", name=f"Meeting {n}", weekdays=",1,", start_time=dt.time(7))
        for n in range(size)
    )
    for _ in range(min(size, 12)):
        save_snapshot(owner)
    return {"supporter": supporters[0], "group": groups[0], "activity": CommunityActivity.objects.first()}


PAGES = [
    # (page, object, ceiling): seven of each ceiling are the session, the user and allauth's device tracking.
    ("supports:index", None, 14),
    ("supports:map", None, 13),
    ("supports:gaps", None, 14),
    ("supports:group_list", None, 12),
    ("supports:meeting_list", None, 10),
    ("supports:community_list", None, 10),
    ("supports:contact_create", None, 9),
    ("supports:supporter_archived", None, 8),
    ("supports:supporter_detail", "supporter", 10),
    ("supports:supporter_edit", "supporter", 8),
    ("supports:group_detail", "group", 11),
    ("supports:group_edit", "group", 10),
    # Other apps add their own sections to the home page: only the growth is ours to check there.
    ("home", None, None),
]


def count_queries(client, url):
    client.get(url)  # warm up: the first request records the session's device
    # The rendering itself, not a copy of it from the page cache.
    with override_settings(PAGE_CACHE=False), CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(("name", "key", "ceiling"), PAGES)
def test_page_queries_do_not_grow_with_the_network(client, name, key, ceiling, django_assert_max_num_queries):
    counts = {}
    for size in (SMALL, LARGE):
        person = UserFactory()
        objects = build_network(person, size)
        client.force_login(person)
        url = reverse(name, args=[objects[key].pk] if key else None)
        counts[size] = count_queries(client, url)
        if ceiling is not None:
            with django_assert_max_num_queries(ceiling):
                client.get(url)
    assert counts[SMALL] == counts[LARGE], counts
    print(f"{name}: {counts[SMALL]} queries at {SMALL} and at {LARGE}")


def test_logging_a_contact_takes_the_same_queries_for_any_history(client):
    counts = {}
    for size in (SMALL, LARGE):
        person = UserFactory()
        objects = build_network(person, size)
        client.force_login(person)
        url = reverse("supports:supporter_contact_create", args=[objects["supporter"].pk])
        client.get(reverse("supports:index"))
        with CaptureQueriesContext(connection) as context:
            client.post(url, {"happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "channel": "phone"})
        counts[size] = len(context.captured_queries)
    assert counts[SMALL] == counts[LARGE]


def test_home_section_is_a_fixed_number_of_queries(owner, django_assert_num_queries):
    from supports.home import section

    build_network(owner, 40)
    SupporterFactory(owner=owner)
    with django_assert_num_queries(3):
        result = section(owner)
    assert result["summary"].supporters == 41
