"""Demo data for the support network (see recovery_network/demo.py).

Alex, the demo owner, has a network with a story: a family member and a
sponsor in the inner circle, a counselor, an old friend archived and one risky
tie, a home group joined from the sample meeting list, three months of
meetings, and a snapshot from three months ago when no one was there for
crisis support. Both functions are idempotent: rows are found by their natural
keys and only what is missing is added.
"""

import datetime as dt
from pathlib import Path

from django.conf import settings

from recovery_network.demo import chunks, insert_rows

from .feeds import FeedError, import_feed, read_source
from .models import (
    SUPPORT_KIND_FIELDS,
    ActivityKind,
    Attendance,
    Channel,
    Closeness,
    CommunityActivity,
    Contact,
    Fellowship,
    Influence,
    Meeting,
    MeetingFormat,
    MeetingTime,
    NetworkSnapshot,
    PeerGroup,
    Relationship,
    Supporter,
)
from .network import network_summary
from .services import join_meeting

SAMPLE_FEED = Path(settings.BASE_DIR).parent / "shared" / "data" / "meeting-guide-sample.json"
# Fictional meetings kept in the repository, so a clean clone's "Find a meeting" has meetings to find; written the
# loose ways real feeds are ("7:30 PM", "Tue", by appointment), which the import reads.
DEMO_FEED = Path(__file__).resolve().parent / "fixtures" / "demo-meetings.json"

CAST_SUPPORTERS = [
    # name, relationship, closeness, influence, kinds, every, days since last contact
    ("Sam", Relationship.FAMILY, Closeness.INNER, Influence.SUPPORTIVE, ["emotional", "practical", "crisis"], 3, 1),
    (
        "Marcus",
        Relationship.SPONSOR,
        Closeness.INNER,
        Influence.SUPPORTIVE,
        ["accountability", "advice", "crisis"],
        3,
        9,
    ),
    ("Dana Rivera", Relationship.COUNSELOR, Closeness.CLOSE, Influence.SUPPORTIVE, ["advice", "emotional"], 14, 6),
    ("Priya", Relationship.FRIEND, Closeness.CLOSE, Influence.SUPPORTIVE, ["companionship", "emotional"], 7, 4),
    ("Luis", Relationship.COWORKER, Closeness.WIDER, Influence.NEUTRAL, ["practical"], 30, 12),
    ("Pastor Ruth", Relationship.FAITH_LEADER, Closeness.WIDER, Influence.SUPPORTIVE, ["emotional", "advice"], 30, 20),
    ("Jesse", Relationship.FRIEND, Closeness.WIDER, Influence.RISK, [], None, None),
]
# Numbers from the range kept for fiction (555-0100 to 555-0199): the offline page and "call" links have one to show.
CAST_PHONES = {"Sam": "555-0101", "Marcus": "555-0102", "Dana Rivera": "555-0103", "Priya": "555-0104"}
ARCHIVED_SUPPORTER = ("Tom", Relationship.FRIEND, Closeness.CLOSE, Influence.SUPPORTIVE, ["companionship"], None, None)


def _kinds(names):
    return {field: field.removeprefix("gives_") in names for field in SUPPORT_KIND_FIELDS}


def ensure_directory_meetings():
    """Fill an empty shared directory: from the sample Meeting Guide feed beside the repository when it is there,
    else from the demo feed kept in it."""
    if Meeting.objects.filter(owner__isnull=True).exists():
        return
    feed = SAMPLE_FEED if SAMPLE_FEED.exists() else DEMO_FEED
    try:
        import_feed(read_source(str(feed)), owner=None, fellowship=Fellowship.AA)
    except FeedError:
        return


def _ensure_supporter(owner, row, now, archived=False):
    name, relationship, closeness, influence, kinds, every, days_ago = row
    supporter, created = Supporter.objects.get_or_create(
        owner=owner,
        name=name,
        defaults={
            "relationship": relationship,
            "closeness": closeness,
            "influence": influence,
            "contact_every_days": every,
            "preferred_channel": Channel.PHONE,
            "phone": CAST_PHONES.get(name, ""),
            "created_at": now - dt.timedelta(days=200),
            **_kinds(kinds),
        },
    )
    if created and days_ago is not None:
        for weeks_back in range(0, 12):
            moment = now - dt.timedelta(days=days_ago + weeks_back * (every or 7), hours=weeks_back % 5)
            Contact.objects.create(
                owner=owner,
                supporter=supporter,
                happened_at=moment,
                channel=[Channel.PHONE, Channel.IN_PERSON, Channel.TEXT, Channel.VIDEO][weeks_back % 4],
                helpfulness=3 + weeks_back % 2,
            )
        supporter.refresh_contact_state()
    if archived and supporter.archived_at is None:
        supporter.archive(now - dt.timedelta(days=300))
    return supporter


