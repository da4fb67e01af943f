"""The circle of care's records: who else may see what of a person's recovery, and every look they took.

A family member or friend holds a Grant (accepted from an Invitation); a counselor holds a
Consent the owner signed. Each carries the same explicit set of scopes, minimum by default.
Every read by someone other than the owner goes through sharing.py, which checks the grant
or consent and writes an AccessEvent in one step.

These models were born in `supports` and keep its table names (`supports_*`): this app's
migration 0001 took them over without moving a row.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

from recovery_network.models import end_of_local_day
from recovery_network.querysets import OwnedQuerySet
from supports.models import Supporter

# The circle of care: who else may see what of the owner's recovery.
#
# Sharing is always the owner's decision. A family member or friend holds a
# Grant (accepted from an Invitation); a counselor holds a Consent the owner
# signed. Each carries the same explicit set of scopes, minimum by default.
# Every read by someone other than the owner goes through recovery_network/care/sharing.py,
# which checks the grant or consent and writes an AccessEvent in one step.

INVITATION_DAYS = 7

# (field, what the owner reads when choosing, what the log and the viewer read). The short name stays English
# in SCOPE_LOG_NAMES, the words of the access log's lines (log_lines); SCOPE_NAMES translates it as shown.
SCOPES = [
    ("clean_time", gettext_lazy("Clean time and milestones"), gettext_noop("clean time and milestones")),
    (
        "checkins",
        gettext_lazy("Check-in summaries: mood and craving trends (never your notes)"),
        gettext_noop("check-in trends"),
    ),
    (
        "recovery_capital",
        gettext_lazy("Recovery capital check-ups (BARC-10 totals and each answer's trend)"),
        gettext_noop("recovery capital"),
    ),
    ("support_map", gettext_lazy("Your support map and where it is thin"), gettext_noop("support map")),
    ("attendance", gettext_lazy("Meeting attendance"), gettext_noop("meeting attendance")),
    ("setbacks", gettext_lazy("Setbacks (the dates, never what you wrote about them)"), gettext_noop("setbacks")),
]
SCOPE_FIELDS = [field_name for field_name, _, _ in SCOPES]
SCOPE_LOG_NAMES = {field_name: short for field_name, _, short in SCOPES}  # plain English: kept in rows
SCOPE_NAMES = {field_name: gettext_lazy(short) for field_name, _, short in SCOPES}  # lazy: str() before joining


class Scoped(models.Model):
    """The explicit list of what a viewer or counselor may see. Only clean time is on by default."""

    clean_time = models.BooleanField(gettext_lazy("clean time and milestones"), default=True)
    checkins = models.BooleanField(gettext_lazy("check-in trends"), default=False)
    recovery_capital = models.BooleanField(gettext_lazy("recovery capital"), default=False)
    support_map = models.BooleanField(gettext_lazy("support map"), default=False)
    attendance = models.BooleanField(gettext_lazy("meeting attendance"), default=False)
    setbacks = models.BooleanField(gettext_lazy("setbacks"), default=False)

    class Meta:
        abstract = True

    @property
    def scopes(self):
        return frozenset(field_name for field_name in SCOPE_FIELDS if getattr(self, field_name))

    @property
    def scope_names(self):
        """The names of what is shared, in the reader's language (plain strings: safe to join)."""
        return [str(SCOPE_NAMES[field_name]) for field_name in SCOPE_FIELDS if getattr(self, field_name)]

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
        VIEWER = "viewer", gettext_lazy("Family member or friend")
        COUNSELOR = "counselor", gettext_lazy("Counselor")

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting for an answer")
        ACCEPTED = "accepted", gettext_lazy("Accepted")
        DECLINED = "declined", gettext_lazy("Declined")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
        EXPIRED = "expired", gettext_lazy("Expired")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations_sent")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.VIEWER)
    supporter = models.ForeignKey(
        Supporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        help_text=gettext_lazy("Who this is in your network, so your map can show they have an account."),
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
        db_table = "supports_invitation"  # its table from when the circle of care lived in supports
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
        db_table = "supports_grant"  # its table from when the circle of care lived in supports
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


CONSENT_REVOCATION_STATEMENT = gettext_lazy(
    "I understand that I may revoke this consent at any time, in this app, and that the revocation takes "
    "effect at once, except where action has already been taken in reliance on it."
)
CONSENT_REDISCLOSURE_NOTICE = gettext_lazy(
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

    # Empty once the client has erased their account: the counselor keeps the consent's record (who signed,
    # when, what it allowed and when it ended), never the client's data (recovery_network/privacy/erasure.py).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents_given"
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents_held",
        help_text=gettext_lazy("Set when the counselor accepts the invitation."),
    )
    recipient_name = models.CharField(gettext_lazy("counselor's name"), max_length=120)
    organisation = models.CharField(gettext_lazy("their practice or organisation"), max_length=160)
    purpose = models.CharField(
        gettext_lazy("purpose"),
        max_length=300,
        default="To support my treatment and recovery planning.",  # a stored value: stays as it is
    )
    expires_on = models.DateField(gettext_lazy("this consent ends on"))
    signed_name = models.CharField(gettext_lazy("your full name, as your signature"), max_length=120)
    signed_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The renewal that took over from this one the moment it was signed, when this one ended (renewals.py).
    renewed_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="renews"
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        db_table = "supports_consent"  # its table from when the circle of care lived in supports
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["counselor", "expires_on"], name="consent_counselor_idx")]

    def __str__(self):
        return f"Consent for {self.recipient_name} ({self.organisation})"

    revocation_statement = CONSENT_REVOCATION_STATEMENT
    redisclosure_notice = CONSENT_REDISCLOSURE_NOTICE

    def is_expired(self, now=None):
        if self.owner_id is None:  # the client erased their account: it ended then (revoked_at)
            return True
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
        if self.owner_id is None:
            return gettext("Ended: the client erased their account")
        if self.revoked_at and self.renewed_by_id:
            return gettext("Renewed")
        if self.revoked_at:
            return gettext("Revoked")
        if self.is_expired(now):
            return gettext("Expired")
        if self.counselor_id is None:
            return gettext("Waiting for the counselor to accept")
        return gettext("In effect")


