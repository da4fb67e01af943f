"""Where a person's data lives: every table that holds something of theirs, how it is reached from them, and
what becomes of each link to them when they leave.

This is the one list the export, the import and the erasure read. tests/privacy/test_catalogue.py walks every
installed model and fails when a foreign key to the user (or a table that holds anyone's data) is missing from
it, so a new model cannot be forgotten: its author has to say here whether it is exported, and what erasure
does to it.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

SCHEMA = "recovery-network-export"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Section:
    """One table of the export: the rows of `model` whose `path` leads to the person."""

    key: str
    model_label: str
    path: str  # a lookup from the model to the person; "" for the person's own account row
    title: str
    about: str
    exclude: tuple = ()  # fields never exported: secrets (a token, a key), internals
    importable: bool = False  # whether import_person recreates these rows (records of one's own, no one else's)

    @property
    def model(self):
        return apps.get_model(self.model_label)

    def fields(self):
        """The exported concrete fields, in the model's order."""
        return [field for field in self.model._meta.concrete_fields if field.name not in self.exclude]

    def many_to_many(self):
        return [field for field in self.model._meta.many_to_many if field.name not in self.exclude]

    def rows(self, user):
        model = self.model
        queryset = model._base_manager.all()
        queryset = queryset.filter(pk=user.pk) if not self.path else queryset.filter(**{self.path: user})
        if "__" in self.path:
            queryset = queryset.distinct()  # a path through a to-many relation
        return queryset.order_by("pk")


ACCOUNT_INTERNALS = (
    "password",
    "is_superuser",
    "is_staff",
    "is_active",
    "data_version",
    "unread_notifications",
    "has_journey",
    "views_someone",
    "counsels_someone",
    "groups",
    "user_permissions",
)

