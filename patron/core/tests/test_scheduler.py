import datetime as dt

import pytest

from patron.core import scheduler
from patron.core.models import ScheduledRun
from patron.core.scheduler import PeriodicJob, due_jobs, register_periodic, run_due_jobs

INSTALLED = dt.datetime(2030, 1, 1, 10, 0, 30, tzinfo=dt.UTC)


@pytest.fixture
def queued(monkeypatch, db):
    """Replace the registered jobs by two test jobs: hourly at :15 and every five minutes."""
    monkeypatch.setattr(scheduler, "_jobs", {})
    calls = []
    register_periodic(PeriodicJob("test.hourly", "15 * * * *", lambda: calls.append("test.hourly")))
    register_periodic(PeriodicJob("test.often", "*/5 * * * *", lambda: calls.append("test.often")))
    return calls


def last_runs():
    return dict(ScheduledRun.objects.values_list("code", "last_run_at"))


def test_job_is_not_run_at_first_sight(queued):
    # when
    codes = run_due_jobs(INSTALLED)

    # then
    assert codes == []
    assert queued == []
    assert last_runs() == {"test.hourly": INSTALLED, "test.often": INSTALLED}


def test_job_is_due_once_its_cron_slot_has_passed(queued):
    # given
    run_due_jobs(INSTALLED)

    # when
    before_slot = run_due_jobs(dt.datetime(2030, 1, 1, 10, 4, 59, tzinfo=dt.UTC))
    at_slot = dt.datetime(2030, 1, 1, 10, 5, tzinfo=dt.UTC)
    after_slot = run_due_jobs(at_slot)

    # then
    assert before_slot == []
    assert after_slot == ["test.often"]
    assert queued == ["test.often"]
    assert last_runs() == {"test.hourly": INSTALLED, "test.often": at_slot}


def test_each_slot_is_queued_only_once(queued):
    # given
    run_due_jobs(INSTALLED)
    later = dt.datetime(2030, 1, 1, 10, 20, tzinfo=dt.UTC)

    # when
    first = run_due_jobs(later)
    second = run_due_jobs(later + dt.timedelta(seconds=30))

    # then
    assert first == ["test.hourly", "test.often"]
    assert second == []
    assert queued == ["test.hourly", "test.often"]


def test_a_scheduler_with_a_stale_reading_cannot_claim_a_run_twice(monkeypatch, db):
    # given a second scheduler that runs while the first is between reading and claiming
    monkeypatch.setattr(scheduler, "_jobs", {})
    calls = []
    later = dt.datetime(2030, 1, 1, 10, 20, tzinfo=dt.UTC)

    def first_job_starts_another_scheduler():
        calls.append("test.a")
        calls.append(("other scheduler", run_due_jobs(later)))

    register_periodic(PeriodicJob("test.a", "* * * * *", first_job_starts_another_scheduler))
    register_periodic(PeriodicJob("test.b", "* * * * *", lambda: calls.append("test.b")))
    run_due_jobs(INSTALLED)

    # when
    codes = run_due_jobs(later)

    # then
    assert codes == ["test.a"]
    assert calls == ["test.a", "test.b", ("other scheduler", ["test.b"])]
    assert last_runs() == {"test.a": later, "test.b": later}


def test_missed_slots_are_run_once(queued):
    # given
    run_due_jobs(INSTALLED)

    # when
    days_later = run_due_jobs(INSTALLED + dt.timedelta(days=3))

    # then
    assert days_later == ["test.hourly", "test.often"]
    assert queued == ["test.hourly", "test.often"]


def test_failing_enqueue_does_not_stop_other_jobs(monkeypatch, db, caplog):
    # given
    monkeypatch.setattr(scheduler, "_jobs", {})
    calls = []

    def broken():
        raise ConnectionError("queue is down")

    register_periodic(PeriodicJob("test.broken", "* * * * *", broken))
    register_periodic(PeriodicJob("test.fine", "* * * * *", lambda: calls.append("test.fine")))
    run_due_jobs(INSTALLED)

    # when
    codes = run_due_jobs(INSTALLED + dt.timedelta(minutes=1))

    # then
    assert codes == ["test.fine"]
    assert calls == ["test.fine"]
    assert "Could not queue periodic job test.broken" in caplog.text


def test_due_jobs_reports_the_last_run_it_read(queued):
    # given
    run_due_jobs(INSTALLED)

    # when
    due = due_jobs(dt.datetime(2030, 1, 1, 10, 15, tzinfo=dt.UTC))

    # then
    assert [(job.code, last) for job, last in due] == [
        ("test.hourly", INSTALLED),
        ("test.often", INSTALLED),
    ]


def test_invalid_cron_expression_is_refused(monkeypatch):
    # given
    monkeypatch.setattr(scheduler, "_jobs", {})

    # when
    with pytest.raises(ValueError, match=r"test\.bad"):
        register_periodic(PeriodicJob("test.bad", "every minute", lambda: None))

    # then
    assert scheduler.periodic_jobs() == []


def test_builtin_jobs_are_registered():
    # then
    assert {
        "core.prune_finished_jobs",
        "core.worker_heartbeat",
        "mail.retry_failed",
        "mail.purge_outbox",
    } <= {job.code for job in scheduler.periodic_jobs()}
