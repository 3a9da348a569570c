"""Expiry of Data Transfer's files (``patron.transfer.expiry``): export files go a number of
hours after the export finished and their download then answers 410 Gone, uploaded import files
go a number of days after the import ended while the import keeps its results; 0 keeps both;
the hourly scheduled job runs both."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from patron.core.scheduler import periodic_jobs
from patron.customers.models import Customer
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import bearer, make_integration_token, set_config
from patron.transfer import expiry
from patron.transfer.models import Import, ImportState

EXPORT = "customers.export_customers"
IMPORT = "transfer.import_customers"
EXPORTS_API = "/api/v1/transfer/exports"
IMPORTS_API = "/api/v1/transfer/imports"
EXPIRED_MESSAGE = "This export has expired and its file was deleted. Request a new export."
# One good row and one with an unknown website (a problem, skipped within the allowed errors).
MIXED = (
    b"email,_website,firstname,lastname\n"
    b"ann@example.com,base,Ann,Lee\n"
    b"bob@example.com,nowhere,Bob,Ray\n"
)


@pytest.fixture
def finished_export(client, clerk, view_a, committed):
    """An export of one customer, finished, requested over the API: (job id, its result)."""
    from patron.core.models import Job

    make_customer("ada@example.com", store_view=view_a)
    with committed():
        response = client.post(EXPORTS_API, {"entity": "customer"}, content_type="application/json")
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.state == "succeeded" and default_storage.exists(job.result["file"])
    return job


@pytest.fixture
def importer():
    _token, secret = make_integration_token(permissions=[IMPORT])
    return bearer(secret)


@pytest.fixture
def finished_import(website_a, client, importer, committed):
    """A file uploaded, checked and imported over the API: the import's status as answered."""
    with committed():
        upload = {"file": SimpleUploadedFile("customers.csv", MIXED), "entity": "customer"}
        checked = client.post(IMPORTS_API, upload, **importer).json()
    with committed():
        client.post(f"{IMPORTS_API}/{checked['import_id']}/run", **importer)
    status = client.get(checked["status_url"], **importer).json()
    assert status["state"] == "imported"
    return status


def hours_after(moment: dt.datetime, hours: float) -> dt.datetime:
    return moment + dt.timedelta(hours=hours)


def ended_at(import_id: int) -> dt.datetime:
    return Import.objects.get(pk=import_id).finished_at


# --- Exports ------------------------------------------------------------------------------------


def test_export_file_is_kept_before_its_limit(client, finished_export):
    # given an export finished 71 hours ago, with the default limit of 72 hours
    now = hours_after(finished_export.finished_at, 71)

    # when the expiry runs
    counts = expiry.expire_export_files(now=now)

    # then the file is still there and downloads
    assert counts == {"export_files": 0, "orphan_export_files": 0}
    assert default_storage.exists(finished_export.result["file"])
    download = client.get(f"{EXPORTS_API}/{finished_export.pk}/file")
    assert download.status_code == 200
    assert b"ada@example.com" in b"".join(download.streaming_content)


def test_export_file_is_deleted_after_its_limit_and_the_api_answers_410(client, finished_export):
    # given an export finished 73 hours ago, with the default limit of 72 hours
    now = hours_after(finished_export.finished_at, 73)

    # when the expiry runs
    counts = expiry.expire_export_files(now=now)

    # then the file is gone, the job says when, and its download answers 410 with the reason
    assert counts == {"export_files": 1, "orphan_export_files": 0}
    assert not default_storage.exists(finished_export.result["file"])
    status = client.get(f"{EXPORTS_API}/{finished_export.pk}").json()
    assert (status["state"], status["rows"], status["download_url"]) == ("succeeded", 1, None)
    expired_at = dt.datetime.fromisoformat(status["expired_at"].replace("Z", "+00:00"))
    assert abs(expired_at - now) < dt.timedelta(milliseconds=1)  # the API shows milliseconds
    download = client.get(f"{EXPORTS_API}/{finished_export.pk}/file")
    assert download.status_code == 410
    assert (download.json()["code"], download.json()["message"]) == (
        "export_expired", EXPIRED_MESSAGE,
    )  # fmt: skip


