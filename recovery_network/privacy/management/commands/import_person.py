"""python manage.py import_person FILE.zip --email NEW_EMAIL: recreate a person's own records from an export made
on another Recovery Network site, in a new account (links to other people's accounts are not recreated)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recovery_network.privacy import importing


class Command(BaseCommand):
    help = "Create an account from an export file, with the person's own records."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The export's zip file.")
        parser.add_argument("--email", required=True, help="The new account's email address.")

    def handle(self, archive, email, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        try:
            user, counts = importing.import_person(path.read_bytes(), email)
        except importing.ImportRefused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            f"Created {user.email} with {sum(counts.values())} records. They set a password with "
            "“Forgot your password?” on the sign-in page."
        )
