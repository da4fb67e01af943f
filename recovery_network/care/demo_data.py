"""Demo data for the circle of care (see recovery_network/demo.py): run after supports and milestones.

Sam sees Alex's clean time, check-in trends and meetings; Dana Rivera holds a six-month
consent for everything and has written two recommendations. At scale, every other person
shares with the next, and a few counselors hold caseloads of up to 200.
"""

import datetime as dt

from allauth.mfa.totp.internal.auth import TOTP

from milestones.models import Encouragement
from recovery_network import two_factor
from recovery_network.demo import DEMO_PEOPLE, DemoPerson, ensure_person
from recovery_network.models import User
from supports.models import Supporter

from . import roles
from .caseload import client_consents, roster_of, write_roster
from .models import CaseloadRoster, CaseloadView, Consent, Grant, Recommendation, SignWatch


def seed_cast(cast, now):
    seed_circle(cast, now)
    # Alex chose who is told of warning signs: Sam of silence (after three days) and strong cravings, Dana of all.
    owner = cast["owner"]
    SignWatch.objects.get_or_create(owner=owner, watcher=cast["family"], defaults={"no_checkin": True, "craving": True})
    SignWatch.objects.get_or_create(
        owner=owner, watcher=cast["counselor"], defaults={"no_checkin": True, "craving": True, "use": True}
    )


def seed_scale(people, rng, now):
    _seed_grants(people, rng, now)
    seed_caseload(people, rng, now)
    seed_counselors(people, rng, now)


def _seed_grants(people, rng, now):
    """Every other person shares with the next one, so family pages have real viewers (once: a person who already
    shares with someone is left as they are)."""
    following = {person.pk: people[index + 1] for index, person in enumerate(people[:-1])}
    sharing = set(Grant.objects.filter(owner__in=people).values_list("owner_id", flat=True))
    Grant.objects.bulk_create(
        [
            Grant(
                owner=person,
                viewer=following[person.pk],
                clean_time=True,
                checkins=rng.random() < 0.7,
                support_map=rng.random() < 0.5,
                attendance=rng.random() < 0.6,
                setbacks=rng.random() < 0.3,
                created_at=now - dt.timedelta(days=rng.randint(1, 300)),
            )
            for index, person in enumerate(people)
            if person.pk in following and index % 2 == 0 and person.pk not in sharing
        ],
        batch_size=5000,
    )
    roles.refresh(following[person.pk].pk for person in people if person.pk in following)


# The circle of care. Sam sees Alex's clean time, check-in trends and meetings;
# Dana Rivera holds a six-month consent for everything and has written two
# recommendations. Dana's account has two-factor on with a published demo secret
# (README), since counselors cannot open client data without it.

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CASELOAD_LIMIT = 200
DEMO_RECOMMENDATIONS = [
    ("Try the SMART Recovery online meeting on Tuesday", True),
    ("Reconnect with Tom: he was good sober company", False),
]


def _ensure_two_factor(user):
    if not two_factor.totp_authenticators(user).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def seed_circle(cast, now):
    owner, family, counselor = cast["owner"], cast["family"], cast["counselor"]
    local_today = owner.local_today(now)
    Grant.objects.get_or_create(
        owner=owner,
        viewer=family,
        revoked_at=None,
        defaults={"clean_time": True, "checkins": True, "attendance": True, "created_at": now - dt.timedelta(days=60)},
    )
    consent = Consent.objects.filter(owner=owner, counselor=counselor, revoked_at__isnull=True).first()
    if consent is None:
        Consent.objects.create(
            owner=owner,
            counselor=counselor,
            recipient_name=counselor.name,
            organisation="Riverside Recovery Counseling",
            purpose="To support my treatment and recovery planning.",
            expires_on=local_today + dt.timedelta(days=180),
            signed_name="Alex Morgan",
            signed_at=now - dt.timedelta(days=30),
            clean_time=True,
            checkins=True,
            recovery_capital=True,
            support_map=True,
            attendance=True,
            setbacks=True,
        )
    _ensure_two_factor(counselor)
    for text, done in DEMO_RECOMMENDATIONS:
        Recommendation.objects.get_or_create(
            owner=owner,
            counselor=counselor,
            text=text,
            defaults={
                "counselor_name": counselor.name,
                "created_at": now - dt.timedelta(days=14),
                "done_at": now - dt.timedelta(days=9) if done else None,
            },
        )
    Encouragement.objects.get_or_create(
        owner=owner,
        sender=family,
        phrase="proud",
        defaults={
            "from_name": family.name,
            "supporter": Supporter.objects.for_owner(owner).filter(linked_user=family).first(),
            "message": "I'm proud of you.",
            "received_on": local_today - dt.timedelta(days=1),
        },
    )


