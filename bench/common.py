"""What the bench scripts and tests/perf share: Django setup, a world of a given size, the signed-in pages, tables.

A *world* is one owner with `size` units of everything a page may list — supporters
with their contacts, groups with attendance, check-ins, setbacks, goals,
encouragements, recommendations, notifications — plus a family viewer holding every
scope and a counselor (two-factor on) whose caseload grows with `size` too. Two
worlds of sizes 1 and 10 have the same shape, so a page that costs more queries in
the second one has a query inside a loop.
"""

import contextlib
import datetime as dt
import functools
import os
import platform
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django():
    """Make the repository importable and configure Django from the environment (DATABASE_URL, …)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recovery_network.settings")
    import django

    django.setup()


def migrate():
    """Bring the bench's database up to date, as dispatch_bench.py does."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


@dataclass
class World:
    """One person with the family viewer and counselor who see them, and the ids their pages' URLs name."""

    size: int | None  # None for a person of a seeded database
    owner: object
    family: object = None
    counselor: object = None
    supporter_id: int | None = None
    group_id: int | None = None
    journey_id: int | None = None
    consent_id: int | None = None
    checkin_day: str | None = None
    alert_id: int | None = None
    review_id: int | None = None  # a finished network review: its "what changed" page
    open_review_id: int | None = None  # a network review in progress: its steps
    lesson_slug: str = "supportive-or-enabling"  # a lesson of the family course (one with examples to sort)


def world_of(owner, family=None, counselor=None):
    """A seeded person's World: for each page whose URL names an object, one of the owner's own
    (an active supporter and group, a journey, their consent to this counselor, their last check-in's day)."""
    from milestones.models import CheckIn, Journey
    from recovery_network.care.models import Consent
    from recovery_network.reach.models import Alert
    from recovery_network.review.models import NetworkReview
    from supports.models import PeerGroup, Supporter

    reviews = NetworkReview.objects.for_owner(owner)
    finished_review = reviews.finished().values_list("pk", flat=True).first()
    last_checkin = CheckIn.objects.for_owner(owner).order_by("-local_date").values_list("local_date", flat=True)
    consents = Consent.objects.for_owner(owner).unrevoked()
    if counselor is not None:
        consents = consents.filter(counselor=counselor)
    return World(
        size=None,
        owner=owner,
        family=family,
        counselor=counselor,
        supporter_id=Supporter.objects.for_owner(owner).active().order_by("pk").values_list("pk", flat=True).first(),
        group_id=PeerGroup.objects.for_owner(owner).active().order_by("pk").values_list("pk", flat=True).first(),
        journey_id=Journey.objects.for_owner(owner).order_by("pk").values_list("pk", flat=True).first(),
        consent_id=consents.order_by("pk").values_list("pk", flat=True).first(),
        checkin_day=day.isoformat() if (day := last_checkin.first()) else None,
        alert_id=Alert.objects.for_owner(owner).order_by("-pk").values_list("pk", flat=True).first(),
        review_id=finished_review,
        # A seeded person may have no review under way: a finished one's steps then answer with a redirect.
        open_review_id=reviews.open().values_list("pk", flat=True).first() or finished_review,
    )


def _build_reviews(owner, supporters, groups, today, now):
    """Two finished network reviews (about three months apart, each with its snapshot; at the second, every other
    supporter moved a circle closer), then one under way. The ids of the second and of the one under way."""
    from recovery_network.review.models import GroupReview, NetworkReview, SupporterReview
    from recovery_network.review.services import begin_review
    from supports.services import save_snapshot

    reviews = []
    for days_ago in (95, 3):
        at, day = now - dt.timedelta(days=days_ago), today - dt.timedelta(days=days_ago)
        snapshot = save_snapshot(owner, now=at)
        reviews.append(NetworkReview.objects.create(owner=owner, started_at=at, started_on=day, finished_at=at,
                                                    finished_on=day, snapshot=snapshot))  # fmt: skip
    first, second = reviews
    SupporterReview.objects.bulk_create(
        SupporterReview(review=review, supporter=supporter, name=supporter.name,
                        closeness_before=supporter.closeness, influence_before=supporter.influence,
                        closeness_after=max(1, supporter.closeness - n % 2) if review is second else None)
        for review in reviews
        for n, supporter in enumerate(supporters)
    )  # fmt: skip
    GroupReview.objects.bulk_create(
        GroupReview(review=review, group=group, name=group.name, attended_in_window=4)
        for review in reviews
        for group in groups
    )
    return second.pk, begin_review(owner, now)[0].pk


