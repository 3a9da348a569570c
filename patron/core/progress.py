"""Progress of long jobs: one row per job (state, done, total, messages), watched from the back
office and with ``patron jobs``.

Jobs commit their work in batches and report progress between batches, outside the batch's
transaction, so progress is visible at once and survives a batch that rolls back.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import SYSTEM, Actor
from patron.core.errors import NotFound
from patron.core.models import Job, JobState

MAX_MESSAGES = 1000


def start_job(*, kind: str, label: str, actor: Actor = SYSTEM, total: int | None = None) -> Job:
    """Create a pending job and return it."""
    return Job.objects.create(kind=kind, label=label[:255], total=total, **actor.as_fields())


def get_job(job_id: Any) -> Job:
    """Return the job with ``job_id`` or raise ``NotFound``."""
    try:
        return Job.objects.get(pk=job_id)
    except (Job.DoesNotExist, ValidationError, ValueError, TypeError):  # a malformed UUID
        raise NotFound(
            _("There is no job %(id)s.") % {"id": job_id}, code="job_not_found"
        ) from None


def mark_running(job: Job, *, total: int | None = None) -> None:
    fields: dict[str, Any] = {"state": JobState.RUNNING, "started_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    _update(job, **fields)


def advance(job: Job, *, by: int = 1, total: int | None = None) -> None:
    """Add ``by`` to the job's done count (and set ``total`` when it becomes known)."""
    fields: dict[str, Any] = {"done": F("done") + by, "updated_at": timezone.now()}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db(fields=["done", "total"])


def add_message(job: Job, text: str, *, level: str = "info", **context: Any) -> None:
    """Append a message (e.g. a row-numbered error) to the job, keeping the newest 1,000."""
    job.refresh_from_db(fields=["messages"])
    entry = {"level": level, "text": str(text), "at": timezone.now().isoformat(), **context}
    job.messages = [*job.messages, entry][-MAX_MESSAGES:]
    _update(job, messages=job.messages)


def finish_job(job: Job, *, result: dict[str, Any] | None = None) -> None:
    fields: dict[str, Any] = {"state": JobState.SUCCEEDED, "finished_at": timezone.now()}
    if result is not None:
        fields["result"] = result
    _update(job, **fields)


def fail_job(job: Job, *, error: str) -> None:
    add_message(job, error, level="error")
    _update(job, state=JobState.FAILED, finished_at=timezone.now())


def cancel_job(job: Job) -> None:
    """Ask a pending or running job to stop; the job checks :func:`is_cancelled` between
    batches. A job that already finished keeps its outcome."""
    now = timezone.now()
    fields = {"state": JobState.CANCELLED, "finished_at": now, "updated_at": now}
    unfinished = Job.objects.filter(pk=job.pk, state__in=[JobState.PENDING, JobState.RUNNING])
    if unfinished.update(**fields):
        for name, value in fields.items():
            setattr(job, name, value)


def is_cancelled(job: Job) -> bool:
    return Job.objects.filter(pk=job.pk, state=JobState.CANCELLED).exists()


def _update(job: Job, **fields: Any) -> None:
    fields.setdefault("updated_at", timezone.now())
    Job.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        if not hasattr(value, "resolve_expression"):
            setattr(job, name, value)
