from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recovery_network import demo


class Command(BaseCommand):
    help = "Create or refresh the demo accounts and their data (idempotent). Development only."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="Also create N load-test people with varied data.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed for --scale data.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DEBUG off (for benchmark databases only: demo passwords are public).",
        )

    def handle(self, *args, scale, seed, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "seed_demo creates accounts whose passwords are published in the README; "
                "it refuses to run with DEBUG off."
            )
        if scale < 0:
            raise CommandError("--scale must be zero or more.")
        cast, people = demo.seed(scale=scale, seed_value=seed)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with password " + demo.DEMO_PASSWORD))
        for role, user in cast.items():
            self.stdout.write(f"  {role:<10} {user.email}")
        if scale:
            self.stdout.write(f"  plus {len(people)} load-test people (person000001@{demo.SCALE_DOMAIN} …)")
