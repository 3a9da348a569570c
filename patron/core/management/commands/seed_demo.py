import random
import time

from django.core.management.base import BaseCommand, CommandError

from patron.core.demo import ensure_demo_database
from patron.core.errors import PatronError
from patron.core.registries import demo_steps


class Command(BaseCommand):
    help = "Load the demo data (idempotent); refuses a database that is not a demo database."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=20261122, help="Random seed.")

    def handle(self, *args, seed, **options):
        try:
            ensure_demo_database()
        except PatronError as error:
            raise CommandError(str(error.message)) from None
        rng = random.Random(seed)
        for step in demo_steps:
            started = time.monotonic()
            result = step.run(rng=rng)
            took = time.monotonic() - started
            self.stdout.write(f"{step.label}: {result or 'done'} ({took:.1f} s)")
