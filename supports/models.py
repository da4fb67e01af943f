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

from recovery_network.models import end_of_local_day, validate_time_zone, zone_named
from recovery_network.querysets import OwnedQuerySet


class ArchivableQuerySet(OwnedQuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video"
    TEXT = "text", "Text or chat"
    EMAIL = "email", "Email"


class OnlineVia(models.TextChoices):
    NONE = "", "Not online"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat or messaging"


class Relationship(models.TextChoices):
    # Personal
    FAMILY = "family", "Family member"
    PARTNER = "partner", "Partner or spouse"
    FRIEND = "friend", "Friend"
    MENTOR = "mentor", "Mentor"
    SPONSOR = "sponsor", "Sponsor"
    COWORKER = "coworker", "Coworker"
    NEIGHBOUR = "neighbour", "Neighbour"
    FAITH_LEADER = "faith_leader", "Faith leader"
    OTHER_PERSONAL = "other_personal", "Someone else in my life"
    # Professional
    COUNSELOR = "counselor", "Counselor"
    THERAPIST = "therapist", "Therapist"
    PRESCRIBER = "prescriber", "Psychiatrist or prescriber"
    PHYSICIAN = "physician", "Physician"
    RECOVERY_COACH = "recovery_coach", "Recovery coach or peer specialist"
    CASE_MANAGER = "case_manager", "Case manager"
    SOCIAL_WORKER = "social_worker", "Social worker"
    OTHER_PROFESSIONAL = "other_professional", "Other professional"


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
    ("Personal", [(c.value, c.label) for c in Relationship if c not in PROFESSIONAL_RELATIONSHIPS]),
    ("Professional", [(c.value, c.label) for c in Relationship if c in PROFESSIONAL_RELATIONSHIPS]),
]


class Closeness(models.IntegerChoices):
    INNER = 1, "Inner circle"
    CLOSE = 2, "Close"
    WIDER = 3, "Wider circle"


class Influence(models.TextChoices):
    """How a person relates to the owner's recovery, as clinical network instruments ask."""

    SUPPORTIVE = "supportive", "Supportive of my recovery"
    NEUTRAL = "neutral", "Neutral"
    RISK = "risk", "A risk to my recovery"


# The kinds of support a supporter gives: (field on Supporter, short label, long label).
SUPPORT_KINDS = [
    ("gives_emotional", "Emotional", "Emotional support"),
    ("gives_practical", "Practical", "Practical help"),
    ("gives_advice", "Advice", "Information and advice"),
    ("gives_accountability", "Accountability", "Accountability"),
    ("gives_companionship", "Sober company", "Sober companionship"),
    ("gives_crisis", "Crisis", "Crisis support (someone to call at 3 a.m.)"),
]
SUPPORT_KIND_FIELDS = [field for field, _, _ in SUPPORT_KINDS]


class ContactEvery(models.IntegerChoices):
    DAILY = 1, "Every day"
    TWICE_A_WEEK = 3, "A couple of times a week"
    WEEKLY = 7, "Every week"
    FORTNIGHTLY = 14, "Every two weeks"
    MONTHLY = 30, "Every month"
    QUARTERLY = 90, "Every few months"


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


