import time

from django.core.management.base import BaseCommand, CommandError

from recovery_network.models import User
from recovery_network.timezones import is_time_zone
from supports.feeds import FETCH_TIMEOUT_SECONDS, FeedError, import_feed, read_source
from supports.models import Fellowship


class Command(BaseCommand):
    help = (
        "Import meetings from a Meeting Guide JSON feed (a file path or an http(s) URL). "
        "Meetings are created or updated by slug; invalid records are skipped and reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="Path to a JSON file, or an http:// or https:// URL.")
        parser.add_argument(
            "--fellowship", default=Fellowship.AA, choices=Fellowship.values, help="Fellowship of these meetings."
        )
        parser.add_argument(
            "--time-zone",
            default="UTC",
            help="Zone for records without a timezone (an IANA name, e.g. America/Chicago).",
        )
        parser.add_argument("--owner", help="Email of the person whose private list this is; omit for the directory.")
        parser.add_argument("--timeout", type=int, default=FETCH_TIMEOUT_SECONDS, help="Seconds to wait for a URL.")

    def handle(self, *args, source, fellowship, time_zone, owner, timeout, **options):
        if not is_time_zone(time_zone):
            raise CommandError(f"--time-zone {time_zone!r} is not an IANA time zone name.")
        owner_user = None
        if owner:
            owner_user = User.objects.filter(email__iexact=owner).first()
            if owner_user is None:
                raise CommandError(f"No account with the email {owner}.")
        started = time.monotonic()
        try:
            report = import_feed(
                read_source(source, timeout=timeout), owner=owner_user, fellowship=fellowship, default_zone=time_zone
            )
        except FeedError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {report.imported} meetings in {time.monotonic() - started:.2f}s.")
        )
