"""Periodic work: apps register jobs here, and the one scheduler process queues them when due.

The scheduler never runs the work itself; it enqueues the job's task, so the work happens in
the worker processes and a slow job never delays the others. Last-run times are stored, so a
restarted scheduler neither skips nor repeats a run.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from croniter import croniter
from django.utils import timezone

from patron.core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """``enqueue()`` queues the job's task; ``cron`` is a five-field cron expression in UTC."""

    code: str
    cron: str
    enqueue: Callable[[], object]
    description: str = ""

    def next_run_after(self, moment: dt.datetime) -> dt.datetime:
        return croniter(self.cron, moment).get_next(dt.datetime)


_jobs: dict[str, PeriodicJob] = {}


def register_periodic(job: PeriodicJob) -> PeriodicJob:
    if not croniter.is_valid(job.cron):
        raise ValueError(f"Periodic job {job.code!r} has an invalid cron expression {job.cron!r}.")
    _jobs[job.code] = job
    return job


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.code)


def due_jobs(now: dt.datetime) -> list[tuple[PeriodicJob, dt.datetime]]:
    """Return each due job with the last-run time it was read with.

    A job that never ran is first recorded as run now, so installing Patron does not fire every
    job at once; it runs at its next slot.
    """
    last_runs = dict(ScheduledRun.objects.values_list("code", "last_run_at"))
    due = []
    for job in periodic_jobs():
        last = last_runs.get(job.code)
        if last is None:
            ScheduledRun.objects.get_or_create(code=job.code, defaults={"last_run_at": now})
        elif job.next_run_after(last) <= now:
            due.append((job, last))
    return due


def run_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Queue every due job once and record its run; return the codes queued.

    The claim is a conditional update on the last-run time read, so two schedulers started by
    mistake still queue each run only once.
    """
    now = now or timezone.now()
    queued = []
    for job, last in due_jobs(now):
        claimed = ScheduledRun.objects.filter(code=job.code, last_run_at=last).update(
            last_run_at=now
        )
        if not claimed:
            continue
        try:
            job.enqueue()
            queued.append(job.code)
        except Exception:
            logger.exception("Could not queue periodic job %s", job.code)
    return queued


def register_builtin_jobs() -> None:
    from patron.core import tasks

    register_periodic(
        PeriodicJob(
            code="core.prune_finished_jobs",
            cron="17 3 * * *",
            enqueue=lambda: tasks.prune_finished_jobs.enqueue(),
            description="Delete progress rows of jobs finished more than 30 days ago.",
        )
    )
    register_periodic(
        PeriodicJob(
            code="core.worker_heartbeat",
            cron="* * * * *",
            enqueue=lambda: tasks.worker_heartbeat.enqueue(),
            description="Let /readyz see that a worker is taking tasks.",
        )
    )
