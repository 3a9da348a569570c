from django.utils import timezone
from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic


@task()
def pull_audiences(force: bool = False) -> dict:
    """Pull the audiences from the configured endpoint when a pull is due (or ``force``)."""
    from patron.audiences import services
    from patron.scopes.config import get_config

    if not services.is_enabled() or not str(get_config(services.PULL_ENDPOINT) or "").strip():
        return {"pulled": False, "reason": "not configured"}
    last = services.last_pull()
    interval = int(get_config("audiences/pull/interval_minutes"))
    if not force and last and (timezone.now() - last.started_at).total_seconds() < interval * 60:
        return {"pulled": False, "reason": "not due"}
    run = services.pull()
    return {"pulled": True, "state": run.state, "added": run.added, "removed": run.removed,
            "unknown": run.unknown, "error": run.error}  # fmt: skip


def register_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="audiences.pull",
            cron="*/5 * * * *",
            enqueue=lambda: pull_audiences.enqueue(),
            description="Pull audiences from the customer data platform's endpoint when the "
            "configured interval has passed (Audience Activation > Scheduled Pull).",
        )
    )
