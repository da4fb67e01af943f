"""Reach out now: the people who agreed to be alerted (AlertContact), each call for support (Alert) and every
step of it as a row of its own — each wave of people alerted (AlertWave), each message sent on each channel
(AlertSend) and each answer (AlertAnswer). Unique rows make every step happen once, however many workers race.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from recovery_network.models import validate_time_zone, zone_named
from recovery_network.querysets import OwnedQuerySet

# Night, for someone without an account of their own (whose quiet hours we know): in the zone they gave.
NIGHT_START = dt.time(22, 0)
NIGHT_END = dt.time(7, 0)


def new_nonce():
    return secrets.token_urlsafe(12)


class AlertContactQuerySet(OwnedQuerySet):
    def accepted(self):
        return self.filter(status=AlertContact.Status.ACCEPTED)

    def in_order(self):
        return self.order_by("position", "id")


class AlertContact(models.Model):
    """A supporter the person asked to be there when they are struggling, and what that supporter answered.

    Nothing is ever sent to someone who has not accepted. The address and number alerts go to are the ones the
    supporter accepted with (a later edit of the supporter's card does not redirect alerts to someone else).
    `nonce` is in every link sent to them: asking again, or stopping, makes every older link void.
    """

    class Status(models.TextChoices):
        ASKED = "asked", gettext_lazy("Asked, no answer yet")
        ACCEPTED = "accepted", gettext_lazy("Agreed to be there")
        DECLINED = "declined", gettext_lazy("Said no")
        STOPPED = "stopped", gettext_lazy("Stopped alerts")
        WITHDRAWN = "withdrawn", gettext_lazy("Taken off the list")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_contacts")
    supporter = models.OneToOneField(
        "supports.Supporter", on_delete=models.CASCADE, related_name="alert_contact", db_index=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)
    # Lower first: who is alerted in the first wave, who in the next.
    position = models.PositiveSmallIntegerField(default=0)
    email = models.EmailField(blank=True)
    phone = models.CharField(gettext_lazy("mobile number for texts"), max_length=40, blank=True)
    # Their account, when the supporter has one: alerts and requests reach its notification centre too.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts_accepted"
    )
    night_alerts = models.BooleanField(gettext_lazy("alert me at night too"), default=False)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AlertContactQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["owner", "status", "position"], name="alertcontact_owner_idx")]

    def __str__(self):
        return f"{self.supporter_id} for {self.owner_id} ({self.status})"

    @property
    def is_accepted(self):
        return self.status == self.Status.ACCEPTED

    def at_night(self, now_utc):
        """Whether it is night for this supporter now: their own quiet hours when they have an account,
        otherwise 22:00–07:00 in the zone they gave."""
        if self.user_id and self.user.quiet_hours_start and self.user.quiet_hours_end:
            return self.user.in_quiet_hours(now_utc)
        local_time = now_utc.astimezone(zone_named(self.time_zone)).time()
        return local_time >= NIGHT_START or local_time < NIGHT_END

    def may_be_alerted(self, now_utc):
        return self.is_accepted and (self.night_alerts or not self.at_night(now_utc))


class AlertQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(status=Alert.Status.OPEN)

    def since(self, moment_utc):
        return self.filter(created_at__gte=moment_utc)

    def live(self, now_utc, live_for):
        """The call a new tap returns to: still open or answered, and raised within `live_for`."""
        return self.filter(status__in=[Alert.Status.OPEN, Alert.Status.ANSWERED], created_at__gte=now_utc - live_for)


class Alert(models.Model):
    """One "I need support now". Open until someone answers, the person closes it, or no one is left to ask."""

    class Status(models.TextChoices):
        OPEN = "open", gettext_lazy("Waiting for an answer")
        ANSWERED = "answered", gettext_lazy("Someone is reaching out")
        CLOSED = "closed", gettext_lazy("Closed by you")
        UNANSWERED = "unanswered", gettext_lazy("No one answered in time")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    words = models.CharField(gettext_lazy("a few words (optional)"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # When the wave now out has waited long enough: the next people are alerted then (tasks.escalate_due).
    next_wave_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="alert_owner_created_idx"),
            models.Index(fields=["next_wave_at"], name="alert_waiting_idx", condition=models.Q(status="open")),
        ]

    def __str__(self):
        return f"alert {self.pk} of {self.owner_id} ({self.status})"

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_live(self):
        """Open, or answered and not yet closed (more people may still come)."""
        return self.status in (self.Status.OPEN, self.Status.ANSWERED)

    @property
    def accepts_answers(self):
        """A supporter may still say they are coming: unless the person closed it, even after no one answered
        in time (a late call is still welcome)."""
        return self.status != self.Status.CLOSED


class AlertWave(models.Model):
    """A round of people alerted: the first at once, each next one when the last went unanswered."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    # How many were alerted in it (0: no one was left to ask — the crisis lines were shown).
    size = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["alert", "number"]
        constraints = [models.UniqueConstraint(fields=["alert", "number"], name="alertwave_once")]

    def __str__(self):
        return f"wave {self.number} of alert {self.alert_id}"


class AlertSend(models.Model):
    """One message of one alert to one supporter on one channel, written before it is sent.

    Sent by claim-then-send, as the reminder engine's deliveries: only the worker whose conditional UPDATE moved
    the row from pending to sending may send it; a claim held past its lease by a worker that died is taken over.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", gettext_lazy("Email")
        SMS = "sms", gettext_lazy("Text message")
        APP = "app", gettext_lazy("In the app")

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        SENDING = "sending", gettext_lazy("Sending")
        SENT = "sent", gettext_lazy("Sent")
        FAILED = "failed", gettext_lazy("Failed")
        SKIPPED = "skipped", gettext_lazy("Not sent")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="sends")
    contact = models.ForeignKey(AlertContact, on_delete=models.CASCADE, related_name="sends")
    wave = models.PositiveSmallIntegerField(default=1)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    skip_reason = models.CharField(max_length=80, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["wave", "contact__position", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "contact", "channel"], name="alertsend_once")]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="alertsend_unfinished_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            )
        ]

    def __str__(self):
        return f"{self.channel} of alert {self.alert_id} to contact {self.contact_id} ({self.status})"


class AlertAnswer(models.Model):
    """A supporter's "I'm reaching out now": once per alert and supporter."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="answers")
    contact = models.ForeignKey(AlertContact, on_delete=models.CASCADE, related_name="answers")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "contact"], name="alertanswer_once")]

    def __str__(self):
        return f"contact {self.contact_id} answered alert {self.alert_id}"