def seed_cast(cast, now):
    owner = cast["owner"]
    ensure_directory_meetings()
    people = {row[0]: _ensure_supporter(owner, row, now) for row in CAST_SUPPORTERS}
    _ensure_supporter(owner, ARCHIVED_SUPPORTER, now, archived=True)
    # Sam and Dana are also the family and counselor demo accounts.
    Supporter.objects.filter(pk=people["Sam"].pk, linked_user__isnull=True).update(linked_user=cast["family"])
    Supporter.objects.filter(pk=people["Dana Rivera"].pk, linked_user__isnull=True).update(
        linked_user=cast["counselor"]
    )
    group = _ensure_home_group(owner)
    PeerGroup.objects.filter(pk=group.pk).update(is_home_group=True, sponsor=people["Marcus"])
    online = _ensure_online_group(owner)
    local_today = owner.local_today(now)
    _seed_attendance(owner, group, online, local_today)
    _ensure_community_activities(owner, local_today)
    if not NetworkSnapshot.objects.for_owner(owner).exists():
        _take_starting_snapshot(owner, now)


def _ensure_home_group(owner):
    """The home group: joined from the sample meeting list, or made by hand when the list isn't there."""
    home = Meeting.objects.filter(owner__isnull=True, slug="sunrise-serenity-mon").first()
    if home:
        group, _ = join_meeting(owner, home)
        return group
    group, created = PeerGroup.objects.get_or_create(
        owner=owner,
        name="Sunrise Serenity",
        defaults={
            "fellowship": Fellowship.AA,
            "format": MeetingFormat.IN_PERSON,
            "time_zone": "America/Chicago",
            "address": "214 Elm St, Springfield, IL",
        },
    )
    if created:
        MeetingTime.objects.create(group=group, weekday=0, start_time=dt.time(7), end_time=dt.time(8))
    return group


def _ensure_online_group(owner):
    """The online SMART Recovery group, meeting on Tuesday evenings."""
    online, _ = PeerGroup.objects.get_or_create(
        owner=owner,
        name="SMART Recovery Online",
        defaults={
            "fellowship": Fellowship.SMART,
            "format": MeetingFormat.ONLINE,
            "time_zone": "America/New_York",
            "online_url": "https://meetings.example.org/smart-tuesday",
            "online_via": "video",
        },
    )
    if not online.meeting_times.exists():
        MeetingTime.objects.create(group=online, weekday=1, start_time=dt.time(19), end_time=dt.time(20, 30))
    return online


def _seed_attendance(owner, group, online, local_today):
    """About three months of meetings, mostly at the home group, with a few weeks missed."""
    visits = [
        Attendance(owner=owner, group=group if offset % 3 else online, attended_on=local_today - dt.timedelta(days=d))
        for offset, d in enumerate(range(1, 75))
        if d < 20 or d % 7 != 3
    ]
    Attendance.objects.bulk_create(visits, ignore_conflicts=True)


def _ensure_community_activities(owner, local_today):
    for kind, title, days_ago, hours in [
        (ActivityKind.VOLUNTEERING, "Food bank shift", 10, 3),
        (ActivityKind.AWARENESS, "Recovery Month walk", 60, 2),
        (ActivityKind.SERVICE, "Made coffee for the home group", 3, 1),
    ]:
        CommunityActivity.objects.get_or_create(
            owner=owner,
            title=title,
            defaults={"kind": kind, "happened_on": local_today - dt.timedelta(days=days_ago), "hours": hours},
        )


