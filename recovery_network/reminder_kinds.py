"""The reminders a person gets about their own recovery: check-in, milestone, meeting, reach-out.

Each class is a notifications.Kind listed in settings.NOTIFICATION_KINDS. Times
are computed on the local wall clock of the zone that owns them (the person's
for check-ins and milestones, the group's for meetings) and stored in UTC, so a
20:30 reminder stays at 20:30 local on both sides of a DST change.
"""

import datetime as dt
import functools

from django.conf import settings
from django.core import signing
from django.urls import reverse

from milestones import schedule
from milestones.models import CheckIn, Journey
from supports.models import Closeness, MeetingTime, Supporter

from .models import Delivery, User, local_moment
from .notifications import Kind, Message, Occurrence

REACHED_OUT_SALT = "recovery_network.reached_out"


def _end_of_local_day(day, zone):
    return local_moment(day + dt.timedelta(days=1), dt.time(0, 0), zone)


@functools.lru_cache(maxsize=4096)
def _daily_occurrence(zone, wall_time, after_utc, grace):
    """The first `wall_time` in `zone` after `after_utc`, worth sending for `grace` (but not past that day).

    Kept: everyone due in the same minute in one zone chose the same time, so a busy
    minute of the dispatch computes this once per zone rather than once per person.
    """
    local_day = after_utc.astimezone(zone).date()
    for offset in range(3):
        day = local_day + dt.timedelta(days=offset)
        at = local_moment(day, wall_time, zone)
        if at > after_utc:
            return Occurrence(day.isoformat(), at, min(at + grace, _end_of_local_day(day, zone)))
    return None  # pragma: no cover - tomorrow's time always lies ahead


@functools.cache
def _checkin_message():
    # The same for everyone; building it (and reversing its URL) per person cost more than sending it.
    return Message(
        title="Time for your check-in",
        body="How did today go? A minute to note your mood and what helped.",
        url=reverse("milestones:checkin"),
    )


class DailyCheckIn(Kind):
    """At the person's chosen check-in time; skipped on a day they have already checked in."""

    key = "checkin"
    label = "Daily check-in"
    description = "A nudge at your check-in time, only on days you haven't checked in yet."
    # Changes to the person themselves are watched for every kind by recovery_network.signals.

    def load(self, subject_ids):
        return {user.pk: user for user in User.objects.filter(pk__in=list(subject_ids))}

    def load_for(self, reminders):
        # The subject is the recipient, already loaded with the row.
        return {reminder.subject_id: reminder.recipient for reminder in reminders}

    def recipients(self, subject):
        return [subject]

    def subjects_for(self, recipient):
        return [recipient.pk]

    def eligible(self):
        return User.objects.filter(is_active=True)

    def next_occurrence(self, recipient, subject, after_utc):
        if not recipient.is_active:
            return None
        return _daily_occurrence(recipient.zone, recipient.checkin_time, after_utc, self.grace)

    def skip_reasons(self, reminders, now_utc):
        days = {dt.date.fromisoformat(reminder.occurrence) for reminder in reminders}
        done = set(
            CheckIn.objects.filter(
                owner_id__in={reminder.recipient_id for reminder in reminders}, local_date__in=days
            ).values_list("owner_id", "local_date")
        )
        return {
            reminder.pk: Delivery.SkipReason.CHECKED_IN
            for reminder in reminders
            if (reminder.recipient_id, dt.date.fromisoformat(reminder.occurrence)) in done
        }

    def message(self, delivery, subject):
        return _checkin_message()


class MilestoneToday(Kind):
    """On the morning a journey reaches a scheduled milestone (24 hours, 30 days, 1 year…)."""

    key = "milestone"
    label = "Milestones"
    description = "A celebration on the morning you reach a milestone."
    send_at = dt.time(9, 0)
    watches = {"milestones.Journey": lambda journey: [journey.pk]}

    def load(self, subject_ids):
        journeys = Journey.objects.filter(pk__in=list(subject_ids)).select_related("owner")  # the recipient
        return {journey.pk: journey for journey in journeys}

    def eligible(self):
        return Journey.objects.filter(owner__is_active=True)

    def next_occurrence(self, recipient, journey, after_utc):
        # The milestone day is a date in the journey owner's calendar.
        zone = recipient.zone
        local_day = after_utc.astimezone(zone).date()
        yesterday = local_day - dt.timedelta(days=1)
        for step, due_on in schedule.next_scheduled(journey.started_on, yesterday, count=3):
            at = local_moment(due_on, self.send_at, zone)
            if at > after_utc:
                return Occurrence(f"{step.key}:{due_on.isoformat()}", at, _end_of_local_day(due_on, zone))
        return None  # pragma: no cover - the schedule never ends

    def message(self, delivery, journey):
        step_key = delivery.occurrence.split(":", 1)[0]
        step = schedule.step_for_key(step_key)
        label = step.label if step else "a milestone"
        return Message(
            title=f"{label} today — well done",
            body=f"Today you reach {label} on “{journey.name}”. Take a moment to mark it.",
            url=reverse("milestones:celebrate", args=[journey.pk, step_key]),
        )


