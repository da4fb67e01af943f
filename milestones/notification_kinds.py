"""The reminders a person gets about their own recovery: the daily check-in and a milestone reached today.

Each class is a registry.Kind listed in settings.NOTIFICATION_KINDS. Times are computed
on the local wall clock of the person's zone and stored in UTC, so a 20:30 reminder
stays at 20:30 local on both sides of a DST change.
"""

import datetime as dt
import functools

from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy

from recovery_network.models import User, end_of_local_day, local_moment
from recovery_network.notifications.models import Delivery
from recovery_network.notifications.registry import Kind, Message, Occurrence, PersonalKind, daily_occurrence

from . import schedule
from .models import CheckIn, Journey


@functools.cache
def _checkin_message(language):
    # The same for everyone who reads `language`; building it (and reversing its URL) per person cost more than
    # sending it.
    return Message(
        title=gettext("Time for your check-in"),
        body=gettext("How did today go? A minute to note your mood and what helped."),
        url=reverse("milestones:checkin"),
    )


class DailyCheckIn(PersonalKind):
    """At the person's chosen check-in time; skipped on a day they have already checked in. Only for someone with a
    journey of their own: a mother who supports her son, or a counselor, is not asked how their day went."""

    key = "checkin"
    label = gettext_lazy("Daily check-in")
    description = gettext_lazy("A nudge at your check-in time, only on days you haven't checked in yet.")
    # Changes to the person themselves are watched for every kind by recovery_network.signals; a first journey
    # (or the last one deleted) starts or ends the reminder.
    watches = {"milestones.Journey": lambda journey: [journey.owner_id]}
    # Checking in for a day answers that day's reminder: it no longer shows as new.
    done_by = {"milestones.CheckIn": lambda checkin: (checkin.owner_id, str(checkin.local_date))}

    def load(self, subject_ids):
        return {user.pk: user for user in User.objects.filter(pk__in=list(subject_ids))}

    def load_for(self, reminders):
        # The subject is the recipient, already loaded with the row.
        return {reminder.subject_id: reminder.recipient for reminder in reminders}

    def eligible(self):
        return User.objects.filter(is_active=True, has_journey=True)

    def next_occurrence(self, recipient, subject, after_utc):
        if not recipient.is_active or not recipient.has_journey:
            return None
        return daily_occurrence(recipient.zone, recipient.checkin_time, after_utc, self.grace)

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
        return _checkin_message(get_language())


class MilestoneToday(Kind):
    """On the morning a journey reaches a scheduled milestone (24 hours, 30 days, 1 year…)."""

    key = "milestone"
    label = gettext_lazy("Milestones")
    description = gettext_lazy("A celebration on the morning you reach a milestone.")
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
                return Occurrence(f"{step.key}:{due_on.isoformat()}", at, end_of_local_day(due_on, zone))
        return None  # pragma: no cover - the schedule never ends

    def message(self, delivery, journey):
        step_key = delivery.occurrence.split(":", 1)[0]
        step = schedule.step_for_key(step_key)
        label = step.label if step else gettext("a milestone")
        return Message(
            title=gettext("%(milestone)s today — well done") % {"milestone": label},
            body=gettext("Today you reach %(milestone)s on “%(journey)s”. Take a moment to mark it.")
            % {"milestone": label, "journey": journey.name},
            url=reverse("milestones:celebrate", args=[journey.pk, step_key]),
        )
