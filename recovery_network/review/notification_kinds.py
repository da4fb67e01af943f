"""The quarterly reminder to review one's network (registry.Kind, listed in settings.NOTIFICATION_KINDS).

Due REVIEW_EVERY_DAYS after the last finished review, on the person's calendar. With none yet, 30 days after
their first supporter was added: long enough for the contact log to say something about how often they really
talk, soon enough that the habit starts while a new network is still taking shape (three months is a long time
early in recovery). A person who lets a due date pass is asked again a quarter later, never daily.

It comes at 10:00 on the due date, on their own clock: a daytime hour outside the usual quiet hours, that does not
arrive on top of the evening check-in reminder, and a review wants a few unhurried minutes rather than the end of
a day. Quiet hours still hold it, as they hold every reminder. The occurrence is the due local date, so it is sent
once per due date however often the dispatch runs; finishing a review (a save of NetworkReview, watched) plans
the next one from that day. Only people in recovery with someone in their network get it, and it names no one.
"""

import datetime as dt
import functools

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from recovery_network.models import User, end_of_local_day, local_moment
from recovery_network.notifications.registry import Message, Occurrence, PersonalKind
from supports.models import Supporter

from .models import REVIEW_EVERY_DAYS, NetworkReview

FIRST_REVIEW_AFTER_DAYS = 30
SEND_AT = dt.time(10, 0)
# Worth sending for a week after its day: a review due on Saturday is still timely on Wednesday.
WORTH_SENDING_DAYS = 7


@functools.cache
def _url():
    return reverse("review:start")


def _message():
    # Built when sent (not cached), so its words are in the language active then.
    return Message(
        title=gettext("Time for a look at your network"),
        body=gettext(
            "A few minutes to go through the people and groups in your life: who is there for you, "
            "and anything you'd like to change. You can stop and come back any time."
        ),
        url=_url(),
    )


def _network_of(field="pk"):
    return Supporter.objects.filter(owner=OuterRef(field), archived_at__isnull=True)


class NetworkReviewDue(PersonalKind):
    """About every three months: "Time for a look at your network", linking to the review's start page."""

    key = "network_review"
    label = gettext_lazy("Network review")
    description = gettext_lazy("About every three months, a reminder to look over your network.")
    watches = {
        "review.NetworkReview": lambda review: [review.owner_id],
        "supports.Supporter": lambda supporter: [supporter.owner_id],
        "milestones.Journey": lambda journey: [journey.owner_id],
    }

    def load(self, subject_ids):
        last_finished = NetworkReview.objects.filter(owner=OuterRef("pk"), finished_at__isnull=False)
        first_supporter = Supporter.objects.filter(owner=OuterRef("pk"))
        people = User.objects.filter(pk__in=list(subject_ids)).annotate(
            has_network=Exists(_network_of()),
            last_review_on=Subquery(last_finished.order_by("-finished_at").values("finished_on")[:1]),
            first_supporter_at=Subquery(first_supporter.order_by("created_at").values("created_at")[:1]),
        )
        return {person.pk: person for person in people}

    def eligible(self):
        return User.objects.in_recovery().filter(Exists(_network_of()), is_active=True)

    def catch_up(self, subject):
        # A due date passed while the row was missing (before this kind existed, a review just finished late)
        # is still told of within its week.
        return dt.timedelta(days=WORTH_SENDING_DAYS)

    def first_due_on(self, person):
        """The first due date: REVIEW_EVERY_DAYS after the last finished review, else FIRST_REVIEW_AFTER_DAYS after
        the first supporter was added (on the person's calendar); None with no network."""
        if person.last_review_on is not None:
            return person.last_review_on + dt.timedelta(days=REVIEW_EVERY_DAYS)
        if person.first_supporter_at is not None:
            added_on = person.first_supporter_at.astimezone(person.zone).date()
            return added_on + dt.timedelta(days=FIRST_REVIEW_AFTER_DAYS)
        return None

    def next_occurrence(self, recipient, subject, after_utc):
        if not (subject.is_active and subject.in_recovery and subject.has_network):
            return None
        due_on = self.first_due_on(subject)
        if due_on is None:
            return None
        zone = subject.zone
        at = local_moment(due_on, SEND_AT, zone)
        if at <= after_utc:
            # Not reviewed since: the same rhythm goes on, a quarter at a time.
            periods = (after_utc.astimezone(zone).date() - due_on).days // REVIEW_EVERY_DAYS
            due_on += dt.timedelta(days=REVIEW_EVERY_DAYS * periods)
            at = local_moment(due_on, SEND_AT, zone)
            if at <= after_utc:
                due_on += dt.timedelta(days=REVIEW_EVERY_DAYS)
                at = local_moment(due_on, SEND_AT, zone)
        last_day = due_on + dt.timedelta(days=WORTH_SENDING_DAYS - 1)
        return Occurrence(due_on.isoformat(), at, end_of_local_day(last_day, zone))

    def message(self, delivery, subject):
        return _message()