def _build_signs(owner, watchers, clients, counselor, today, now, size):
    """Warning signs: the owner's family member and counselor are told of every sign, and size days of use were
    told to both (the owner's history; today's holds, for the family view and the client page); every client tells
    the counselor of use, and recorded one today (the caseload's marks)."""
    from recovery_network.care.models import SignEpisode, SignWatch
    from recovery_network.notifications.models import Delivery

    every = {"no_checkin": True, "craving": True, "use": True}
    SignWatch.objects.bulk_create(
        [SignWatch(owner=owner, watcher=watcher, **every) for watcher in watchers]
        + [SignWatch(owner=client, watcher=counselor, use=True) for client in clients]
    )
    days = [dt.timedelta(days=n) for n in range(size)]
    told = SignEpisode.objects.bulk_create(
        SignEpisode(owner=owner, sign="use", started_on=today - ago, opened_at=now - ago, ended_at=now - ago)
        for ago in days
    )
    SignEpisode.objects.bulk_create(
        SignEpisode(owner=client, sign="use", started_on=today, opened_at=now, ended_at=now) for client in clients
    )
    Delivery.objects.bulk_create(
        Delivery(recipient=watcher, kind="warning_sign", subject_id=episode.pk, occurrence=f"w{episode.pk}",
                 status="sent", in_app=True, sent_at=episode.opened_at, created_at=episode.opened_at)
        for episode in told
        for watcher in watchers
    )  # fmt: skip


def _build_alerts(owner, supporters, size, now):
    """2 × size people who agreed to be alerted, and 3 × size past calls for support, each told three of them,
    answered by one. The newest call's id for its page."""
    from recovery_network.reach.models import Alert, AlertAnswer, AlertContact, AlertSend, AlertWave

    contacts = AlertContact.objects.bulk_create(
        AlertContact(owner=owner, supporter=supporter, status="accepted", position=n, email=f"s{n}@bench.example.com")
        for n, supporter in enumerate(supporters[: 2 * size])
    )
    alerts = Alert.objects.bulk_create(
        Alert(owner=owner, words=f"Call {n}", status="answered", created_at=now - dt.timedelta(days=n + 1))
        for n in range(3 * size)
    )
    AlertWave.objects.bulk_create(AlertWave(alert=alert, number=1, size=3) for alert in alerts)
    AlertSend.objects.bulk_create(
        AlertSend(alert=alert, contact=contact, channel="email", status="sent", sent_at=alert.created_at)
        for alert in alerts
        for contact in contacts[:3]
    )
    AlertAnswer.objects.bulk_create(AlertAnswer(alert=alert, contact=contacts[0]) for alert in alerts)
    return alerts[0].pk