def test_back_office_download_of_an_expired_export_answers_410(client, finished_export):
    # given an export whose file expired
    expiry.expire_export_files(now=hours_after(finished_export.finished_at, 73))

    # when staff open its page and its download
    page = client.get(f"/admin/transfer/export/{finished_export.pk}/")
    download = client.get(f"/admin/transfer/export/{finished_export.pk}/download/")

    # then the page offers no download, and the download answers 410 with the reason
    download_url = f"/admin/transfer/export/{finished_export.pk}/download/"
    assert page.status_code == 200
    assert EXPIRED_MESSAGE in page.content.decode() and download_url not in page.content.decode()
    assert download.status_code == 410
    assert EXPIRED_MESSAGE in download.content.decode()


def test_export_file_missing_for_another_reason_answers_410_too(client, finished_export):
    # given an export whose file was removed from the storage by hand
    default_storage.delete(finished_export.result["file"])

    # when its file is asked for
    download = client.get(f"{EXPORTS_API}/{finished_export.pk}/file")

    # then the answer is the same as for an expired export
    assert (download.status_code, download.json()["code"]) == (410, "export_expired")


def test_zero_keeps_export_files(client, finished_export):
    # given the export limit set to 0
    set_config({expiry.EXPORT_FILES_HOURS: 0})

    # when the expiry runs a year later
    counts = expiry.expire_export_files(now=hours_after(finished_export.finished_at, 24 * 365))

    # then nothing is deleted and the file still downloads
    assert counts == {}
    assert client.get(f"{EXPORTS_API}/{finished_export.pk}/file").status_code == 200


def test_export_limit_follows_its_setting(client, finished_export):
    # given the export limit set to 2 hours
    set_config({expiry.EXPORT_FILES_HOURS: 2})

    # when the expiry runs 1 hour, then 3 hours after the export finished
    early = expiry.expire_export_files(now=hours_after(finished_export.finished_at, 1))
    late = expiry.expire_export_files(now=hours_after(finished_export.finished_at, 3))

    # then the file goes on the second run only
    assert (early["export_files"], late["export_files"]) == (0, 1)
    assert client.get(f"{EXPORTS_API}/{finished_export.pk}/file").status_code == 410


def test_orphan_export_files_go_by_the_same_limit(finished_export, transfer_storage):
    # given a file in the export folder that no export refers to, written now
    orphan = default_storage.save("transfer/exports/left-over.csv", ContentFile(b"email\n"))

    # when the expiry runs before, then after the limit counted from the file's time
    early = expiry.expire_export_files(now=hours_after(finished_export.finished_at, 71))
    late = expiry.expire_export_files(now=hours_after(finished_export.finished_at, 73))

    # then the orphan goes on the second run only, with the export's own file
    assert early == {"export_files": 0, "orphan_export_files": 0}
    assert late == {"export_files": 1, "orphan_export_files": 1}
    assert not default_storage.exists(orphan)


# --- Imports ------------------------------------------------------------------------------------


def test_import_file_is_kept_before_its_limit(finished_import):
    # given an import that ended 29 days ago, with the default limit of 30 days
    run = Import.objects.get(pk=finished_import["import_id"])
    now = hours_after(run.finished_at, 29 * 24)

    # when the expiry runs
    counts = expiry.expire_import_files(now=now)

    # then its file is still there
    assert counts == {"import_files": 0, "orphan_import_files": 0}
    assert default_storage.exists(run.file.name)


