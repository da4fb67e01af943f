"""The monthly invitation to the BARC-10 check-up.

Sent on the due date (capital.schedule) at the person's own check-in time, on their clock, once per due date:
the occurrence is the due date, and a Delivery is unique on it. Saving a check-up moves the next one 30 days on.
The words say nothing of what is measured: a reminder can be read over a shoulder or on a shared screen.
"""

import datetime as dt
import functools

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from recovery_network.models import User, local_moment
from recovery_network.notifications.registry import Message, Occurrence, PersonalKind

from . import schedule


@functools.cache
def _url():
    return reverse("capital:new")


def _message():
    # Built when sent (not cached), so its words are in the language active then.
    url = _url()
    return Message(
        title=gettext("Your monthly check-up is ready"),
        body=gettext("Ten short statements, about five minutes. Answer whenever suits you today."),
        url=url,
        action_url=url,
        action_label=gettext("Start the check-up"),
    )


class CapitalCheckDue(PersonalKind):
    """Once a month, for a person with a journey of their own, as the daily check-in: a family member or a counselor
    is not asked about their recovery, and neither is an account that hasn't started a journey (its first journey
    starts the schedule). The dispatch asks again when it is due, so a journey deleted by a bulk write drops it."""

    key = "capital_check"
    label = gettext_lazy("Monthly check-up")
    description = gettext_lazy("An invitation once a month to answer ten short statements about how things are going.")
    # Worth sending on its day, after quiet hours or a short outage, for up to a day.
    grace = dt.timedelta(days=1)
    watches = {
        "capital.CapitalCheck": lambda check: [check.owner_id],
        "milestones.Journey": lambda journey: [journey.owner_id],
    }

    def load(self, subject_ids):
        people = User.objects.filter(pk__in=list(subject_ids)).annotate(last_capital_on=Max("capital_checks__taken_on"))
        return {person.pk: person for person in people}

    def eligible(self):
        return User.objects.filter(is_active=True, has_journey=True)

    def next_occurrence(self, recipient, subject, after_utc):
        if not recipient.is_active or not recipient.has_journey:
            return None
        zone = recipient.zone
        local_day = after_utc.astimezone(zone).date()
        for due_on in schedule.due_dates_from(subject.last_capital_on, schedule.joined_on(recipient), local_day):
            at = local_moment(due_on, recipient.checkin_time, zone)
            if at > after_utc:
                return Occurrence(due_on.isoformat(), at, at + self.grace)
        return None  # pragma: no cover - the dates never end

    def message(self, delivery, subject):
        return _message()