class Supporter(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supporters")
    name = models.CharField(max_length=120)
    relationship = models.CharField(max_length=32, choices=Relationship.choices, default=Relationship.FRIEND)
    closeness = models.PositiveSmallIntegerField(choices=Closeness.choices, default=Closeness.CLOSE)
    influence = models.CharField(
        "how they relate to your recovery", max_length=16, choices=Influence.choices, default=Influence.SUPPORTIVE
    )
    gives_emotional = models.BooleanField("emotional support", default=False)
    gives_practical = models.BooleanField("practical help", default=False)
    gives_advice = models.BooleanField("information and advice", default=False)
    gives_accountability = models.BooleanField("accountability", default=False)
    gives_companionship = models.BooleanField("sober companionship", default=False)
    gives_crisis = models.BooleanField("crisis support", default=False)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    preferred_channel = models.CharField(
        "preferred way to reach them", max_length=16, choices=Channel.choices, blank=True
    )
    online_via = models.CharField(
        "reachable online", max_length=8, choices=OnlineVia.choices, blank=True, default=OnlineVia.NONE
    )
    contact_every_days = models.PositiveSmallIntegerField(
        "how often you'd like to be in touch", choices=ContactEvery.choices, null=True, blank=True
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
        return "Professional" if self.is_professional else "Personal"

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
    NOT_REALLY = 1, "Not really helpful"
    A_LITTLE = 2, "A little helpful"
    HELPFUL = 3, "Helpful"
    VERY = 4, "Very helpful"


class Contact(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="contacts")
    happened_at = models.DateTimeField("when", default=timezone.now)
    channel = models.CharField("how", max_length=16, choices=Channel.choices, default=Channel.PHONE)
    helpfulness = models.PositiveSmallIntegerField(
        "how helpful it felt", choices=Helpfulness.choices, null=True, blank=True
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
    AA = "aa", "Alcoholics Anonymous (AA)"
    NA = "na", "Narcotics Anonymous (NA)"
    CA = "ca", "Cocaine Anonymous (CA)"
    SMART = "smart", "SMART Recovery"
    CELEBRATE = "celebrate", "Celebrate Recovery"
    FAITH = "faith", "Other faith-based group"
    DHARMA = "dharma", "Recovery Dharma"
    LIFERING = "lifering", "LifeRing"
    WFS = "wfs", "Women for Sobriety"
    ALANON = "alanon", "Al-Anon"
    NARANON = "naranon", "Nar-Anon"
    OTHER = "other", "Other"


class MeetingFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid"


WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAY_CHOICES = list(enumerate(WEEKDAY_NAMES))


class PeerGroupQuerySet(ArchivableQuerySet):
    pass


class PeerGroup(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_groups")
    name = models.CharField(max_length=160)
    fellowship = models.CharField("fellowship or type", max_length=16, choices=Fellowship.choices)
    format = models.CharField(max_length=16, choices=MeetingFormat.choices, default=MeetingFormat.IN_PERSON)
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="The group's own time zone: meeting times are in this zone.",
    )
    address = models.CharField(max_length=300, blank=True)
    online_url = models.URLField("video link", max_length=500, blank=True)
    online_via = models.CharField(
        "reachable online", max_length=8, choices=OnlineVia.choices, blank=True, default=OnlineVia.NONE
    )
    is_home_group = models.BooleanField("this is my home group", default=False)
    sponsor = models.ForeignKey(
        Supporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_groups",
        help_text="Your sponsor in this group, if you have one.",
    )
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="peer_groups",
        help_text="The imported meeting this group was joined from.",
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
        return WEEKDAY_NAMES[self.weekday]

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
    attended_on = models.DateField(help_text="The day in your own time zone.")
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
        return [WEEKDAY_NAMES[day] for day in self.weekday_list]


class ActivityKind(models.TextChoices):
    VOLUNTEERING = "volunteering", "Volunteering"
    ADVOCACY = "advocacy", "Advocacy"
    AWARENESS = "awareness", "Awareness event"
    RESOURCE_FAIR = "resource_fair", "Resource fair"
    SERVICE = "service", "Service in a group"
    OTHER = "other", "Other community activity"


class CommunityActivityQuerySet(OwnedQuerySet):
    pass


class CommunityActivity(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_activities")
    kind = models.CharField(max_length=16, choices=ActivityKind.choices, default=ActivityKind.VOLUNTEERING)
    title = models.CharField("what", max_length=160)
    happened_on = models.DateField("date")
    hours = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    online_via = models.CharField(
        "reachable online", max_length=8, choices=OnlineVia.choices, blank=True, default=OnlineVia.NONE
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CommunityActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name_plural = "community activities"
        indexes = [models.Index(fields=["owner", "happened_on"], name="activity_owner_day_idx")]

    def __str__(self):
        return f"{self.title} on {self.happened_on}"


class NetworkSnapshotQuerySet(OwnedQuerySet):
    pass


class NetworkSnapshot(models.Model):
    """The shape of the network on one day, kept so change over time is visible."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_snapshots")
    taken_at = models.DateTimeField(default=timezone.now)
    taken_on = models.DateField(help_text="The owner's local date.")
    summary = models.JSONField(default=dict)
    note = models.CharField(max_length=200, blank=True)

    objects = NetworkSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["owner", "taken_at"], name="snapshot_owner_taken_idx")]

    def __str__(self):
        return f"Network on {self.taken_on}"


# The circle of care: who else may see what of the owner's recovery.
#
# Sharing is always the owner's decision. A family member or friend holds a
# Grant (accepted from an Invitation); a counselor holds a Consent the owner
# signed. Each carries the same explicit set of scopes, minimum by default.
# Every read by someone other than the owner goes through supports/sharing.py,
# which checks the grant or consent and writes an AccessEvent in one step.

INVITATION_DAYS = 7

# (field, what the owner reads when choosing, what the log and the viewer read)
SCOPES = [
    ("clean_time", "Clean time and milestones", "clean time and milestones"),
    (
        "checkins",
        "Check-in summaries: mood and craving trends (never your notes)",
        "check-in trends",
    ),
    ("support_map", "Your support map and where it is thin", "support map"),
    ("attendance", "Meeting attendance", "meeting attendance"),
    ("setbacks", "Setbacks (the dates, never what you wrote about them)", "setbacks"),
]
SCOPE_FIELDS = [field_name for field_name, _, _ in SCOPES]
SCOPE_NAMES = {field_name: short for field_name, _, short in SCOPES}


class Scoped(models.Model):
    """The explicit list of what a viewer or counselor may see. Only clean time is on by default."""

    clean_time = models.BooleanField("clean time and milestones", default=True)
    checkins = models.BooleanField("check-in trends", default=False)
    support_map = models.BooleanField("support map", default=False)
    attendance = models.BooleanField("meeting attendance", default=False)
    setbacks = models.BooleanField("setbacks", default=False)

    class Meta:
        abstract = True

    @property
    def scopes(self):
        return frozenset(field_name for field_name in SCOPE_FIELDS if getattr(self, field_name))

    @property
    def scope_names(self):
        return [SCOPE_NAMES[field_name] for field_name in SCOPE_FIELDS if getattr(self, field_name)]

    def scope_values(self):
        return {field_name: getattr(self, field_name) for field_name in SCOPE_FIELDS}


class InvitationQuerySet(OwnedQuerySet):
    def pending(self, now=None):
        return self.filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class Invitation(Scoped):
    """An emailed, signed, single-use link asking someone to join the owner's circle."""

    class Role(models.TextChoices):
        VIEWER = "viewer", "Family member or friend"
        COUNSELOR = "counselor", "Counselor"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.VIEWER)
    supporter = models.ForeignKey(
        Supporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text="Who this is in your network, so your map can show they have an account.",
    )
    consent = models.OneToOneField(
        "Consent", on_delete=models.CASCADE, null=True, blank=True, related_name="invitation"
    )
    # Part of the signed token: an id alone can never be turned into a working link.
    nonce = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="invitation_owner_idx")]

    def __str__(self):
        return f"Invitation to {self.email}"

    def status(self, now=None):
        if self.withdrawn_at:
            return self.Status.WITHDRAWN
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.declined_at:
            return self.Status.DECLINED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.PENDING

    def is_pending(self, now=None):
        return self.status(now) == self.Status.PENDING

    @property
    def is_counselor(self):
        return self.role == self.Role.COUNSELOR


class GrantQuerySet(OwnedQuerySet):
    party_fields = ("viewer",)

    def active(self):
        return self.filter(revoked_at__isnull=True)

    def for_viewer(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(viewer=user)


class Grant(Scoped):
    """A family member or friend's standing permission to see what the owner chose."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants_given")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants_held")
    invitation = models.ForeignKey(Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = GrantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "viewer"], condition=Q(revoked_at__isnull=True), name="grant_one_active_per_viewer"
            ),
        ]
        indexes = [models.Index(fields=["viewer", "owner"], name="grant_viewer_idx")]

    def __str__(self):
        return f"{self.viewer} sees {self.owner}"

    @property
    def is_active(self):
        return self.revoked_at is None


CONSENT_REVOCATION_STATEMENT = (
    "I understand that I may revoke this consent at any time, in this app, and that the revocation takes "
    "effect at once, except where action has already been taken in reliance on it."
)
CONSENT_REDISCLOSURE_NOTICE = (
    "Information disclosed under this consent is protected by federal confidentiality rules (42 CFR Part 2). "
    "The recipient may not share it further unless the client gives written consent or the rules permit it."
)


class ConsentQuerySet(OwnedQuerySet):
    party_fields = ("counselor",)

    def for_counselor(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(counselor=user)

    def unrevoked(self):
        return self.filter(revoked_at__isnull=True, counselor__isnull=False)

    def possibly_valid(self, now=None):
        """Unrevoked and not past its date anywhere on Earth; is_valid() settles the owner's own day."""
        earliest_local_day = (now or timezone.now()).date() - dt.timedelta(days=1)
        return self.unrevoked().filter(expires_on__gte=earliest_local_day)


class Consent(Scoped):
    """A client's written consent for one counselor to see named parts of their recovery.

    The fields follow what 42 CFR Part 2 (§2.31) asks of a written consent: the
    client, the recipient and their organisation, the purpose, exactly which
    information, an expiry date, the statement that it can be revoked, and the
    date with the client's signature (their typed name, after re-entering their
    password). It lapses at the end of its expiry date in the client's own zone
    without anyone acting.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents_given")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents_held",
        help_text="Set when the counselor accepts the invitation.",
    )
    recipient_name = models.CharField("counselor's name", max_length=120)
    organisation = models.CharField("their practice or organisation", max_length=160)
    purpose = models.CharField(
        "purpose",
        max_length=300,
        default="To support my treatment and recovery planning.",
    )
    expires_on = models.DateField("this consent ends on")
    signed_name = models.CharField("your full name, as your signature", max_length=120)
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["counselor", "expires_on"], name="consent_counselor_idx")]

    def __str__(self):
        return f"Consent for {self.recipient_name} ({self.organisation})"

    revocation_statement = CONSENT_REVOCATION_STATEMENT
    redisclosure_notice = CONSENT_REDISCLOSURE_NOTICE

    def is_expired(self, now=None):
        return self.lapsed(self.expires_on, self.owner.zone, now)

    @staticmethod
    def lapses_at(expires_on, zone):
        """The moment a consent whose last day is `expires_on` lapses: the end of that day in the client's
        `zone`. The one statement of the rule; lapsed() and lapsed_on() ask it by the clock and by the day."""
        return end_of_local_day(expires_on, zone)

    @staticmethod
    def lapsed(expires_on, zone, now=None):
        """Whether a consent whose last day is `expires_on` has lapsed by `now`."""
        return (now or timezone.now()) >= Consent.lapses_at(expires_on, zone)

    @staticmethod
    def lapsed_on(expires_on, local_day):
        """The same, given the client's local day (the caseload works it out once per zone, for two
        hundred clients a view)."""
        return local_day > expires_on

    def is_valid(self, now=None):
        return self.counselor_id is not None and self.revoked_at is None and not self.is_expired(now)

    def status_label(self, now=None):
        if self.revoked_at:
            return "Revoked"
        if self.is_expired(now):
            return "Expired"
        if self.counselor_id is None:
            return "Waiting for the counselor to accept"
        return "In effect"


class RecommendationQuerySet(OwnedQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class Recommendation(models.Model):
    """A next step a counselor suggests; the client sees it and marks it done."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recommendations")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="recommendations_written"
    )
    counselor_name = models.CharField(max_length=120)
    text = models.CharField("recommendation", max_length=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="recommendation_owner_idx")]

    def __str__(self):
        return self.text

    @property
    def is_done(self):
        return self.done_at is not None

    def mark_done(self, now=None):
        if self.done_at is None:
            self.done_at = now or timezone.now()
            Recommendation.objects.filter(pk=self.pk, done_at__isnull=True).update(done_at=self.done_at)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log cannot be changed.")

    def delete(self):
        raise PermissionError("The access log cannot be changed.")


