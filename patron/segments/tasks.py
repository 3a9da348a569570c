from django_tasks import task

from patron.core.scheduler import PeriodicJob, register_periodic


@task()
def refresh_segment_task(segment_id: int, job_id: str | None = None) -> dict:
    """Rebuild one segment's membership, reporting per website on ``job_id`` when given."""
    from patron.core.progress import advance, fail_job, finish_job, get_job, mark_running
    from patron.segments import services
    from patron.segments.models import Segment

    segment = Segment.objects.filter(pk=segment_id).first()
    job = get_job(job_id) if job_id else None
    if segment is None:
        if job:
            fail_job(job, error="The segment was deleted before its refresh ran.")
        return {}
    if job:
        mark_running(job, total=segment.websites.count())
    try:
        result = services.refresh_segment(
            segment=segment, progress=(lambda _website: advance(job)) if job else None
        )
    except Exception as error:
        if job:
            fail_job(job, error=str(error))
        raise
    outcome = {"segment_id": segment_id, **result.as_dict()}
    if job:
        finish_job(job, result=outcome)
    return outcome


@task()
def evaluate_customer_task(
    customer_id: int, event: str | None = None, website_id: int | None = None
) -> dict:
    from patron.segments import services

    return services.evaluate_customer(customer_id=customer_id, event=event, website_id=website_id)


@task()
def evaluate_visitor_task(website_id: int, visitor_id: str) -> list[int]:
    from patron.scopes.models import Website
    from patron.segments import services

    website = Website.objects.filter(pk=website_id).first()
    if website is None:
        return []
    return services.evaluate_visitor(website=website, visitor_id=visitor_id)


@task()
def refresh_time_dependent_segments() -> list[int]:
    from patron.segments import services

    return services.refresh_time_dependent()


def register_jobs() -> None:
    register_periodic(
        PeriodicJob(
            code="segments.refresh_time_dependent",
            cron="5 * * * *",
            enqueue=lambda: refresh_time_dependent_segments.enqueue(),
            description=(
                "Refresh the segments with an Up To Date period once a day, after midnight in "
                "each of their websites' time zones."
            ),
        )
    )
