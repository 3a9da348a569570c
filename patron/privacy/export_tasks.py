"""Background work of the customer data export: building an export, and the hourly expiry of
download links (with the files they leave)."""

from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic


@task()
def build_data_export(*, export_id: str, store_view_id: int | None = None) -> str:
    """Build one requested export; return its state."""
    from patron.privacy.exports import build_export

    return build_export(export_id=export_id, store_view_id=store_view_id).state


@task()
def expire_data_exports() -> int:
    from patron.privacy.exports import expire_exports

    return expire_exports()


def register_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="privacy.expire_data_exports",
            cron="41 * * * *",
            enqueue=lambda: expire_data_exports.enqueue(),
            description="Delete data export files whose single-use download link has expired.",
        )
    )
