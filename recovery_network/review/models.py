"""The network review: every three months (or whenever the person asks) a guided look at each supporter, each
group, community and the gaps, ending in a dated snapshot and a page of what changed since the last review.

Each review keeps what it saw of every supporter and group at the time (name, closeness, influence, how
often they really talked), so "who moved closer, who drifted away" can be told later even after supporters
were archived or renamed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from recovery_network.querysets import OwnedQuerySet
from supports.models import Closeness, ContactEvery, Influence, NetworkSnapshot, PeerGroup, Supporter

REVIEW_EVERY_DAYS = 91  # about three months
LOOK_BACK_DAYS = 90  # "how often do we really talk", "attendance in the last 90 days"


class NetworkReviewQuerySet(OwnedQuerySet):
    def finished(self):
        return self.filter(finished_at__isnull=False).order_by("-finished_at", "-id")

    def open(self):
        return self.filter(finished_at__isnull=True)


class NetworkReview(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_reviews")
    started_at = models.DateTimeField(default=timezone.now)
    started_on = models.DateField(help_text="The owner's local date.")
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_on = models.DateField(null=True, blank=True, help_text="The owner's local date.")
    # The dated snapshot the review ends with.
    snapshot = models.OneToOneField(
        NetworkSnapshot, on_delete=models.SET_NULL, null=True, blank=True, related_name="review"
    )
    community_note = models.TextField(gettext_lazy("community"), blank=True, max_length=2000)
    gaps_note = models.TextField(gettext_lazy("gaps"), blank=True, max_length=2000)

    objects = NetworkReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # One review in progress at a time: asking again resumes it.
            models.UniqueConstraint(
                fields=["owner"], condition=Q(finished_at__isnull=True), name="review_one_open_per_owner"
            ),
        ]
        indexes = [models.Index(fields=["owner", "finished_at"], name="review_owner_finished_idx")]

    def __str__(self):
        return f"Network review begun {self.started_on}"

    @property
    def is_finished(self):
        return self.finished_at is not None


class StillSupportive(models.TextChoices):
    YES = "yes", gettext_lazy("Yes")
    UNSURE = "unsure", gettext_lazy("Not sure")
    NO = "no", gettext_lazy("Not any more")


class SupporterReview(models.Model):
    """What the review saw of one supporter, and what the person decided."""

    review = models.ForeignKey(NetworkReview, on_delete=models.CASCADE, related_name="supporter_reviews")
    supporter = models.ForeignKey(Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews")
    name = models.CharField(max_length=120)
    closeness_before = models.PositiveSmallIntegerField(choices=Closeness.choices)
    closeness_after = models.PositiveSmallIntegerField(choices=Closeness.choices, null=True, blank=True)
    influence_before = models.CharField(max_length=20, choices=Influence.choices)
    influence_after = models.CharField(max_length=20, choices=Influence.choices, blank=True)
    contact_every = models.PositiveSmallIntegerField(choices=ContactEvery.choices, null=True, blank=True)
    contacts_in_window = models.PositiveIntegerField(
        default=0, help_text=f"Contacts in the {LOOK_BACK_DAYS} days before."
    )
    still_supportive = models.CharField(max_length=10, choices=StillSupportive.choices, blank=True)
    stepped_back = models.BooleanField(default=False, help_text="The person chose to archive them in this review.")
    note = models.CharField(max_length=300, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["closeness_before", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "supporter"], name="review_supporter_once"),
        ]

    def __str__(self):
        return f"{self.name} in {self.review}"


class StillGoing(models.TextChoices):
    YES = "yes", gettext_lazy("Yes, still going")
    LESS = "less", gettext_lazy("Less often")
    STOPPED = "stopped", gettext_lazy("I've stopped going")


class GroupReview(models.Model):
    """What the review saw of one peer group, and what the person decided."""

    review = models.ForeignKey(NetworkReview, on_delete=models.CASCADE, related_name="group_reviews")
    group = models.ForeignKey(PeerGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews")
    name = models.CharField(max_length=160)
    attended_in_window = models.PositiveIntegerField(
        default=0, help_text=f"Meetings in the {LOOK_BACK_DAYS} days before."
    )
    still_going = models.CharField(max_length=10, choices=StillGoing.choices, blank=True)
    stepped_back = models.BooleanField(default=False, help_text="The person chose to archive it in this review.")
    note = models.CharField(max_length=300, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "group"], name="review_group_once")]

    def __str__(self):
        return f"{self.name} in {self.review}"
