from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic
from patron.webhooks import services


@task()
def deliver(delivery_id: int) -> str:
    from patron.webhooks.models import Delivery

    try:
        return services.attempt_delivery(delivery_id).status
    except Delivery.DoesNotExist:
        return "gone"  # its subscription was deleted after the delivery was queued


@task()
def retry_due_deliveries() -> int:
    due = services.due_deliveries()
    for delivery_id in due:
        services.attempt_delivery(delivery_id)
    return len(due)


def register_periodic_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="webhooks.retry_due",
            cron="* * * * *",
            enqueue=lambda: retry_due_deliveries.enqueue(),
            description="Re-send webhook deliveries whose retry time has come.",
        )
    )
