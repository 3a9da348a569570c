"""Structured logs with a request id carried into tasks, and the Prometheus endpoint."""

import json
import logging

import pytest
from django_tasks import task

from patron.accounts.services import authenticate
from patron.core import logs
from patron.core.errors import NotAuthenticated
from patron.core.logs import JsonFormatter, RequestIdFilter

METRICS_TOKEN = "scrape-token-123456"


def formatted(record: logging.LogRecord) -> dict:
    RequestIdFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


seen_in_task: list = []


@task()
def remember_request_id() -> None:
    seen_in_task.append(logs.current_request_id())


def test_a_request_gets_an_id_echoed_in_the_response(client, db):
    # when
    response = client.get("/healthz")

    # then
    assert len(response["X-Request-ID"]) == 32


def test_a_well_formed_proxy_request_id_is_kept(client, db):
    # when
    response = client.get("/healthz", HTTP_X_REQUEST_ID="edge-1234-abcd")

    # then
    assert response["X-Request-ID"] == "edge-1234-abcd"


def test_a_malformed_proxy_request_id_is_replaced(client, db):
    # when
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")

    # then
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_json_log_lines_carry_the_fields_and_the_request_id():
    # given
    token = logs.request_id_var.set("req-00000001")
    try:
        record = logging.makeLogRecord(
            {"name": "patron.x", "levelname": "WARNING", "msg": "hello %s", "args": ("world",)}
        )
        record.customer_id = 7

        # when
        entry = formatted(record)
    finally:
        logs.request_id_var.reset(token)

    # then
    assert {k: entry[k] for k in ("level", "logger", "message", "request_id", "customer_id")} == {
        "level": "WARNING",
        "logger": "patron.x",
        "message": "hello world",
        "request_id": "req-00000001",
        "customer_id": 7,
    }
    assert entry["time"].endswith("+00:00")


def test_a_task_runs_under_the_id_of_the_request_that_queued_it(db):
    # given
    seen_in_task.clear()
    token = logs.request_id_var.set("req-queued-by-web")
    try:
        # when: the test backend runs the task at once; the worker takes the id from the cache
        remember_request_id.enqueue()
        after = logs.current_request_id()
    finally:
        logs.request_id_var.reset(token)

    # then
    assert seen_in_task == ["req-queued-by-web"]
    assert after == "req-queued-by-web"


def test_metrics_do_not_exist_without_a_token(client, db, settings):
    # given
    settings.METRICS_TOKEN = ""

    # when
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("header", ["", "Bearer wrong-token-000000"], ids=["none", "wrong"])
def test_metrics_refuse_a_missing_or_wrong_token(client, db, settings, header):
    # given
    settings.METRICS_TOKEN = METRICS_TOKEN

    # when
    response = client.get("/metrics", HTTP_AUTHORIZATION=header)

    # then
    assert response.status_code == 401


def test_metrics_count_requests_by_view_and_sign_in_failures(client, settings, view_a):
    # given
    settings.METRICS_TOKEN = METRICS_TOKEN
    client.get("/healthz")
    with pytest.raises(NotAuthenticated):
        authenticate(store_view=view_a, email="nobody@example.com", password="wrong-password")

    # when
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    # then
    text = response.content.decode()
    assert response.status_code == 200
    assert 'patron_http_requests_total{method="GET",status="2xx",view="healthz"}' in text
    assert 'patron_sign_in_failures_total{audience="shopper"}' in text
    assert "patron_http_request_duration_seconds_bucket" in text
    assert "# TYPE patron_tasks_waiting gauge" in text
