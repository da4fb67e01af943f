"""The support network: supporters, contacts, peer groups, meetings, community.

Everything here belongs to one owner. Reads go through `for_owner(user)` and
`get_for_owner_or_404(user, ...)` on each model's QuerySet, so ownership is
checked in one place and another person's id is always a 404.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from recovery_network.models import validate_time_zone, zone_named
from recovery_network.querysets import OwnedQuerySet

from . import meeting_types


class ArchivableQuerySet(OwnedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Channel(models.TextChoices):
    IN_PERSON = "in_person", gettext_lazy("In person")
    PHONE = "phone", gettext_lazy("Phone call")
    VIDEO = "video", gettext_lazy("Video")
    TEXT = "text", gettext_lazy("Text or chat")
    EMAIL = "email", gettext_lazy("Email")


class OnlineVia(models.TextChoices):
    NONE = "", gettext_lazy("Not online")
    VIDEO = "video", gettext_lazy("Video")
    PHONE = "phone", gettext_lazy("Phone")
    CHAT = "chat", gettext_lazy("Chat or messaging")


class Relationship(models.TextChoices):
    # Personal
    FAMILY = "family", gettext_lazy("Family member")
    PARTNER = "partner", gettext_lazy("Partner or spouse")
    FRIEND = "friend", gettext_lazy("Friend")
    MENTOR = "mentor", gettext_lazy("Mentor")
    SPONSOR = "sponsor", gettext_lazy("Sponsor")
    COWORKER = "coworker", gettext_lazy("Coworker")
    NEIGHBOUR = "neighbour", gettext_lazy("Neighbour")
    FAITH_LEADER = "faith_leader", gettext_lazy("Faith leader")
    OTHER_PERSONAL = "other_personal", gettext_lazy("Someone else in my life")
    # Professional
    COUNSELOR = "counselor", gettext_lazy("Counselor")
    THERAPIST = "therapist", gettext_lazy("Therapist")
    PRESCRIBER = "prescriber", gettext_lazy("Psychiatrist or prescriber")
    PHYSICIAN = "physician", gettext_lazy("Physician")
    RECOVERY_COACH = "recovery_coach", gettext_lazy("Recovery coach or peer specialist")
    CASE_MANAGER = "case_manager", gettext_lazy("Case manager")
    SOCIAL_WORKER = "social_worker", gettext_lazy("Social worker")
    OTHER_PROFESSIONAL = "other_professional", gettext_lazy("Other professional")


PROFESSIONAL_RELATIONSHIPS = frozenset(
    {
        Relationship.COUNSELOR,
        Relationship.THERAPIST,
        Relationship.PRESCRIBER,
        Relationship.PHYSICIAN,
        Relationship.RECOVERY_COACH,
        Relationship.CASE_MANAGER,
        Relationship.SOCIAL_WORKER,
        Relationship.OTHER_PROFESSIONAL,
    }
)

RELATIONSHIP_GROUPS = [
    (gettext_lazy("Personal"), [(c.value, c.label) for c in Relationship if c not in PROFESSIONAL_RELATIONSHIPS]),
    (gettext_lazy("Professional"), [(c.value, c.label) for c in Relationship if c in PROFESSIONAL_RELATIONSHIPS]),
]


class Closeness(models.IntegerChoices):
    INNER = 1, gettext_lazy("Inner circle")
    CLOSE = 2, pgettext_lazy("how close someone is", "Close")
    WIDER = 3, gettext_lazy("Wider circle")


class Influence(models.TextChoices):
    """How a person relates to the owner's recovery, as clinical network instruments ask."""

    SUPPORTIVE = "supportive", gettext_lazy("Supportive of my recovery")
    NEUTRAL = "neutral", gettext_lazy("Neutral")
    RISK = "risk", gettext_lazy("A risk to my recovery")


