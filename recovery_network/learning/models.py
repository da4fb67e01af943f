"""A reader's progress through the family course — which lessons they finished and their private note on how the
week's small thing went — and the lessons a person in recovery suggested to someone in their circle.

The reader owns their progress (`owner`); nothing shows it to anyone else — not the person they support, not a
counselor — unless the reader shares one note with one person who shares with them (`shared_with`). A suggestion
is its sender's record (`owner`), shown to its `viewer` only while the sender still shares with them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from recovery_network.care.models import Grant
from recovery_network.querysets import OwnedQuerySet

NOTE_MAX_LENGTH = 2000


class LessonProgressQuerySet(OwnedQuerySet):
    def by_lesson(self):
        """{slug: progress} for one reader (one query)."""
        return {progress.lesson: progress for progress in self}


class LessonProgress(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress")
    lesson = models.CharField(max_length=80, help_text="The lesson's slug (its file in learning/lessons/).")
    version = models.PositiveSmallIntegerField(help_text="The lesson's version when it was last saved.")
    started_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    note_updated_at = models.DateTimeField(null=True, blank=True)
    # The one person who shares with the reader and may read this note and whether it is done; null: no one.
    shared_with = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="lesson_notes_shared"
    )
    shared_at = models.DateTimeField(null=True, blank=True)

    objects = LessonProgressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = gettext_lazy("lesson progress")
        constraints = [models.UniqueConstraint(fields=["owner", "lesson"], name="learning_one_progress_per_lesson")]
        indexes = [
            models.Index(
                fields=["shared_with", "shared_at"],
                condition=models.Q(shared_with__isnull=False),
                name="learning_note_shared_idx",
            )
        ]

    def __str__(self):
        return f"{self.lesson} ({'done' if self.done_at else 'started'})"

    @classmethod
    def record(cls, owner, lesson, note, done, now=None, shared_with=None):
        """Save a reader's note, whether they finished the lesson and with whom (if anyone) they share them (their
        one row for it, made if need be). Unticking "done" clears it: the reader may want to come back to a lesson.
        """
        now = now or timezone.now()
        progress, _ = cls.objects.get_or_create(
            owner=owner, lesson=lesson.slug, defaults={"version": lesson.version, "started_at": now}
        )
        if note != progress.note:
            progress.note, progress.note_updated_at = note, now
        if done and not progress.done_at:
            progress.done_at = now
        elif not done:
            progress.done_at = None
        if shared_with is None:
            progress.shared_with, progress.shared_at = None, None
        elif shared_with.pk != progress.shared_with_id:
            progress.shared_with, progress.shared_at = shared_with, now
        progress.version = lesson.version
        progress.save()
        return progress


MESSAGE_MAX_LENGTH = 300


class LessonSuggestionQuerySet(OwnedQuerySet):
    party_fields = ("viewer",)

    def in_circle_of(self, viewer):
        """Suggestions to this person from someone who still shares with them, set aside or not (one query)."""
        still_shares = Grant.objects.active().filter(owner=models.OuterRef("owner"), viewer=viewer)
        return (
            self.filter(viewer=viewer, owner__is_active=True)
            .filter(models.Exists(still_shares))
            .select_related("owner")
        )

    def to_viewer(self, viewer):
        """Suggestions this person may see: not set aside, from someone who still shares with them (one query)."""
        return self.in_circle_of(viewer).filter(dismissed_at__isnull=True)


class LessonSuggestion(models.Model):
    """A lesson the person in recovery suggested to someone who shares in their circle, with a few words of their
    own. One per person, reader and lesson: suggesting it again brings it back with the new words."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_suggestions")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_suggestions_received"
    )
    lesson = models.CharField(max_length=80, help_text="The lesson's slug (its file in learning/lessons/).")
    message = models.CharField(gettext_lazy("a few words"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True, help_text="When the reader set it aside.")

    objects = LessonSuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "viewer", "lesson"], name="learning_one_suggestion_per_lesson")
        ]
        indexes = [models.Index(fields=["viewer", "created_at"], name="learning_suggestion_viewer_idx")]

    def __str__(self):
        return f"{self.lesson} suggested"

    @classmethod
    def suggest(cls, owner, viewer, lesson, message="", now=None):
        """Make or renew the suggestion; returns (suggestion, whether it is new or came back from being set aside,
        so worth telling the reader about)."""
        now = now or timezone.now()
        suggestion, created = cls.objects.get_or_create(
            owner=owner, viewer=viewer, lesson=lesson.slug, defaults={"message": message, "created_at": now}
        )
        if created:
            return suggestion, True
        renewed = suggestion.dismissed_at is not None
        suggestion.message, suggestion.created_at, suggestion.dismissed_at = message, now, None
        suggestion.save(update_fields=["message", "created_at", "dismissed_at"])
        return suggestion, renewed
