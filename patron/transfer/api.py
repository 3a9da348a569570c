"""Imports of Magento's customer files over the API: upload a file (Check Data is queued at
once), read what Check Data found, run the import, watch its progress. Every operation needs
``transfer.import_customers`` and an unrestricted caller (an integration token limited to some
websites may not import, since a file names any website)."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from patron.core.api import ERRORS, require_permission, staff_auth
from patron.core.errors import Forbidden
from patron.core.models import Job
from patron.transfer import layouts, services
from patron.transfer.models import Import

router = Router(tags=["Import and export"], auth=staff_auth)


class ImportJobOut(Schema):
    job_id: str
    state: str = Field(..., description="pending, running, succeeded, failed or cancelled")
    done: int
    total: int | None
    messages: list[dict[str, Any]]


class ProblemOut(Schema):
    row: int = Field(..., description="1 is the first row after the header; 0 the whole file.")
    column: str
    code: str
    message: str


class ImportOut(Schema):
    import_id: int
    entity: str
    behavior: str
    allowed_errors: int
    website_map: dict[str, str]
    file_name: str
    state: str = Field(
        ..., description="uploaded, checking, checked, importing, imported or failed"
    )
    check_passed: bool
    check_result: dict[str, Any] = Field(
        ..., description="rows, entities, invalid rows, errors and the counts that would be "
        "added, updated and deleted (`counts`)."
    )  # fmt: skip
    counts: dict[str, int] = Field(..., description="What the import run wrote so far.")
    batches_done: int
    problems: list[ProblemOut] = Field(..., description="The first 100 problems.")
    check_job: ImportJobOut | None
    import_job: ImportJobOut | None
    created_at: dt.datetime
    status_url: str


def _job(job: Job | None) -> ImportJobOut | None:
    if job is None:
        return None
    job.refresh_from_db()
    return ImportJobOut(
        job_id=str(job.pk), state=job.state, done=job.done, total=job.total,
        messages=job.messages,
    )  # fmt: skip


def _out(run: Import) -> ImportOut:
    run.refresh_from_db()
    return ImportOut(
        import_id=run.pk, entity=run.entity, behavior=run.behavior,
        allowed_errors=run.allowed_errors, website_map=run.website_map,
        file_name=run.original_name, state=run.state, check_passed=services.check_passed(run),
        check_result=run.check_result, counts=run.counts, batches_done=run.batches_done,
        problems=[
            ProblemOut(row=p.row, column=p.column, code=p.code, message=p.message)
            for p in run.problems.all()[:100]
        ],
        check_job=_job(run.check_job), import_job=_job(run.import_job),
        created_at=run.created_at,
        status_url=reverse("api-v1:transfer-import", args=[run.pk]),
    )  # fmt: skip


def _importer(request):
    principal = require_permission(request, services.IMPORT_PERMISSION)
    if principal.website_ids is not None:
        raise Forbidden(
            _("An integration limited to some websites cannot import files."),
            code="website_scope",
        )
    return principal


@router.post("/transfer/imports", response={202: ImportOut, **ERRORS}, url_name="transfer-imports")
def upload_import(
    request,
    file: UploadedFile = File(..., description="The CSV file in one of Magento's layouts."),  # noqa: B008
    entity: str = Form(..., description=", ".join(layouts.ENTITIES)),
    behavior: str = Form(layouts.APPEND, description="append (Add/Update), replace or delete"),
    allowed_errors: int = Form(services.DEFAULT_ALLOWED_ERRORS),
    website_map: str = Form("", description="MAGENTO_CODE=PATRON_CODE pairs, comma-separated"),
):
    """Upload a file and queue Check Data; follow `status_url` until `state` is checked, then
    POST `/run` when `check_passed` is true."""
    principal = _importer(request)
    run = services.create_import(
        entity=entity, behavior=behavior, actor=principal.actor, upload=file,
        allowed_errors=allowed_errors, website_map=website_map,
    )  # fmt: skip
    services.request_check(run=run, actor=principal.actor)
    return Status(202, _out(run))


@router.get(
    "/transfer/imports/{int:import_id}", response={200: ImportOut, **ERRORS},
    url_name="transfer-import",
)  # fmt: skip
def import_status(request, import_id: int):
    """An import: what Check Data found, the import's progress and counts."""
    _importer(request)
    return _out(services.get_import(import_id))


@router.post(
    "/transfer/imports/{int:import_id}/run", response={202: ImportOut, **ERRORS},
    url_name="transfer-import-run",
)  # fmt: skip
def run_import(request, import_id: int):
    """Queue the import of a checked file (409 `not_checked` until Check Data passed); an
    import that stopped resumes after its last committed batch."""
    principal = _importer(request)
    run = services.get_import(import_id)
    services.request_import(run=run, actor=principal.actor)
    return Status(202, _out(run))
