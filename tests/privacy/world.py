"""A person with a row in every section of the export (recovery_network/privacy/catalogue.py), and a second
person with the same, each the other's family member, counselor, supporter and watcher.

`fill()` writes straight through the ORM: the point is a row in every table, not the flows that make them (those
have their own tests). tests/privacy/test_catalogue.py requires every section to be non-empty for a filled
person, so a section added to the catalogue without a row here fails there.
"""

import datetime as dt
import secrets
import uuid

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from milestones.models import (
    CalendarFeed,
    CheckIn,
    CheckInReceipt,
    Encouragement,
    Journey,
    PersonalGoal,
    Setback,
)
from recovery_network.capital.models import ITEM_FIELDS as CAPITAL_FIELDS
from recovery_network.capital.models import CapitalCheck
from recovery_network.care.models import (
    AccessEvent,
    CaseloadRoster,
    CaseloadView,
    Consent,
    ConsentRequest,
    Grant,
    Invitation,
    Recommendation,
    RosterEntry,
    SignEpisode,
    SignWatch,
)
from recovery_network.learning.models import LessonProgress, LessonSuggestion
from recovery_network.notifications.models import Delivery, Notification, NotificationPreference, Reminder
from recovery_network.privacy.models import Erasure, Export
from recovery_network.reach.models import Alert, AlertAnswer, AlertContact, AlertSend, AlertWave
from recovery_network.review.models import GroupReview, NetworkReview, SupporterReview
from recovery_network.welcome.models import FirstRun
from supports.models import (
    Attendance,
    CommunityActivity,
    Contact,
    Meeting,
    MeetingTime,
    NetworkSnapshot,
    PeerGroup,
    Supporter,
)


