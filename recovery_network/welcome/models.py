"""A person's first run: five short steps that build their network, each done or skipped, resumable.

One row per account, made when the person signs up (receivers.py) or when they answer a step themselves.
It is an owned record, so a change to it bumps the person's `data_version` and the home page's card
("Continue setting up") follows at once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from recovery_network.querysets import OwnedQuerySet


class Step(models.TextChoices):
    JOURNEY = "journey", gettext_lazy("What you're recovering from")
    PEOPLE = "people", gettext_lazy("People to call on a bad night")
    GROUP = "group", gettext_lazy("A group or meeting")
    CHECKIN = "checkin", gettext_lazy("Your daily check-in")
    SHARING = "sharing", gettext_lazy("Who sees what")


STEPS = list(Step)


class Outcome(models.TextChoices):
    DONE = "done", gettext_lazy("Done")
    SKIPPED = "skipped", gettext_lazy("Skipped")


class FirstRunQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(finished_at__isnull=True, dismissed_at__isnull=True)


class FirstRun(models.Model):
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="first_run")
    # {step: "done" | "skipped"}; a step not named is still to do.
    steps = models.JSONField(default=dict, blank=True)
    # The journey the first step made: answering the step again edits it rather than adding another.
    journey = models.ForeignKey(
        "milestones.Journey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The first step answered or skipped: someone brought in by an invitation has chosen to set up their own.
    started_at = models.DateTimeField(null=True, blank=True)
    # "Finish later": no longer sent here after signing in; the home page's card stays until finished.
    set_aside_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The card hidden without finishing ("not for me").
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = FirstRunQuerySet.as_manager()

    def __str__(self):
        return f"First run of {self.owner}"

    def outcome(self, step):
        return self.steps.get(step)

    @property
    def done_count(self):
        return sum(1 for step in STEPS if self.steps.get(step) == Outcome.DONE)

    @property
    def total(self):
        return len(STEPS)

    def next_step(self, after=None):
        """The first step neither done nor skipped (after `after`, then from the start), or None."""
        start = STEPS.index(after) + 1 if after else 0
        return next((step for step in STEPS[start:] + STEPS[:start] if step not in self.steps), None)

    @property
    def is_open(self):
        return self.finished_at is None and self.dismissed_at is None

    def greets_after_sign_in(self, brought_in):
        """Whether signing in should bring the person here: an open first run they haven't set aside. Someone who
        joined through a family or counselor invitation isn't necessarily in recovery: only once they start it."""
        if not self.is_open or self.set_aside_at is not None:
            return False
        return self.started_at is not None or not brought_in

    def record(self, step, outcome, now=None):
        """Mark a step done or skipped; the run finishes when every step is one or the other."""
        now = now or timezone.now()
        self.steps = {**self.steps, Step(step).value: Outcome(outcome).value}
        self.started_at = self.started_at or now
        self.set_aside_at = None  # answering a step is coming back to it
        if self.next_step() is None and self.finished_at is None:
            self.finished_at = now
        self.save()

    def set_aside(self, now=None):
        self.set_aside_at = now or timezone.now()
        self.started_at = self.started_at or self.set_aside_at
        self.save(update_fields=["set_aside_at", "started_at"])

    def dismiss(self, now=None):
        self.dismissed_at = now or timezone.now()
        self.save(update_fields=["dismissed_at"])