def build_world(size, now=None, tag=None):
    """One owner, family viewer and counselor with `size` units of history, in bulk inserts."""
    from allauth.mfa.models import Authenticator
    from django.utils import timezone

    from milestones.models import CheckIn, Encouragement, Journey, PersonalGoal, Setback
    from milestones.signals import refresh_has_journey
    from recovery_network.care.models import SCOPE_FIELDS, Consent, Grant, Recommendation
    from recovery_network.models import User
    from recovery_network.notifications.models import Notification
    from supports.models import SUPPORT_KIND_FIELDS, Attendance, Contact, MeetingTime, PeerGroup, Supporter

    now = now or timezone.now()
    tag = tag or uuid.uuid4().hex[:8]
    everything = dict.fromkeys(SCOPE_FIELDS, True)

    def person(role, zone="America/Chicago"):
        return User.objects.create(
            email=f"{role}-{tag}@bench.example.com",
            display_name=role.title(),
            time_zone=zone,
            password=bench_password_hash(),  # a usable password, as every account has: reauthentication needs one
        )

    owner, family, counselor = person("owner"), person("family"), person("counselor", "America/New_York")
    # The caseload and shared pages only need an authenticator row to exist.
    Authenticator.objects.create(user=counselor, type=Authenticator.Type.TOTP, data={"secret": "bench"})
    today = owner.local_today(now)

    supporters = []
    for number in range(8 * size):
        # The first is an overdue inner-circle supporter in every world, so the same gaps show at any size.
        every = [3, None, 7, 14][number % 4]
        last = now - dt.timedelta(days=10 + number % 20, hours=number % 7)
        supporters.append(
            Supporter(
                owner=owner,
                name=f"Supporter {number + 1}",
                relationship=["family", "friend", "sponsor", "counselor"][number % 4],
                closeness=1 + number % 3,
                influence=["supportive", "supportive", "neutral", "risk"][number % 4],
                contact_every_days=every,
                last_contact_at=last,
                contact_due_at=last + dt.timedelta(days=every) if every else None,
                **{field: (number + index) % 3 == 0 for index, field in enumerate(SUPPORT_KIND_FIELDS)},
                archived_at=now if number % 8 == 7 else None,
            )
        )
    Supporter.objects.bulk_create(supporters)
    Contact.objects.bulk_create(
        Contact(owner=owner, supporter=supporter, happened_at=supporter.last_contact_at - dt.timedelta(days=days))
        for supporter in supporters
        for days in (0, 9)
    )
    groups = PeerGroup.objects.bulk_create(
        PeerGroup(owner=owner, name=f"Group {n + 1}", fellowship="aa", time_zone=owner.time_zone, is_home_group=n == 0)
        for n in range(2 * size)
    )
    MeetingTime.objects.bulk_create(
        MeetingTime(group=group, weekday=n % 7, start_time=dt.time(19)) for n, group in enumerate(groups)
    )
    Attendance.objects.bulk_create(
        Attendance(owner=owner, group=group, attended_on=today - dt.timedelta(days=2 + 3 * n))
        for group in groups
        for n in range(5 * size)
    )
    history_days = 60 * size
    journey = Journey.objects.create(
        owner=owner,
        kind=Journey.Kind.choices[0][0],
        first_started_on=today - dt.timedelta(days=history_days + 30),
        started_on=today - dt.timedelta(days=20),
    )
    Setback.objects.bulk_create(
        Setback(
            owner=owner,
            journey=journey,
            happened_on=today - dt.timedelta(days=21 + 30 * n),
            restart_on=today - dt.timedelta(days=20 + 30 * n),
            previous_started_on=today - dt.timedelta(days=history_days + 30),
        )
        for n in range(size)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            owner=owner,
            local_date=today - dt.timedelta(days=d),
            sober=CheckIn.Sober.YES,
            mood=2 + d % 4,
            craving=d % 8,
            triggers=["stress"] if d % 8 > 4 else [],
            helped=["meeting"] if d % 3 == 0 else [],
        )
        for d in range(1, history_days + 1)
    )
    PersonalGoal.objects.bulk_create(
        PersonalGoal(owner=owner, journey=journey, title=f"Goal {n + 1}", days=100 * (n + 1)) for n in range(size)
    )
    Encouragement.objects.bulk_create(
        Encouragement(owner=owner, sender=family, from_name="Family", message="Proud of you", received_on=today)
        for _ in range(2 * size)
    )
    Recommendation.objects.bulk_create(
        Recommendation(owner=owner, counselor=counselor, counselor_name="Counselor", text=f"Step {n + 1}")
        for n in range(2 * size)
    )
    Notification.objects.bulk_create(
        Notification(recipient=owner, kind="checkin", title=f"Note {n + 1}", url="/", created_at=now)
        for n in range(5 * size)
    )
    Grant.objects.create(owner=owner, viewer=family, **everything)
    consent_fields = {
        "recipient_name": "Counselor",
        "organisation": "Bench Clinic",
        "purpose": "Treatment planning.",
        "signed_at": now,
        "expires_on": today + dt.timedelta(days=180),
        **everything,
    }
    consent = Consent.objects.create(owner=owner, counselor=counselor, signed_name="Owner", **consent_fields)
    clients = User.objects.bulk_create(
        User(email=f"client{n}-{tag}@bench.example.com", display_name=f"Client {n}", password="!")
        for n in range(4 * size)
    )
    Consent.objects.bulk_create(
        Consent(owner=client, counselor=counselor, signed_name=client.display_name, **consent_fields)
        for client in clients
    )
    client_journeys = Journey.objects.bulk_create(
        Journey(
            owner=client,
            kind=Journey.Kind.choices[0][0],
            first_started_on=today - dt.timedelta(days=90),
            started_on=today - dt.timedelta(days=90),
        )
        for client in clients
    )
    refresh_has_journey(client.pk for client in clients)
    CheckIn.objects.bulk_create(
        CheckIn(owner=client, local_date=today - dt.timedelta(days=d), sober=CheckIn.Sober.YES, mood=3, craving=d % 8)
        for client in clients
        for d in range(1, 10 * size + 1)
    )
    assert len(client_journeys) == len(clients)
    _build_signs(owner, (family, counselor), clients, counselor, today, now, size)
    review_id, open_review_id = _build_reviews(owner, supporters, groups, today, now)
    return World(
        size=size,
        owner=owner,
        family=family,
        counselor=counselor,
        supporter_id=supporters[0].pk,
        group_id=groups[0].pk,
        journey_id=journey.pk,
        consent_id=consent.pk,
        checkin_day=(today - dt.timedelta(days=1)).isoformat(),
        alert_id=_build_alerts(owner, supporters, size, now),
        review_id=review_id,
        open_review_id=open_review_id,
    )


