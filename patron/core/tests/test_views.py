import time

import pytest
from django.core.cache import cache
from django.db import connection

from patron.core.health import (
    SCHEDULER_HEARTBEAT_KEY,
    WORKER_HEARTBEAT_KEY,
    record_heartbeat,
)
from patron.core.tasks import worker_heartbeat


def test_liveness_answers_ok(client, db):
    # when
    response = client.get("/healthz")

    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_names_the_worker_and_scheduler_without_heartbeats(client, db):
    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert {name: (check["ok"], check["detail"]) for name, check in body["checks"].items()} == {
        "database": (True, connection.vendor),
        "cache": (True, "ok"),
        "queue": (True, "tasks run at once"),
        "worker": (False, "no worker heartbeat seen"),
        "scheduler": (False, "no scheduler heartbeat seen"),
    }


def test_readiness_is_ok_with_both_heartbeats(client, db):
    # given
    record_heartbeat(WORKER_HEARTBEAT_KEY)
    record_heartbeat(SCHEDULER_HEARTBEAT_KEY)

    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert [check["ok"] for check in body["checks"].values()] == [True, True, True, True, True]


def test_worker_heartbeat_task_reports_the_worker(client, db):
    # given
    record_heartbeat(SCHEDULER_HEARTBEAT_KEY)

    # when
    worker_heartbeat.enqueue()  # the immediate backend runs it at once
    response = client.get("/readyz")

    # then
    assert response.status_code == 200


@pytest.mark.parametrize("which", ["worker", "scheduler"])
def test_stale_heartbeat_is_not_ready(client, db, which):
    # given
    record_heartbeat(WORKER_HEARTBEAT_KEY)
    record_heartbeat(SCHEDULER_HEARTBEAT_KEY)
    key = WORKER_HEARTBEAT_KEY if which == "worker" else SCHEDULER_HEARTBEAT_KEY
    cache.set(key, time.time() - 200)

    # when
    response = client.get("/readyz")

    # then
    assert response.status_code == 503
    check = response.json()["checks"][which]
    assert (check["ok"], check["detail"]) == (False, f"last {which} heartbeat 200 s ago")


def test_health_endpoints_only_answer_get(client, db):
    # when / then
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
