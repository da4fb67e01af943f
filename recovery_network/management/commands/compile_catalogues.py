"""`python manage.py compile_catalogues`: locale/*/LC_MESSAGES/django.po → .mo without GNU gettext."""

from django.core.management.base import BaseCommand

from recovery_network import catalogues


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo) that changed, with Babel: no gettext tools needed."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Compile every catalogue, changed or not.")

    def handle(self, *args, force=False, **options):
        compiled = catalogues.compile_all(force=force)
        if options["verbosity"]:
            self.stdout.write(f"Compiled {len(compiled)} catalogue{'s' if len(compiled) != 1 else ''}.")
