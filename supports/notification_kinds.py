"""The reminders a person gets about their own network: a meeting soon, and someone to reach out to.

Each class is a registry.Kind listed in settings.NOTIFICATION_KINDS. Meeting times are
computed on the group's own wall clock, a reach-out on the person's, and stored in UTC.
"""

import datetime as dt

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.dateformat import time_format
from django.utils.translation import gettext, gettext_lazy, pgettext

from recovery_network.notifications.registry import Kind, Message, Occurrence

from .models import Closeness, MeetingTime, Supporter

REACHED_OUT_SALT = "recovery_network.reached_out"


class MeetingSoon(Kind):
    """A chosen number of minutes before one of the person's groups meets, in the group's zone."""

    key = "meeting"
    label = gettext_lazy("Meetings")
    description = gettext_lazy("A reminder before one of your groups meets.")
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
        # Built at send time: the words are in the recipient's language, active when it is sent.
        online = group.online_url and not group.address
        where = pgettext("where a group meets", "online") if online else (group.address or "")
        at = time_format(start, "g:i A")  # the clock the pages use: "7:30 PM"
        words = {"day": slot.weekday_name, "time": at, "zone": group.time_zone.replace("_", " "), "where": where}
        return Message(
            title=gettext("%(group)s meets at %(time)s") % {"group": group.name, "time": at},
            body=(
                # Translators: "Monday at 7:30 PM (America/Chicago), 12 Main Street." The place: "online" or an address.
                gettext("%(day)s at %(time)s (%(zone)s), %(where)s.")
                if where
                else gettext("%(day)s at %(time)s (%(zone)s).")
            )
            % words,
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
    label = gettext_lazy("Reaching out")
    description = gettext_lazy(
        "A nudge when you haven't been in touch with someone in your inner circle as often as you'd like."
    )
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
            title=gettext("Reach out to %(name)s") % {"name": supporter.name},
            # Translators: %(every)s is how often, in lower case: "every week", "a couple of times a week".
            body=gettext("You'd like to be in touch %(every)s, and it has been a while. A call or a message is enough.")
            % {"every": str(every).lower()},
            url=reverse("supports:supporter_detail", args=[supporter.pk]),
            action_url=reverse("supports:reached_out", args=[reached_out_token(delivery)]),
            action_label=gettext("I reached out"),
        )