def _take_starting_snapshot(owner, now):
    """A snapshot from three months ago: before Sam and Marcus were there for crisis support."""
    then = now - dt.timedelta(days=91)
    summary = network_summary(owner, now).as_dict()
    summary["kinds"]["gives_crisis"] = 0
    summary["supporters"] -= 2
    summary["personal"] -= 2
    summary["inner"] -= 2
    summary["supportive"] -= 2
    summary["peer_groups"] -= 1
    NetworkSnapshot.objects.create(
        owner=owner, taken_at=then, taken_on=owner.local_today(then), summary=summary, note="Start of treatment"
    )


SCALE_FIRST_NAMES = ["Ana", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kit", "Lea", "Max", "Nia"]
SCALE_RELATIONSHIPS = list(Relationship)
# person000100 (at --scale 100 or more) is the long-haul case the pages must
# stay fast for: 500 supporters and five years of history.
LARGEST_NETWORK_INDEX = 99
LARGEST_NETWORK_SIZE = 500
SCALE_CHUNK = 1000  # people per round of inserts, so memory stays flat at any --scale


def network_size(index, rng):
    if index == LARGEST_NETWORK_INDEX:
        return LARGEST_NETWORK_SIZE
    return 150 if index % 50 == 0 else rng.randint(10, 60)


def seed_scale(people, rng, now):
    """A varied network for each load-test person, in bulk.

    10–60 supporters with one to four logged contacts each, one to three peer
    groups with up to a year of attendance; one in 50 has 150 supporters and
    person000100 has 500 (recovery_network/care/demo_data.py adds their circles).
    """
    have = set(Supporter.objects.filter(owner__in=people).values_list("owner_id", flat=True).distinct())
    todo = [(index, person) for index, person in enumerate(people) if person.pk not in have]
    for chunk in chunks(todo, SCALE_CHUNK):
        _seed_networks(chunk, rng, now)


def _seed_networks(chunk, rng, now):
    supporters, contact_times = [], []
    groups, times, attendances = [], [], []
    for index, person in chunk:
        for number in range(network_size(index, rng)):
            every = rng.choice([None, 3, 7, 14, 30])
            last = now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
            supporter = Supporter(
                owner=person,
                name=f"{rng.choice(SCALE_FIRST_NAMES)} {number + 1}",
                relationship=rng.choice(SCALE_RELATIONSHIPS),
                closeness=rng.choice([1, 2, 2, 3, 3, 3]),
                influence=rng.choice([Influence.SUPPORTIVE] * 6 + [Influence.NEUTRAL, Influence.RISK]),
                contact_every_days=every,
                last_contact_at=last,
                contact_due_at=last + dt.timedelta(days=every) if every else None,
                created_at=now - dt.timedelta(days=400),
                **{field: rng.random() < 0.35 for field in SUPPORT_KIND_FIELDS},
            )
            supporters.append(supporter)
            contact_times.append(
                [last] + [last - dt.timedelta(days=rng.randint(1, 365)) for _ in range(rng.randint(0, 3))]
            )
        for number in range(rng.randint(1, 3)):
            group = PeerGroup(
                owner=person,
                name=f"{rng.choice(['Serenity', 'Hope', 'Daybreak', 'Harbor'])} group {number + 1}",
                fellowship=rng.choice([Fellowship.AA, Fellowship.NA, Fellowship.SMART, Fellowship.DHARMA]),
                format=MeetingFormat.IN_PERSON,
                time_zone=person.time_zone,
                address="Community hall",
                is_home_group=number == 0,
            )
            groups.append(group)
    Supporter.objects.bulk_create(supporters, batch_size=5000)
    insert_rows(
        Contact,
        [
            Contact(owner_id=supporter.owner_id, supporter=supporter, happened_at=at, channel=Channel.PHONE)
            for supporter, moments in zip(supporters, contact_times, strict=True)
            for at in moments
        ],
    )
    PeerGroup.objects.bulk_create(groups, batch_size=5000)
    for group in groups:
        times.append(MeetingTime(group=group, weekday=rng.randint(0, 6), start_time=dt.time(rng.choice([7, 12, 19]))))
        local_today = group.owner.local_today(now)
        for days_back in rng.sample(range(1, 366), rng.randint(0, 100)):
            attendances.append(
                Attendance(owner_id=group.owner_id, group=group, attended_on=local_today - dt.timedelta(days=days_back))
            )
    MeetingTime.objects.bulk_create(times, batch_size=5000)
    insert_rows(Attendance, attendances)
