from django.core.management.base import BaseCommand

from patron.core import progress
from patron.customers import grid
from patron.customers.models import Customer


class Command(BaseCommand):
    help = "Rebuild the customers grid index from the customers and their default addresses."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=grid.REBUILD_BATCH)

    def handle(self, *args, batch_size, **options):
        job = progress.start_job(kind="customers.rebuild_grid", label="Rebuild the customers grid")
        progress.mark_running(job, total=Customer.objects.count())

        def report(done: int) -> None:
            job.refresh_from_db()
            progress.advance(job, by=done - job.done)
            self.stdout.write(f"\r{done} rows", ending="")

        written = grid.rebuild(batch_size=batch_size, progress=report)
        progress.finish_job(job, result={"rows": written})
        self.stdout.write(f"\nRebuilt {written} rows.")
