"""Alex's people to alert: Sam (the family demo account: email and the app) and Marcus, his sponsor (email and
texts, at night too) agreed; Priya has been asked and not answered yet. Idempotent."""

from supports.models import Supporter

from .models import AlertContact

# name, status, email, phone for texts, night alerts
CAST_CONTACTS = [
    ("Sam", AlertContact.Status.ACCEPTED, "sam@example.com", "", False),
    ("Marcus", AlertContact.Status.ACCEPTED, "marcus@example.net", "555-0102", True),
    ("Priya", AlertContact.Status.ASKED, "priya@example.net", "", False),
]


def seed_cast(cast, now):
    owner = cast["owner"]
    for position, (name, status, email, phone, night) in enumerate(CAST_CONTACTS, start=1):
        supporter = Supporter.objects.for_owner(owner).filter(name=name).first()
        if supporter is None:
            continue
        if not supporter.email:
            Supporter.objects.filter(pk=supporter.pk).update(email=email)
        AlertContact.objects.get_or_create(
            supporter=supporter,
            defaults={
                "owner": owner,
                "status": status,
                "position": position,
                "email": email,
                "phone": phone if status == AlertContact.Status.ACCEPTED else "",
                "user_id": supporter.linked_user_id,
                "night_alerts": night,
                "time_zone": owner.time_zone,
                "asked_at": now,
                "answered_at": now if status == AlertContact.Status.ACCEPTED else None,
            },
        )


def seed_scale(people, rng, now):
    """Load-test people have no one to alert: bench/alert_bench.py seeds its own."""
