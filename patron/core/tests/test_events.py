import logging

import pytest
from django.db import transaction

from patron.core import events


@pytest.fixture
def test_event(monkeypatch):
    """Declare "testHappened" for one test, with two recording handlers and a failing one."""
    monkeypatch.setitem(events._known_events, "testHappened", "Something happened in a test.")
    calls = []

    def fail(event):
        raise RuntimeError("handler broke")

    events.subscribe("testHappened", dispatch_uid="test.first")(
        lambda e: calls.append(("first", e))
    )
    events.subscribe("testHappened", dispatch_uid="test.failing")(fail)
    events.subscribe("*", dispatch_uid="test.everything")(lambda e: calls.append(("everything", e)))
    yield calls
    for name, uid in (
        ("testHappened", "test.first"),
        ("testHappened", "test.failing"),
        ("*", "test.everything"),
    ):
        events.unsubscribe(name, dispatch_uid=uid)


def test_handlers_run_after_commit(db, test_event, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event = events.emit("testHappened", customer_id=7)
        handled_inside = list(test_event)

    # then
    assert handled_inside == []
    assert [(who, e.name, e.payload) for who, e in test_event] == [
        ("first", "testHappened", {"customer_id": 7}),
        ("everything", "testHappened", {"customer_id": 7}),
    ]
    assert test_event[0][1] is event


def test_failing_handler_is_logged_and_does_not_stop_the_others(
    db, test_event, django_capture_on_commit_callbacks, caplog
):
    # when
    with (
        caplog.at_level(logging.ERROR, logger="patron.core.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        events.emit("testHappened", customer_id=7)

    # then
    assert [who for who, _e in test_event] == ["first", "everything"]
    assert [r.getMessage() for r in caplog.records] == [
        "Handler test.failing of event testHappened failed"
    ]


def test_handlers_do_not_run_when_the_transaction_rolls_back(
    db, test_event, django_capture_on_commit_callbacks
):
    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events.emit("testHappened", customer_id=7)
        raise RuntimeError("the service failed after emitting")

    # then
    assert callbacks == []
    assert test_event == []


@pytest.mark.django_db(transaction=True)
def test_handlers_run_on_real_commit_and_not_on_real_rollback(test_event):
    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("testHappened", attempt=1)
        raise RuntimeError("rolled back")
    with transaction.atomic():
        events.emit("testHappened", attempt=2)
        handled_inside = list(test_event)

    # then
    assert handled_inside == []
    assert [(who, e.payload) for who, e in test_event] == [
        ("first", {"attempt": 2}),
        ("everything", {"attempt": 2}),
    ]


def test_undeclared_event_is_refused(db, test_event, django_capture_on_commit_callbacks):
    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValueError, match="Undeclared domain event 'testHapenned'"),
    ):
        events.emit("testHapenned", customer_id=7)

    # then
    assert callbacks == []
    assert test_event == []


def test_declared_events_are_listed():
    # then
    assert (
        events.known_events()["configurationChanged"] == "A configuration value was saved or reset."
    )
    assert "scopesChanged" in events.known_events()
