import uuid

import pytest
from django.db import IntegrityError, transaction

from patron.core import progress
from patron.core.actors import Actor, ActorKind
from patron.core.errors import NotFound
from patron.core.models import Job, JobState


@pytest.fixture
def job(db):
    return progress.start_job(kind="export", label="Export customers", total=10)


def test_started_job_is_pending_with_its_actor(db):
    # when
    job = progress.start_job(
        kind="import", label="x" * 300, actor=Actor(ActorKind.STAFF, 5, "clerk"), total=None
    )

    # then
    stored = progress.get_job(job.pk)
    assert (stored.state, stored.done, stored.total, stored.messages) == (
        JobState.PENDING,
        0,
        None,
        [],
    )
    assert stored.label == "x" * 255
    assert (stored.actor_kind, stored.actor_id, stored.actor_label) == ("staff", 5, "clerk")
    assert stored.started_at is None


def test_running_job_advances_and_learns_its_total(db):
    # given
    job = progress.start_job(kind="import", label="Import")

    # when
    progress.mark_running(job, total=100)
    progress.advance(job, by=30)
    progress.advance(job, by=20, total=120)

    # then
    stored = Job.objects.get(pk=job.pk)
    assert (stored.state, stored.done, stored.total) == (JobState.RUNNING, 50, 120)
    assert stored.started_at is not None
    assert stored.percent == 41
    assert (job.done, job.total) == (50, 120)


def test_advancing_past_the_total_is_refused_by_the_database(job):
    # when
    with pytest.raises(IntegrityError), transaction.atomic():
        progress.advance(job, by=11)

    # then
    assert Job.objects.get(pk=job.pk).done == 0


def test_messages_are_appended_in_order(job):
    # when
    progress.add_message(job, "Row 2: email missing", level="error", row=2)
    progress.add_message(job, "Row 5: skipped")

    # then
    messages = Job.objects.get(pk=job.pk).messages
    assert [(m["level"], m["text"], m.get("row")) for m in messages] == [
        ("error", "Row 2: email missing", 2),
        ("info", "Row 5: skipped", None),
    ]


def test_messages_keep_only_the_newest_thousand(job):
    # given a job that already holds the maximum
    full = [{"level": "info", "text": f"m{i}", "at": ""} for i in range(progress.MAX_MESSAGES)]
    Job.objects.filter(pk=job.pk).update(messages=full)

    # when
    progress.add_message(job, "newest")

    # then
    messages = Job.objects.get(pk=job.pk).messages
    assert len(messages) == 1000
    assert [messages[0]["text"], messages[-1]["text"]] == ["m1", "newest"]


def test_finished_job_keeps_its_result(job):
    # given
    progress.mark_running(job)

    # when
    progress.finish_job(job, result={"rows": 10})

    # then
    stored = Job.objects.get(pk=job.pk)
    assert (stored.state, stored.result, stored.is_finished) == (
        JobState.SUCCEEDED,
        {"rows": 10},
        True,
    )
    assert stored.finished_at is not None


def test_failed_job_records_the_error(job):
    # when
    progress.fail_job(job, error="The file is not UTF-8.")

    # then
    stored = Job.objects.get(pk=job.pk)
    assert stored.state == JobState.FAILED
    assert [(m["level"], m["text"]) for m in stored.messages] == [
        ("error", "The file is not UTF-8.")
    ]
    assert stored.finished_at is not None


def test_cancelled_job_is_seen_as_cancelled(job):
    # given
    progress.mark_running(job)
    assert progress.is_cancelled(job) is False

    # when
    progress.cancel_job(job)

    # then
    assert progress.is_cancelled(job) is True
    assert Job.objects.get(pk=job.pk).state == JobState.CANCELLED


def test_cancelling_a_finished_job_changes_nothing(job):
    # given
    progress.finish_job(job, result={"rows": 10})
    before = Job.objects.values("state", "finished_at", "result").get(pk=job.pk)

    # when
    progress.cancel_job(job)

    # then
    assert Job.objects.values("state", "finished_at", "result").get(pk=job.pk) == before
    assert job.state == JobState.SUCCEEDED
    assert progress.is_cancelled(job) is False


@pytest.mark.parametrize(
    "job_id",
    [uuid.uuid4(), "not-a-uuid", None, 12],
    ids=["unknown_case", "malformed_case", "none_case", "number_case"],
)
def test_unknown_job_is_not_found(db, job_id):
    # when
    with pytest.raises(NotFound) as error:
        progress.get_job(job_id)

    # then
    assert error.value.code == "job_not_found"