def _scale_consent(person, counselor, organisation, rng, now):
    """A load-test client's consent: clean time always, the other scopes as most clients choose."""
    return Consent(
        owner=person,
        counselor=counselor,
        recipient_name=counselor.name,
        organisation=organisation,
        expires_on=person.local_today(now) + dt.timedelta(days=rng.randint(7, 365)),
        signed_name=person.name,
        signed_at=now - dt.timedelta(days=rng.randint(1, 120)),
        clean_time=True,
        checkins=rng.random() < 0.9,
        support_map=rng.random() < 0.8,
        attendance=rng.random() < 0.8,
        setbacks=rng.random() < 0.5,
        recovery_capital=rng.random() < 0.6,
    )


def seed_caseload(people, rng, now):
    """The demo counselor's caseload: consents from up to 200 load-test people, in bulk."""
    email = next(person.email for person in DEMO_PEOPLE if person.role == "counselor")
    counselor = User.objects.filter(email=email).first()
    if counselor is None:
        return
    clients = people[:CASELOAD_LIMIT]
    have = set(Consent.objects.filter(counselor=counselor, owner__in=clients).values_list("owner_id", flat=True))
    Consent.objects.bulk_create(
        [
            _scale_consent(person, counselor, "Riverside Recovery Counseling", rng, now)
            for person in clients
            if person.pk not in have
        ],
        batch_size=2000,
    )
    roles.refresh([counselor.pk])
    seed_caseload_views(counselor, rng, now)


def seed_caseload_views(counselor, rng, now, days=180):
    """Half a year of looks at a counselor's caseload: a few on each weekday, as a working counselor
    opens it, each a line in every listed client's access log (through one roster)."""
    if CaseloadRoster.objects.filter(counselor=counselor).exists():
        return
    consents = client_consents(counselor, now)
    if not consents:
        return
    roster = write_roster(counselor, *roster_of(counselor, consents), now - dt.timedelta(days=days))
    times = []
    for back in range(days, 0, -1):
        day = now - dt.timedelta(days=back)
        if day.weekday() < 5:
            for _ in range(rng.randint(2, 8)):
                times.append(day.replace(hour=13 + rng.randint(0, 8), minute=rng.randint(0, 59)))
    CaseloadView.objects.bulk_create(
        [CaseloadView(roster=roster, path="/circle/caseload/", created_at=when) for when in sorted(times)],
        batch_size=2000,
    )


SCALE_COUNSELORS = [("counselor1", 200), ("counselor2", 120), ("counselor3", 60), ("counselor4", 25)]


def seed_counselors(people, rng, now):
    """A few more counselors with caseloads up to 200, drawn from across the load-test people."""
    if len(people) < 2 * CASELOAD_LIMIT:
        return
    for number, (name, size) in enumerate(SCALE_COUNSELORS):
        counselor = ensure_person(
            DemoPerson("counselor", f"{name}@scale.example.com", f"Counselor {number + 1}", "America/New_York")
        )
        _ensure_two_factor(counselor)
        if not Consent.objects.filter(counselor=counselor).exists():
            clients = rng.sample(people[CASELOAD_LIMIT:], size)
            Consent.objects.bulk_create(
                [_scale_consent(person, counselor, "Harbor Outpatient Services", rng, now) for person in clients],
                batch_size=2000,
            )
            roles.refresh([counselor.pk])
        seed_caseload_views(counselor, rng, now)
