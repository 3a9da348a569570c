"""The scheduled pull (issue 14, membership input 3) against a local HTTP server on 127.0.0.1:
audiences created or updated and their members replaced; HTTP errors, bad JSON, a missing
"audiences" list and a timeout each recorded as a failed AudiencePull with a readable error and
no change to the data; Check Connection changes nothing; the periodic task pulls only when
configured and due."""

import datetime as dt
import socket
import threading
import time

import pytest
from django.utils import timezone

from patron.audiences import services
from patron.audiences.models import Audience, AudiencePull, PullState
from patron.audiences.tasks import pull_audiences
from patron.audiences.tests.conftest import (
    ALL,
    ENABLED,
    ENDPOINT,
    INTERVAL,
    call,
    make_audience,
    member_emails,
)
from patron.core.actors import SYSTEM
from patron.core.scheduler import periodic_jobs
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import make_integration_token, set_config


@pytest.fixture
def ada(website_a):
    return make_customer("ada@example.com", website=website_a)


@pytest.fixture
def grace(website_a):
    return make_customer("grace@example.com", website=website_a, firstname="Grace")


def snapshot() -> list[tuple]:
    """Every audience with its fields, websites and members: what a failed pull must keep."""
    return [
        (a.external_id, a.name, a.description, a.source, a.is_active,
         sorted(a.websites.values_list("code", flat=True)), member_emails(a))
        for a in Audience.objects.order_by("external_id")
    ]  # fmt: skip


def pulls() -> list[tuple]:
    return list(
        AudiencePull.objects.order_by("pk").values_list(
            "state", "check_only", "audiences", "added", "removed", "unknown", "error"
        )
    )


@pytest.fixture
def existing(pull_configured, ada, grace):
    """An audience "loyal" with Ada as its member, before the pull."""
    audience = make_audience("loyal", name="Loyal", source="CDP")
    services.push_members(audience=audience, actor=SYSTEM, add=[ada.pk])
    return audience


# --- Successful pulls ---------------------------------------------------------------------------


def test_a_pull_creates_the_audiences_the_endpoint_answers(pull_configured, ada, website_b):
    # given
    pull_configured.answers({"audiences": [
        {"id": "vip", "name": "VIP", "description": "Top 1 %", "source": "Experience Platform",
         "websites": ["base", "second"], "members": ["ada@example.com", "nobody@example.com"]},
        {"id": "new-visitors", "name": "New visitors"},
    ]})  # fmt: skip

    # when
    run = services.pull()

    # then
    assert snapshot() == [
        ("new-visitors", "New visitors", "", "", True, ["base"], []),
        ("vip", "VIP", "Top 1 %", "Experience Platform", True, ["base", "second"],
         ["ada@example.com"]),
    ]  # fmt: skip
    assert pulls() == [(PullState.SUCCEEDED, False, 2, 1, 0, 1, "")]
    assert run.finished_at >= run.started_at
    assert Audience.objects.get(external_id="vip").synced_at is not None


def test_a_pull_sends_the_bearer_token_and_asks_for_json(pull_configured):
    # when
    services.pull()

    # then
    assert len(pull_configured.requests) == 1
    request = pull_configured.requests[0]
    assert (request["path"], request["authorization"], request["accept"]) == (
        "/audiences", "Bearer pull-token", "application/json",
    )  # fmt: skip


def test_a_pull_updates_an_audience_and_replaces_its_members(existing, pull_configured, grace):
    # given: the platform now lists Grace (twice, and someone unknown) instead of Ada
    pull_configured.answers({"audiences": [
        {"id": "loyal", "name": "Loyal shoppers",
         "members": [grace.pk, "grace@example.com", "ghost@example.com"]},
    ]})  # fmt: skip

    # when
    run = services.pull()

    # then: renamed, origin and websites kept, members replaced
    assert snapshot() == [
        ("loyal", "Loyal shoppers", "", "CDP", True, ["base"], ["grace@example.com"])
    ]
    assert (run.state, run.added, run.removed, run.unknown) == (PullState.SUCCEEDED, 1, 1, 1)


def test_an_audience_listed_without_members_keeps_its_members(existing, pull_configured):
    # given
    pull_configured.answers({"audiences": [{"id": "loyal", "name": "Loyal"}]})

    # when
    run = services.pull()

    # then
    assert member_emails(existing) == ["ada@example.com"]
    assert (run.state, run.audiences, run.added, run.removed) == (PullState.SUCCEEDED, 1, 0, 0)


def test_an_empty_member_list_empties_the_audience(existing, pull_configured):
    # given
    pull_configured.answers({"audiences": [{"id": "loyal", "members": []}]})

    # when
    run = services.pull()

    # then
    assert member_emails(existing) == []
    assert (run.state, run.removed) == (PullState.SUCCEEDED, 1)


