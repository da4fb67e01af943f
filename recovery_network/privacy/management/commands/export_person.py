"""python manage.py export_person EMAIL --output FILE.zip: the same zip the person downloads from Your data,
for a request an operator receives by mail."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recovery_network.models import User
from recovery_network.privacy import exporting


class Command(BaseCommand):
    help = "Write everything one person may take with them to a zip file (the same export as Settings → Your data)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", required=True, help="Where to write the zip (it must not exist yet).")

    def handle(self, email, output, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        path = Path(output)
        if path.exists():
            raise CommandError(f"{path} exists already; choose another file name.")
        content = exporting.write_zip(user)
        path.write_bytes(content)
        path.chmod(0o600)  # it holds someone's health records: readable by the operator alone
        self.stdout.write(f"Wrote {path} ({len(content)} bytes).")
