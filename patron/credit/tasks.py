from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic
from patron.credit import services


@task()
def expire_store_credit() -> int:
    return services.expire_due()


def register_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="credit.expire",
            cron="17 * * * *",
            enqueue=lambda: expire_store_credit.enqueue(),
            description="Remove store credit past its expiry date, each as an Expired history row.",
        )
    )
