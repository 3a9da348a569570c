import datetime as dt

from django.utils import timezone
from django_tasks import task

from patron.core.models import Job, JobState

FINISHED_JOB_RETENTION = dt.timedelta(days=30)


@task()
def prune_finished_jobs() -> int:
    """Delete progress rows of jobs that finished more than 30 days ago; return how many."""
    cutoff = timezone.now() - FINISHED_JOB_RETENTION
    deleted, _ = Job.objects.filter(
        state__in=[JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED], finished_at__lt=cutoff
    ).delete()
    return deleted


@task()
def worker_heartbeat() -> None:
    """Prove a worker is taking tasks: ``/readyz`` reports the worker down without it."""
    from patron.core.health import WORKER_HEARTBEAT_KEY, record_heartbeat

    record_heartbeat(WORKER_HEARTBEAT_KEY)
