"""python manage.py erase_person EMAIL --confirm: erase one person at once, without the grace period (for a
request an operator receives by mail, once they have checked it is the person's own)."""

from django.core.management.base import BaseCommand, CommandError

from recovery_network.models import User
from recovery_network.privacy import erasure


class Command(BaseCommand):
    help = "Erase everything about one person, now. Nothing can bring it back."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--confirm", action="store_true", help="Required: say you mean it.")

    def handle(self, email, confirm, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No account has the email address {email}.")
        if not confirm:
            raise CommandError("Nothing erased. Add --confirm to erase this account and everything about it for good.")
        counts = erasure.erase(user)
        self.stdout.write(f"Erased the account and {sum(counts.values())} rows about it.")