CONSENT_REQUEST_DAYS = 14


class ConsentRequestQuerySet(OwnedQuerySet):
    """A request is the counselor's record until the client answers: they reach it through for_owner()."""

    owner_path = "counselor"
    changes_pages = False  # no kept page shows a request: the caseload keeps only its table of clients

    def pending(self, now=None):
        return self.filter(
            answered_at__isnull=True,
            declined_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )

    def recent(self):
        """The counselor's latest requests, as their list shows them (the newest 20; the rest age out)."""
        return self.order_by("-created_at", "-id")[:20]


class ConsentRequest(Scoped):
    """A counselor asking someone, by email, to sign a consent for them. Only the client can consent.

    It carries the consent the counselor proposes (every element but the signature); the
    client reads it, may change any element, and signs it as their own Consent, or declines.
    Until then the counselor learns nothing about them, not even whether the address has an
    account: all they ever see is this row's status.
    """

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Waiting for an answer")
        SIGNED = "signed", gettext_lazy("Signed")
        DECLINED = "declined", gettext_lazy("Declined")
        WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
        EXPIRED = "expired", gettext_lazy("Expired")

    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_requests_sent"
    )
    email = models.EmailField(gettext_lazy("the client's email address"))
    recipient_name = models.CharField(gettext_lazy("your name, as the consent will name you"), max_length=120)
    organisation = models.CharField(gettext_lazy("your practice or organisation"), max_length=160)
    purpose = models.CharField(
        gettext_lazy("purpose"), max_length=300, default="To support my treatment and recovery planning."
    )
    expires_on = models.DateField(gettext_lazy("the consent would end on"))
    note = models.CharField(gettext_lazy("a short note to them (optional)"), max_length=500, blank=True)
    # Part of the signed token: an id alone can never be turned into a working link.
    nonce = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    declined_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent = models.ForeignKey(Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Set when the counselor asked to renew this consent of the client's: signing the request renews it.
    renews = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="renewal_requests"
    )

    objects = ConsentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["counselor", "-created_at"], name="consent_request_counselor_idx"),
            models.Index(fields=["email"], name="consent_request_email_idx"),
        ]

    def __str__(self):
        return f"Consent request to {self.email}"

    def status(self, now=None):
        if self.withdrawn_at:
            return self.Status.WITHDRAWN
        if self.answered_at:
            return self.Status.SIGNED
        if self.declined_at:
            return self.Status.DECLINED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.PENDING

    def status_label(self):
        return self.Status(self.status()).label

    def is_pending(self, now=None):
        return self.status(now) == self.Status.PENDING

    def proposed(self):
        """The consent form's starting values: what the counselor asked for."""
        return {
            "recipient_name": self.recipient_name,
            "organisation": self.organisation,
            "purpose": self.purpose,
            "expires_on": self.expires_on,
            "scopes": [name for name in SCOPE_FIELDS if getattr(self, name)],
        }


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
    text = models.CharField(gettext_lazy("recommendation"), max_length=300)
    # A lesson of the family course the counselor suggests for the client's family and friends (its slug); the
    # client chooses whom to pass it to, and the counselor never learns who.
    lesson = models.CharField(max_length=80, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    done_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        db_table = "supports_recommendation"  # its table from when the circle of care lived in supports
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
        VIEWED = "viewed", gettext_lazy("Viewed")
        INVITED = "invited", gettext_lazy("Invitation sent")
        INVITATION_WITHDRAWN = "invitation_withdrawn", gettext_lazy("Invitation withdrawn")
        INVITATION_ACCEPTED = "invitation_accepted", gettext_lazy("Invitation accepted")
        INVITATION_DECLINED = "invitation_declined", gettext_lazy("Invitation declined")
        GRANT_CHANGED = "grant_changed", gettext_lazy("Sharing changed")
        GRANT_REVOKED = "grant_revoked", gettext_lazy("Access removed")
        CONSENT_SIGNED = "consent_signed", gettext_lazy("Consent signed")
        CONSENT_REVOKED = "consent_revoked", gettext_lazy("Consent revoked")
        CONSENT_RENEWED = "consent_renewed", gettext_lazy("Consent renewed")
        CONSENT_REQUEST_DECLINED = "request_declined", gettext_lazy("Consent request declined")
        ENCOURAGEMENT_SENT = "encouragement_sent", gettext_lazy("Encouragement sent")
        RECOMMENDATION_WRITTEN = "recommendation_written", gettext_lazy("Recommendation written")
        # By the site's staff, in its administration (recovery_network.admin_site).
        CHANGED = "changed", gettext_lazy("Changed")
        DELETED = "deleted", gettext_lazy("Deleted")

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
    what = models.CharField(max_length=300, blank=True)  # English words; shown by log_lines.shown(what, line)
    line = models.JSONField(gettext_lazy("what, in parts"), null=True, blank=True, editable=False)  # {"key": …}
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        db_table = "supports_accessevent"  # its table from when the circle of care lived in supports
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
        db_table = "supports_caseloadroster"  # its table from when the circle of care lived in supports
        constraints = [models.UniqueConstraint(fields=["counselor", "digest"], name="caseload_roster_once")]

    def __str__(self):
        return f"{self.counselor_name}'s caseload of {self.created_at:%Y-%m-%d %H:%M}"


class RosterEntry(AppendOnly):
    """One client on a roster, and what the caseload showed of them ("caseload summary: …")."""

    roster = models.ForeignKey(CaseloadRoster, on_delete=models.CASCADE, related_name="entries")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=300)

    class Meta:
        db_table = "supports_rosterentry"  # its table from when the circle of care lived in supports
        # Owner first: a client's access log finds their rosters through it.
        constraints = [models.UniqueConstraint(fields=["owner", "roster"], name="roster_entry_once")]
        verbose_name_plural = gettext_lazy("roster entries")

    def __str__(self):
        return self.what


