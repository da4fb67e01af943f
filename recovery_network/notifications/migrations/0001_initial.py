"""The engine's four models, taken over from the project package without moving a row.

They were created by recovery_network's migrations 0002–0004 and keep their tables
(`db_table`), indexes and constraints: this migration only tells Django's state that they
now belong here (recovery_network 0006 drops them from its own state), and moves their
content types to this app, keeping their ids, so permissions and admin history still
point at them. On a new database there is nothing to move: the tables are made by
0002–0004 before this runs.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MOVED = ["reminder", "delivery", "notification", "notificationpreference"]


def move_content_types(apps, schema_editor, source="recovery_network", target="notifications"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    # A content type the new label got first (a server started between the two steps) gives way to the old one.
    ContentType.objects.using(db).filter(app_label=target, model__in=MOVED).delete()
    ContentType.objects.using(db).filter(app_label=source, model__in=MOVED).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="notifications", target="recovery_network")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("recovery_network", "0005_user_data_version"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=40)),
                        ("subject_id", models.PositiveBigIntegerField(default=0)),
                        ("occurrence", models.CharField(max_length=40)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("held", "Held for quiet hours"),
                                    ("pending", "Pending"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                    ("skipped", "Skipped"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        (
                            "skip_reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("", "—"),
                                    ("missed", "Missed while the system was down"),
                                    ("paused", "Reminders paused"),
                                    ("checked_in", "Already checked in"),
                                    ("opted_out", "Turned off by the person"),
                                    ("unverified", "Email address not verified"),
                                    ("gone", "No longer applies"),
                                ],
                                default="",
                                max_length=12,
                            ),
                        ),
                        ("by_email", models.BooleanField(default=False)),
                        ("in_app", models.BooleanField(default=False)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("acted_at", models.DateTimeField(blank=True, null=True)),
                        ("dispatch_token", models.UUIDField(blank=True, editable=False, null=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deliveries",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "deliveries",
                        "db_table": "recovery_network_delivery",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=40)),
                        ("title", models.CharField(max_length=200)),
                        ("body", models.TextField(blank=True)),
                        ("url", models.CharField(blank=True, max_length=500)),
                        ("action_url", models.CharField(blank=True, max_length=500)),
                        ("action_label", models.CharField(blank=True, max_length=60)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "delivery",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="notification",
                                to="notifications.delivery",
                            ),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recovery_network_notification",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="NotificationPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=40)),
                        ("by_email", models.BooleanField(default=True)),
                        ("in_app", models.BooleanField(default=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notification_preferences",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recovery_network_notificationpreference",
                    },
                ),
                migrations.CreateModel(
                    name="Reminder",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=40)),
                        ("subject_id", models.PositiveBigIntegerField(default=0)),
                        ("occurrence", models.CharField(max_length=40)),
                        ("occurs_at", models.DateTimeField()),
                        ("expires_at", models.DateTimeField()),
                        ("due_at", models.DateTimeField()),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="reminders",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recovery_network_reminder",
                        "ordering": ["due_at", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        condition=models.Q(("status__in", ["pending", "sending"])),
                        fields=["next_attempt_at"],
                        name="delivery_unfinished_idx",
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(fields=["status", "created_at"], name="delivery_status_idx"),
                ),
                migrations.AddConstraint(
                    model_name="delivery",
                    constraint=models.UniqueConstraint(
                        fields=("recipient", "kind", "subject_id", "occurrence"), name="delivery_once_per_occurrence"
                    ),
                ),
                migrations.AddIndex(
                    model_name="notification",
                    index=models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
                ),
                migrations.AddIndex(
                    model_name="notification",
                    index=models.Index(
                        condition=models.Q(("read_at__isnull", True)),
                        fields=["recipient"],
                        name="notification_unread_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="notificationpreference",
                    constraint=models.UniqueConstraint(fields=("user", "kind"), name="preference_once_per_kind"),
                ),
                migrations.AddIndex(
                    model_name="reminder",
                    index=models.Index(fields=["due_at"], name="reminder_due_idx"),
                ),
                migrations.AddConstraint(
                    model_name="reminder",
                    constraint=models.UniqueConstraint(
                        fields=("kind", "subject_id", "recipient"), name="reminder_once_per_subject"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
