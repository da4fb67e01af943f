"""The circle of care's models now belong to the care app (its migration 0001): dropped from this app's
state only; their tables, rows, indexes and constraints stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supports", "0005_access_event_staff_actions"),
        ("care", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="caseloadroster",
                    name="counselor",
                ),
                migrations.RemoveField(
                    model_name="caseloadview",
                    name="roster",
                ),
                migrations.RemoveField(
                    model_name="rosterentry",
                    name="roster",
                ),
                migrations.RemoveField(
                    model_name="consent",
                    name="counselor",
                ),
                migrations.RemoveField(
                    model_name="consent",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="invitation",
                    name="consent",
                ),
                migrations.RemoveField(
                    model_name="grant",
                    name="invitation",
                ),
                migrations.RemoveField(
                    model_name="grant",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="grant",
                    name="viewer",
                ),
                migrations.RemoveField(
                    model_name="invitation",
                    name="accepted_by",
                ),
                migrations.RemoveField(
                    model_name="invitation",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="invitation",
                    name="supporter",
                ),
                migrations.RemoveField(
                    model_name="recommendation",
                    name="counselor",
                ),
                migrations.RemoveField(
                    model_name="recommendation",
                    name="owner",
                ),
                migrations.RemoveField(
                    model_name="rosterentry",
                    name="owner",
                ),
                migrations.DeleteModel(
                    name="AccessEvent",
                ),
                migrations.DeleteModel(
                    name="CaseloadView",
                ),
                migrations.DeleteModel(
                    name="CaseloadRoster",
                ),
                migrations.DeleteModel(
                    name="Consent",
                ),
                migrations.DeleteModel(
                    name="Grant",
                ),
                migrations.DeleteModel(
                    name="Invitation",
                ),
                migrations.DeleteModel(
                    name="Recommendation",
                ),
                migrations.DeleteModel(
                    name="RosterEntry",
                ),
            ],
            database_operations=[],
        ),
    ]
