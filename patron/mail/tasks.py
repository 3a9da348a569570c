from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic
from patron.mail import services


@task()
def retry_failed_messages() -> int:
    return services.retry_failed()


@task()
def purge_old_messages() -> int:
    # The setting customer/privacy/retention_outbox_days rules (0 keeps messages for ever).
    from patron.privacy import retention

    return retention.purge_outbox().get("outbox_messages", 0)


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
            description="Delete outbox messages past customer/privacy/retention_outbox_days.",
        )
    )