# --- Failed pulls change nothing ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, {"audiences": [{"id": "loyal", "members": []}]},
         "The endpoint answered HTTP 500."),
        (404, b"Not here", "The endpoint answered HTTP 404."),
        (200, {"segments": [{"id": "loyal", "members": []}]},
         'The answer has no "audiences" list.'),
        (200, {"audiences": {"id": "loyal"}}, 'The answer has no "audiences" list.'),
        (200, ["loyal"], 'The answer has no "audiences" list.'),
        (200, {"audiences": [{"id": "loyal", "members": []}, {"name": "No id"}]},
         "Audience 2 of the answer has no id."),
        (200, {"audiences": [{"id": "loyal", "members": "ada@example.com"}]},
         '"members" of audience loyal is not a list.'),
        (200, {"audiences": [{"id": "loyal", "members": []}, {"id": "a,b", "name": "Bad"}]},
         "An audience ID has at most 255 characters and no commas or spaces."),
    ],
    ids=["http_500_case", "http_404_case", "no_audiences_case", "audiences_not_a_list_case",
         "not_an_object_case", "entry_without_id_case", "members_not_a_list_case",
         "invalid_id_case"],
)  # fmt: skip
def test_a_failed_pull_is_recorded_with_its_error_and_changes_nothing(
    existing, pull_configured, status, body, error
):
    # given
    before = snapshot()
    pull_configured.answers(body, status=status)

    # when
    run = services.pull()

    # then
    assert (run.state, run.error) == (PullState.FAILED, error)
    assert [(p[0], p[1], p[6]) for p in pulls()] == [(PullState.FAILED, False, error)]
    assert snapshot() == before


def test_a_pull_rolled_back_by_a_bad_entry_records_no_changes(existing, pull_configured):
    # given: the first entry would empty "loyal", the second is invalid
    pull_configured.answers({"audiences": [
        {"id": "loyal", "members": []}, {"id": "a,b", "name": "Bad"},
    ]})  # fmt: skip

    # when
    run = services.pull()

    # then
    assert member_emails(existing) == ["ada@example.com"]
    assert (run.state, run.added, run.removed, run.unknown) == (PullState.FAILED, 0, 0, 0)


def test_an_answer_that_is_not_json_is_a_failed_pull(existing, pull_configured):
    # given
    before = snapshot()
    pull_configured.answers(b'{"audiences": [')

    # when
    run = services.pull()

    # then
    assert run.state == PullState.FAILED
    assert run.error.startswith("The endpoint's answer is not JSON: Expecting value")
    assert snapshot() == before


def test_an_endpoint_slower_than_the_timeout_is_a_failed_pull(existing, pull_configured):
    # given: timeout_seconds = 1, the server waits 5 seconds before answering
    before = snapshot()
    pull_configured.answers({"audiences": [{"id": "loyal", "members": []}]}, delay=5)

    # when
    started = time.monotonic()
    run = services.pull()
    took = time.monotonic() - started

    # then: given up after about a second
    assert (run.state, run.error) == (
        PullState.FAILED, "The endpoint could not be reached: timed out.",
    )  # fmt: skip
    assert 0.9 <= took < 3
    assert snapshot() == before


def test_an_endpoint_nobody_listens_on_is_a_failed_pull(enabled, existing):
    # given: a port that was free a moment ago
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    set_config({ENDPOINT: f"http://127.0.0.1:{port}/audiences"})

    # when
    run = services.pull()

    # then
    assert run.state == PullState.FAILED
    assert run.error.startswith("The endpoint could not be reached: ")
    assert "refused" in run.error.lower()


def test_without_an_endpoint_a_pull_fails_saying_so(enabled):
    # when
    run = services.pull()

    # then
    assert (run.state, run.error) == (PullState.FAILED, "No pull endpoint is configured.")


def test_an_answer_that_is_not_http_is_a_failed_pull(enabled, existing):
    # given: a server that answers garbage instead of a status line
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def answer_garbage():
        connection, _address = listener.accept()
        connection.recv(65536)
        connection.sendall(b"GARBAGE\r\n\r\n")
        connection.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    set_config({ENDPOINT: f"http://127.0.0.1:{listener.getsockname()[1]}/audiences"})

    # when
    try:
        run = services.pull()
    finally:
        listener.close()

    # then
    assert run.state == PullState.FAILED
    assert AudiencePull.objects.count() == 1


def test_an_entry_whose_websites_is_not_a_list_is_a_failed_pull(existing, pull_configured):
    # given
    pull_configured.answers({"audiences": [{"id": "vip", "name": "VIP", "websites": 1}]})

    # when
    run = services.pull()

    # then
    assert run.state == PullState.FAILED
    assert Audience.objects.filter(external_id="vip").count() == 0


def test_the_bearer_token_is_not_sent_to_another_host_after_a_redirect(
    pull_configured, cdp_server_elsewhere
):
    # given: the endpoint redirects to a server on another host name
    elsewhere = cdp_server_elsewhere.url.replace("127.0.0.1", "localhost")
    pull_configured.answers({}, status=302, headers={"Location": elsewhere})

    # when
    services.pull()

    # then: the other host never saw the token
    assert [r.get("authorization") for r in cdp_server_elsewhere.requests] in ([], [None])