SECTIONS = [
    Section(
        "account",
        "recovery_network.User",
        "",
        gettext_lazy("Your account"),
        gettext_lazy("Your name, email, time zone, check-in time and quiet hours."),
        ACCOUNT_INTERNALS,
        importable=True,
    ),
    Section(
        "email_addresses",
        "account.EmailAddress",
        "user",
        gettext_lazy("Email addresses"),
        gettext_lazy("The addresses on your account and whether each was confirmed."),
    ),
    Section(
        "two_factor",
        "mfa.Authenticator",
        "user",
        gettext_lazy("Two-factor authentication"),
        gettext_lazy("Which second factors you set up and when they were last used (never their secrets)."),
        ("data",),
    ),
    Section(
        "signed_in_devices",
        "usersessions.UserSession",
        "user",
        gettext_lazy("Signed-in devices"),
        gettext_lazy("Each browser signed in to your account, its address and when it was last seen."),
        ("session_key", "data"),
    ),
    # Recovery
    Section(
        "journeys",
        "milestones.Journey",
        "owner",
        gettext_lazy("Journeys"),
        gettext_lazy("What you are recovering from and when your clean time began."),
        importable=True,
    ),
    Section(
        "setbacks",
        "milestones.Setback",
        "owner",
        gettext_lazy("Setbacks"),
        gettext_lazy("Setbacks you recorded, what happened and what you learned."),
        importable=True,
    ),
    Section(
        "personal_goals",
        "milestones.PersonalGoal",
        "owner",
        gettext_lazy("Your own milestones"),
        gettext_lazy("Milestones you set yourself."),
        importable=True,
    ),
    Section(
        "checkins",
        "milestones.CheckIn",
        "owner",
        gettext_lazy("Check-ins"),
        gettext_lazy("Every daily check-in: mood, craving, what helped, your notes."),
        importable=True,
    ),
    Section(
        "checkin_receipts",
        "milestones.CheckInReceipt",
        "owner",
        gettext_lazy("Check-ins sent from a phone"),
        gettext_lazy("The keys your phone made for check-ins sent while offline, so none was saved twice."),
    ),
    Section(
        "encouragement_received",
        "milestones.Encouragement",
        "owner",
        gettext_lazy("Encouragement received"),
        gettext_lazy("Kind words people in your circle sent you."),
        importable=True,
    ),
    Section(
        "encouragement_sent",
        "milestones.Encouragement",
        "sender",
        gettext_lazy("Encouragement you sent"),
        gettext_lazy("Kind words you sent to people you support."),
    ),
    Section(
        "calendar_feed",
        "milestones.CalendarFeed",
        "owner",
        gettext_lazy("Calendar feed"),
        gettext_lazy("When you made your private calendar address (never the address itself)."),
        ("token",),
    ),
    # The network
    Section(
        "supporters",
        "supports.Supporter",
        "owner",
        gettext_lazy("Supporters"),
        gettext_lazy("The people in your network, how close they are and how they help."),
        ("linked_user",),
        importable=True,
    ),
    Section(
        "contacts",
        "supports.Contact",
        "owner",
        gettext_lazy("Contacts"),
        gettext_lazy("When you were in touch with someone in your network, and how it went."),
        importable=True,
    ),
    Section(
        "peer_groups",
        "supports.PeerGroup",
        "owner",
        gettext_lazy("Groups"),
        gettext_lazy("The peer groups you go to."),
        ("sponsor", "meeting"),
        importable=True,
    ),
    Section(
        "meeting_times",
        "supports.MeetingTime",
        "group__owner",
        gettext_lazy("Group meeting times"),
        gettext_lazy("When each of your groups meets."),
        importable=True,
    ),
    Section(
        "attendance",
        "supports.Attendance",
        "owner",
        gettext_lazy("Meeting attendance"),
        gettext_lazy("Each meeting you went to."),
        importable=True,
    ),
    Section(
        "meetings_uploaded",
        "supports.Meeting",
        "owner",
        gettext_lazy("Meetings you uploaded"),
        gettext_lazy("Meetings from feeds you uploaded for yourself."),
        importable=True,
    ),
    Section(
        "community",
        "supports.CommunityActivity",
        "owner",
        gettext_lazy("Community"),
        gettext_lazy("Volunteering, service and other community activities."),
        importable=True,
    ),
    Section(
        "network_snapshots",
        "supports.NetworkSnapshot",
        "owner",
        gettext_lazy("Network snapshots"),
        gettext_lazy("Dated pictures of your network, kept to compare over time."),
        importable=True,
    ),
    Section(
        "network_reviews",
        "review.NetworkReview",
        "owner",
        gettext_lazy("Network reviews"),
        gettext_lazy(
            "Each review of your network: when you began and finished it, and your notes on community and gaps."
        ),
        importable=True,
    ),
    Section(
        "network_review_supporters",
        "review.SupporterReview",
        "review__owner",
        gettext_lazy("Supporters in your reviews"),
        gettext_lazy("What each review saw of a supporter (closeness, how often you talked) and what you decided."),
        importable=True,
    ),
    Section(
        "network_review_groups",
        "review.GroupReview",
        "review__owner",
        gettext_lazy("Groups in your reviews"),
        gettext_lazy("What each review saw of a group (meetings in the 90 days before) and what you decided."),
        importable=True,
    ),
    # Learning to help (the family course)
    Section(
        "course_progress",
        "learning.LessonProgress",
        "owner",
        gettext_lazy("Family course"),
        gettext_lazy(
            "The lessons of Learning to help you started and finished, your note on each, and with whom you shared it."
        ),
        importable=True,
    ),
    Section(
        "lesson_suggestions_sent",
        "learning.LessonSuggestion",
        "owner",
        gettext_lazy("Lessons you suggested"),
        gettext_lazy("Lessons of the family course you suggested to people in your circle, with your words."),
    ),
    Section(
        "lesson_suggestions_received",
        "learning.LessonSuggestion",
        "viewer",
        gettext_lazy("Lessons suggested to you"),
        gettext_lazy(
            "Lessons of the family course someone who shares with you suggested, with their words, and when you set "
            "one aside."
        ),
    ),
    # Recovery capital
    Section(
        "recovery_capital",
        "capital.CapitalCheck",
        "owner",
        gettext_lazy("Recovery capital check-ups"),
        gettext_lazy("Your answers to the ten BARC-10 statements and their total, on each day you answered them."),
        importable=True,
    ),
    # The circle of care
    Section(
        "invitations_sent",
        "care.Invitation",
        "owner",
        gettext_lazy("Invitations you sent"),
        gettext_lazy("People you invited into your circle, and their answers."),
        ("nonce",),
    ),
    Section(
        "grants_given",
        "care.Grant",
        "owner",
        gettext_lazy("What you share with family and friends"),
        gettext_lazy("Who may see what, since when, and when it ended."),
    ),
    Section(
        "grants_held",
        "care.Grant",
        "viewer",
        gettext_lazy("What others share with you"),
        gettext_lazy("The people who share with you, and what."),
    ),
    Section(
        "consents_given",
        "care.Consent",
        "owner",
        gettext_lazy("Consents you signed"),
        gettext_lazy("Each counselor's consent: recipient, purpose, what it allows, its end and your signature."),
    ),
    Section(
        "consents_held",
        "care.Consent",
        "counselor",
        gettext_lazy("Consents your clients signed"),
        gettext_lazy("As a counselor: each client's consent to you."),
    ),
    Section(
        "consent_requests_sent",
        "care.ConsentRequest",
        "counselor",
        gettext_lazy("Consent requests you sent"),
        gettext_lazy("As a counselor: the consents you asked clients to sign."),
        ("nonce",),
    ),
    Section(
        "recommendations_received",
        "care.Recommendation",
        "owner",
        gettext_lazy("Recommendations"),
        gettext_lazy("What your counselor recommended, and when you marked it done."),
    ),
    Section(
        "recommendations_written",
        "care.Recommendation",
        "counselor",
        gettext_lazy("Recommendations you wrote"),
        gettext_lazy("As a counselor: what you recommended to clients."),
    ),
    Section(
        "access_log",
        "care.AccessEvent",
        "owner",
        gettext_lazy("Who has seen your data"),
        gettext_lazy("Every look at your data by someone else, and every change to who may see it."),
    ),
    Section(
        "caseload_entries",
        "care.RosterEntry",
        "owner",
        gettext_lazy("Caseloads that listed you"),
        gettext_lazy("What a counselor's caseload showed of you."),
    ),
    Section(
        "caseload_looks",
        "care.CaseloadView",
        "roster__entries__owner",
        gettext_lazy("Looks at caseloads that listed you"),
        gettext_lazy("Each time a counselor opened a caseload with you on it."),
    ),
    Section(
        "caseload_rosters",
        "care.CaseloadRoster",
        "counselor",
        gettext_lazy("Your caseloads"),
        gettext_lazy("As a counselor: each version of your caseload's list."),
        ("digest",),
    ),
    Section(
        "warning_sign_choices",
        "care.SignWatch",
        "owner",
        gettext_lazy("Warning signs you share"),
        gettext_lazy("Which warning signs each person in your circle is told of."),
    ),
    Section(
        "warning_signs_watched",
        "care.SignWatch",
        "watcher",
        gettext_lazy("Warning signs shared with you"),
        gettext_lazy("Which warning signs the people you support chose to tell you of."),
    ),
    Section(
        "warning_sign_episodes",
        "care.SignEpisode",
        "owner",
        gettext_lazy("Warning signs"),
        gettext_lazy("Each stretch of a warning sign, and when it ended."),
    ),
    # Reach out now
    Section(
        "alert_contacts",
        "reach.AlertContact",
        "owner",
        gettext_lazy("People who agreed to be there"),
        gettext_lazy("Whom you asked to be alerted when you need support, and their answers."),
        ("nonce",),
    ),
    Section(
        "alerts",
        "reach.Alert",
        "owner",
        gettext_lazy("Calls for support"),
        gettext_lazy("Each time you asked for support now, in your words."),
    ),
    Section(
        "alert_waves",
        "reach.AlertWave",
        "alert__owner",
        gettext_lazy("Calls for support: waves"),
        gettext_lazy("Who was alerted, wave by wave."),
    ),
    Section(
        "alert_messages",
        "reach.AlertSend",
        "alert__owner",
        gettext_lazy("Calls for support: messages"),
        gettext_lazy("Each message sent for a call, by email, text or in the app."),
        ("last_error",),
    ),
    Section(
        "alert_answers",
        "reach.AlertAnswer",
        "alert__owner",
        gettext_lazy("Calls for support: answers"),
        gettext_lazy("Who answered, and when."),
    ),
    Section(
        "alerts_accepted",
        "reach.AlertContact",
        "user",
        gettext_lazy("Calls you agreed to answer"),
        gettext_lazy("People who asked you to be there for them, and what you agreed to."),
        ("nonce",),
    ),
    # Reminders and notifications
    Section(
        "reminder_settings",
        "notifications.NotificationPreference",
        "user",
        gettext_lazy("Reminder settings"),
        gettext_lazy("Your choice of email and in-app for each kind of reminder."),
        importable=True,
    ),
    Section(
        "reminders",
        "notifications.Reminder",
        "recipient",
        gettext_lazy("Reminders to come"),
        gettext_lazy("When each reminder is next due."),
    ),
    Section(
        "deliveries",
        "notifications.Delivery",
        "recipient",
        gettext_lazy("Reminders sent"),
        gettext_lazy("Each reminder and note sent to you, when and how."),
        ("dispatch_token", "last_error"),
    ),
    Section(
        "notifications",
        "notifications.Notification",
        "recipient",
        gettext_lazy("Notifications"),
        gettext_lazy("Your notification centre, read and unread."),
    ),
    Section(
        "first_run",
        "welcome.FirstRun",
        "owner",
        gettext_lazy("Getting started"),
        gettext_lazy("Which first steps you took or skipped."),
    ),
    Section(
        "exports",
        "privacy.Export",
        "owner",
        gettext_lazy("Downloads of your data"),
        gettext_lazy("When you asked for a copy of your data (this file among them)."),
        ("content",),
    ),
    Section(
        "erasure",
        "privacy.Erasure",
        "owner",
        gettext_lazy("Erasure request"),
        gettext_lazy("A request to erase your account, if one is open."),
    ),
]
SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}