def fill(person, peer, *, erasure=True):
    """Rows of every kind for `person`, with `peer` as the other party where there is one."""
    now = timezone.now()
    today = person.local_today()
    tag = person.pk  # keeps unique values apart between the two people

    Authenticator.objects.get_or_create(user=person, type=Authenticator.Type.RECOVERY_CODES, defaults={"data": {}})
    store = SessionStore()
    store["_auth_user_id"] = str(person.pk)
    store.create()
    UserSession.objects.create(user=person, ip="127.0.0.1", session_key=store.session_key, user_agent="Firefox")

    journey = Journey.objects.create(
        owner=person, kind="alcohol", first_started_on=today - dt.timedelta(days=400), started_on=today
    )
    Setback.objects.create(
        owner=person,
        journey=journey,
        happened_on=today - dt.timedelta(days=1),
        previous_started_on=today - dt.timedelta(days=400),
        what_happened=f"A hard night {tag}",
        what_learned="Call before, not after.",
    )
    PersonalGoal.objects.create(owner=person, journey=journey, title="Six months", days=180)
    supporter = Supporter.objects.create(owner=person, name=f"Peer of {tag}", phone="+1 555 0100", linked_user=peer)
    checkin = CheckIn.objects.create(owner=person, local_date=today, sober="yes", mood=4, craving=2, notes="Good day")
    checkin.helped_supporters.add(supporter)
    CheckInReceipt.objects.create(owner=person, key=uuid.uuid4(), local_date=today)
    Encouragement.objects.create(
        owner=peer, sender=person, from_name=person.name, message=f"Proud of you from {tag}", received_on=today
    )
    Encouragement.objects.create(
        owner=person, sender=peer, from_name=peer.name, message=f"Proud of you to {tag}", received_on=today
    )
    CalendarFeed.objects.create(owner=person, token=secrets.token_urlsafe(24))

    Contact.objects.create(owner=person, supporter=supporter, happened_at=now, note="Coffee")
    group = PeerGroup.objects.create(owner=person, name=f"Tuesday group {tag}", fellowship="aa")
    MeetingTime.objects.create(group=group, weekday=1, start_time=dt.time(19, 0))
    Attendance.objects.create(owner=person, group=group, attended_on=today)
    Meeting.objects.create(owner=person, slug=f"my-meeting-{tag}", name="My meeting", weekdays="1")
    CommunityActivity.objects.create(owner=person, title="Food bank", happened_on=today)
    snapshot = NetworkSnapshot.objects.create(owner=person, taken_on=today, summary={"people": 1})
    review = NetworkReview.objects.create(
        owner=person, started_on=today, finished_at=now, finished_on=today, snapshot=snapshot, gaps_note="A sponsor"
    )
    SupporterReview.objects.create(
        review=review,
        supporter=supporter,
        name=supporter.name,
        closeness_before=2,
        closeness_after=1,
        influence_before="supportive",
        influence_after="supportive",
        contacts_in_window=3,
        still_supportive="yes",
        answered_at=now,
    )
    GroupReview.objects.create(review=review, group=group, name=group.name, attended_in_window=4, still_going="yes")
    CapitalCheck.objects.create(owner=person, taken_on=today, **dict.fromkeys(CAPITAL_FIELDS, 5))
    LessonProgress.objects.create(owner=person, lesson="supportive-or-enabling", version=1, started_at=now, done_at=now,
                                  note="PRIVATE-COURSE-NOTE", note_updated_at=now)  # fmt: skip

    expires = now + dt.timedelta(days=7)
    Invitation.objects.create(
        owner=person, email=peer.email, nonce=secrets.token_hex(8), expires_at=expires, accepted_by=peer
    )
    Grant.objects.create(owner=person, viewer=peer)
    LessonSuggestion.objects.create(owner=person, viewer=peer, lesson="after-a-setback", message=f"For you {tag}")
    LessonSuggestion.objects.create(owner=peer, viewer=person, lesson="stepping-back", message=f"From {tag}")
    # The person shares a note of their own course with the peer: the peer's export leaves it out; it stays theirs.
    LessonProgress.objects.create(owner=person, lesson="after-a-setback", version=1, note=f"SHARED-NOTE-{tag}",
                                  shared_with=peer, shared_at=now)  # fmt: skip
    consent = Consent.objects.create(
        owner=person,
        counselor=peer,
        recipient_name=peer.name,
        organisation="Riverside",
        expires_on=today + dt.timedelta(days=90),
        signed_name=f"Signed {tag}",
    )
    ConsentRequest.objects.create(
        counselor=person,
        email=peer.email,
        recipient_name=person.name,
        organisation="Riverside",
        expires_on=today + dt.timedelta(days=90),
        nonce=secrets.token_hex(8),
        expires_at=expires,
    )
    Recommendation.objects.create(owner=peer, counselor=person, counselor_name=person.name, text=f"Try SMART {tag}")
    AccessEvent.objects.create(owner=person, actor=peer, actor_name=peer.name, action=AccessEvent.Action.VIEWED)
    roster = CaseloadRoster.objects.create(counselor=person, counselor_name=person.name, digest=f"d{tag}")
    RosterEntry.objects.create(roster=roster, owner=peer, what="clean time")
    CaseloadView.objects.create(roster=roster, path="/care/clients/")
    SignWatch.objects.create(owner=person, watcher=peer, no_checkin=True)
    SignEpisode.objects.create(owner=person, sign="craving", started_on=today)

    contact = AlertContact.objects.create(
        owner=person, supporter=supporter, user=peer, status=AlertContact.Status.ACCEPTED, phone="+1 555 0101"
    )
    alert = Alert.objects.create(owner=person, words=f"Bad night {tag}")
    wave = AlertWave.objects.create(alert=alert, number=1)
    AlertSend.objects.create(alert=alert, contact=contact, wave=wave.number, channel="app")
    AlertAnswer.objects.create(alert=alert, contact=contact)

    NotificationPreference.objects.create(user=person, kind="checkin", by_email=False)
    Reminder.objects.create(
        recipient=person, kind="checkin", occurrence=str(today), occurs_at=now, expires_at=now, due_at=now
    )
    delivery = Delivery.objects.create(recipient=person, kind="checkin", occurrence=str(today), status="sent")
    Notification.objects.create(recipient=person, delivery=delivery, kind="checkin", title="Time to check in")
    # What others are told about the person: a note in the peer's centre, and a milestone delivery to them.
    Notification.objects.create(recipient=peer, about=person, kind="reach_alert", title=f"{person.name} needs you")
    Delivery.objects.create(recipient=peer, kind="circle_milestone", subject_id=journey.pk, occurrence="30d:x:eve")
    FirstRun.objects.get_or_create(owner=person)
    Export.objects.create(owner=person, expires_at=expires, content=b"zip")
    if erasure:
        Erasure.objects.create(owner=person, erase_after=now + Erasure.GRACE)
    return {"journey": journey, "supporter": supporter, "consent": consent}
