"""The notification engine's records: what to remind whom about and when (Reminder), each
delivery made exactly once (Delivery), the in-app centre (Notification) and each person's
channel choices (NotificationPreference).

They were born in the project package and keep its table names (`recovery_network_*`):
migration 0001 here took them over without moving a row.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from recovery_network.querysets import OwnedQuerySet


class ReminderQuerySet(models.QuerySet):
    def due(self, now_utc):
        return self.filter(due_at__lte=now_utc)

    def waiting_since(self, now_utc):
        """When the oldest due reminder began to wait for the dispatch; None when none is due.

        A reminder waits from its due time, or from when its row was written if it was written already due (a
        schedule built with catch-up: a supporter overdue when added is due at once, days "late"). The oldest by
        due time stands for them all: one row read off the due_at index, however many are due.
        """
        row = self.due(now_utc).order_by("due_at").values_list("due_at", "updated_at").first()
        return max(row) if row else None


class Reminder(models.Model):
    """What to remind whom about, and when next: one row per (recipient, kind, subject).

    `due_at` is the indexed UTC moment the dispatch next looks at this row. It is
    usually the occurrence itself (`occurs_at`); quiet hours move `due_at` later
    while the occurrence stays the same, and `expires_at` is when the occurrence
    stops being worth sending (after downtime, or a meeting that has begun).
    Rows are kept current by signal receivers and by the dispatch itself
    (see recovery_network/reminders.py).
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=40)
    # The id of the thing the reminder is about (a journey, a supporter, a meeting
    # slot), read by the kind; 0 when the kind has no subject (the daily check-in).
    subject_id = models.PositiveBigIntegerField(default=0)
    occurrence = models.CharField(max_length=40)
    occurs_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    due_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        db_table = "recovery_network_reminder"  # its table from before the app had a home of its own
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id", "recipient"], name="reminder_once_per_subject"),
        ]
        indexes = [models.Index(fields=["due_at"], name="reminder_due_idx")]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M}"


class DeliveryQuerySet(models.QuerySet):
    def stalled(self, now_utc, lease):
        """Deliveries whose send task was lost: pending past their time, or claimed by a worker that died."""
        return self.filter(
            models.Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now_utc - lease)
            | models.Q(status=Delivery.Status.SENDING, claimed_at__lte=now_utc - lease)
        )

    def stalled_since(self, now_utc, lease):
        """When the lease of the first stalled delivery ran out, the moment the dispatch should have queued it
        again (requeue_stalled); None when none is stalled. One query, over the stalled rows only."""
        first = self.stalled(now_utc, lease).aggregate(
            pending=models.Min("next_attempt_at", filter=models.Q(status=Delivery.Status.PENDING)),
            sending=models.Min("claimed_at", filter=models.Q(status=Delivery.Status.SENDING)),
        )
        return min((at + lease for at in first.values() if at is not None), default=None)


class Delivery(models.Model):
    """One occurrence of one kind for one person, written before anything is sent.

    The unique (recipient, kind, subject, occurrence) row is what makes a
    reminder arrive once: a second dispatch, a retried task or two racing
    workers all meet this row, and only the worker whose conditional UPDATE
    moves it from pending to sending may send the email.
    """

    class Status(models.TextChoices):
        # An event's email waiting for the recipient's quiet hours to end (release_held queues it then).
        HELD = "held", "Held for quiet hours"
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    class SkipReason(models.TextChoices):
        NONE = "", "—"
        MISSED = "missed", "Missed while the system was down"
        PAUSED = "paused", "Reminders paused"
        CHECKED_IN = "checked_in", "Already checked in"
        OPTED_OUT = "opted_out", "Turned off by the person"
        UNVERIFIED = "unverified", "Email address not verified"
        GONE = "gone", "No longer applies"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=40)
    subject_id = models.PositiveBigIntegerField(default=0)
    occurrence = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    skip_reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True, default="")
    by_email = models.BooleanField(default=False)
    in_app = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # When the person used the one-tap link in it ("I reached out"): once only.
    acted_at = models.DateTimeField(null=True, blank=True)
    # Which dispatch run inserted the row, so it can tell its inserts from a racing run's.
    dispatch_token = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        db_table = "recovery_network_delivery"  # its table from before the app had a home of its own
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_id", "occurrence"], name="delivery_once_per_occurrence"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_unfinished_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["status", "created_at"], name="delivery_status_idx"),
        ]

    def __str__(self):
        # Without the occurrence: a milestone's names the day the person's clean time began.
        return f"{self.kind} to {self.recipient_id} ({self.status})"


class NotificationQuerySet(OwnedQuerySet):
    changes_pages = False  # the notification centre is keyed on its own state (centre_state), the nav on the user
    owner_path = "recipient"

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An entry in the person's notification centre. Text is written once, when it is delivered."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    delivery = models.OneToOneField(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="notification"
    )
    # The person this notification tells someone else about (a milestone, a call for support), if any: it goes
    # with their account when they erase it.
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # A one-tap action (a POST), e.g. "I reached out".
    action_url = models.CharField(max_length=500, blank=True)
    action_label = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "recovery_network_notification"  # its table from before the app had a home of its own
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"], name="notification_unread_idx", condition=models.Q(read_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_unread(self):
        return self.read_at is None


class NotificationPreferenceQuerySet(OwnedQuerySet):
    owner_path = "user"  # a change shows on their reminder settings, kept under their data_version


class NotificationPreference(models.Model):
    """A person's choice of channels for one kind; without a row, the kind's defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    by_email = models.BooleanField(default=True)
    in_app = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NotificationPreferenceQuerySet.as_manager()

    class Meta:
        db_table = "recovery_network_notificationpreference"  # its table from before the app had a home of its own
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")]

    def __str__(self):
        return f"{self.kind}: email {self.by_email}, in-app {self.in_app}"
