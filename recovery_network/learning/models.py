"""A reader's progress through the family course: which lessons they finished and their private note on how the
week's small thing went. The reader owns their rows (`owner`); nothing shows them to anyone else — not the person
they support, not a counselor (sharing them, if ever, is the reader's choice and comes later)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

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

    objects = LessonProgressQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [models.UniqueConstraint(fields=["owner", "lesson"], name="learning_one_progress_per_lesson")]

    def __str__(self):
        return f"{self.lesson} ({'done' if self.done_at else 'started'})"

    @classmethod
    def record(cls, owner, lesson, note, done, now=None):
        """Save a reader's note and whether they finished the lesson (their one row for it, made if need be).
        Unticking "done" clears it: the reader may want to come back to a lesson."""
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
        progress.version = lesson.version
        progress.save()
        return progress
