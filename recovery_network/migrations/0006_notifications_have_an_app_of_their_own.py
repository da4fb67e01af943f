"""The engine's models now belong to the notifications app (its migration 0001): dropped from this app's
state only; their tables, rows, indexes and constraints stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("recovery_network", "0005_user_data_version"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="notification",
                    name="delivery",
                ),
                migrations.RemoveField(
                    model_name="notification",
                    name="recipient",
                ),
                migrations.RemoveField(
                    model_name="notificationpreference",
                    name="user",
                ),
                migrations.RemoveField(
                    model_name="reminder",
                    name="recipient",
                ),
                migrations.DeleteModel(
                    name="Delivery",
                ),
                migrations.DeleteModel(
                    name="Notification",
                ),
                migrations.DeleteModel(
                    name="NotificationPreference",
                ),
                migrations.DeleteModel(
                    name="Reminder",
                ),
            ],
            database_operations=[],
        ),
    ]
