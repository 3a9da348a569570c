from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic


@task()
def purge_personal_data() -> dict[str, dict[str, int]]:
    """Run every retention purge (``patron.privacy.retention``) and return the counts."""
    from patron.privacy import retention

    return retention.run_retention()


def register_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="privacy.retention",
            cron="37 4 * * *",
            enqueue=lambda: purge_personal_data.enqueue(),
            description="Delete or clear personal data past its retention setting "
            "(Customer Configuration > Privacy and Data Retention).",
        )
    )
