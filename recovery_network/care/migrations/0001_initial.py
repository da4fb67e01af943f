"""The circle of care's models, taken over from supports without moving a row.

They keep their tables (`db_table`), indexes and constraints: this migration only tells
Django's state that they belong here now (supports 0006 drops them from its own state), and
moves their content types to this app, keeping their ids, so permissions and admin history
still point at them. On a new database the tables are made by supports 0002–0005 first.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = [
    "invitation",
    "grant",
    "consent",
    "recommendation",
    "accessevent",
    "caseloadroster",
    "rosterentry",
    "caseloadview",
]


def move_content_types(apps, schema_editor, source="supports", target="care"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    # A content type the new label got first (a server started between the two steps) gives way to the old one.
    ContentType.objects.using(db).filter(app_label=target, model__in=MOVED).delete()
    ContentType.objects.using(db).filter(app_label=source, model__in=MOVED).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="care", target="supports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("supports", "0005_access_event_staff_actions"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CaseloadRoster",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("counselor_name", models.CharField(max_length=200)),
                        ("digest", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        (
                            "counselor",
                            models.ForeignKey(
                                blank=True,
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "supports_caseloadroster",
                    },
                ),
                migrations.CreateModel(
                    name="CaseloadView",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("path", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        (
                            "roster",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="views",
                                to="care.caseloadroster",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "supports_caseloadview",
                    },
                ),
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("clean_time", models.BooleanField(default=True, verbose_name="clean time and milestones")),
                        ("checkins", models.BooleanField(default=False, verbose_name="check-in trends")),
                        ("support_map", models.BooleanField(default=False, verbose_name="support map")),
                        ("attendance", models.BooleanField(default=False, verbose_name="meeting attendance")),
                        ("setbacks", models.BooleanField(default=False, verbose_name="setbacks")),
                        ("recipient_name", models.CharField(max_length=120, verbose_name="counselor's name")),
                        (
                            "organisation",
                            models.CharField(max_length=160, verbose_name="their practice or organisation"),
                        ),
                        (
                            "purpose",
                            models.CharField(
                                default="To support my treatment and recovery planning.",
                                max_length=300,
                                verbose_name="purpose",
                            ),
                        ),
                        ("expires_on", models.DateField(verbose_name="this consent ends on")),
                        (
                            "signed_name",
                            models.CharField(max_length=120, verbose_name="your full name, as your signature"),
                        ),
                        ("signed_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "counselor",
                            models.ForeignKey(
                                blank=True,
                                help_text="Set when the counselor accepts the invitation.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="consents_held",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consents_given",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "supports_consent",
                        "ordering": ["-signed_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("clean_time", models.BooleanField(default=True, verbose_name="clean time and milestones")),
                        ("checkins", models.BooleanField(default=False, verbose_name="check-in trends")),
                        ("support_map", models.BooleanField(default=False, verbose_name="support map")),
                        ("attendance", models.BooleanField(default=False, verbose_name="meeting attendance")),
                        ("setbacks", models.BooleanField(default=False, verbose_name="setbacks")),
                        ("email", models.EmailField(max_length=254)),
                        (
                            "role",
                            models.CharField(
                                choices=[("viewer", "Family member or friend"), ("counselor", "Counselor")],
                                default="viewer",
                                max_length=12,
                            ),
                        ),
                        ("nonce", models.CharField(editable=False, max_length=32)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("expires_at", models.DateTimeField()),
                        ("accepted_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("declined_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("withdrawn_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "accepted_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "consent",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitation",
                                to="care.consent",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations_sent",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "supporter",
                            models.ForeignKey(
                                blank=True,
                                help_text="Who this is in your network, so your map can show they have an account.",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="invitations",
                                to="supports.supporter",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "supports_invitation",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Grant",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("clean_time", models.BooleanField(default=True, verbose_name="clean time and milestones")),
                        ("checkins", models.BooleanField(default=False, verbose_name="check-in trends")),
                        ("support_map", models.BooleanField(default=False, verbose_name="support map")),
                        ("attendance", models.BooleanField(default=False, verbose_name="meeting attendance")),
                        ("setbacks", models.BooleanField(default=False, verbose_name="setbacks")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="grants_given",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "viewer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="grants_held",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "invitation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="care.invitation",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "supports_grant",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Recommendation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("counselor_name", models.CharField(max_length=120)),
                        ("text", models.CharField(max_length=300, verbose_name="recommendation")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("done_at", models.DateTimeField(blank=True, editable=False, null=True)),
                        (
                            "counselor",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="recommendations_written",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recommendations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "supports_recommendation",
                        "ordering": ["done_at", "-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="RosterEntry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("what", models.CharField(max_length=300)),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "roster",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="entries",
                                to="care.caseloadroster",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "roster entries",
                        "db_table": "supports_rosterentry",
                    },
                ),
                migrations.CreateModel(
                    name="AccessEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("actor_name", models.CharField(max_length=200)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("viewed", "Viewed"),
                                    ("invited", "Invitation sent"),
                                    ("invitation_withdrawn", "Invitation withdrawn"),
                                    ("invitation_accepted", "Invitation accepted"),
                                    ("invitation_declined", "Invitation declined"),
                                    ("grant_changed", "Sharing changed"),
                                    ("grant_revoked", "Access removed"),
                                    ("consent_signed", "Consent signed"),
                                    ("consent_revoked", "Consent revoked"),
                                    ("encouragement_sent", "Encouragement sent"),
                                    ("recommendation_written", "Recommendation written"),
                                    ("changed", "Changed"),
                                    ("deleted", "Deleted"),
                                ],
                                max_length=24,
                            ),
                        ),
                        ("what", models.CharField(blank=True, max_length=300)),
                        ("path", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="access_events",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "supports_accessevent",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["owner", "-created_at"], name="access_owner_created_idx")],
                    },
                ),
                migrations.AddConstraint(
                    model_name="caseloadroster",
                    constraint=models.UniqueConstraint(fields=("counselor", "digest"), name="caseload_roster_once"),
                ),
                migrations.AddIndex(
                    model_name="caseloadview",
                    index=models.Index(fields=["roster", "-created_at"], name="caseload_view_roster_idx"),
                ),
                migrations.AddIndex(
                    model_name="consent",
                    index=models.Index(fields=["counselor", "expires_on"], name="consent_counselor_idx"),
                ),
                migrations.AddIndex(
                    model_name="invitation",
                    index=models.Index(fields=["owner", "created_at"], name="invitation_owner_idx"),
                ),
                migrations.AddIndex(
                    model_name="grant",
                    index=models.Index(fields=["viewer", "owner"], name="grant_viewer_idx"),
                ),
                migrations.AddConstraint(
                    model_name="grant",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("revoked_at__isnull", True)),
                        fields=("owner", "viewer"),
                        name="grant_one_active_per_viewer",
                    ),
                ),
                migrations.AddIndex(
                    model_name="recommendation",
                    index=models.Index(fields=["owner", "created_at"], name="recommendation_owner_idx"),
                ),
                migrations.AddConstraint(
                    model_name="rosterentry",
                    constraint=models.UniqueConstraint(fields=("owner", "roster"), name="roster_entry_once"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