# What erasure does to each link to the person that is not theirs alone (the other links are
# on_delete=CASCADE: the rows are theirs and go with them).
DELETE = "deleted"  # the row holds their words or identity: it goes, though someone else holds it
UNLINK = "unlinked"  # someone else's own record, which stays, no longer pointing at them
KEEP = "kept"  # someone else's record that must outlive them; the reason is said on the erasure page

ERASURE = {
    ("supports.Supporter", "linked_user"): (UNLINK, "An entry in someone else's network stays theirs."),
    ("care.Invitation", "accepted_by"): (DELETE, "An invitation you accepted holds your email address."),
    ("milestones.Encouragement", "sender"): (DELETE, "Kind words you sent are your words."),
    ("care.Consent", "owner"): (
        KEEP,
        gettext_lazy(
            "A counselor keeps the record of a consent you signed (who, when, what it allowed, when it ended), "
            "never your data."
        ),
    ),
    ("care.Consent", "counselor"): (UNLINK, "A client keeps the consent they signed, naming you as they wrote it."),
    ("care.Recommendation", "counselor"): (
        KEEP,
        gettext_lazy("A recommendation you wrote stays with the client it was written for, under your name as it was."),
    ),
    ("care.AccessEvent", "actor"): (
        KEEP,
        gettext_lazy(
            "When you looked at someone's shared data, their access log keeps that line under your name and email "
            "address as they were: knowing who looked is their right."
        ),
    ),
    ("care.CaseloadRoster", "counselor"): (
        KEEP,
        gettext_lazy("Your clients' access logs keep the looks at your caseload, under your name as it was."),
    ),
    ("learning.LessonProgress", "shared_with"): (
        UNLINK,
        "A note someone shared with you from the family course stays theirs, shared with no one.",
    ),
    ("reach.AlertContact", "user"): (
        UNLINK,
        "Someone who asked you to be there keeps you in their list as they entered you; you are no longer alerted.",
    ),
}

