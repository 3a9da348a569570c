from django_tasks import task

from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.core.progress import advance, fail_job, finish_job, get_job, mark_running

PROGRESS_EVERY = 100


@task()
def mass_action_task(
    *,
    job_id: str,
    action: str,
    customer_ids: list[int],
    group_id: int | None,
    website_ids: list[int] | None,
    actor: dict,
) -> dict:
    """Run a large grid mass action, reporting progress on its job every 100 customers."""
    from patron.customers.services import run_mass_action

    job = get_job(job_id)
    mark_running(job, total=len(customer_ids))
    pending = 0

    def progress(_customer_id: int) -> None:
        nonlocal pending
        pending += 1
        if pending >= PROGRESS_EVERY:
            advance(job, by=pending)
            pending = 0

    try:
        result = run_mass_action(
            action=action,
            customer_ids=customer_ids,
            actor=Actor(actor["actor_kind"], actor["actor_id"], actor["actor_label"]),
            group_id=group_id,
            website_ids=website_ids,
            progress=progress,
        )
    except PatronError as error:  # e.g. the target group was deleted after queueing
        fail_job(job, error=str(error.message))
        return {"done": 0, "failed": len(customer_ids)}
    if pending:
        advance(job, by=pending)
    finish_job(job, result={"done": result["done"], "failed": result["failed"][:1000]})
    return {"done": result["done"], "failed": len(result["failed"])}
