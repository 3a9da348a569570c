import time

from django.core.management.base import BaseCommand, CommandError

from patron.core.errors import NotFound
from patron.core.models import Job
from patron.core.progress import get_job


def _line(job: Job) -> str:
    total = f"/{job.total}" if job.total is not None else ""
    percent = f" {job.percent}%" if job.percent is not None else ""
    return f"{job.pk}  {job.state:<9}  {job.done}{total}{percent}  {job.kind}  {job.label}"


class Command(BaseCommand):
    help = "List recent jobs (imports, exports, refreshes), or follow one job's progress."

    def add_arguments(self, parser):
        parser.add_argument("job_id", nargs="?", help="Show this job (with --watch, follow it).")
        parser.add_argument(
            "--watch", action="store_true", help="Print progress until the job ends."
        )
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args, job_id=None, watch=False, limit=20, **options):
        if job_id is None:
            for job in Job.objects.order_by("-created_at")[:limit]:
                self.stdout.write(_line(job))
            return
        try:
            job = get_job(job_id)
        except NotFound as error:
            raise CommandError(str(error.message)) from None
        shown_messages = 0
        while True:
            job.refresh_from_db()
            self.stdout.write(_line(job))
            for message in job.messages[shown_messages:]:
                self.stdout.write(f"  [{message.get('level', 'info')}] {message.get('text', '')}")
            shown_messages = len(job.messages)
            if not watch or job.is_finished:
                break
            time.sleep(1)
        if job.state == "failed":
            raise CommandError(f"Job {job.pk} failed.")