@dataclass(frozen=True)
class Page:
    label: str
    role: str  # "owner", "family" or "counselor": whose session asks
    url_name: str
    arg: str = ""  # the World attribute passed as the URL's one argument
    scope: str = ""  # the scope a grant or consent must share for the page to open (else 404)

    def url(self, world):
        from django.urls import reverse

        if not self.arg:
            return reverse(self.url_name)
        value = world.owner.pk if self.arg == "owner" else getattr(world, self.arg)
        return reverse(self.url_name, args=[value])


# Every signed-in page a person reaches by GET (forms included), by role.
SIGNED_IN_PAGES = [
    Page("owner home", "owner", "home"),
    Page("profile", "owner", "profile"),
    Page("crisis help", "owner", "crisis"),
    Page("network", "owner", "supports:index"),
    Page("archived supporters", "owner", "supports:supporter_archived"),
    Page("supporter", "owner", "supports:supporter_detail", "supporter_id"),
    Page("supporter edit", "owner", "supports:supporter_edit", "supporter_id"),
    Page("new supporter", "owner", "supports:supporter_create"),
    Page("log a contact", "owner", "supports:contact_create"),
    Page("groups", "owner", "supports:group_list"),
    Page("new group", "owner", "supports:group_create"),
    Page("group", "owner", "supports:group_detail", "group_id"),
    Page("group edit", "owner", "supports:group_edit", "group_id"),
    Page("meetings", "owner", "supports:meeting_list"),
    Page("meeting import", "owner", "supports:meeting_import"),
    Page("community", "owner", "supports:community_list"),
    Page("support map", "owner", "supports:map"),
    Page("gaps", "owner", "supports:gaps"),
    Page("circle", "owner", "care:circle"),
    Page("invite", "owner", "care:invite"),
    Page("new consent", "owner", "care:consent_create"),
    Page("consent", "owner", "care:consent_detail", "consent_id"),
    Page("renew consent", "owner", "care:consent_renew", "consent_id"),
    Page("access log", "owner", "care:access_log"),
    Page("warning signs", "owner", "care:warning_signs"),
    Page("progress", "owner", "milestones:overview"),
    Page("check-in form", "owner", "milestones:checkin"),
    Page("check-in history", "owner", "milestones:checkins"),
    Page("check-in day", "owner", "milestones:checkin_detail", "checkin_day"),
    Page("new journey", "owner", "milestones:journey_create"),
    Page("journey", "owner", "milestones:journey", "journey_id"),
    Page("journey edit", "owner", "milestones:journey_edit", "journey_id"),
    Page("setback form", "owner", "milestones:setback_create", "journey_id"),
    Page("new goal", "owner", "milestones:goal_create"),
    Page("trends", "owner", "milestones:trends"),
    Page("calendar", "owner", "milestones:calendar"),
    Page("recovery capital", "owner", "capital:overview"),
    Page("monthly check-up", "owner", "capital:new"),
    Page("network review", "owner", "review:start"),
    Page("review: people", "owner", "review:people", "open_review_id"),
    Page("review: groups", "owner", "review:groups", "open_review_id"),
    Page("review: community", "owner", "review:community", "open_review_id"),
    Page("review: gaps", "owner", "review:gaps", "open_review_id"),
    Page("review: finish", "owner", "review:finish", "open_review_id"),
    Page("what changed since the last review", "owner", "review:changes", "review_id"),
    Page("a client's network review", "counselor", "review:client_latest", "owner", scope="support_map"),
    Page("offline page", "owner", "offline"),
    Page("notification centre", "owner", "notifications:index"),
    Page("notification preferences", "owner", "notifications:preferences"),
    Page("welcome", "owner", "welcome:start"),
    Page("welcome journey step", "owner", "welcome:journey"),
    Page("welcome people step", "owner", "welcome:people"),
    Page("welcome group step", "owner", "welcome:group"),
    Page("welcome check-in step", "owner", "welcome:checkin"),
    Page("welcome sharing step", "owner", "welcome:sharing"),
    Page("need support now", "owner", "reach:now"),
    Page("who is alerted", "owner", "reach:people"),
    Page("calls for support", "owner", "reach:history"),
    Page("a call for support", "owner", "reach:alert", "alert_id"),
    Page("your data", "owner", "privacy:index"),
    Page("suggest a lesson", "owner", "learning:suggest"),
    Page("bring your records", "owner", "privacy:import"),
    Page("family home", "family", "home"),
    Page("family view", "family", "care:person", "owner"),
    Page("how to help", "family", "care:how_to_help"),
    Page("family course", "family", "learning:index"),
    Page("a lesson of the family course", "family", "learning:lesson", "lesson_slug"),
    Page("counselor home", "counselor", "home"),
    Page("counselor caseload", "counselor", "care:caseload"),
    Page("ask for consent", "counselor", "care:consent_request_create"),
    Page("consents that ended", "counselor", "care:consent_records"),
    Page("consent, the counselor's copy", "counselor", "care:consent_detail", "consent_id"),
    Page("client", "counselor", "care:client", "owner"),
    Page("client report", "counselor", "care:client_report", "owner", scope="support_map"),
]