# The kinds of support a supporter gives: (field on Supporter, short label, long label).
SUPPORT_KINDS = [
    # Translators: the short labels (context "kind of support") tag a supporter's card and the map's table.
    ("gives_emotional", pgettext_lazy("kind of support", "Emotional"), gettext_lazy("Emotional support")),
    ("gives_practical", pgettext_lazy("kind of support", "Practical"), gettext_lazy("Practical help")),
    ("gives_advice", pgettext_lazy("kind of support", "Advice"), gettext_lazy("Information and advice")),
    ("gives_accountability", pgettext_lazy("kind of support", "Accountability"), gettext_lazy("Accountability")),
    ("gives_companionship", pgettext_lazy("kind of support", "Sober company"), gettext_lazy("Sober companionship")),
    (
        "gives_crisis",
        pgettext_lazy("kind of support", "Crisis"),
        gettext_lazy("Crisis support (someone to call at 3 a.m.)"),
    ),
]
SUPPORT_KIND_FIELDS = [field for field, _, _ in SUPPORT_KINDS]


class ContactEvery(models.IntegerChoices):
    DAILY = 1, gettext_lazy("Every day")
    TWICE_A_WEEK = 3, gettext_lazy("A couple of times a week")
    WEEKLY = 7, gettext_lazy("Every week")
    FORTNIGHTLY = 14, gettext_lazy("Every two weeks")
    MONTHLY = 30, gettext_lazy("Every month")
    QUARTERLY = 90, gettext_lazy("Every few months")


class SupporterQuerySet(ArchivableQuerySet):
    def professional(self):
        return self.filter(relationship__in=PROFESSIONAL_RELATIONSHIPS)

    def personal(self):
        return self.exclude(relationship__in=PROFESSIONAL_RELATIONSHIPS)

    def inner_circle(self):
        return self.filter(closeness=Closeness.INNER)

    def risky(self):
        return self.filter(influence=Influence.RISK)

    def overdue(self, now=None):
        """Active supporters the owner wanted to hear from by now and hasn't."""
        return self.active().filter(contact_due_at__lt=now or timezone.now())

    def giving(self, field):
        return self.filter(**{field: True})

    def to_call_in_crisis(self):
        """Active supporters marked for crisis support who have a phone number: the inner circle first."""
        return self.active().filter(gives_crisis=True).exclude(phone="").order_by("closeness", "name", "id")


