"""People and the few cross-cutting records every app relies on."""

import datetime as dt
import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .querysets import owners_changed


@functools.cache
def zone_named(name):
    """The ZoneInfo for an IANA name (UTC for an unknown one), kept: zoneinfo's own cache
    holds only a handful strongly, and the dispatch asks for thousands of zones a second."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def local_moment(day, wall_time, zone):
    """The UTC instant of a wall-clock time on a local date.

    A time skipped by a spring-forward change (02:30 on the day New York jumps
    from 02:00 to 03:00) resolves with fold=0 to 03:30 local, the same distance
    after the jump; a time that happens twice in autumn resolves to the first.
    """
    return dt.datetime.combine(day, wall_time, tzinfo=zone).astimezone(dt.UTC)


def end_of_local_day(day, zone):
    """The UTC moment `day` ends in `zone` (the next day's midnight there)."""
    return local_moment(day + dt.timedelta(days=1), dt.time(0, 0), zone)


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list, for example America/Chicago."))


# Kept by UPDATEs elsewhere, never by a save of a copy that may be older.
COUNTER_FIELDS = {"unread_notifications", "data_version", "has_journey", "views_someone", "counsels_someone"}
# Saving only these changes nothing a page shows (a sign-in's last_login, a new password hash).
QUIET_FIELDS = COUNTER_FIELDS | {"last_login", "password"}


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # A direct UPDATE of what pages show (a name, a zone) makes them stale in the same statement.
        # (Historical models in migrations may predate the field.)
        if set(kwargs) - QUIET_FIELDS and hasattr(self.model, "data_version"):
            kwargs.setdefault("data_version", models.F("data_version") + 1)
        return super().update(**kwargs)

    update.alters_data = True

    def in_recovery(self):
        """The accounts `User.in_recovery` is true of, as a filter (a test holds the two to the same answer)."""
        return self.filter(models.Q(has_journey=True) | models.Q(views_someone=False, counsels_someone=False))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
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
    email = models.EmailField(gettext_lazy("email address"), unique=True)
    display_name = models.CharField(
        gettext_lazy("display name"),
        max_length=80,
        blank=True,
        help_text=gettext_lazy("How we greet you, and how people you invite see you. A first name is fine."),
    )
    time_zone = models.CharField(
        gettext_lazy("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=gettext_lazy("Your days, reminders and milestones follow this zone."),
    )
    # Pages, emails, reminders and alerts to this person are in this language (settings.LANGUAGES); set from the
    # browser's Accept-Language at sign-up.
    language = models.CharField(
        gettext_lazy("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=gettext_lazy("The language of your pages, emails and reminders."),
    )
    checkin_time = models.TimeField(
        gettext_lazy("daily check-in time"),
        default=dt.time(20, 0),
        help_text=gettext_lazy("When you'd like to be reminded to check in, in your own time."),
    )
    quiet_hours_start = models.TimeField(
        gettext_lazy("quiet hours start"),
        null=True,
        blank=True,
        default=dt.time(22, 0),
        help_text=gettext_lazy("No reminders from this time…"),
    )
    quiet_hours_end = models.TimeField(
        gettext_lazy("quiet hours end"),
        null=True,
        blank=True,
        default=dt.time(7, 0),
        help_text=gettext_lazy("…until this time."),
    )
    reminders_paused_until = models.DateTimeField(
        gettext_lazy("reminders paused until"),
        null=True,
        blank=True,
        help_text=gettext_lazy("No reminders of any kind until this moment."),
    )
    # Kept in step with the notification centre so the nav's count costs no query on any page.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    # Bumped by every change to this person's records (page_cache.py): cached pages are keyed on it.
    data_version = models.PositiveBigIntegerField(default=0, editable=False)
    # Which parts of the app the account uses, kept on the row so every page's navigation reads them without a
    # query: a journey of their own (milestones keeps it), an active grant to see someone's progress and an
    # unrevoked consent from a client (the circle of care keeps those).
    has_journey = models.BooleanField(default=False, editable=False)
    views_someone = models.BooleanField(default=False, editable=False)
    counsels_someone = models.BooleanField(default=False, editable=False)
    meeting_reminder_minutes = models.PositiveSmallIntegerField(
        gettext_lazy("minutes before a meeting"),
        default=60,
        help_text=gettext_lazy("How long before one of your groups meets we remind you."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Save the profile without writing back the counters, then mark the person's pages stale.

        The two counters only ever move by UPDATE … SET n = n + 1 elsewhere; a full
        save from a copy loaded a moment ago must not write an older value over them
        (an older data_version would bring back a cached page from before a change).
        """
        update_fields = kwargs.get("update_fields")
        if self._state.adding or kwargs.get("force_insert"):
            return super().save(*args, **kwargs)
        if update_fields is None:
            deferred = self.get_deferred_fields()  # as Django does: a copy loaded with only() saves what it loaded
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in COUNTER_FIELDS and field.attname not in deferred
            ]
        super().save(*args, **kwargs)
        if update_fields is None or set(update_fields) - QUIET_FIELDS:
            owners_changed.send(sender=User, owners=[self.pk])

    @property
    def in_recovery(self):
        """Whether the app speaks to this account as a person in recovery: a journey of their own, or an account
        no one has brought into their circle (a newcomer starts here). A mother who only supports her son, or a
        counselor, gets no check-in prompt until they start a journey themselves."""
        return self.has_journey or not (self.views_someone or self.counsels_someone)

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
        return zone_named(self.time_zone)

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

    def quiet_hours_end_after(self, now_utc):
        """The UTC moment the quiet hours around `now_utc` end (call only while in quiet hours)."""
        local_now = self.local_now(now_utc)
        end_day = local_now.date()
        if local_now.time() >= self.quiet_hours_end:
            end_day += dt.timedelta(days=1)
        return local_moment(end_day, self.quiet_hours_end, self.zone)

    def reminders_paused(self, now_utc=None):
        return self.reminders_paused_until is not None and self.reminders_paused_until > (now_utc or timezone.now())


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