# Links to the person that are not exported, and why (erasure follows on_delete or ERASURE).
NOT_EXPORTED = {
    ("supports.Supporter", "linked_user"): "another person's own entry for you in their network",
    ("care.Invitation", "accepted_by"): "the inviter's record; what they share with you is in grants_held",
    ("care.AccessEvent", "actor"): "a line in someone else's access log",
    ("admin.LogEntry", "user"): "changes staff made in the admin, about other people",
    ("notifications.Notification", "about"): "a note in someone else's notification centre about you (erased with you)",
    ("learning.LessonProgress", "shared_with"): "someone else's note on the family course, which they shared with you",
}

# Tables that hold nothing of any one person, or hold it only through a table above.
NOT_PERSONAL = {
    "auth.Permission": "the site's permissions",
    "auth.Group": "the site's staff groups",
    "contenttypes.ContentType": "the site's list of tables",
    "sessions.Session": "sign-in sessions: deleted with the person's devices on erasure, never exported",
    "account.EmailConfirmation": "a confirmation key for an email address, deleted with the address",
    "recovery_network.Heartbeat": "the worker's heartbeat",
    "admin.LogEntry": "staff's changes in the admin; the lines about an erased account go with it (erasure.py)",
}


def user_links():
    """[(model label, field name, on_delete name)] of every field in every installed model that points at the
    user model."""
    user_model = get_user_model()
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.related_model is user_model:
                if field.many_to_many:
                    continue  # none point at users today; a new one is caught by the catalogue test
                found.append((model._meta.label, field.name, field.remote_field.on_delete.__name__))
    return found