class Supporter(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporters")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=32, choices=Relationship.choices, default=Relationship.FRIEND)
    closeness = models.PositiveSmallIntegerField(choices=Closeness.choices, default=Closeness.CLOSE)
    influence = models.CharField(
        gettext_lazy("how they relate to your recovery"),
        max_length=16,
        choices=Influence.choices,
        default=Influence.SUPPORTIVE,
    )
    gives_emotional = models.BooleanField(gettext_lazy("emotional support"), default=False)
    gives_practical = models.BooleanField(gettext_lazy("practical help"), default=False)
    gives_advice = models.BooleanField(gettext_lazy("information and advice"), default=False)
    gives_accountability = models.BooleanField(gettext_lazy("accountability"), default=False)
    gives_companionship = models.BooleanField(gettext_lazy("sober companionship"), default=False)
    gives_crisis = models.BooleanField(gettext_lazy("crisis support"), default=False)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    preferred_channel = models.CharField(
        gettext_lazy("preferred way to reach them"), max_length=16, choices=Channel.choices, blank=True
    )
    online_via = models.CharField(
        gettext_lazy("reachable online"), max_length=8, choices=OnlineVia.choices, blank=True, default=OnlineVia.NONE
    )
    contact_every_days = models.PositiveSmallIntegerField(
        gettext_lazy("how often you'd like to be in touch"), choices=ContactEvery.choices, null=True, blank=True
    )
    notes = models.TextField(blank=True)
    # Kept in step with the contact log by refresh_contact_state(), so "overdue"
    # is one indexed comparison instead of an aggregate over every contact.
    last_contact_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set by the circle-of-care work when someone the owner invited links to this supporter.
    linked_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supporter_links",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupporterQuerySet.as_manager()

    class Meta:
        ordering = ["closeness", "name", "id"]
        indexes = [
            models.Index(fields=["owner", "archived_at", "closeness"], name="supporter_owner_active_idx"),
            models.Index(fields=["owner", "contact_due_at"], name="supporter_owner_due_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.contact_due_at = self.compute_due_at()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "contact_every_days" in update_fields:
            kwargs["update_fields"] = {*update_fields, "contact_due_at"}
        super().save(*args, **kwargs)

    @property
    def is_professional(self):
        return self.relationship in PROFESSIONAL_RELATIONSHIPS

    @property
    def kind_label(self):
        return gettext("Professional") if self.is_professional else gettext("Personal")

    @property
    def is_risk(self):
        return self.influence == Influence.RISK

    @property
    def is_archived(self):
        return self.archived_at is not None

    @property
    def support_kinds(self):
        """[(field, short label)] for each kind of support this person gives."""
        return [(field, short) for field, short, _ in SUPPORT_KINDS if getattr(self, field)]

    def is_overdue(self, now=None):
        return (
            self.archived_at is None
            and self.contact_due_at is not None
            and self.contact_due_at < (now or timezone.now())
        )

    def compute_due_at(self):
        if not self.contact_every_days:
            return None
        since = self.last_contact_at or self.created_at
        return since + dt.timedelta(days=self.contact_every_days)

    def refresh_contact_state(self, save=True):
        """Recompute last contact and next due time from the contact log."""
        self.last_contact_at = self.contacts.aggregate(latest=models.Max("happened_at"))["latest"]
        self.contact_due_at = self.compute_due_at()
        if save:
            Supporter.objects.filter(pk=self.pk).update(
                last_contact_at=self.last_contact_at, contact_due_at=self.contact_due_at
            )

    def contact_logged(self, happened_at):
        """Move last contact and the next due time along for a contact just added to the log.

        A new contact can only make the latest one later, so with this row locked
        (services.log_contact) the log need not be read again, and the owner's pages were
        already marked stale by the contact itself: one UPDATE of this row, no more.
        """
        if self.last_contact_at is not None and self.last_contact_at >= happened_at:
            return
        self.last_contact_at = happened_at
        self.contact_due_at = self.compute_due_at()
        Supporter._base_manager.filter(pk=self.pk).update(
            last_contact_at=self.last_contact_at, contact_due_at=self.contact_due_at
        )

    def archive(self, now=None):
        if self.archived_at is None:
            self.archived_at = now or timezone.now()
            self.save(update_fields=["archived_at", "updated_at"])

    def restore(self):
        if self.archived_at is not None:
            self.archived_at = None
            self.save(update_fields=["archived_at", "updated_at"])


class ContactQuerySet(OwnedQuerySet):
    def since(self, moment_utc):
        return self.filter(happened_at__gte=moment_utc)


class Helpfulness(models.IntegerChoices):
    NOT_REALLY = 1, gettext_lazy("Not really helpful")
    A_LITTLE = 2, gettext_lazy("A little helpful")
    HELPFUL = 3, gettext_lazy("Helpful")
    VERY = 4, gettext_lazy("Very helpful")


class Contact(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="contacts")
    happened_at = models.DateTimeField(gettext_lazy("when"), default=timezone.now)
    channel = models.CharField(gettext_lazy("how"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    helpfulness = models.PositiveSmallIntegerField(
        gettext_lazy("how helpful it felt"), choices=Helpfulness.choices, null=True, blank=True
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "happened_at"], name="contact_owner_happened_idx"),
            models.Index(fields=["supporter", "happened_at"], name="contact_supporter_happened_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} with {self.supporter} at {self.happened_at:%Y-%m-%d %H:%M}"


class Fellowship(models.TextChoices):
    AA = "aa", gettext_lazy("Alcoholics Anonymous (AA)")
    NA = "na", gettext_lazy("Narcotics Anonymous (NA)")
    CA = "ca", gettext_lazy("Cocaine Anonymous (CA)")
    SMART = "smart", gettext_lazy("SMART Recovery")
    CELEBRATE = "celebrate", gettext_lazy("Celebrate Recovery")
    FAITH = "faith", gettext_lazy("Other faith-based group")
    DHARMA = "dharma", gettext_lazy("Recovery Dharma")
    LIFERING = "lifering", gettext_lazy("LifeRing")
    WFS = "wfs", gettext_lazy("Women for Sobriety")
    ALANON = "alanon", gettext_lazy("Al-Anon")
    NARANON = "naranon", gettext_lazy("Nar-Anon")
    OTHER = "other", gettext_lazy("Other")


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", gettext_lazy("In person")
    ONLINE = "online", gettext_lazy("Online")
    HYBRID = "hybrid", gettext_lazy("Hybrid")


WEEKDAY_NAMES = [
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
]
WEEKDAY_CHOICES = list(enumerate(WEEKDAY_NAMES))


class PeerGroupQuerySet(ArchivableQuerySet):
    pass


class PeerGroup(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_groups")
    name = models.CharField(max_length=160)
    fellowship = models.CharField(gettext_lazy("fellowship or type"), max_length=16, choices=Fellowship.choices)
    format = models.CharField(max_length=16, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=gettext_lazy("The group's own time zone: meeting times are in this zone."),
    )
    address = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(gettext_lazy("video link"), max_length=500, blank=True)
    online_via = models.CharField(
        gettext_lazy("reachable online"), max_length=8, choices=OnlineVia.choices, blank=True, default=OnlineVia.NONE
    )
    is_home_group = models.BooleanField(gettext_lazy("this is my home group"), default=False)
    sponsor = models.ForeignKey(
        Supporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_groups",
        help_text=gettext_lazy("Your sponsor in this group, if you have one."),
    )
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="peer_groups",
        help_text=gettext_lazy("The imported meeting this group was joined from."),
    )
    notes = models.TextField(blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PeerGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-is_home_group", "name", "id"]
        indexes = [models.Index(fields=["owner", "archived_at"], name="peergroup_owner_active_idx")]

    def __str__(self):
        return self.name

    @property
    def zone(self):
        return zone_named(self.time_zone)

    @property
    def is_archived(self):
        return self.archived_at is not None

    def archive(self, now=None):
        if self.archived_at is None:
            self.archived_at = now or timezone.now()
            self.save(update_fields=["archived_at", "updated_at"])

    def restore(self):
        if self.archived_at is not None:
            self.archived_at = None
            self.save(update_fields=["archived_at", "updated_at"])


class MeetingTimeQuerySet(OwnedQuerySet):
    owner_path = "group__owner"


class MeetingTime(models.Model):
    """One weekly slot, in the group's own time zone (weekday 0 = Monday, as Python counts)."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="meeting_times")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    start_time = models.TimeField()
    end_time = models.TimeField(null=True, blank=True)

    objects = MeetingTimeQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "start_time", "id"]

    def __str__(self):
        return f"{WEEKDAY_NAMES[self.weekday]} {self.start_time:%H:%M}"

    @property
    def weekday_name(self):
        return str(WEEKDAY_NAMES[self.weekday])

    def next_start(self, after_utc):
        """The next start of this slot after a UTC moment, as an aware datetime in the group's zone.

        Built from the local wall-clock date so that across a DST change the
        meeting stays at 19:00 local rather than drifting by an hour.
        """
        zone = self.group.zone
        local_after = after_utc.astimezone(zone)
        days_ahead = (self.weekday - local_after.weekday()) % 7
        for extra in (0, 7):
            day = local_after.date() + dt.timedelta(days=days_ahead + extra)
            start = dt.datetime.combine(day, self.start_time, tzinfo=zone)
            if start > local_after:
                return start
        return start  # pragma: no cover - the second week always lies ahead


class AttendanceQuerySet(OwnedQuerySet):
    def between(self, first_day, last_day):
        return self.filter(attended_on__gte=first_day, attended_on__lte=last_day)


class Attendance(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances")
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="attendances")
    attended_on = models.DateField(help_text=gettext_lazy("The day in your own time zone."))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-attended_on", "-id"]
        indexes = [models.Index(fields=["owner", "attended_on"], name="attendance_owner_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["group", "attended_on"], name="attendance_once_per_group_day"),
        ]

    def __str__(self):
        return f"{self.group} on {self.attended_on}"


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The shared directory (imported by an administrator) plus the person's own uploads."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner__isnull=True) | Q(owner=user))

    def get_visible_or_404(self, user, **lookup):
        try:
            return self.visible_to(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404("No meeting here.") from exc

    def on_weekday(self, weekday):
        return self.filter(weekdays__contains=f",{int(weekday)},")


class Meeting(models.Model):
    """A meeting from a Meeting Guide feed: public listing data, not anyone's membership.

    A feed imported from the command line (owner empty) is a directory every
    signed-in person can search; a feed uploaded by a person is theirs alone.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="uploaded_meetings"
    )
    slug = models.SlugField(max_length=200, allow_unicode=True)
    name = models.CharField(max_length=200)
    fellowship = models.CharField(max_length=16, choices=Fellowship.choices, default=Fellowship.AA)
    # Python weekdays (Monday = 0) as ",1,3," so "meets on Wednesday" is a portable
    # substring match on SQLite and PostgreSQL alike.
    weekdays = models.CharField(max_length=20)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    format = models.CharField(max_length=16, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON)
    types = models.JSONField(default=list, blank=True)
    location = models.CharField(max_length=200, blank=True)
    address = models.CharField(max_length=300, blank=True)
    region = models.CharField(max_length=120, blank=True)
    online_url = models.URLField(max_length=500, blank=True)
    online_notes = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=80, blank=True)
    notes = models.TextField(blank=True)
    group_name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    temporarily_closed = models.BooleanField(default=False)
    source_updated_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["name", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(owner__isnull=True), name="meeting_directory_slug_unique"
            ),
            models.UniqueConstraint(
                fields=["owner", "slug"], condition=Q(owner__isnull=False), name="meeting_owner_slug_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def weekday_list(self):
        return [int(part) for part in self.weekdays.strip(",").split(",") if part != ""]

    @property
    def weekday_names(self):
        return [str(WEEKDAY_NAMES[day]) for day in self.weekday_list]

    @property
    def type_names(self):
        """Its Meeting Guide types ("Open", "Discussion"), named in the reader's language."""
        return [str(name) for name in meeting_types.names(self.types or [])]


class ActivityKind(models.TextChoices):
    VOLUNTEERING = "volunteering", gettext_lazy("Volunteering")
    ADVOCACY = "advocacy", gettext_lazy("Advocacy")
    AWARENESS = "awareness", gettext_lazy("Awareness event")
    RESOURCE_FAIR = "resource_fair", gettext_lazy("Resource fair")
    SERVICE = "service", gettext_lazy("Service in a group")
    OTHER = "other", gettext_lazy("Other community activity")


class CommunityActivityQuerySet(OwnedQuerySet):
    pass


class CommunityActivity(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_activities")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices, default=ActivityKind.VOLUNTEERING)
    title = models.CharField(gettext_lazy("what"), max_length=160)
    happened_on = models.DateField(gettext_lazy("date"))
    hours = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    online_via = models.CharField(
        gettext_lazy("reachable online"), max_length=8, choices=OnlineVia.choices, blank=True, default=OnlineVia.NONE
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CommunityActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name_plural = gettext_lazy("community activities")
        indexes = [models.Index(fields=["owner", "happened_on"], name="activity_owner_day_idx")]

    def __str__(self):
        return f"{self.title} on {self.happened_on}"

    @property
    def hours_count(self):
        """The number that picks the plural of "hours" ({% blocktranslate count %} wants an integer): 1 for
        exactly one hour, else 2, as 1.5 hours are plural in English (what `pluralize` said)."""
        return 1 if self.hours == 1 else 2


class NetworkSnapshotQuerySet(OwnedQuerySet):
    pass


class NetworkSnapshot(models.Model):
    """The shape of the network on one day, kept so change over time is visible."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_snapshots")
    taken_at = models.DateTimeField(default=timezone.now)
    taken_on = models.DateField(help_text=gettext_lazy("The owner's local date."))
    summary = models.JSONField(default=dict)
    note = models.CharField(max_length=200, blank=True)

    objects = NetworkSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["owner", "taken_at"], name="snapshot_owner_taken_idx")]

    def __str__(self):
        return f"Network on {self.taken_on}"
