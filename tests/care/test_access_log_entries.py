"""The access log page gathers a viewer's consecutive looks into one entry, and loses none of them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from recovery_network.care import sharing
from recovery_network.care.access_log import LOOK_WINDOW, entries
from recovery_network.care.models import AccessEvent
from recovery_network.care.sharing import LogLine

pytestmark = pytest.mark.django_db

# 10:02 AM in Chicago (daylight time), where the owner lives.
START = dt.datetime(2026, 7, 4, 15, 2, tzinfo=dt.UTC)


def look(owner, when, actor_name="Casey Counselor (counselor@example.org)", what="clean time and milestones",
         action=AccessEvent.Action.VIEWED):  # fmt: skip
    return AccessEvent.objects.create(owner=owner, actor_name=actor_name, action=action, what=what, created_at=when)


def line(minutes, actor="Casey", what="clean time", action="viewed", row_id=0):
    return LogLine(START + dt.timedelta(minutes=minutes), actor, action, what, row_id=row_id)


def rows(page):
    return page.count("<tr><td>")


def test_consecutive_looks_by_one_viewer_are_one_entry_with_their_count_and_span(owner, owner_client):
    for second in range(0, 130, 10):  # 13 looks in a little over two minutes
        look(owner, START + dt.timedelta(seconds=second))
    page = owner_client.get(reverse("care:access_log")).content.decode()
    assert rows(page) == 1
    assert "Viewed 13 times" in page and "4 Jul 2026, 10:02–10:04 AM" in page
    assert AccessEvent.objects.filter(owner=owner).count() == 13  # every look is still in the log


def test_a_different_look_in_between_splits_the_run(owner, owner_client):
    for minute in (0, 1):
        look(owner, START + dt.timedelta(minutes=minute))
    look(owner, START + dt.timedelta(minutes=2), actor_name="Fran (family@example.org)")
    for minute in (3, 4, 5):
        look(owner, START + dt.timedelta(minutes=minute))
    page = owner_client.get(reverse("care:access_log")).content.decode()
    assert rows(page) == 3
    assert "Viewed 3 times" in page and "Viewed 2 times" in page
    assert page.index("Viewed 3 times") < page.index("Fran") < page.index("Viewed 2 times")  # newest first


def test_looks_at_something_else_or_far_apart_are_entries_of_their_own():
    grouped = entries([line(40, what="support map"), line(39), line(38), line(0)])
    assert [entry.count for entry in grouped] == [1, 2, 1]
    assert dt.timedelta(minutes=30) == LOOK_WINDOW


def test_a_run_is_held_to_thirty_minutes_from_its_newest_look():
    grouped = entries([line(minute) for minute in range(45, -1, -5)])  # a look every five minutes
    assert [entry.count for entry in grouped] == [7, 3]
    assert all(entry.newest.created_at - entry.oldest.created_at <= LOOK_WINDOW for entry in grouped)


def test_changes_to_sharing_are_never_gathered():
    grouped = entries([line(2, action="grant_changed"), line(1, action="grant_changed")])
    assert [entry.count for entry in grouped] == [1, 1]
    assert grouped[0].get_action_display() == "Sharing changed"


def test_every_line_is_in_exactly_one_entry_in_the_same_order():
    lines = [line(m, actor=("Casey" if m % 7 else "Fran"), row_id=m) for m in range(60, 0, -1)]
    grouped = entries(lines)
    assert [one for entry in grouped for one in entry.lines] == lines


def test_a_run_across_midnight_names_both_days():
    when = dt.datetime(2026, 7, 5, 4, 58, tzinfo=dt.UTC)  # 11:58 PM on the 4th in Chicago
    with timezone.override("America/Chicago"):
        (entry,) = entries(
            [LogLine(when + dt.timedelta(minutes=4), "Casey", "viewed", ""), LogLine(when, "Casey", "viewed", "")]
        )
        assert entry.local_time == "4 Jul 2026, 11:58 PM – 5 Jul 2026, 12:02 AM"
        noon_ish = [LogLine(START + dt.timedelta(minutes=m), "Casey", "viewed", "") for m in (120, 100)]
        (entry,) = entries(noon_ish)
        assert entry.local_time == "4 Jul 2026, 11:42 AM–12:02 PM"


def test_pages_go_by_lines_so_a_long_run_is_counted_whole_across_them(owner, owner_client):
    for second in range(60):  # 60 looks in a minute: a page holds 50 lines
        look(owner, START + dt.timedelta(seconds=second))
    url = reverse("care:access_log")
    first = owner_client.get(url)
    assert rows(first.content.decode()) == 1 and "Viewed 50 times" in first.content.decode()
    second = owner_client.get(url, {"before": first.context["older"]}).content.decode()
    assert rows(second) == 1 and "Viewed 10 times" in second and "Older lines" not in second
    assert len(sharing.access_log(owner, size=100)[0]) == 60


@pytest.mark.parametrize("who", ["family_client", "counselor_client", "stranger_client"])
def test_only_the_owner_reads_their_gathered_looks(owner, request, who):
    for minute in range(3):
        look(owner, START + dt.timedelta(minutes=minute))
    page = request.getfixturevalue(who).get(reverse("care:access_log")).content.decode()
    assert "Viewed 3 times" not in page and "No one has seen anything of yours" in page


def test_anonymous_visitors_are_asked_to_sign_in(anon_client):
    response = anon_client.get(reverse("care:access_log"))
    assert response.status_code == 302 and reverse("account_login") in response.url
