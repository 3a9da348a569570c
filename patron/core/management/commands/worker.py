from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Run a task worker for the configured backend: RQ when PATRON_REDIS_URL is set (start "
        "as many as the load needs), else the database queue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--burst", action="store_true", help="Run the waiting tasks, then stop (RQ only)."
        )

    def handle(self, *args, **options):
        if settings.TASK_BACKEND == "django_tasks_rq.RQBackend":
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.backend.Job",
                with_scheduler=True,
                burst=options["burst"],
            )
        else:
            call_command("db_worker", interval=1)
