from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic
from patron.online import services


@task()
def flush_online_task() -> int:
    return services.flush_online()


@task()
def purge_stale_online() -> int:
    return services.purge_stale()


def register_periodic_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="online.flush",
            cron="* * * * *",
            enqueue=lambda: flush_online_task.enqueue(),
            description="Write the Now Online activity recorded in the cache to the database.",
        )
    )
    register_periodic(
        PeriodicJob(
            code="online.purge",
            cron="31 * * * *",
            enqueue=lambda: purge_stale_online.enqueue(),
            description="Forget customers and visitors idle for more than a day.",
        )
    )
