from django.db import migrations, models
from django.db.models import Exists, OuterRef


def fill_roles(apps, schema_editor):
    """Every account's roles from the rows that hold them, in one UPDATE."""
    User = apps.get_model("recovery_network", "User")
    Journey = apps.get_model("milestones", "Journey")
    Grant = apps.get_model("care", "Grant")
    Consent = apps.get_model("care", "Consent")
    User.objects.update(
        has_journey=Exists(Journey.objects.filter(owner=OuterRef("pk"))),
        views_someone=Exists(Grant.objects.filter(viewer=OuterRef("pk"), revoked_at__isnull=True)),
        counsels_someone=Exists(Consent.objects.filter(counselor=OuterRef("pk"), revoked_at__isnull=True)),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("recovery_network", "0006_notifications_have_an_app_of_their_own"),
        ("milestones", "0003_checkin_receipt"),
        ("care", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="counsels_someone",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="user",
            name="has_journey",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="user",
            name="views_someone",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(fill_roles, migrations.RunPython.noop),
    ]
