"""Recovery journeys, setbacks, daily check-ins, milestones and the calendar feed.

Dates here are the person's own calendar dates (a journey starts on a local date,
a check-in belongs to a local day), so they never move when the server or the
person's zone changes. Instants (created_at) are stored in UTC as usual.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from recovery_network import params
from recovery_network.querysets import OwnedQuerySet

from . import money, schedule

TRIGGER_CHOICES = [
    ("stress", gettext_lazy("Stress")),
    ("loneliness", gettext_lazy("Feeling lonely")),
    ("boredom", gettext_lazy("Boredom")),
    ("tired", gettext_lazy("Tired or short of sleep")),
    ("hungry", gettext_lazy("Hungry")),
    ("anger", gettext_lazy("Anger or conflict")),
    ("anxiety", gettext_lazy("Anxiety or worry")),
    ("sadness", gettext_lazy("Sadness or grief")),
    ("pain", gettext_lazy("Physical pain")),
    ("money", gettext_lazy("Money worries")),
    ("celebration", gettext_lazy("A celebration or party")),
    ("people_places", gettext_lazy("People or places from using days")),
]
TRIGGER_LABELS = dict(TRIGGER_CHOICES)

HELPED_CHOICES = [
    ("supporter", gettext_lazy("Called or met a supporter")),
    ("meeting", gettext_lazy("Went to a meeting")),
    ("sponsor", gettext_lazy("Talked with my sponsor or mentor")),
    ("counseling", gettext_lazy("Counseling or therapy session")),
    ("exercise", gettext_lazy("Exercise or a walk")),
    ("prayer", gettext_lazy("Prayer or meditation")),
    ("reading", gettext_lazy("Recovery reading")),
    ("journaling", gettext_lazy("Journaling")),
    ("rest", gettext_lazy("Rest and sleep")),
    ("meal", gettext_lazy("A proper meal")),
    ("outdoors", gettext_lazy("Time outdoors")),
    ("service", gettext_lazy("Helping someone else")),
    ("medication", gettext_lazy("Took my medication as prescribed")),
]
HELPED_LABELS = dict(HELPED_CHOICES)
# "What helped" answers that count as the network showing up, for the trends page.
NETWORK_HELPED = {"supporter", "meeting", "sponsor", "counseling"}

MOOD_LABELS = {
    1: gettext_lazy("Very low"),
    2: gettext_lazy("Low"),
    3: gettext_lazy("Okay"),
    4: gettext_lazy("Good"),
    5: gettext_lazy("Very good"),
}
# The longest day count a celebration's address names ("day36500"), as the schedule stops at 100 years.
MAX_CELEBRATED_DAYS = 365 * schedule.MAX_YEARS


def _setbacks_in_order():
    return models.Prefetch(
        "setbacks", queryset=Setback.objects.select_related("reach_out_supporter").order_by("happened_on", "pk")
    )


class JourneyQuerySet(OwnedQuerySet):
    def with_history(self):
        """Journeys with their setbacks loaded, so streaks need no further query."""
        return self.prefetch_related(_setbacks_in_order())


class Journey(models.Model):
    """Something the person is recovering from, and the date their current count began."""

    class Kind(models.TextChoices):
        ALCOHOL = "alcohol", gettext_lazy("Alcohol")
        OPIOIDS = "opioids", gettext_lazy("Opioids")
        STIMULANTS = "stimulants", gettext_lazy("Stimulants")
        CANNABIS = "cannabis", gettext_lazy("Cannabis")
        GAMBLING = "gambling", gettext_lazy("Gambling")
        OTHER = "other", gettext_lazy("Something else")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="journeys")
    kind = models.CharField(gettext_lazy("recovering from"), max_length=20, choices=Kind.choices)
    own_words = models.CharField(
        gettext_lazy("in your own words"),
        max_length=80,
        blank=True,
        help_text=gettext_lazy("Optional. How you'd like this journey named, for example “Sober from drinking”."),
    )
    # The whole history begins here; it never moves, so earlier streaks stay countable.
    first_started_on = models.DateField()
    # The current count's first day. It moves forward only when the person chooses
    # to restart after a setback.
    started_on = models.DateField(gettext_lazy("start date"))
    # What the habit cost each day, if the person cares to say: the journey's pages show what they got back.
    # Theirs alone: no sharing scope includes it, so family and counselors never see it.
    cost_per_day = models.DecimalField(
        gettext_lazy("money a day"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, gettext_lazy("Enter an amount of 0 or more."))],
    )
    cost_currency = models.CharField(
        gettext_lazy("currency"), max_length=3, choices=money.currency_choices, default=money.DEFAULT_CURRENCY
    )
    hours_per_day = models.DecimalField(
        gettext_lazy("hours a day"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, gettext_lazy("Enter 0 hours or more.")),
            MaxValueValidator(24, gettext_lazy("A day has 24 hours: enter 24 or fewer.")),
        ],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JourneyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__gte=models.F("first_started_on")), name="journey_start_after_first_start"
            ),
            models.CheckConstraint(condition=Q(cost_per_day__gte=0), name="journey_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(hours_per_day__gte=0, hours_per_day__lte=24), name="journey_hours_within_a_day"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.own_words or self.get_kind_display()

    def load_history(self):
        """Load the setbacks of a journey already read, as `with_history()` does."""
        models.prefetch_related_objects([self], _setbacks_in_order())
        return self

    def clean_time(self, today):
        return schedule.clean_time(self.started_on, today)

    def clean_days(self, today):
        return schedule.clean_days(self.started_on, today)

    def saved(self, today):
        """What the current count has given back by `today`: the daily cost times its clean days, or None
        when no cost was entered. A restart after a setback starts it again from the new start date."""
        if self.cost_per_day is None and self.hours_per_day is None:
            return None
        days = self.clean_days(today)
        return Saved(
            since=self.started_on,
            days=days,
            currency=self.cost_currency,
            money=None if self.cost_per_day is None else self.cost_per_day * days,
            hours=None if self.hours_per_day is None else self.hours_per_day * days,
            money_per_day=self.cost_per_day,
            hours_per_day=self.hours_per_day,
        )

    def milestone(self, key):
        """The scheduled milestone of the current count named by `key`, or None."""
        step = schedule.step_for_key(key)
        if step is None:
            return None
        return Milestone.scheduled(self, step)

    def milestone_for_days(self, days):
        """Any day count of the current count can be celebrated, not only the scheduled ones."""
        label = schedule.count_words_lazy("days", days)
        if days % 7 == 0 and days < 70:
            label = schedule.count_words_lazy("weeks", days // 7)
        due_on = self.started_on + dt.timedelta(days=days)
        return Milestone(self, f"day{days}", label, due_on, days, schedule.short_words_lazy("days", days))

    def milestone_named(self, key):
        """The milestone a celebration's address names: a scheduled one ("m12") or a day count ("day45");
        None for anything else, a count past MAX_CELEBRATED_DAYS included."""
        if key.startswith("day"):
            days = params.integer(key[3:], 1, MAX_CELEBRATED_DAYS)
            return self.milestone_for_days(days) if days is not None else None
        return self.milestone(key)

    def past_milestones(self, today):
        """Scheduled milestones of the current count reached up to today, newest first."""
        reached = [Milestone.scheduled(self, step) for step, _ in schedule.scheduled_dates(self.started_on, today)]
        return reached[::-1]

    def upcoming_milestones(self, today, count=3):
        return [Milestone.scheduled(self, step) for step, _ in schedule.next_scheduled(self.started_on, today, count)]

    def milestone_today(self, today):
        for step, due_on in schedule.scheduled_dates(self.started_on, today):
            if due_on == today:
                return Milestone.scheduled(self, step)
        return None

    def streaks(self, today):
        """Every streak of this journey, oldest first; the last one is the current count.

        A setback the person chose to restart from closes a streak on the day before
        it happened; one they chose not to restart from stays inside the streak. No
        setback deletes a streak: that history belongs to the person.
        """
        result = []
        start = self.first_started_on
        for setback in self.setbacks.all():
            if setback.restart_on is None:
                continue
            result.append(
                Streak(
                    started_on=start,
                    ended_on=setback.happened_on - dt.timedelta(days=1),
                    days=max(0, (setback.happened_on - start).days),
                    ended_by=setback,
                )
            )
            start = setback.restart_on
        result.append(Streak(self.started_on, None, self.clean_days(today), None))
        return result

    def total_sober_days(self, today):
        return sum(streak.days for streak in self.streaks(today))

    def longest_streak(self, today):
        return max(self.streaks(today), key=lambda streak: streak.days)


@dataclass(frozen=True)
class Saved:
    """Money and hours a journey's current count has given back (`Journey.saved`)."""

    since: dt.date
    days: int
    currency: str
    money: Decimal | None
    hours: Decimal | None
    money_per_day: Decimal | None
    hours_per_day: Decimal | None


