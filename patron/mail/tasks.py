from django.conf import settings
from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic
from patron.mail import services


@task()
def retry_failed_messages() -> int:
    return services.retry_failed()


@task()
def purge_old_messages() -> int:
    return services.purge_outbox(older_than_days=settings.OUTBOX_RETENTION_DAYS)


def register_periodic_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="mail.retry_failed",
            cron="*/10 * * * *",
            enqueue=lambda: retry_failed_messages.enqueue(),
            description="Re-send failed emails that carried no one-time secret.",
        )
    )
    register_periodic(
        PeriodicJob(
            code="mail.purge_outbox",
            cron="43 2 * * *",
            enqueue=lambda: purge_old_messages.enqueue(),
            description="Delete outbox messages past PATRON_OUTBOX_RETENTION_DAYS.",
        )
    )
