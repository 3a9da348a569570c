"""Imports through the API, the back office (System > Data Transfer > Import) and
``patron import``: upload, Check Data, Import, progress and permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from patron.core.models import Job, JobState
from patron.customers.models import Customer
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user
from patron.transfer.models import Import, ImportState

IMPORT = "transfer.import_customers"
API = "/api/v1/transfer/imports"
GOOD = b"email,_website,firstname,lastname\nann@example.com,base,Ann,Lee\n"
BAD = b"email,_website,firstname,lastname\nann@example.com,admin,Ann,Lee\n"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def upload(content=GOOD, **fields):
    return {"file": SimpleUploadedFile("customers.csv", content), "entity": "customer", **fields}


def test_api_upload_checks_then_run_imports(website_a, client, committed):
    # given
    _token, secret = make_integration_token(permissions=[IMPORT])

    # when
    with committed():
        checked = client.post(API, upload(), **bearer(secret))
    status = client.get(checked.json()["status_url"], **bearer(secret)).json()
    with committed():
        ran = client.post(f"{API}/{status['import_id']}/run", **bearer(secret))

    # then
    assert checked.status_code == 202
    assert status["state"] == "checked" and status["check_passed"] is True
    assert status["check_result"]["counts"]["customers_added"] == 1
    assert status["check_job"]["state"] == "succeeded"
    assert ran.status_code == 202
    final = client.get(status["status_url"], **bearer(secret)).json()
    assert final["state"] == "imported" and final["counts"]["customers_added"] == 1
    assert final["import_job"]["state"] == "succeeded"
    assert list(Customer.objects.values_list("email", flat=True)) == ["ann@example.com"]


def test_api_run_is_refused_until_check_data_passes(website_a, client, committed):
    # given
    _token, secret = make_integration_token(permissions=[IMPORT])
    with committed():
        checked = client.post(API, upload(BAD, allowed_errors="0"), **bearer(secret)).json()

    # when
    response = client.post(f"{API}/{checked['import_id']}/run", **bearer(secret))

    # then
    assert response.status_code == 409 and response.json()["code"] == "not_checked"
    status = client.get(checked["status_url"], **bearer(secret)).json()
    assert [(p["row"], p["column"], p["code"]) for p in status["problems"]] == [
        (1, "_website", "unknown_website")
    ]
    assert not Customer.objects.exists()


def test_api_website_map_maps_the_admin_website(website_a, client, committed):
    # given
    _token, secret = make_integration_token(permissions=[IMPORT])

    # when
    with committed():
        checked = client.post(API, upload(BAD, website_map="admin=base"), **bearer(secret))

    # then
    assert checked.json()["website_map"] == {"admin": "base"}
    status = client.get(checked.json()["status_url"], **bearer(secret)).json()
    assert status["check_passed"] is True


@pytest.mark.parametrize("permissions_case", [[], ["customers.export_customers"]])
def test_api_without_the_permission_is_forbidden(website_a, client, permissions_case):
    # given
    _token, secret = make_integration_token(permissions=permissions_case)

    # when
    response = client.post(API, upload(), **bearer(secret))

    # then
    assert response.status_code == 403
    assert not Import.objects.exists()


def test_api_token_limited_to_websites_cannot_import(website_a, client):
    # given
    _token, secret = make_integration_token(permissions=[IMPORT], websites=[website_a])

    # when
    response = client.post(API, upload(), **bearer(secret))

    # then
    assert response.status_code == 403 and response.json()["code"] == "website_scope"


def test_back_office_check_data_then_import(website_a, client, committed):
    # given
    client.force_login(make_staff_user("importer", permissions=[IMPORT]))

    # when
    with committed():
        checked = client.post(
            "/admin/transfer/import/add/",
            {**upload(), "behavior": "append", "allowed_errors": "10", "website_map": ""},
        )
    run = Import.objects.get()
    page = client.get(checked["Location"])
    with committed():
        started = client.post(f"/admin/transfer/import/{run.pk}/run/")

    # then
    assert checked.status_code == 302 and checked["Location"].endswith(f"/{run.pk}/change/")
    assert b"Validation Results" in page.content and b"File is valid" in page.content
    job = Job.objects.get(kind="transfer.import")
    assert started["Location"] == f"/admin/jobs/{job.pk}/"
    assert job.state == JobState.SUCCEEDED
    run.refresh_from_db()
    assert run.state == ImportState.IMPORTED
    assert Customer.objects.filter(email="ann@example.com").exists()


def test_job_pages_of_check_data_and_import_lead_back_to_the_import(website_a, client, committed):
    # given a file checked and imported from the back office
    client.force_login(make_staff_user("importer", permissions=[IMPORT]))
    with committed():
        client.post(
            "/admin/transfer/import/add/",
            {**upload(), "behavior": "append", "allowed_errors": "10", "website_map": ""},
        )
    run = Import.objects.get()
    with committed():
        client.post(f"/admin/transfer/import/{run.pk}/run/")
    run.refresh_from_db()

    # when each job's page is shown
    pages = [client.get(f"/admin/jobs/{job.pk}/") for job in (run.check_job, run.import_job)]

    # then both link back to the import's page
    back = f'href="/admin/transfer/import/{run.pk}/change/"'
    assert [back in page.content.decode() for page in pages] == [True, True]


def test_back_office_import_page_needs_the_permission(website_a, client):
    # given
    client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))

    # when
    response = client.get("/admin/transfer/import/add/")

    # then
    assert response.status_code == 403


def test_command_imports_a_file_with_a_website_map(website_a, tmp_path, capsys):
    # given
    path = tmp_path / "customers.csv"
    path.write_bytes(BAD)

    # when
    call_command("import", str(path), "--entity", "customer", "--website-map", "admin=base")

    # then
    assert "customers +1" in capsys.readouterr().out
    assert Customer.objects.get().website_id == website_a.pk


def test_command_check_only_reports_problems_and_fails(website_a, tmp_path, capsys):
    # given
    path = tmp_path / "customers.csv"
    path.write_bytes(BAD)

    # when
    with pytest.raises(CommandError):
        call_command("import", str(path), "--entity", "customer", "--check-only",
                     "--allowed-errors", "0")  # fmt: skip

    # then
    assert "row 1, column _website" in capsys.readouterr().out
    assert not Customer.objects.exists()