def signed_in_page(label):
    """The page of SIGNED_IN_PAGES with this label."""
    return next(page for page in SIGNED_IN_PAGES if page.label == label)


BENCH_PASSWORD = "bench-password-2026"


@functools.cache
def bench_password_hash():
    """The bench people's password, hashed once per process (a hash is deliberately slow)."""
    from django.contrib.auth.hashers import make_password

    return make_password(BENCH_PASSWORD)


def signed_in_client(user):
    """A test client signed in as `user`, as just after typing their password (and, for an account with an
    authenticator app, its code): the pages behind allauth's reauthentication (a new consent) open, as they
    do for a person who has just signed in, and a counselor's client data opens (it asks this session's
    second factor)."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.test import Client, RequestFactory

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, method="password", reauthenticated=True)
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        record_authentication(request, user, method="mfa", type=totp.type, id=totp.pk)
    request.session.save()
    return client


def count_queries(client, url, cached=False):
    """Queries for one GET, after a first GET has settled the session's bookkeeping.

    By default the page is rendered (the page cache off for that GET), which is what must not
    grow with the data; `cached=True` counts a GET served from the page cache instead.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    client.get(url)
    with override_settings(PAGE_CACHE=cached), CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"GET {url} answered {response.status_code}")
    return len(captured)


