"""A person's requests about their own data: a download of everything (Export) and leaving for good (Erasure).

Both sit on top of every other app (they read and delete across all of them) and are reached only by
their owner.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from recovery_network.querysets import OwnedQuerySet


class ExportQuerySet(OwnedQuerySet):
    changes_pages = False  # the settings page reads exports afresh; nothing cached shows them

    def offered(self, now=None):
        return self.filter(status=Export.Status.READY, expires_at__gt=now or timezone.now())

    def expired(self, now=None):
        return self.filter(expires_at__lte=now or timezone.now())


class Export(models.Model):
    """One zip of everything a person may take with them, built by a task and offered to them for a day.

    The file is kept in the database (`content`), not on a disk: the worker that builds it and the web
    process that serves it may be on different machines, and PostgreSQL is what they share. A person's whole
    history compresses to a few megabytes at most.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Waiting to start")
        BUILDING = "building", gettext_lazy("Being built")
        READY = "ready", gettext_lazy("Ready to download")
        FAILED = "failed", gettext_lazy("Could not be built")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=gettext_lazy("Percent done while it is built."))
    step = models.CharField(max_length=80, blank=True, help_text=gettext_lazy("What is being gathered now."))
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text=gettext_lazy("When the file is deleted: a day after it was asked for."))
    downloaded_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    content = models.BinaryField(null=True, blank=True, editable=False)

    objects = ExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="export_owner_idx")]

    def __str__(self):
        return f"Export {self.pk} ({self.status})"

    @property
    def is_finished(self):
        return self.status in (self.Status.READY, self.Status.FAILED)

    def is_offered(self, now=None):
        return self.status == self.Status.READY and self.expires_at > (now or timezone.now())

    def filename(self):
        return f"recovery-network-{self.created_at:%Y-%m-%d}.zip"


class ErasureQuerySet(OwnedQuerySet):
    changes_pages = False

    def due(self, now=None):
        return self.filter(erase_after__lte=now or timezone.now())


class Erasure(models.Model):
    """A person's request to be erased. Sharing ends when it is made; everything goes after the grace period.

    Signing in during the grace period cancels it (receivers.py): the row is deleted, and what ended when it
    was made (grants, consents, alert acceptances) stays ended.
    """

    GRACE = dt.timedelta(days=7)

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure")
    requested_at = models.DateTimeField(default=timezone.now)
    erase_after = models.DateTimeField()
    # Their own break from reminders before they asked (the grace period pauses them all), given back on cancel.
    paused_until_before = models.DateTimeField(null=True, blank=True)

    objects = ErasureQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["erase_after"], name="erasure_due_idx")]

    def __str__(self):
        return f"Erasure of {self.owner_id} after {self.erase_after:%Y-%m-%d %H:%M}"
