"""Recovery capital, measured with the BARC-10 (Brief Assessment of Recovery Capital; Vilsaint, Kelly, Bergman,
Groshkova, Best and White, Drug and Alcohol Dependence 177 (2017) 71-76).

Ten statements, each rated from 1 (strongly disagree) to 6 (strongly agree), summed to a total of 10 to 60. In
the validation sample a total of 47 or more went with sustained remission (more than twelve months without
use); it is a line to notice, not a verdict. The statements are kept exactly as published: a validated
instrument loses its meaning when its words change. It is free to use (it is Section H of SAMHSA's GPRA
survey).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from recovery_network.querysets import OwnedQuerySet

SUSTAINED_REMISSION_TOTAL = 47
LOWEST_TOTAL, HIGHEST_TOTAL = 10, 60
# A fall this large between two check-ups is worth a counselor's attention (the caseload sorts it first).
NOTABLE_FALL = 5
CITATION = (
    "Vilsaint, C. L., Kelly, J. F., Bergman, B. G., Groshkova, T., Best, D., & White, W. (2017). "
    "Development and validation of a Brief Assessment of Recovery Capital (BARC-10) for alcohol and drug use "
    "disorder. Drug and Alcohol Dependence, 177, 71–76."
)


def reasons_to_look(total, change):
    """Why a person's recovery capital asks a counselor's look, in words: the newest total below the line, or a
    notable fall since the check-up before ([] when neither, or nothing is known)."""
    reasons = []
    if total is not None and total < SUSTAINED_REMISSION_TOTAL:
        # Translators: why a counselor's caseload lists someone first, after "Recovery capital": "below 47".
        reasons.append(gettext("below %(line)s") % {"line": SUSTAINED_REMISSION_TOTAL})
    if change is not None and change <= -NOTABLE_FALL:
        # Translators: after "Recovery capital": "fell by 6" (points since the check-up before).
        reasons.append(gettext("fell by %(points)s") % {"points": -change})
    return reasons


class Agreement(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, gettext_lazy("Strongly disagree")
    DISAGREE = 2, gettext_lazy("Disagree")
    SOMEWHAT_DISAGREE = 3, gettext_lazy("Somewhat disagree")
    SOMEWHAT_AGREE = 4, gettext_lazy("Somewhat agree")
    AGREE = 5, gettext_lazy("Agree")
    STRONGLY_AGREE = 6, gettext_lazy("Strongly agree")


# (field, the statement exactly as published, a short name for charts and tables), in the published order.
ITEMS = [
    (
        "beyond_using",
        # Translators: the ten BARC-10 statements are a validated instrument: use its published translation
        # word for word where one exists, not a translation of your own.
        gettext_lazy("There are more important things to me in life than using substances."),
        pgettext_lazy("BARC-10 item", "More than using"),
    ),
    (
        "happy_with_life",
        gettext_lazy("In general I am happy with my life."),
        pgettext_lazy("BARC-10 item", "Happy with life"),
    ),
    (
        "energy",
        gettext_lazy("I have enough energy to complete the tasks I set myself."),
        pgettext_lazy("BARC-10 item", "Energy"),
    ),
    (
        "community",
        gettext_lazy("I am proud of the community I live in and feel part of it."),
        pgettext_lazy("BARC-10 item", "Community"),
    ),
    (
        "friends",
        gettext_lazy("I get lots of support from friends."),
        pgettext_lazy("BARC-10 item", "Support from friends"),
    ),
    (
        "fulfilling_life",
        gettext_lazy("I regard my life as challenging and fulfilling without the need for using drugs or alcohol."),
        pgettext_lazy("BARC-10 item", "A fulfilling life"),
    ),
    (
        "living_space",
        gettext_lazy("My living space has helped to drive my recovery journey."),
        pgettext_lazy("BARC-10 item", "Living space"),
    ),
    (
        "responsibility",
        gettext_lazy("I take full responsibility for my actions."),
        pgettext_lazy("BARC-10 item", "Responsibility"),
    ),
    (
        "professionals",
        gettext_lazy("I am happy dealing with a range of professional people."),
        pgettext_lazy("BARC-10 item", "Professional help"),
    ),
    (
        "progress",
        gettext_lazy("I am making good progress on my recovery journey."),
        pgettext_lazy("BARC-10 item", "Progress"),
    ),
]
ITEM_FIELDS = [field for field, _, _ in ITEMS]


def _item(statement):
    return models.PositiveSmallIntegerField(
        statement, choices=Agreement.choices, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )


class CapitalCheckQuerySet(OwnedQuerySet):
    def on_or_before(self, local_day):
        """The check-ups taken on or before a local date, newest first."""
        return self.filter(taken_on__lte=local_day).order_by("-taken_on", "-id")

    def oldest_first(self):
        """In the order a chart reads them (capital.trends.capital_trend takes them so)."""
        return self.order_by("taken_on", "id")

    def latest_two_by_owner(self, owner_ids):
        """Each of these people's two newest check-ups, newest first per person, in one query whatever their
        number (a caseload's column: the latest total and the change from the one before)."""
        newest_first = Window(RowNumber(), partition_by=F("owner_id"), order_by=[F("taken_on").desc(), F("id").desc()])
        return (
            self.filter(owner_id__in=owner_ids)
            .annotate(place=newest_first)
            .filter(place__lte=2)
            .order_by("owner_id", "place")
        )


class CapitalCheck(models.Model):
    """One BARC-10 check-up: the ten answers and their total, on the person's local date."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capital_checks")
    taken_on = models.DateField(help_text="The owner's local date.")
    taken_at = models.DateTimeField(default=timezone.now)
    beyond_using = _item(ITEMS[0][1])
    happy_with_life = _item(ITEMS[1][1])
    energy = _item(ITEMS[2][1])
    community = _item(ITEMS[3][1])
    friends = _item(ITEMS[4][1])
    fulfilling_life = _item(ITEMS[5][1])
    living_space = _item(ITEMS[6][1])
    responsibility = _item(ITEMS[7][1])
    professionals = _item(ITEMS[8][1])
    progress = _item(ITEMS[9][1])
    # Kept with the answers (the sum of the ten, set by save()) so a caseload can sort on it in the database.
    total = models.PositiveSmallIntegerField(editable=False)

    objects = CapitalCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "taken_on"], name="capital_check_one_per_day"),
            models.CheckConstraint(
                condition=Q(total__gte=LOWEST_TOTAL, total__lte=HIGHEST_TOTAL), name="capital_check_total_range"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 6}), name=f"capital_{field}_range"
                )
                for field in ITEM_FIELDS
            ),
        ]
        # One a day is also the index a person's check-ups are read by (their own page, a caseload's newest two).

    def __str__(self):
        return f"BARC-10 on {self.taken_on}: {self.total}"

    def save(self, *args, **kwargs):
        self.total = self.compute_total()
        super().save(*args, **kwargs)

    def answers(self):
        """[(field, statement, short name, answer)] in the published order."""
        return [(field, statement, short, getattr(self, field)) for field, statement, short in ITEMS]

    def compute_total(self):
        return sum(getattr(self, field) for field in ITEM_FIELDS)

    def clean(self):
        # The total is never taken from outside (a form, an imported file): it is the sum of the answers.
        if all(getattr(self, field) is not None for field in ITEM_FIELDS):
            self.total = self.compute_total()

    @property
    def at_or_above_line(self):
        return self.total >= SUSTAINED_REMISSION_TOTAL