def clients_for(world):
    return {role: signed_in_client(getattr(world, role)) for role in ("owner", "family", "counselor")}


def page_query_counts(worlds):
    """[(page, [count in each world], count from the page cache in the last)] for every signed-in page."""
    pairs = [(world, clients_for(world)) for world in worlds]
    world, clients = pairs[-1]
    return [
        (
            page,
            [count_queries(clients[page.role], page.url(world)) for world, clients in pairs],
            count_queries(clients[page.role], page.url(world), cached=True),
        )
        for page in SIGNED_IN_PAGES
    ]


@contextlib.contextmanager
def contacts_taken_back(owners):
    """Delete the contacts logged for these people inside the block, and put their supporters' "last
    contact" back: a bench's contact POSTs (thousands a run) must not pile up in the database it measures."""
    from django.db.models import Max

    from supports.models import Contact, Supporter

    mark = Contact.objects.aggregate(last=Max("pk"))["last"] or 0
    try:
        yield
    finally:
        logged = Contact.objects.filter(pk__gt=mark, owner__in=owners)
        supporter_ids = set(logged.values_list("supporter_id", flat=True))
        logged.delete()
        for supporter in Supporter.objects.filter(pk__in=supporter_ids):
            supporter.refresh_contact_state()


def machine_facts():
    """One line saying what a bench ran on: cores, CPU, memory, PostgreSQL, Redis, Python, gunicorn, when."""
    from django.db import connection

    facts = [f"{os.cpu_count()} cores"]
    with contextlib.suppress(OSError):
        cpuinfo = Path("/proc/cpuinfo").read_text()
        models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
        if models:
            facts[0] += f" {models[0]}"
        meminfo = Path("/proc/meminfo").read_text().split()
        facts.append(f"{int(meminfo[meminfo.index('MemTotal:') + 1]) / 1024**2:.1f} GB RAM")
    facts.append(f"{platform.system()} {platform.release()}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            facts.append(f"PostgreSQL {cursor.fetchone()[0].split()[0]}")
    else:
        facts.append(connection.vendor)
    if os.environ.get("REDIS_URL"):
        try:
            import redis

            info = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=2).info("server")
            facts.append(f"Redis {info['redis_version']}")
        except Exception as exc:  # noqa: BLE001 — the header says so rather than failing the bench
            facts.append(f"Redis unknown ({type(exc).__name__})")
    facts.append(f"Python {platform.python_version()}")
    with contextlib.suppress(ImportError):
        import gunicorn

        facts.append(f"gunicorn {gunicorn.__version__}")
    facts.append(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    return "machine: " + ", ".join(facts)


def print_table(headers, rows):
    """A plain-text table (also valid Markdown), columns as wide as their widest cell."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(str(header)), *(len(row[i]) for row in cells)]) for i, header in enumerate(headers)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)) + " |"
    print(line)
    print("| " + " | ".join("-" * w for w in widths) + " |")
    for row in cells:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
    sys.stdout.flush()