@pytest.fixture
def cdp_server_elsewhere():
    from patron.audiences.tests.conftest import start_cdp_server

    cdp, server = start_cdp_server()
    yield cdp
    server.shutdown()
    server.server_close()


# --- Check Connection -----------------------------------------------------------------------------


def test_a_connection_check_fetches_and_checks_but_changes_nothing(existing, pull_configured):
    # given
    before = snapshot()
    pull_configured.answers({"audiences": [
        {"id": "loyal", "name": "Renamed", "members": []}, {"id": "vip", "members": []},
    ]})  # fmt: skip

    # when
    run = services.pull(check_only=True)

    # then
    assert pulls() == [(PullState.SUCCEEDED, True, 2, 0, 0, 0, "")]
    assert snapshot() == before
    assert services.last_pull() is None
    assert run.check_only is True


def test_a_failed_connection_check_reports_the_error(existing, pull_configured):
    # given
    pull_configured.answers({}, status=503)

    # when
    run = services.pull(check_only=True)

    # then
    assert (run.state, run.check_only, run.error) == (
        PullState.FAILED, True, "The endpoint answered HTTP 503.",
    )  # fmt: skip


def test_the_api_runs_a_pull_and_answers_its_outcome(client, existing, pull_configured):
    # given
    _token, secret = make_integration_token("Ops", permissions=ALL)
    pull_configured.answers({"audiences": [{"id": "loyal", "members": []}]})

    # when
    checked = call(client, "post", "/api/v1/audiences/pull?check_only=true", secret)
    synced = call(client, "post", "/api/v1/audiences/pull", secret)

    # then
    assert checked.status_code == synced.status_code == 200
    assert {k: checked.json()[k] for k in ("state", "check_only", "audiences", "removed")} == {
        "state": "succeeded", "check_only": True, "audiences": 1, "removed": 0,
    }  # fmt: skip
    assert {k: synced.json()[k] for k in ("state", "check_only", "removed", "error")} == {
        "state": "succeeded", "check_only": False, "removed": 1, "error": "",
    }  # fmt: skip
    assert member_emails(existing) == []


def test_the_api_answers_a_failed_pull_with_its_error_not_an_http_error(
    client, existing, pull_configured
):
    # given
    _token, secret = make_integration_token("Ops", permissions=ALL)
    pull_configured.answers({}, status=500)

    # when
    response = call(client, "post", "/api/v1/audiences/pull", secret)

    # then
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["error"]) == (
        "failed", "The endpoint answered HTTP 500.",
    )  # fmt: skip


# --- The periodic task ----------------------------------------------------------------------------


def test_the_pull_job_is_registered_every_five_minutes():
    # when
    jobs = {j.code: j.cron for j in periodic_jobs() if j.code.startswith("audiences.")}

    # then
    assert jobs == {"audiences.pull": "*/5 * * * *"}


def test_the_task_skips_when_audience_activation_is_off(pull_configured):
    # given
    set_config({ENABLED: False})

    # when
    result = pull_audiences.enqueue()

    # then
    assert result.return_value == {"pulled": False, "reason": "not configured"}
    assert pull_configured.requests == []
    assert pulls() == []


def test_the_task_skips_when_no_endpoint_is_configured(enabled):
    # when
    result = pull_audiences.enqueue()

    # then
    assert result.return_value == {"pulled": False, "reason": "not configured"}
    assert pulls() == []


def test_the_task_skips_until_the_interval_has_passed(existing, pull_configured):
    # given: a pull 59 minutes ago, every 60 minutes
    set_config({INTERVAL: 60})
    services.pull()
    AudiencePull.objects.update(started_at=timezone.now() - dt.timedelta(minutes=59))

    # when
    result = pull_audiences.enqueue()

    # then
    assert result.return_value == {"pulled": False, "reason": "not due"}
    assert len(pull_configured.requests) == 1


def test_the_task_pulls_once_the_interval_has_passed(existing, pull_configured):
    # given: a pull 61 minutes ago; the platform now lists nobody in "loyal"
    set_config({INTERVAL: 60})
    services.pull()
    AudiencePull.objects.update(started_at=timezone.now() - dt.timedelta(minutes=61))
    pull_configured.answers({"audiences": [{"id": "loyal", "members": []}]})

    # when
    result = pull_audiences.enqueue()

    # then
    assert result.return_value == {
        "pulled": True, "state": "succeeded", "added": 0, "removed": 1, "unknown": 0, "error": "",
    }  # fmt: skip
    assert member_emails(existing) == []


def test_a_connection_check_does_not_delay_the_scheduled_pull(existing, pull_configured):
    # given
    services.pull(check_only=True)

    # when
    result = pull_audiences.enqueue()

    # then
    assert result.return_value["pulled"] is True
    assert [p[1] for p in pulls()] == [True, False]


def test_forcing_the_task_pulls_even_when_not_due(existing, pull_configured):
    # given
    services.pull()

    # when
    result = pull_audiences.enqueue(force=True)

    # then
    assert result.return_value["pulled"] is True
    assert len(pull_configured.requests) == 2