class AppendOnly(models.Model):
    """A row of the access log: written once, never changed or deleted (only cascaded with its owner's account)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The access log cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log cannot be changed.")


class AccessEventQuerySet(AppendOnlyQuerySet, OwnedQuerySet):
    changes_pages = False  # a look at someone's data is logged, and must not make their pages re-render


class AccessEvent(AppendOnly):
    """One line of the owner's access log: who opened or changed what, and when. Append-only."""

    class Action(models.TextChoices):
        VIEWED = "viewed", "Viewed"
        INVITED = "invited", "Invitation sent"
        INVITATION_WITHDRAWN = "invitation_withdrawn", "Invitation withdrawn"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        INVITATION_DECLINED = "invitation_declined", "Invitation declined"
        GRANT_CHANGED = "grant_changed", "Sharing changed"
        GRANT_REVOKED = "grant_revoked", "Access removed"
        CONSENT_SIGNED = "consent_signed", "Consent signed"
        CONSENT_REVOKED = "consent_revoked", "Consent revoked"
        ENCOURAGEMENT_SENT = "encouragement_sent", "Encouragement sent"
        RECOMMENDATION_WRITTEN = "recommendation_written", "Recommendation written"
        # By the site's staff, in its administration (recovery_network.admin_site).
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"

    # Indexed by access_owner_created_idx, whose first column it is: a second index on it alone only
    # slowed every insert.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_events", db_index=False
    )
    # Kept as text too: the log must still say who it was if their account is deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    action = models.CharField(max_length=24, choices=Action.choices)
    what = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="access_owner_created_idx")]

    def __str__(self):
        return f"{self.actor_name} {self.get_action_display().lower()} {self.what}".strip()


