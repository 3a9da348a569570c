"""Background work of exports: building a requested export file."""

from django_tasks import task


@task()
def build_export_task(
    *,
    job_id: str,
    entity: str,
    file_format: str,
    conditions: list[dict[str, str]],
    website_ids: list[int] | None,
) -> str:
    """Build one requested export; return its job's state."""
    from patron.transfer.exports.services import build_export

    job = build_export(
        job_id=job_id, entity=entity, file_format=file_format, conditions=conditions,
        website_ids=website_ids,
    )  # fmt: skip
    return job.state
