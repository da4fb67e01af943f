"""What the owner can do on each page, and clear messages for bad input."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from supports.models import Attendance, CommunityActivity, Contact, MeetingTime, NetworkSnapshot, PeerGroup, Supporter
from tests.supports.factories import (
    AttendanceFactory,
    CommunityActivityFactory,
    ContactFactory,
    MeetingFactory,
    PeerGroupFactory,
    SupporterFactory,
)

pytestmark = pytest.mark.django_db


def local_input(moment, user):
    return moment.astimezone(user.zone).strftime("%Y-%m-%dT%H:%M")


def test_owner_adds_a_supporter_with_kinds_of_support(owner_client, owner):
    response = owner_client.post(
        reverse("supports:supporter_create"),
        {
            "name": "Marcus",
            "relationship": "sponsor",
            "closeness": "1",
            "influence": "supportive",
            "gives_accountability": "on",
            "gives_crisis": "on",
            "phone": "+1 555 0100",
            "preferred_channel": "phone",
            "online_via": "phone",
            "contact_every_days": "7",
        },
    )
    supporter = Supporter.objects.get(owner=owner)
    assert response.status_code == 302
    assert response["Location"] == reverse("supports:supporter_detail", args=[supporter.pk])
    assert supporter.gives_crisis and supporter.gives_accountability and not supporter.gives_emotional
    assert supporter.contact_every_days == 7 and supporter.contact_due_at is not None
    page = owner_client.get(response["Location"])
    assert b"Marcus is in your network." in page.content
    assert b"Crisis" in page.content and b'href="tel:+1 555 0100"' in page.content


def test_supporter_form_explains_missing_answers(owner_client, owner):
    response = owner_client.post(reverse("supports:supporter_create"), {"name": "", "relationship": "astronaut"})
    assert response.status_code == 400
    assert b"Please check the highlighted answers" in response.content
    assert b"This field is required" in response.content
    assert b"Select a valid choice" in response.content
    assert not Supporter.objects.exists()


def test_relationship_choices_are_grouped_personal_and_professional(owner_client):
    response = owner_client.get(reverse("supports:supporter_create"))
    assert b'<optgroup label="Personal">' in response.content
    assert b'<optgroup label="Professional">' in response.content


def test_owner_edits_a_supporter(owner_client, owner):
    supporter = SupporterFactory(owner=owner, name="Pat")
    response = owner_client.post(
        reverse("supports:supporter_edit", args=[supporter.pk]),
        {"name": "Pat R.", "relationship": "therapist", "closeness": "2", "influence": "supportive"},
    )
    assert response.status_code == 302
    supporter.refresh_from_db()
    assert supporter.name == "Pat R." and supporter.is_professional


def test_owner_logs_a_contact_from_the_supporter_page(owner_client, owner):
    supporter = SupporterFactory(owner=owner, contact_every_days=7, created_at=timezone.now() - dt.timedelta(days=30))
    assert supporter.is_overdue()
    when = timezone.now() - dt.timedelta(hours=2)
    response = owner_client.post(
        reverse("supports:supporter_contact_create", args=[supporter.pk]),
        {"happened_at": local_input(when, owner), "channel": "video", "helpfulness": "4", "note": "Felt heard"},
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.owner == owner and contact.channel == "video" and contact.helpfulness == 4
    # The form's local time (America/Chicago) is stored as the right UTC moment.
    assert abs(contact.happened_at - when) < dt.timedelta(minutes=1)
    supporter.refresh_from_db()
    assert not supporter.is_overdue()
    page = owner_client.get(reverse("supports:supporter_detail", args=[supporter.pk]))
    assert b"Felt heard" in page.content and b"Very helpful" in page.content


def test_contact_form_defaults_to_now_in_the_owners_zone(owner_client, owner):
    supporter = SupporterFactory(owner=owner)
    response = owner_client.get(reverse("supports:supporter_detail", args=[supporter.pk]))
    local_now = timezone.now().astimezone(owner.zone)
    assert f'value="{local_now:%Y-%m-%dT%H}'.encode() in response.content


def test_quick_log_picks_who_from_the_owners_active_supporters(owner_client, owner):
    SupporterFactory(owner=owner, name="Archived Al").archive()
    priya = SupporterFactory(owner=owner, name="Priya")
    form = owner_client.get(reverse("supports:contact_create"))
    assert b"Priya" in form.content and b"Archived Al" not in form.content
    response = owner_client.post(
        reverse("supports:contact_create"),
        {"supporter": priya.pk, "happened_at": local_input(timezone.now(), owner), "channel": "text"},
    )
    assert response.status_code == 302
    assert Contact.objects.get().supporter == priya


def test_quick_log_without_anyone_in_the_network_suggests_adding_someone(owner_client):
    response = owner_client.get(reverse("supports:contact_create"))
    assert b"Add someone to your network first" in response.content


def test_contact_in_the_future_is_refused_with_a_plain_message(owner_client, owner):
    supporter = SupporterFactory(owner=owner)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    response = owner_client.post(
        reverse("supports:supporter_contact_create", args=[supporter.pk]),
        {"happened_at": local_input(tomorrow, owner), "channel": "phone", "note": "Keep this note"},
    )
    assert response.status_code == 400
    assert b"That time is in the future" in response.content
    assert b"Keep this note" in response.content  # nothing the person typed is lost
    assert not Contact.objects.exists()


def test_contact_with_a_nonsense_time_is_refused(owner_client, owner):
    supporter = SupporterFactory(owner=owner)
    response = owner_client.post(
        reverse("supports:supporter_contact_create", args=[supporter.pk]),
        {"happened_at": "yesterday-ish", "channel": "phone"},
    )
    assert response.status_code == 400
    assert b"Enter a valid date/time" in response.content


def test_removing_a_contact_asks_first_then_keeps_the_rest(owner_client, owner):
    supporter = SupporterFactory(owner=owner)
    keep = ContactFactory(supporter=supporter, happened_at=timezone.now() - dt.timedelta(days=3))
    mistake = ContactFactory(supporter=supporter)
    confirm = owner_client.get(reverse("supports:contact_delete", args=[mistake.pk]))
    assert b"Remove this contact?" in confirm.content
    assert Contact.objects.count() == 2
    response = owner_client.post(reverse("supports:contact_delete", args=[mistake.pk]))
    assert response.status_code == 302
    assert list(Contact.objects.all()) == [keep]
    supporter.refresh_from_db()
    assert supporter.last_contact_at == keep.happened_at


def test_archive_and_restore_keep_history(owner_client, owner):
    supporter = SupporterFactory(owner=owner, name="Tom")
    ContactFactory(supporter=supporter)
    assert owner_client.get(reverse("supports:supporter_archive", args=[supporter.pk])).status_code == 405
    owner_client.post(reverse("supports:supporter_archive", args=[supporter.pk]))
    supporter.refresh_from_db()
    assert supporter.is_archived and supporter.contacts.count() == 1
    index = owner_client.get(reverse("supports:index"))
    assert b"Tom" not in index.content.split(b"People (")[1]
    archived = owner_client.get(reverse("supports:supporter_archived"))
    assert b"Tom" in archived.content
    owner_client.post(reverse("supports:supporter_restore", args=[supporter.pk]))
    supporter.refresh_from_db()
    assert not supporter.is_archived


def test_there_is_no_way_to_hard_delete_a_supporter(owner_client, owner):
    supporter = SupporterFactory(owner=owner)
    response = owner_client.get(reverse("supports:supporter_detail", args=[supporter.pk]))
    assert b"Delete" not in response.content
    assert b"Archive" in response.content


def test_index_lists_overdue_people_first(owner_client, owner):
    SupporterFactory(owner=owner, name="Ontime", contact_every_days=30)
    SupporterFactory(owner=owner, name="Latecomer", contact_every_days=3, created_at=timezone.now() - dt.timedelta(10))
    response = owner_client.get(reverse("supports:index"))
    reach_out = response.content.split(b"Time to reach out")[1].split(b"</section>")[0]
    assert b"Latecomer" in reach_out and b"Ontime" not in reach_out


# Groups


def group_post(**overrides):
    data = {
        "name": "Thursday Step Study",
        "fellowship": "na",
        "format": "in_person",
        "time_zone": "America/New_York",
        "address": "12 Oak St",
        "times-TOTAL_FORMS": "2",
        "times-INITIAL_FORMS": "0",
        "times-MIN_NUM_FORMS": "0",
        "times-MAX_NUM_FORMS": "21",
        "times-0-weekday": "3",
        "times-0-start_time": "19:00",
        "times-0-end_time": "20:00",
        "times-1-weekday": "",
        "times-1-start_time": "",
        "times-1-end_time": "",
    }
    data.update(overrides)
    return data


def test_owner_adds_a_group_with_weekly_times_in_its_own_zone(owner_client, owner):
    response = owner_client.post(reverse("supports:group_create"), group_post(is_home_group="on"))
    group = PeerGroup.objects.get(owner=owner)
    assert response.status_code == 302
    assert group.time_zone == "America/New_York" and group.is_home_group
    assert [(slot.weekday, slot.start_time) for slot in group.meeting_times.all()] == [(3, dt.time(19))]
    page = owner_client.get(reverse("supports:group_detail", args=[group.pk]))
    assert b"Thursday 7:00 PM" in page.content
    # The owner lives in Chicago: the page also says when that is for them.
    assert b"your time" in page.content and b"18:00" in page.content


def test_online_group_needs_its_link_and_in_person_its_address(owner_client):
    response = owner_client.post(reverse("supports:group_create"), group_post(format="hybrid", address=""))
    assert response.status_code == 400
    assert b"needs its video link" in response.content
    assert b"needs an address" in response.content
    assert not PeerGroup.objects.exists()


def test_a_post_claiming_more_times_than_a_group_can_have_is_refused_whole(owner_client):
    """The formset builds as many forms as the post claims, up to its absolute_max: not a thousand."""
    for total in ("22", "99999999999999999999999"):
        response = owner_client.post(reverse("supports:group_create"), group_post(**{"times-TOTAL_FORMS": total}))
        assert response.status_code == 400
        assert b"Please submit at most 21 forms." in response.content
        assert response.content.count(b'name="times-') < 22 * 5
    assert not PeerGroup.objects.exists()


def test_group_time_needs_a_start(owner_client):
    response = owner_client.post(
        reverse("supports:group_create"), group_post(**{"times-0-start_time": "", "times-0-weekday": "2"})
    )
    assert response.status_code == 400
    assert not PeerGroup.objects.exists()


def test_owner_edits_group_times_and_removes_one(owner_client, owner):
    group = PeerGroupFactory(owner=owner)
    slot = MeetingTime.objects.create(group=group, weekday=1, start_time=dt.time(12))
    data = group_post(
        name=group.name,
        **{
            "times-TOTAL_FORMS": "2",
            "times-INITIAL_FORMS": "1",
            "times-0-id": str(slot.pk),
            "times-0-weekday": "1",
            "times-0-start_time": "12:00",
            "times-0-DELETE": "on",
            "times-1-weekday": "5",
            "times-1-start_time": "09:30",
        },
    )
    response = owner_client.post(reverse("supports:group_edit", args=[group.pk]), data)
    assert response.status_code == 302
    assert [(s.weekday, s.start_time) for s in group.meeting_times.all()] == [(5, dt.time(9, 30))]


def test_owner_logs_attendance_for_their_local_day(owner_client, owner):
    group = PeerGroupFactory(owner=owner)
    today = owner.local_today()
    response = owner_client.post(reverse("supports:group_attend", args=[group.pk]), {"attended_on": today.isoformat()})
    assert response.status_code == 302
    again = owner_client.post(
        reverse("supports:group_attend", args=[group.pk]), {"attended_on": today.isoformat()}, follow=True
    )
    assert b"was already in your log" in again.content
    assert Attendance.objects.get().attended_on == today


def test_attendance_in_the_future_is_refused(owner_client, owner):
    group = PeerGroupFactory(owner=owner)
    tomorrow = owner.local_today() + dt.timedelta(days=1)
    response = owner_client.post(
        reverse("supports:group_attend", args=[group.pk]), {"attended_on": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert "hasn't come yet" in html.unescape(response.content.decode())
    assert not Attendance.objects.exists()


def test_group_list_shows_counts_and_streak(owner_client, owner):
    group = PeerGroupFactory(owner=owner, name="Daily Reflections")
    today = owner.local_today()
    for days_back in range(3):
        AttendanceFactory(group=group, attended_on=today - dt.timedelta(days=days_back))
    response = owner_client.get(reverse("supports:group_list"))
    assert b"3 meetings on 3 days" in response.content
    assert b"3 days in a row" in response.content


def test_archived_group_keeps_attendance_and_can_be_restored(owner_client, owner):
    group = PeerGroupFactory(owner=owner, name="Old group")
    AttendanceFactory(group=group)
    owner_client.post(reverse("supports:group_archive", args=[group.pk]))
    group.refresh_from_db()
    assert group.is_archived and group.attendances.count() == 1
    owner_client.post(reverse("supports:group_restore", args=[group.pk]))
    group.refresh_from_db()
    assert not group.is_archived


# Meetings


def test_meeting_search_by_name_day_and_format(owner_client):
    MeetingFactory(name="Sunrise Serenity", weekdays=",0,3,", format="in_person")
    MeetingFactory(name="Night Owls", weekdays=",0,1,2,3,4,5,6,", format="online", address="")
    MeetingFactory(name="Sunday Speaker", weekdays=",6,", format="in_person", region="West Side")
    url = reverse("supports:meeting_list")
    assert b"3 meetings" in owner_client.get(url).content
    by_name = owner_client.get(url, {"q": "serenity"}).content
    assert b"Sunrise Serenity" in by_name and b"Night Owls" not in by_name
    thursday = owner_client.get(url, {"day": "3"}).content
    assert b"Sunrise Serenity" in thursday and b"Night Owls" in thursday and b"Sunday Speaker" not in thursday
    online = owner_client.get(url, {"format": "online"}).content
    assert b"Night Owls" in online and b"Sunrise Serenity" not in online
    by_region = owner_client.get(url, {"q": "west side"}).content
    assert b"Sunday Speaker" in by_region and b"1 meeting<" in by_region


def test_meeting_search_ignores_a_bad_day(owner_client):
    MeetingFactory(name="Anything")
    response = owner_client.get(reverse("supports:meeting_list"), {"day": "funday"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content


def test_meeting_list_pages(owner_client):
    for number in range(30):
        MeetingFactory(name=f"Meeting {number:02d}")
    first = owner_client.get(reverse("supports:meeting_list"), {"q": "Meeting"})
    assert b"Page 1 of 2" in first.content and b"q=Meeting&amp;page=2" in first.content
    second = owner_client.get(reverse("supports:meeting_list"), {"q": "Meeting", "page": "2"})
    assert b"Meeting 29" in second.content


def test_owner_joins_a_meeting_as_a_group(owner_client, owner):
    meeting = MeetingFactory(name="Sunrise Serenity", weekdays=",0,3,", start_time=dt.time(7))
    response = owner_client.post(reverse("supports:meeting_join", args=[meeting.pk]))
    group = PeerGroup.objects.get(owner=owner)
    assert response["Location"] == reverse("supports:group_detail", args=[group.pk])
    assert group.meeting_times.count() == 2
    listing = owner_client.get(reverse("supports:meeting_list"))
    assert b"You've joined this group." in listing.content
    owner_client.post(reverse("supports:meeting_join", args=[meeting.pk]))
    assert PeerGroup.objects.filter(owner=owner).count() == 1


def test_joining_requires_post(owner_client):
    meeting = MeetingFactory()
    assert owner_client.get(reverse("supports:meeting_join", args=[meeting.pk])).status_code == 405


# Community


def test_owner_logs_edits_and_removes_a_community_activity(owner_client, owner):
    response = owner_client.post(
        reverse("supports:community_list"),
        {"kind": "advocacy", "title": "Spoke at city council", "happened_on": "2026-05-01", "hours": "1.5"},
    )
    assert response.status_code == 302
    activity = CommunityActivity.objects.get(owner=owner)
    assert activity.hours == pytest.approx(1.5)
    page = owner_client.get(reverse("supports:community_list"))
    assert b"Spoke at city council" in page.content and b"1.5 hours in all" in page.content
    owner_client.post(
        reverse("supports:community_edit", args=[activity.pk]),
        {
            "kind": "advocacy",
            "title": "Spoke at council",
            "happened_on": "2026-05-01",
            "hours": "2",
            "online_via": "video",
        },
    )
    activity.refresh_from_db()
    assert activity.title == "Spoke at council" and activity.online_via == "video"
    owner_client.post(reverse("supports:community_delete", args=[activity.pk]))
    assert not CommunityActivity.objects.exists()


def test_community_hours_must_be_sensible(owner_client):
    response = owner_client.post(
        reverse("supports:community_list"),
        {"kind": "volunteering", "title": "Marathon", "happened_on": "2026-05-01", "hours": "30"},
    )
    assert response.status_code == 400
    assert b"between a quarter of an hour and 24" in response.content
    assert b"Marathon" in response.content


def test_community_delete_asks_first(owner_client, owner):
    activity = CommunityActivityFactory(owner=owner)
    response = owner_client.get(reverse("supports:community_delete", args=[activity.pk]))
    assert b"Remove Food bank shift?" in response.content
    assert CommunityActivity.objects.exists()


# Snapshots


def test_owner_saves_a_snapshot_and_sees_change_since(owner_client, owner):
    owner_client.post(reverse("supports:snapshot_create"), {"note": "Week one"})
    snapshot = NetworkSnapshot.objects.get(owner=owner)
    assert snapshot.summary["supporters"] == 0 and snapshot.note == "Week one"
    assert snapshot.taken_on == owner.local_today()
    SupporterFactory(owner=owner, gives_crisis=True, gives_emotional=False)
    SupporterFactory(owner=owner, gives_crisis=True, gives_emotional=False)
    response = owner_client.get(reverse("supports:gaps"))
    assert b"You had no one for crisis support; now you have two people." in response.content
    assert b"Week one" in response.content


def test_snapshot_note_too_long_is_refused_not_truncated(owner_client):
    response = owner_client.post(reverse("supports:snapshot_create"), {"note": "x" * 300}, follow=True)
    assert b"Keep the note to 200 characters" in response.content
    assert not NetworkSnapshot.objects.exists()


# Lists that grow with a person's network come a page at a time


def test_the_network_lists_people_a_page_at_a_time_closest_first(owner, owner_client):
    from supports.views import PEOPLE_PER_PAGE

    for index in range(PEOPLE_PER_PAGE + 5):
        SupporterFactory(owner=owner, name=f"Person {index:02d}", closeness=1 if index < 3 else 3)
    first = owner_client.get(reverse("supports:index"))
    assert first.status_code == 200 and len(first.context["page"].object_list) == PEOPLE_PER_PAGE
    body = first.content.decode()
    assert f"People ({PEOPLE_PER_PAGE + 5})" in body and "Person 00" in body and "Page 1 of 2" in body
    second = owner_client.get(reverse("supports:index"), {"page": 2}).context["page"]
    assert len(second.object_list) == 5


def test_the_network_finds_people_by_name_and_keeps_the_search_across_pages(owner, owner_client):
    for index in range(30):
        SupporterFactory(owner=owner, name=f"Rivera {index:02d}")
    SupporterFactory(owner=owner, name="Marisol Vega")
    response = owner_client.get(reverse("supports:index"), {"q": "rivera"})
    body = response.content.decode()
    assert "People (30 named “rivera”)" in body and "Marisol" not in body
    assert "?q=rivera&amp;page=2" in body
    nobody = owner_client.get(reverse("supports:index"), {"q": "zed"}).content.decode()
    assert "No one in your network is named “zed”." in nobody


def test_the_network_names_a_few_overdue_people_the_longest_overdue_first(owner, owner_client):
    from supports.views import OVERDUE_SHOWN

    now = timezone.now()
    for index in range(OVERDUE_SHOWN + 3):
        late = SupporterFactory(owner=owner, name=f"Late {index:02d}", contact_every_days=7)
        Supporter.objects.filter(pk=late.pk).update(contact_due_at=now - dt.timedelta(days=index + 1))
    response = owner_client.get(reverse("supports:index"))
    overdue = [person.name for person in response.context["overdue"]]
    assert len(overdue) == OVERDUE_SHOWN and overdue[0] == f"Late {OVERDUE_SHOWN + 2:02d}"
    assert response.context["more_overdue"]


def test_archived_supporters_and_groups_come_a_page_at_a_time(owner, owner_client):
    from supports.views import PAGE_SIZE

    for index in range(PAGE_SIZE + 2):
        SupporterFactory(owner=owner, name=f"Old {index:02d}", archived_at=timezone.now())
        PeerGroupFactory(owner=owner, name=f"Group {index:02d}")
    archived = owner_client.get(reverse("supports:supporter_archived")).context["page"]
    assert len(archived.object_list) == PAGE_SIZE and archived.paginator.count == PAGE_SIZE + 2
    groups = owner_client.get(reverse("supports:group_list")).context["page"]
    assert len(groups.object_list) == PAGE_SIZE and groups.paginator.count == PAGE_SIZE + 2