class CaseloadRoster(AppendOnly):
    """A counselor's caseload as it stood: who was on it, and what each client's consent let it show.

    Every view of the caseload is one CaseloadView pointing at the roster of that moment, so
    each client's access log reads exactly as if a line had been written to it, at one row
    per view instead of one per client (a caseload of 200, opened all day). A new roster is
    written only when that set changes: a consent signed, revoked, lapsed or narrowed, or the
    counselor's name. The entries outlive the counselor's account, as AccessEvent lines do.
    """

    # Indexed by caseload_roster_once, whose first column it is.
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    counselor_name = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)  # of counselor_name and the entries: the same caseload, the same roster
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["counselor", "digest"], name="caseload_roster_once")]

    def __str__(self):
        return f"{self.counselor_name}'s caseload of {self.created_at:%Y-%m-%d %H:%M}"


class RosterEntry(AppendOnly):
    """One client on a roster, and what the caseload showed of them ("caseload summary: …")."""

    roster = models.ForeignKey(CaseloadRoster, on_delete=models.CASCADE, related_name="entries")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=300)

    class Meta:
        # Owner first: a client's access log finds their rosters through it.
        constraints = [models.UniqueConstraint(fields=["owner", "roster"], name="roster_entry_once")]
        verbose_name_plural = "roster entries"

    def __str__(self):
        return self.what


class CaseloadView(AppendOnly):
    """One look at a counselor's caseload: a line in the access log of every client on its roster."""

    # Indexed by caseload_view_roster_idx, whose first column it is (a second index would slow every view).
    roster = models.ForeignKey(CaseloadRoster, on_delete=models.CASCADE, related_name="views", db_index=False)
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["roster", "-created_at"], name="caseload_view_roster_idx")]

    def __str__(self):
        return f"{self.roster.counselor_name} viewed the caseload at {self.created_at:%Y-%m-%d %H:%M}"
