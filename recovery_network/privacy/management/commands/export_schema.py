"""python manage.py export_schema > docs/EXPORT.md: the export's documentation, written from the catalogue and
the models, so it cannot fall behind them (tests/privacy/test_export.py compares it with the committed file)."""

from django.core.management.base import BaseCommand

from recovery_network.privacy import schema


class Command(BaseCommand):
    help = "Print the documentation of the export's format (docs/EXPORT.md)."

    def handle(self, **options):
        self.stdout.write(schema.markdown(), ending="")
