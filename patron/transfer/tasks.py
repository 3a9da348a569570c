"""Background work of imports: Check Data, the import run and hashing plain passwords."""

from django_tasks import task


@task()
def check_import_task(*, import_id: int, job_id: str) -> str:
    """Run Check Data of a queued import; return its job's id."""
    from patron.transfer.services import run_queued

    run_queued(import_id=import_id, job_id=job_id, check_only=True)
    return job_id


@task()
def run_import_task(*, import_id: int, job_id: str) -> str:
    """Run a queued import (resuming after its last committed batch); return its job's id."""
    from patron.transfer.services import run_queued

    run_queued(import_id=import_id, job_id=job_id, check_only=False)
    return job_id


@task()
def hash_pending_passwords_task(*, customer_ids: list[int]) -> int:
    """Hash the plain passwords an import batch stored; return how many were hashed."""
    from patron.transfer.services import hash_pending_passwords

    return hash_pending_passwords(customer_ids=customer_ids, limit=len(customer_ids))


@task()
def expire_transfer_files_task() -> dict[str, dict[str, int]]:
    """Delete expired export files and uploaded import files (``patron.transfer.expiry``);
    return the counts."""
    from patron.transfer import expiry

    return expiry.expire_files()


def register_jobs() -> None:
    from patron.core.scheduler import PeriodicJob, register_periodic

    register_periodic(
        PeriodicJob(
            code="transfer.expire_files",
            cron="23 * * * *",
            enqueue=lambda: expire_transfer_files_task.enqueue(),
            description="Delete export files and uploaded import files past their retention "
            "setting (Customer Configuration > Privacy and Data Retention).",
        )
    )
