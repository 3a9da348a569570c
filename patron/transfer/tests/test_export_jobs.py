"""Export jobs (issue 15) through the API, the back office (System > Data Transfer > Export) and
``patron export``: request, progress, download, permissions and website scope."""

import csv
import io
import uuid

import pytest
from django.core.management import call_command

from patron.core.models import Job, JobState
from patron.customers.tests.factories import make_customer
from patron.staff.models import StaffAction
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user
from patron.transfer.exports import services

EXPORT = "customers.export_customers"
# A fixed id, so that test ids are the same in every xdist worker.
UNKNOWN_JOB = uuid.UUID("00000000-0000-4000-8000-000000000000")
API = "/api/v1/transfer/exports"
PAGE = "/admin/transfer/export/"


@pytest.fixture
def two_customers(view_a, website_b):
    from patron.testing.fixtures import make_store_view

    make_customer("ada@example.com", store_view=view_a)
    make_customer("bob@example.com", store_view=make_store_view(website_b, "second_en"))


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- API ------------------------------------------------------------------------------------------


def test_api_request_then_download(client, clerk, two_customers, committed):
    # given a staff member with the export permission
    # when they request a filtered export and follow the links
    with committed():
        response = client.post(
            API,
            {"entity": "customer", "format": "csv",
             "filters": [{"code": "email", "operator": "contains", "value": "ada"}]},
            content_type="application/json",
        )  # fmt: skip
    queued = response.json()
    status = client.get(queued["status_url"]).json()
    download = client.get(status["download_url"])
    # then the request answers 202 with the job, which finished with one row to download
    assert response.status_code == 202
    assert (status["state"], status["rows"], status["total"], status["done"]) == (
        "succeeded", 1, 1, 1,
    )  # fmt: skip
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="customer_')
    assert [row["email"] for row in read_csv(body_of(download))] == ["ada@example.com"]


def test_api_request_is_logged_as_a_staff_export(client, clerk, db, committed):
    with committed():
        response = client.post(API, {"entity": "customer_finance"}, content_type="application/json")
    action = StaffAction.objects.get()
    assert (action.action, action.details["job_id"]) == ("export", response.json()["job_id"])


def test_api_refuses_without_the_export_permission(client, db):
    # given a staff member without the export permission
    client.force_login(make_staff_user("viewer", permissions=["customers.view_customer"]))
    # when they request an export
    response = client.post(API, {"entity": "customer"}, content_type="application/json")
    # then it is refused and nothing is queued
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not Job.objects.exists()


def test_api_refuses_a_bad_filter(client, clerk):
    response = client.post(
        API,
        {"entity": "customer", "filters": [{"code": "nope", "value": "1"}]},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "unknown_filter")


def test_download_before_the_file_is_ready_answers_404(client, clerk, db):
    # given an export still queued (its task has not run)
    response = client.post(API, {"entity": "customer"}, content_type="application/json")
    # when its file is asked for
    download = client.get(f"{API}/{response.json()['job_id']}/file")
    # then the answer says it is not ready
    assert (download.status_code, download.json()["code"]) == (404, "export_not_ready")


def test_another_staff_members_export_is_hidden(client, db, committed):
    # given an export requested by one staff member
    client.force_login(make_staff_user("first", permissions=[EXPORT]))
    with committed():
        job_id = client.post(API, {"entity": "customer"}, content_type="application/json").json()[
            "job_id"
        ]
    # when another one with the export permission but not core.view_job asks for it
    client.force_login(make_staff_user("second", permissions=[EXPORT]))
    response = client.get(f"{API}/{job_id}/file")
    # then it does not exist for them
    assert (response.status_code, response.json()["code"]) == (404, "export_not_found")


def test_integration_limited_to_a_website_exports_only_its_customers(
    client, two_customers, website_b, committed
):
    # given an integration token limited to the second website
    _token, secret = make_integration_token(permissions=[EXPORT], websites=[website_b])
    # when it exports customers
    with committed():
        queued = client.post(
            API, {"entity": "customer"}, content_type="application/json", **bearer(secret)
        ).json()
    download = client.get(queued["status_url"] + "/file", **bearer(secret))
    # then only the second website's customer is in the file
    assert [row["email"] for row in read_csv(body_of(download))] == ["bob@example.com"]


# --- Back office ---------------------------------------------------------------------------------