class CaseloadView(AppendOnly):
    """One look at a counselor's caseload: a line in the access log of every client on its roster."""

    # Indexed by caseload_view_roster_idx, whose first column it is (a second index would slow every view).
    roster = models.ForeignKey(CaseloadRoster, on_delete=models.CASCADE, related_name="views", db_index=False)
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        db_table = "supports_caseloadview"  # its table from when the circle of care lived in supports
        indexes = [models.Index(fields=["roster", "-created_at"], name="caseload_view_roster_idx")]

    def __str__(self):
        return f"{self.roster.counselor_name} viewed the caseload at {self.created_at:%Y-%m-%d %H:%M}"


# Warning signs: the person chooses who in their circle is told of which (recovery_network/care/warning_signs.py).


class WarningSign(models.TextChoices):
    NO_CHECKIN = "no_checkin", gettext_lazy("No check-in for a few days")
    CRAVING = "craving", gettext_lazy("Cravings of 8 or more three days running")
    USE = "use", gettext_lazy("A check-in recording use")


# The scopes that show each sign: someone may be told of a sign only when what they are allowed to see shows it.
SIGN_SCOPES = {
    WarningSign.NO_CHECKIN: {"checkins"},
    WarningSign.CRAVING: {"checkins"},
    WarningSign.USE: {"checkins", "setbacks"},
}


