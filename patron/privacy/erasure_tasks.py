from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic


@task()
def erase_task(request_id: int) -> bool:
    from patron.privacy import erasure

    return erasure.erase(request_id=request_id)


@task()
def erase_due_task() -> list[int]:
    from patron.privacy import erasure

    return erasure.erase_due()


def register_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="privacy.erase_due",
            cron="*/15 * * * *",
            enqueue=lambda: erase_due_task.enqueue(),
            description="Erase the accounts whose erasure cancel window has passed.",
        )
    )