def test_import_file_is_deleted_after_its_limit_and_the_import_keeps_its_results(
    client, finished_import, importer
):
    # given an import that ended 31 days ago, with the default limit of 30 days
    run = Import.objects.get(pk=finished_import["import_id"])
    name = run.file.name

    # when the expiry runs
    counts = expiry.expire_import_files(now=hours_after(run.finished_at, 31 * 24))

    # then the file is gone, and the import still shows its settings, counts and problems
    assert counts == {"import_files": 1, "orphan_import_files": 0}
    assert not default_storage.exists(name)
    run.refresh_from_db()
    assert run.file.name == "" and expiry.import_file_expired(run)
    after = client.get(finished_import["status_url"], **importer).json()
    kept = ("state", "file_name", "counts", "check_result", "problems", "batches_done")
    assert {key: after[key] for key in kept} == {key: finished_import[key] for key in kept}
    assert after["counts"]["customers_added"] == 1
    assert [(p["row"], p["column"]) for p in after["problems"]] == [(2, "_website")]


def test_zero_keeps_import_files(finished_import):
    # given the import limit set to 0
    set_config({expiry.IMPORT_FILES_DAYS: 0})
    run = Import.objects.get(pk=finished_import["import_id"])

    # when the expiry runs a year later
    counts = expiry.expire_import_files(now=hours_after(run.finished_at, 365 * 24))

    # then the file stays
    assert counts == {}
    assert default_storage.exists(run.file.name)


def test_import_only_checked_expires_from_its_check(website_a, client, importer, committed):
    # given a file uploaded and checked over the API, never imported
    with committed():
        upload = {"file": SimpleUploadedFile("customers.csv", MIXED), "entity": "customer"}
        checked = client.post(IMPORTS_API, upload, **importer).json()
    run = Import.objects.get(pk=checked["import_id"])
    assert run.state == ImportState.CHECKED

    # when the expiry runs 29, then 31 days after Check Data
    early = expiry.expire_import_files(now=hours_after(run.checked_at, 29 * 24))
    late = expiry.expire_import_files(now=hours_after(run.checked_at, 31 * 24))

    # then the file goes on the second run only
    assert (early["import_files"], late["import_files"]) == (0, 1)
    assert not default_storage.exists(run.file.name)


def test_import_whose_file_expired_is_refused_with_a_clear_answer(
    website_a, client, importer, committed
):
    # given a file checked over the API, then deleted by expiry before it was imported
    with committed():
        upload = {"file": SimpleUploadedFile("customers.csv", MIXED), "entity": "customer"}
        checked = client.post(IMPORTS_API, upload, **importer).json()
    run = Import.objects.get(pk=checked["import_id"])
    expiry.expire_import_files(now=hours_after(run.checked_at, 31 * 24))

    # when the import is asked to run
    with committed():
        response = client.post(f"{IMPORTS_API}/{run.pk}/run", **importer)

    # then it is refused, saying why, and nothing is imported or changed on the import
    assert response.status_code == 409
    assert response.json()["code"] == "import_file_expired"
    assert "upload the file again" in response.json()["message"]
    run.refresh_from_db()
    assert run.state == ImportState.CHECKED and run.import_job is None
    assert not Customer.objects.exists()


def test_import_being_imported_keeps_its_file(finished_import):
    # given an import past its limit that is being imported again (a resumed run)
    run = Import.objects.get(pk=finished_import["import_id"])
    Import.objects.filter(pk=run.pk).update(state=ImportState.IMPORTING)

    # when the expiry runs
    counts = expiry.expire_import_files(now=hours_after(run.finished_at, 31 * 24))

    # then the file stays
    assert counts["import_files"] == 0
    assert default_storage.exists(run.file.name)


# --- The scheduled job --------------------------------------------------------------------------


def test_the_hourly_job_runs_both_expiries(finished_export, finished_import):
    # given the registered job
    job = next(j for j in periodic_jobs() if j.code == "transfer.expire_files")

    # when the scheduler queues it (files are new: nothing is due)
    result = job.enqueue()

    # then it runs hourly and returns what each expiry deleted
    assert job.cron == "23 * * * *"
    assert result.return_value == {
        "exports": {"export_files": 0, "orphan_export_files": 0},
        "imports": {"import_files": 0, "orphan_import_files": 0},
    }
    assert default_storage.exists(finished_export.result["file"])