@dataclass(frozen=True)
class Streak:
    started_on: dt.date
    ended_on: dt.date | None  # the last day of the streak; None for the current count
    days: int
    ended_by: "Setback | None"

    @property
    def is_current(self):
        return self.ended_on is None

    @property
    def highest_milestone(self):
        """The label of the biggest scheduled milestone this streak reached, if any."""
        last_day = self.started_on + dt.timedelta(days=self.days)
        reached = list(schedule.scheduled_dates(self.started_on, last_day))
        return reached[-1][0].label if reached else ""


@dataclass(frozen=True)
class Milestone:
    """A milestone of a journey's current count: scheduled, or any day count worth celebrating."""

    journey: Journey
    key: str
    label: str
    due_on: dt.date
    days: int
    short: str = ""  # what fits on the chip: "30d", "1y"

    @classmethod
    def scheduled(cls, journey, step):
        due_on = step.due_on(journey.started_on)
        return cls(journey, step.key, step.label, due_on, (due_on - journey.started_on).days, step.short)

    def is_reached(self, today):
        return self.due_on <= today

    def days_to_go(self, today):
        return max(0, (self.due_on - today).days)


class SetbackQuerySet(OwnedQuerySet):
    pass


class Setback(models.Model):
    """A use recorded honestly. It is part of the history, never a reason to erase it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="setbacks")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="setbacks")
    happened_on = models.DateField(gettext_lazy("when it happened"))
    # The new first day of the count when the person chose to restart; null when
    # they chose to keep counting.
    restart_on = models.DateField(gettext_lazy("new start date"), null=True, blank=True)
    # The count's start date before this setback, kept so the history can be told.
    previous_started_on = models.DateField()
    what_happened = models.TextField(blank=True, max_length=4000)
    what_learned = models.TextField(gettext_lazy("what you learned"), blank=True, max_length=4000)
    reach_out_to = models.CharField(gettext_lazy("whom you will reach out to"), max_length=200, blank=True)
    reach_out_supporter = models.ForeignKey(
        "supports.Supporter", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SetbackQuerySet.as_manager()

    class Meta:
        ordering = ["happened_on", "pk"]
        indexes = [models.Index(fields=["owner", "happened_on"], name="setback_owner_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(restart_on__isnull=True) | Q(restart_on__gte=models.F("happened_on")),
                name="setback_restart_not_before_it_happened",
            ),
        ]

    def __str__(self):
        return gettext("Setback on %(day)s") % {"day": self.happened_on}

    @property
    def restarted(self):
        return self.restart_on is not None


class PersonalGoalQuerySet(OwnedQuerySet):
    pass


class PersonalGoal(models.Model):
    """A milestone the person sets themselves: a day count (100 days) or a date that matters."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="personal_goals")
    title = models.CharField(
        gettext_lazy("title"),
        max_length=120,
        help_text=gettext_lazy("For example “100 days”, “Sober birthday”, “Mia's wedding”."),
    )
    journey = models.ForeignKey(
        Journey,
        on_delete=models.CASCADE,
        related_name="personal_goals",
        null=True,
        blank=True,
        help_text=gettext_lazy("For a day count: the journey it counts from."),
    )
    days = models.PositiveIntegerField(
        gettext_lazy("day count"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(36500)]
    )
    on_date = models.DateField(gettext_lazy("date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonalGoalQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(days__isnull=False, journey__isnull=False, on_date__isnull=True))
                | Q(days__isnull=True, on_date__isnull=False),
                name="goal_is_a_day_count_or_a_date",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def short(self):
        """What fits on the goal's chip: its day count, or a star for a date that matters."""
        return schedule.short_words("days", self.days) if self.days is not None else "★"

    @property
    def due_on(self):
        """Day-count goals follow the journey's current count; dated goals stay put."""
        if self.days is not None:
            return self.journey.started_on + dt.timedelta(days=self.days)
        return self.on_date

    def is_reached(self, today):
        return self.due_on <= today

    def days_to_go(self, today):
        return max(0, (self.due_on - today).days)


# A missed day can be filled in later, and such a check-in changed, up to this many days back; a phone that was
# offline may send one as late (forms.SentFromDeviceForm).
FILL_IN_DAYS = 7
# A craving this strong (of 10) turns the day's pages toward support, as a use recorded does.
HIGH_CRAVING = 8


def fill_in_window(today):
    """The oldest and newest day a missed check-in can be filled in on `today`: the last week, not today."""
    return today - dt.timedelta(days=FILL_IN_DAYS), today - dt.timedelta(days=1)


def days_to_fill_in(checked_in_days, today):
    """The days of the fill-in window without a check-in (none of `checked_in_days`), newest first."""
    oldest, day = fill_in_window(today)
    missed = []
    while day >= oldest:
        if day not in checked_in_days:
            missed.append(day)
        day -= dt.timedelta(days=1)
    return missed


def needs_support(sober, craving):
    """A use recorded or a high craving: the day's pages offer the person's people, not a celebration."""
    return sober == CheckIn.Sober.NO or (craving is not None and craving >= HIGH_CRAVING)


class CheckInQuerySet(OwnedQuerySet):
    def between(self, first_day, last_day):
        return self.filter(local_date__gte=first_day, local_date__lte=last_day)

    def needing_support(self):
        """Check-ins that record a use or a high craving: a day for reaching out, not for celebrating."""
        return self.filter(Q(sober=CheckIn.Sober.NO) | Q(craving__gte=HIGH_CRAVING))


class CheckIn(models.Model):
    """How one local day went. One per person per local day, enforced by the database."""

    class Sober(models.TextChoices):
        YES = "yes", gettext_lazy("Yes")
        NO = "no", gettext_lazy("No")
        UNSAID = "unsaid", gettext_lazy("I'd rather not say")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    # The person's calendar date when they checked in (their zone at that moment).
    local_date = models.DateField()
    sober = models.CharField(gettext_lazy("sober today?"), max_length=10, choices=Sober.choices)
    mood = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    craving = models.PositiveSmallIntegerField(
        gettext_lazy("craving"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    # Keys from TRIGGER_CHOICES / HELPED_CHOICES, plus the person's own words for triggers.
    triggers = models.JSONField(default=list, blank=True)
    helped = models.JSONField(default=list, blank=True)
    # "What helped", linked to the owner's own network where it names someone.
    helped_supporters = models.ManyToManyField("supports.Supporter", blank=True, related_name="helped_checkins")
    helped_groups = models.ManyToManyField("supports.PeerGroup", blank=True, related_name="helped_checkins")
    gratitude = models.TextField(blank=True, max_length=2000)
    notes = models.TextField(blank=True, max_length=4000)
    # Filled in on a later day for a day that was missed: counted like any other, and said so where it shows.
    entered_late = models.BooleanField(gettext_lazy("filled in later"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-local_date"]
        constraints = [
            # The rule is the database's, not only the form's: two phones submitting
            # at once still leave one check-in for the day.
            models.UniqueConstraint(fields=["owner", "local_date"], name="one_checkin_per_local_day"),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(craving__isnull=True) | Q(craving__lte=10), name="checkin_craving_0_to_10"
            ),
        ]

    def __str__(self):
        return gettext("Check-in for %(day)s") % {"day": self.local_date}

    def trigger_labels(self):
        return [TRIGGER_LABELS.get(trigger, trigger) for trigger in self.triggers]

    def helped_labels(self):
        return [HELPED_LABELS.get(item, item) for item in self.helped]

    @property
    def mood_label(self):
        return MOOD_LABELS.get(self.mood, "")

    @property
    def needs_support(self):
        return needs_support(self.sober, self.craving)

    def can_change(self, today):
        """Today's check-in, or a day filled in later while that day is still inside the fill-in window."""
        return self.local_date == today or (self.entered_late and fill_in_window(today)[0] <= self.local_date < today)


class CheckInReceipt(models.Model):
    """A check-in sent from a phone that filled it in offline, by the key the phone made for it.

    The phone keeps the check-in until the connection returns and sends it then; if the answer
    is lost on the way back, it sends it again. The receipt makes the second arrival a no-op,
    so a stale copy never overwrites what the person changed since.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_receipts")
    key = models.UUIDField()
    local_date = models.DateField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="one_receipt_per_device_key")]

    def __str__(self):
        return gettext("Check-in for %(day)s sent from a device") % {"day": self.local_date}


# Ready phrases a family member or friend can send with one tap, in our own words. Marked with gettext_noop: these
# are the English words an encouragement stores (READY_PHRASE_TEXT), whatever language the sender reads; the
# lists below name them in the reader's language.
_EVERYDAY_PHRASE_TEXT = [
    ("proud", gettext_noop("I'm proud of you.")),
    ("thinking", gettext_noop("Thinking of you today.")),
    ("one_day", gettext_noop("One day at a time. I'm with you.")),
    ("here", gettext_noop("I'm here if you want to talk.")),
    ("keep_going", gettext_noop("Keep going. You're doing something hard and brave.")),
]
# Words from the family course (recovery_network/learning/lessons/): listening and talking, after a setback,
# rewarding sober time.
_COURSE_PHRASE_TEXT = [
    ("what_helps", gettext_noop("I know this is hard. What would help right now?")),
    ("not_erased", gettext_noop("A hard day doesn't erase everything you've done. I'm still here.")),
    ("enjoyed", gettext_noop("I really enjoyed our time together.")),
]
# {key: English words}: what an encouragement sent with a ready phrase keeps as its message.
READY_PHRASE_TEXT = dict(_EVERYDAY_PHRASE_TEXT + _COURSE_PHRASE_TEXT)
# (key, words in the reader's language): for choices and for showing a phrase.
EVERYDAY_PHRASES = [(key, gettext_lazy(text)) for key, text in _EVERYDAY_PHRASE_TEXT]
COURSE_PHRASES = [(key, gettext_lazy(text)) for key, text in _COURSE_PHRASE_TEXT]
READY_PHRASES = EVERYDAY_PHRASES + COURSE_PHRASES
READY_PHRASE_LABELS = dict(READY_PHRASES)


class EncouragementQuerySet(OwnedQuerySet):
    def from_circle(self):
        """Sent by people the owner shares with, as opposed to notes the owner kept."""
        return self.filter(sender__isnull=False)


class Encouragement(models.Model):
    """A kind word the person received, kept so a celebration can gather them."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="encouragements")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="encouragements", null=True, blank=True)
    # The milestone it was for: a schedule key ("d30", "m12"), "day<N>", or a goal's.
    milestone_key = models.CharField(max_length=20, blank=True)
    goal = models.ForeignKey(
        PersonalGoal, on_delete=models.CASCADE, related_name="encouragements", null=True, blank=True
    )
    from_name = models.CharField(
        gettext_lazy("from"), max_length=80, help_text=gettext_lazy("Who it came from, as you'd like to remember it.")
    )
    supporter = models.ForeignKey(
        "supports.Supporter", on_delete=models.SET_NULL, null=True, blank=True, related_name="encouragements"
    )
    message = models.TextField(gettext_lazy("message"), max_length=2000)
    received_on = models.DateField()
    # Set when someone the owner shares with sent it through the app (not typed in by the owner).
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="encouragements_sent"
    )
    phrase = models.CharField(gettext_lazy("ready phrase"), max_length=20, choices=READY_PHRASES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EncouragementQuerySet.as_manager()

    class Meta:
        ordering = ["received_on", "pk"]
        indexes = [models.Index(fields=["owner", "received_on"], name="encouragement_owner_day_idx")]

    def __str__(self):
        return gettext("From %(name)s") % {"name": self.from_name}

    @property
    def shown_message(self):
        """The message as its reader sees it: a ready phrase sent as it is (stored in English) in the reader's
        language; anything else, someone's own words, exactly as they wrote it."""
        if self.phrase and self.message == READY_PHRASE_TEXT.get(self.phrase):
            return READY_PHRASE_LABELS[self.phrase]
        return self.message


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The private address of a person's calendar feed. A new token kills the old address."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return gettext("Calendar feed of %(person)s") % {"person": self.owner}

    def regenerate(self):
        self.token = new_feed_token()
        self.save(update_fields=["token"])