def test_export_page_lists_the_entitys_attributes(client, clerk):
    # when the page is opened for addresses
    response = client.get(PAGE, {"entity": "customer_address"})
    # then it offers the customer and the address attributes as filters
    codes = [row["field"].code for row in response.context["rows"]]
    assert response.status_code == 200
    assert {"website", "group", "created_at", "address.country_id"} <= set(codes)


def test_continue_queues_the_export_and_shows_its_job(client, clerk, two_customers, committed):
    # given the page for customers, with the email filter filled in
    rows = client.get(PAGE, {"entity": "customer"}).context["rows"]
    number = next(row["number"] for row in rows if row["field"].code == "email")
    # when Continue is pressed
    with committed():
        response = client.post(
            PAGE,
            {"entity": "customer", "format": "xml", "continue": "1",
             f"op-{number}": "eq", f"value-{number}": "bob@example.com"},
        )  # fmt: skip
    job = Job.objects.get()
    page = client.get(response["Location"])
    download = client.get(f"{PAGE}{job.pk}/download/")
    # then the job page offers the Excel XML file, which holds the one customer
    assert response["Location"] == f"{PAGE}{job.pk}/"
    assert (job.state, job.result["rows"], job.result["format"]) == (JobState.SUCCEEDED, 1, "xml")
    assert f"{PAGE}{job.pk}/download/".encode() in page.content
    assert download["Content-Type"] == "application/vnd.ms-excel"
    assert b"bob@example.com" in body_of(download)


def test_a_bad_filter_shows_on_the_page(client, clerk):
    rows = client.get(PAGE, {"entity": "customer"}).context["rows"]
    number = next(row["number"] for row in rows if row["field"].code == "dob")
    response = client.post(
        PAGE,
        {"entity": "customer", "format": "csv", "continue": "1", f"op-{number}": "gte",
         f"value-{number}": "someday"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.context["error"]
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "path", [PAGE, f"{PAGE}{UNKNOWN_JOB}/", f"{PAGE}{UNKNOWN_JOB}/download/"], ids=str
)
def test_pages_need_the_export_permission(client, db, path):
    client.force_login(make_staff_user("viewer", permissions=["customers.view_customer"]))
    assert client.get(path).status_code == 403


def test_unknown_job_page_is_404(client, clerk):
    assert client.get(f"{PAGE}{uuid.uuid4()}/").status_code == 404


# --- Command line --------------------------------------------------------------------------------


def test_command_writes_the_file(tmp_path, two_customers, website_b):
    # when `patron export customer` runs with a website filter and an output file
    out = tmp_path / "customers.csv"
    err = io.StringIO()
    call_command(
        "export", "customer", "--filter", "website", "eq", website_b.code, "-o", str(out),
        stderr=err,
    )  # fmt: skip
    # then the file holds that website's customers and the count is reported
    assert [row["email"] for row in read_csv(out.read_bytes())] == ["bob@example.com"]
    assert "1 rows exported" in err.getvalue()


def test_command_refuses_a_bad_filter(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown attribute"):
        call_command("export", "customer", "--filter", "shoe_size", "eq", "9", stderr=io.StringIO())


def test_build_skips_a_job_cancelled_while_queued(db):
    # given an export cancelled before its task ran
    from patron.core.actors import SYSTEM
    from patron.core.progress import cancel_job

    job = services.request_export(entity="customer", file_format="csv", actor=SYSTEM)
    cancel_job(job)
    # when the task runs
    services.build_export(job_id=str(job.pk), entity="customer", file_format="csv")
    # then the job stays cancelled, with no file
    job.refresh_from_db()
    assert (job.state, job.result) == (JobState.CANCELLED, {})


def test_job_viewer_limited_to_a_website_cannot_download_an_all_websites_export(
    client, db, website_b, committed
):
    # given an export of every website by one staff member
    client.force_login(make_staff_user("first", permissions=[EXPORT]))
    with committed():
        job_id = client.post(API, {"entity": "customer"}, content_type="application/json").json()[
            "job_id"
        ]
    # when a job viewer limited to one website asks for its file
    _token, secret = make_integration_token(
        permissions=[EXPORT, "core.view_job"], websites=[website_b]
    )
    client.logout()
    response = client.get(f"{API}/{job_id}/file", **bearer(secret))
    # then the export does not exist for them
    assert (response.status_code, response.json()["code"]) == (404, "export_not_found")