def allowed_signs(scopes):
    """The warning signs someone holding these scopes may be told of."""
    return {sign for sign, needs in SIGN_SCOPES.items() if needs & set(scopes)}


class SignWatchQuerySet(OwnedQuerySet):
    party_fields = ("watcher",)


class SignWatch(models.Model):
    """Who the person wants told of which warning signs: private by default (no row, no one is told)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_watches")
    watcher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signs_watched")
    no_checkin = models.BooleanField(gettext_lazy("no check-in for a few days"), default=False)
    no_checkin_days = models.PositiveSmallIntegerField(
        gettext_lazy("days without a check-in"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    craving = models.BooleanField(gettext_lazy("cravings of 8 or more three days running"), default=False)
    use = models.BooleanField(gettext_lazy("a check-in recording use"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SignWatchQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "watcher"], name="signwatch_once")]
        indexes = [models.Index(fields=["watcher", "owner"], name="signwatch_watcher_idx")]

    def __str__(self):
        return f"{self.watcher_id} watches {self.owner_id}"

    def watches(self, sign):
        return bool(getattr(self, sign))

    def told_of(self, episode, local_today):
        """Whether this watcher hears of this episode: they chose its sign and, for a silence, their own number
        of days has passed on the person's calendar (`local_today`)."""
        if not self.watches(episode.sign):
            return False
        return episode.sign != WarningSign.NO_CHECKIN or (local_today - episode.started_on).days >= self.no_checkin_days


USE_SHOWN_DAYS = 3  # a day of use ends as it opens: the pages that show signs show it this long


class SignEpisodeQuerySet(OwnedQuerySet):
    def current(self, now_utc):
        """The signs that hold now: open ones, and a use recorded in the last USE_SHOWN_DAYS."""
        recent_use = Q(sign=WarningSign.USE, opened_at__gte=now_utc - dt.timedelta(days=USE_SHOWN_DAYS))
        return self.filter(Q(ended_at__isnull=True) | recent_use)


class SignEpisode(models.Model):
    """One stretch of one warning sign, named by the local day that begins it: the last check-in before a
    silence, the first day of a run of strong cravings, the day of a use. Unique, so it fires once."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_episodes")
    sign = models.CharField(max_length=12, choices=WarningSign.choices)
    started_on = models.DateField()
    opened_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = SignEpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "sign", "started_on"], name="signepisode_once")]
        indexes = [models.Index(fields=["owner", "-opened_at"], name="signepisode_owner_idx")]

    def __str__(self):
        return f"{self.sign} of {self.owner_id} from {self.started_on}"

    def summary(self, local_today):
        """The sign in a few words, for the pages behind a grant or two-factor ("no check-in for 4 days")."""
        if self.sign == WarningSign.NO_CHECKIN:
            days = (local_today - self.started_on).days
            return ngettext("no check-in for %(days)s day", "no check-in for %(days)s days", days) % {"days": days}
        if self.sign == WarningSign.USE:  # each day of use is an episode: the day tells them apart
            day = format_date(self.started_on, gettext("l j F"))
            return gettext("a check-in recording use, %(day)s") % {"day": day}
        return self.get_sign_display().lower()
