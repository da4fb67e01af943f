"""People and the few cross-cutting records every app relies on."""

import datetime as dt
import zoneinfo

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone from the list, for example America/Chicago.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person using Recovery Network, signed in by email.

    The profile lives on the user row itself: every page needs the person's
    zone and name, so keeping them here saves a join on every request.
    """

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(
        max_length=80,
        blank=True,
        help_text="How we greet you, and how people you invite see you. A first name is fine.",
    )
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Your days, reminders and milestones follow this zone.",
    )
    checkin_time = models.TimeField(
        "daily check-in time",
        default=dt.time(20, 0),
        help_text="When you'd like to be reminded to check in, in your own time.",
    )
    quiet_hours_start = models.TimeField(
        null=True, blank=True, default=dt.time(22, 0), help_text="No reminders from this time…"
    )
    quiet_hours_end = models.TimeField(null=True, blank=True, default=dt.time(7, 0), help_text="…until this time.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name we show: the chosen display name, else the email's local part."""
        return self.display_name or self.email.split("@")[0]

    def get_short_name(self):
        return self.name

    def get_full_name(self):
        return self.name

    @property
    def zone(self):
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return dt.UTC

    def local_now(self, now_utc=None):
        return (now_utc or timezone.now()).astimezone(self.zone)

    def local_today(self, now_utc=None):
        """The person's "today": the calendar date where they are, not on the server."""
        return self.local_now(now_utc).date()

    def in_quiet_hours(self, now_utc=None):
        """Whether it is currently within the person's quiet hours, in their zone.

        Quiet hours usually wrap midnight (22:00–07:00), so a start later than
        the end means "after start or before end".
        """
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start is None or end is None or start == end:
            return False
        local_time = self.local_now(now_utc).time()
        if start < end:
            return start <= local_time < end
        return local_time >= start or local_time < end


class Heartbeat(models.Model):
    """A single row that beat's periodic task touches, proving beat → broker → worker → database."""

    name = models.CharField(max_length=40, unique=True)
    last_beat_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} at {self.last_beat_at:%Y-%m-%d %H:%M:%S}"

    @classmethod
    def record(cls, name="worker", now=None):
        now = now or timezone.now()
        updated = cls.objects.filter(name=name).update(last_beat_at=now, beats=models.F("beats") + 1)
        if not updated:
            cls.objects.get_or_create(name=name, defaults={"last_beat_at": now, "beats": 1})
        return now
