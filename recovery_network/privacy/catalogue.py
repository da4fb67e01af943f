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
        "Your account",
        "Your name, email, time zone, check-in time and quiet hours.",
        ACCOUNT_INTERNALS,
        importable=True,
    ),
    Section(
        "email_addresses",
        "account.EmailAddress",
        "user",
        "Email addresses",
        "The addresses on your account and whether each was confirmed.",
    ),
    Section(
        "two_factor",
        "mfa.Authenticator",
        "user",
        "Two-factor authentication",
        "Which second factors you set up and when they were last used (never their secrets).",
        ("data",),
    ),
    Section(
        "signed_in_devices",
        "usersessions.UserSession",
        "user",
        "Signed-in devices",
        "Each browser signed in to your account, its address and when it was last seen.",
        ("session_key", "data"),
    ),
    # Recovery
    Section(
        "journeys",
        "milestones.Journey",
        "owner",
        "Journeys",
        "What you are recovering from and when your clean time began.",
        importable=True,
    ),
    Section(
        "setbacks",
        "milestones.Setback",
        "owner",
        "Setbacks",
        "Setbacks you recorded, what happened and what you learned.",
        importable=True,
    ),
    Section(
        "personal_goals",
        "milestones.PersonalGoal",
        "owner",
        "Your own milestones",
        "Milestones you set yourself.",
        importable=True,
    ),
    Section(
        "checkins",
        "milestones.CheckIn",
        "owner",
        "Check-ins",
        "Every daily check-in: mood, craving, what helped, your notes.",
        importable=True,
    ),
    Section(
        "checkin_receipts",
        "milestones.CheckInReceipt",
        "owner",
        "Check-ins sent from a phone",
        "The keys your phone made for check-ins sent while offline, so none was saved twice.",
    ),
    Section(
        "encouragement_received",
        "milestones.Encouragement",
        "owner",
        "Encouragement received",
        "Kind words people in your circle sent you.",
        importable=True,
    ),
    Section(
        "encouragement_sent",
        "milestones.Encouragement",
        "sender",
        "Encouragement you sent",
        "Kind words you sent to people you support.",
    ),
    Section(
        "calendar_feed",
        "milestones.CalendarFeed",
        "owner",
        "Calendar feed",
        "When you made your private calendar address (never the address itself).",
        ("token",),
    ),
    # The network
    Section(
        "supporters",
        "supports.Supporter",
        "owner",
        "Supporters",
        "The people in your network, how close they are and how they help.",
        ("linked_user",),
        importable=True,
    ),
    Section(
        "contacts",
        "supports.Contact",
        "owner",
        "Contacts",
        "When you were in touch with someone in your network, and how it went.",
        importable=True,
    ),
    Section(
        "peer_groups",
        "supports.PeerGroup",
        "owner",
        "Groups",
        "The peer groups you go to.",
        ("sponsor", "meeting"),
        importable=True,
    ),
    Section(
        "meeting_times",
        "supports.MeetingTime",
        "group__owner",
        "Group meeting times",
        "When each of your groups meets.",
        importable=True,
    ),
    Section(
        "attendance", "supports.Attendance", "owner", "Meeting attendance", "Each meeting you went to.", importable=True
    ),
    Section(
        "meetings_uploaded",
        "supports.Meeting",
        "owner",
        "Meetings you uploaded",
        "Meetings from feeds you uploaded for yourself.",
        importable=True,
    ),
    Section(
        "community",
        "supports.CommunityActivity",
        "owner",
        "Community",
        "Volunteering, service and other community activities.",
        importable=True,
    ),
    Section(
        "network_snapshots",
        "supports.NetworkSnapshot",
        "owner",
        "Network snapshots",
        "Dated pictures of your network, kept to compare over time.",
        importable=True,
    ),
    Section(
        "network_reviews",
        "review.NetworkReview",
        "owner",
        "Network reviews",
        "Each review of your network: when you began and finished it, and your notes on community and gaps.",
        importable=True,
    ),
    Section(
        "network_review_supporters",
        "review.SupporterReview",
        "review__owner",
        "Supporters in your reviews",
        "What each review saw of a supporter (closeness, how often you talked) and what you decided.",
        importable=True,
    ),
    Section(
        "network_review_groups",
        "review.GroupReview",
        "review__owner",
        "Groups in your reviews",
        "What each review saw of a group (meetings in the 90 days before) and what you decided.",
        importable=True,
    ),
    # Learning to help (the family course)
    Section(
        "course_progress",
        "learning.LessonProgress",
        "owner",
        "Family course",
        "The lessons of Learning to help you started and finished, your note on each, and with whom you shared it.",
        importable=True,
    ),
    Section(
        "lesson_suggestions_sent",
        "learning.LessonSuggestion",
        "owner",
        "Lessons you suggested",
        "Lessons of the family course you suggested to people in your circle, with your words.",
    ),
    Section(
        "lesson_suggestions_received",
        "learning.LessonSuggestion",
        "viewer",
        "Lessons suggested to you",
        "Lessons of the family course someone who shares with you suggested, with their words, and when you set "
        "one aside.",
    ),
    # Recovery capital
    Section(
        "recovery_capital",
        "capital.CapitalCheck",
        "owner",
        "Recovery capital check-ups",
        "Your answers to the ten BARC-10 statements and their total, on each day you answered them.",
        importable=True,
    ),
    # The circle of care
    Section(
        "invitations_sent",
        "care.Invitation",
        "owner",
        "Invitations you sent",
        "People you invited into your circle, and their answers.",
        ("nonce",),
    ),
    Section(
        "grants_given",
        "care.Grant",
        "owner",
        "What you share with family and friends",
        "Who may see what, since when, and when it ended.",
    ),
    Section(
        "grants_held", "care.Grant", "viewer", "What others share with you", "The people who share with you, and what."
    ),
    Section(
        "consents_given",
        "care.Consent",
        "owner",
        "Consents you signed",
        "Each counselor's consent: recipient, purpose, what it allows, its end and your signature.",
    ),
    Section(
        "consents_held",
        "care.Consent",
        "counselor",
        "Consents your clients signed",
        "As a counselor: each client's consent to you.",
    ),
    Section(
        "consent_requests_sent",
        "care.ConsentRequest",
        "counselor",
        "Consent requests you sent",
        "As a counselor: the consents you asked clients to sign.",
        ("nonce",),
    ),
    Section(
        "recommendations_received",
        "care.Recommendation",
        "owner",
        "Recommendations",
        "What your counselor recommended, and when you marked it done.",
    ),
    Section(
        "recommendations_written",
        "care.Recommendation",
        "counselor",
        "Recommendations you wrote",
        "As a counselor: what you recommended to clients.",
    ),
    Section(
        "access_log",
        "care.AccessEvent",
        "owner",
        "Who has seen your data",
        "Every look at your data by someone else, and every change to who may see it.",
    ),
    Section(
        "caseload_entries",
        "care.RosterEntry",
        "owner",
        "Caseloads that listed you",
        "What a counselor's caseload showed of you.",
    ),
    Section(
        "caseload_looks",
        "care.CaseloadView",
        "roster__entries__owner",
        "Looks at caseloads that listed you",
        "Each time a counselor opened a caseload with you on it.",
    ),
    Section(
        "caseload_rosters",
        "care.CaseloadRoster",
        "counselor",
        "Your caseloads",
        "As a counselor: each version of your caseload's list.",
        ("digest",),
    ),
    Section(
        "warning_sign_choices",
        "care.SignWatch",
        "owner",
        "Warning signs you share",
        "Which warning signs each person in your circle is told of.",
    ),
    Section(
        "warning_signs_watched",
        "care.SignWatch",
        "watcher",
        "Warning signs shared with you",
        "Which warning signs the people you support chose to tell you of.",
    ),
    Section(
        "warning_sign_episodes",
        "care.SignEpisode",
        "owner",
        "Warning signs",
        "Each stretch of a warning sign, and when it ended.",
    ),
    # Reach out now
    Section(
        "alert_contacts",
        "reach.AlertContact",
        "owner",
        "People who agreed to be there",
        "Whom you asked to be alerted when you need support, and their answers.",
        ("nonce",),
    ),
    Section(
        "alerts", "reach.Alert", "owner", "Calls for support", "Each time you asked for support now, in your words."
    ),
    Section(
        "alert_waves", "reach.AlertWave", "alert__owner", "Calls for support: waves", "Who was alerted, wave by wave."
    ),
    Section(
        "alert_messages",
        "reach.AlertSend",
        "alert__owner",
        "Calls for support: messages",
        "Each message sent for a call, by email, text or in the app.",
        ("last_error",),
    ),
    Section(
        "alert_answers", "reach.AlertAnswer", "alert__owner", "Calls for support: answers", "Who answered, and when."
    ),
    Section(
        "alerts_accepted",
        "reach.AlertContact",
        "user",
        "Calls you agreed to answer",
        "People who asked you to be there for them, and what you agreed to.",
        ("nonce",),
    ),
    # Reminders and notifications
    Section(
        "reminder_settings",
        "notifications.NotificationPreference",
        "user",
        "Reminder settings",
        "Your choice of email and in-app for each kind of reminder.",
        importable=True,
    ),
    Section("reminders", "notifications.Reminder", "recipient", "Reminders to come", "When each reminder is next due."),
    Section(
        "deliveries",
        "notifications.Delivery",
        "recipient",
        "Reminders sent",
        "Each reminder and note sent to you, when and how.",
        ("dispatch_token", "last_error"),
    ),
    Section(
        "notifications",
        "notifications.Notification",
        "recipient",
        "Notifications",
        "Your notification centre, read and unread.",
    ),
    Section("first_run", "welcome.FirstRun", "owner", "Getting started", "Which first steps you took or skipped."),
    Section(
        "exports",
        "privacy.Export",
        "owner",
        "Downloads of your data",
        "When you asked for a copy of your data (this file among them).",
        ("content",),
    ),
    Section(
        "erasure", "privacy.Erasure", "owner", "Erasure request", "A request to erase your account, if one is open."
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
        "A counselor keeps the record of a consent you signed (who, when, what it allowed, when it ended), "
        "never your data.",
    ),
    ("care.Consent", "counselor"): (UNLINK, "A client keeps the consent they signed, naming you as they wrote it."),
    ("care.Recommendation", "counselor"): (
        KEEP,
        "A recommendation you wrote stays with the client it was written for, under your name as it was.",
    ),
    ("care.AccessEvent", "actor"): (
        KEEP,
        "When you looked at someone's shared data, their access log keeps that line under your name and email "
        "address as they were: knowing who looked is their right.",
    ),
    ("care.CaseloadRoster", "counselor"): (
        KEEP,
        "Your clients' access logs keep the looks at your caseload, under your name as it was.",
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
