"""Tasks through a real Redis and an RQ worker (scripts/redis.sh starts it for `make test`):
a task queued by the web process runs in the worker and its result comes back, and the
scheduler's periodic jobs reach the worker the same way."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus, task

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@task()
def add(a: int, b: int) -> int:
    return a + b


@pytest.fixture
def rq_backend(settings):
    if not os.environ.get("PATRON_TEST_REDIS_URL"):
        pytest.skip("needs PATRON_TEST_REDIS_URL (scripts/redis.sh start)")
    import django_rq

    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def run_worker() -> None:
    """Run the waiting jobs in this process (SimpleWorker: no fork), as `patron worker` would."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    worker = django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker)
    worker.work(burst=True)


def test_a_task_goes_through_redis_and_comes_back(rq_backend):
    # given
    result = add.enqueue(2, 3)
    assert rq_backend.count == 1

    # when
    run_worker()

    # then
    result.refresh()
    assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, 5)
    assert rq_backend.count == 0


def test_the_scheduler_queues_periodic_jobs_that_the_worker_runs(rq_backend, client):
    # given: nothing has reported the worker alive yet
    from django.core.cache import cache

    from patron.core.health import WORKER_HEARTBEAT_KEY
    from patron.core.scheduler import run_due_jobs

    cache.delete(WORKER_HEARTBEAT_KEY)

    # when: the scheduler's first round records the jobs; an hour later they are due
    now = timezone.now()
    run_due_jobs(now)
    queued = run_due_jobs(now + dt.timedelta(hours=1))
    run_worker()

    # then: the heartbeat job ran in the worker
    assert "core.worker_heartbeat" in queued
    assert cache.get(WORKER_HEARTBEAT_KEY) is not None
