"""Workflows that touch more than one model, shared by views, commands and tasks."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Attendance, Contact, MeetingTime, NetworkSnapshot, OnlineVia, PeerGroup, Supporter
from .network import network_summary


@transaction.atomic
def log_contact(supporter, happened_at=None, channel="", helpfulness=None, note=""):
    """Record a contact and move the supporter's "last contact" and next due time along."""
    # Lock the supporter row so two contacts logged at once (phone and laptop)
    # cannot leave "last contact" computed from a log that misses one of them.
    supporter = Supporter.objects.select_for_update().get(pk=supporter.pk)
    contact = Contact.objects.create(
        owner_id=supporter.owner_id,
        supporter=supporter,
        happened_at=happened_at or timezone.now(),
        channel=channel or Contact._meta.get_field("channel").default,
        helpfulness=helpfulness,
        note=note,
    )
    supporter.contact_logged(contact.happened_at)
    return contact


@transaction.atomic
def delete_contact(contact):
    supporter = Supporter.objects.select_for_update().get(pk=contact.supporter_id)
    contact.delete()
    supporter.refresh_contact_state()


@transaction.atomic
def join_meeting(user, meeting):
    """Make an imported meeting one of the person's peer groups, with its weekly times.

    Joining twice returns the group already joined rather than a duplicate.
    """
    group = PeerGroup.objects.for_owner(user).active().filter(meeting=meeting).first()
    if group:
        return group, False
    group = PeerGroup.objects.create(
        owner=user,
        name=meeting.name,
        fellowship=meeting.fellowship,
        format=meeting.format,
        time_zone=meeting.time_zone,
        address=meeting.address,
        online_url=meeting.online_url,
        online_via=OnlineVia.VIDEO if meeting.online_url else (OnlineVia.PHONE if meeting.phone else OnlineVia.NONE),
        meeting=meeting,
        notes=meeting.notes,
    )
    if meeting.start_time:
        MeetingTime.objects.bulk_create(
            MeetingTime(group=group, weekday=day, start_time=meeting.start_time, end_time=meeting.end_time)
            for day in meeting.weekday_list
        )
    return group, True


def record_attendance(group, local_day):
    """Log that the owner went to this group on their local day; once per group and day."""
    try:
        with transaction.atomic():
            return Attendance.objects.create(owner_id=group.owner_id, group=group, attended_on=local_day), True
    except IntegrityError:
        return Attendance.objects.get(group=group, attended_on=local_day), False


@dataclass(frozen=True)
class AttendanceStats:
    meetings_90: int
    days_90: int
    streak_days: int
    total: int

    @property
    def ninety_in_ninety(self):
        return self.meetings_90 >= 90


def attendance_stats(user, local_today=None):
    """Counts and the current daily streak ("90 meetings in 90 days"), in two queries.

    The streak counts consecutive local days with at least one meeting, ending
    today, or yesterday if today's meeting hasn't happened yet.
    """
    local_today = local_today or user.local_today()
    first_of_90 = local_today - dt.timedelta(days=89)
    attendances = Attendance.objects.for_owner(user)
    total = attendances.count()
    recent_days = list(
        attendances.filter(attended_on__lte=local_today, attended_on__gte=local_today - dt.timedelta(days=730))
        .values_list("attended_on", flat=True)
        .order_by("-attended_on")
    )
    meetings_90 = sum(1 for day in recent_days if day >= first_of_90)
    distinct_days = sorted(set(recent_days), reverse=True)
    days_90 = sum(1 for day in distinct_days if day >= first_of_90)
    streak, expected = 0, local_today
    if distinct_days and distinct_days[0] == local_today - dt.timedelta(days=1):
        expected = distinct_days[0]
    for day in distinct_days:
        if day != expected:
            break
        streak += 1
        expected -= dt.timedelta(days=1)
    return AttendanceStats(meetings_90=meetings_90, days_90=days_90, streak_days=streak, total=total)


def save_snapshot(user, note="", now=None):
    now = now or timezone.now()
    return NetworkSnapshot.objects.create(
        owner=user,
        taken_at=now,
        taken_on=user.local_today(now),
        summary=network_summary(user, now).as_dict(),
        note=note,
    )