class MeetingSoon(Kind):
    """A chosen number of minutes before one of the person's groups meets, in the group's zone."""

    key = "meeting"
    label = "Meetings"
    description = "A reminder before one of your groups meets."
    watches = {
        "supports.MeetingTime": lambda slot: [slot.pk],
        "supports.PeerGroup": lambda group: list(group.meeting_times.values_list("pk", flat=True)),
    }

    def load(self, subject_ids):
        slots = MeetingTime.objects.filter(pk__in=list(subject_ids)).select_related("group")
        return {slot.pk: slot for slot in slots}

    def recipients(self, slot):
        return [slot.group.owner]

    def eligible(self):
        return MeetingTime.objects.filter(group__archived_at__isnull=True, group__owner__is_active=True)

    def next_occurrence(self, recipient, slot, after_utc):
        if slot.group.archived_at is not None:
            return None
        lead = dt.timedelta(minutes=max(1, recipient.meeting_reminder_minutes))
        # next_start() works on the group's wall clock, so DST moves the UTC time, not the meeting.
        start = slot.next_start(after_utc + lead)
        start_utc = start.astimezone(dt.UTC)
        return Occurrence(start.date().isoformat(), start_utc - lead, start_utc)

    def message(self, delivery, slot):
        group = slot.group
        start = dt.datetime.combine(dt.date.fromisoformat(delivery.occurrence), slot.start_time)
        where = "online" if group.online_url and not group.address else (group.address or "")
        return Message(
            title=f"{group.name} meets at {start:%H:%M}",
            body=f"{slot.weekday_name} at {start:%H:%M} ({group.time_zone.replace('_', ' ')})"
            + (f", {where}" if where else "")
            + ".",
            url=reverse("supports:group_detail", args=[group.pk]),
        )


def reached_out_token(delivery):
    return signing.dumps({"d": delivery.pk, "s": delivery.subject_id}, salt=REACHED_OUT_SALT)


def read_reached_out_token(token):
    """(delivery id, supporter id) from a link no older than REACH_OUT_LINK_MAX_AGE_DAYS.

    Raises signing.SignatureExpired for an old link and signing.BadSignature for a forged one.
    """
    data = signing.loads(token, salt=REACHED_OUT_SALT, max_age=dt.timedelta(days=settings.REACH_OUT_LINK_MAX_AGE_DAYS))
    try:
        return int(data["d"]), int(data["s"])
    except (KeyError, TypeError, ValueError) as exc:
        raise signing.BadSignature("malformed") from exc


class ReachOut(Kind):
    """When an inner-circle supporter hasn't been contacted within the wished-for frequency.

    It fires when the supporter falls due (last contact + frequency: a time of day
    the person was reaching out anyway) and, if they stay out of touch, once more
    every frequency after that — never every minute of being overdue. A supporter
    already overdue when the schedule is built gets the latest of those nudges
    straight away, rather than waiting up to a whole period for the next.
    """

    key = "reach_out"
    label = "Reaching out"
    description = "A nudge when you haven't been in touch with someone in your inner circle as often as you'd like."
    watches = {
        "supports.Supporter": lambda supporter: [supporter.pk],
        "supports.Contact": lambda contact: [contact.supporter_id],
    }

    def load(self, subject_ids):
        supporters = Supporter.objects.filter(pk__in=list(subject_ids)).select_related("owner")  # the recipient
        return {supporter.pk: supporter for supporter in supporters}

    def eligible(self):
        return Supporter.objects.active().inner_circle().filter(contact_every_days__isnull=False, owner__is_active=True)

    def next_occurrence(self, recipient, supporter, after_utc):
        if (
            supporter.archived_at is not None
            or supporter.closeness != Closeness.INNER
            or not supporter.contact_every_days
            or supporter.contact_due_at is None
        ):
            return None
        every = dt.timedelta(days=supporter.contact_every_days)
        at = supporter.contact_due_at
        if at <= after_utc:
            at += every * ((after_utc - at) // every + 1)
        at = at.astimezone(dt.UTC)
        # Still worth sending until the next nudge would be due.
        return Occurrence(at.isoformat(timespec="seconds"), at, at + every)

    def catch_up(self, supporter):
        return dt.timedelta(days=supporter.contact_every_days or 0)

    def message(self, delivery, supporter):
        every = dict(Supporter._meta.get_field("contact_every_days").choices).get(supporter.contact_every_days, "")
        return Message(
            title=f"Reach out to {supporter.name}",
            body=f"You'd like to be in touch {str(every).lower()}, and it has been a while. "
            "A call or a message is enough.",
            url=reverse("supports:supporter_detail", args=[supporter.pk]),
            action_url=reverse("notifications:reached_out", args=[reached_out_token(delivery)]),
            action_label="I reached out",
        )
