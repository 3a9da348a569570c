"""Exports in Magento's layouts over the API: request one (202 with its job), watch it, then
download the file. Requests and downloads need ``customers.export_customers``; an integration
token limited to some websites exports only their customers."""

import datetime as dt
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from patron.core.api import ERRORS, ErrorOut, principal_of, require_permission, staff_auth
from patron.core.errors import Conflict
from patron.core.models import Job, JobState
from patron.transfer.exports import services

router = Router(tags=["Import and export"], auth=staff_auth)


class ConditionIn(Schema):
    code: str = Field(
        ...,
        description="A customer attribute code (website, group, created_at, email, a custom "
        "attribute's code, ...); for addresses also `address.<code>` (address.country_id, ...).",
    )
    operator: str = Field(
        "eq",
        description="eq, neq, contains, starts_with, gte, lte, gt, lt, in (comma-separated "
        "values), empty or not_empty; which apply depends on the attribute.",
    )
    value: str | None = Field(None, description="Websites and store views by code or id, "
                              "groups by name or id, dates as YYYY-MM-DD.")  # fmt: skip


class ExportIn(Schema):
    entity: str = Field(..., description="customer, customer_address or customer_finance")
    format: str = Field("csv", description="csv (raw, Magento's layout) or xml (Excel XML)")
    filters: list[ConditionIn] = Field(default_factory=list, description="All must hold.")


class ExportOut(Schema):
    job_id: str
    label: str
    state: str = Field(..., description="pending, running, succeeded, failed or cancelled")
    done: int
    total: int | None
    rows: int | None = Field(None, description="Rows in the file, once it is ready.")
    messages: list[dict[str, Any]]
    created_at: dt.datetime
    finished_at: dt.datetime | None
    status_url: str
    download_url: str | None = Field(
        None, description="Set once the file is ready, until it expires."
    )
    expired_at: dt.datetime | None = Field(
        None,
        description="When the file was deleted (setting "
        "customer/privacy/retention_export_files_hours); the download then answers 410.",
    )


def _out(job: Job) -> ExportOut:
    ready = job.state == JobState.SUCCEEDED
    expired = services.is_expired(job)
    return ExportOut(
        job_id=str(job.pk), label=job.label, state=job.state, done=job.done, total=job.total,
        rows=(job.result or {}).get("rows") if ready else None, messages=job.messages,
        created_at=job.created_at, finished_at=job.finished_at,
        status_url=reverse("api-v1:transfer-export", args=[job.pk]),
        download_url=reverse("api-v1:transfer-export-file", args=[job.pk])
        if ready and not expired else None,
        expired_at=job.result[services.EXPIRED_KEY] if expired else None,
    )  # fmt: skip


@router.post("/transfer/exports", response={202: ExportOut, **ERRORS}, url_name="transfer-exports")
def request_export(request, payload: ExportIn):
    """Queue an export of customers, addresses or store credit balances in Magento's column
    layout; follow `status_url` until `state` is succeeded, then fetch `download_url`."""
    principal = require_permission(request, services.EXPORT_PERMISSION)
    job = services.request_export(
        entity=payload.entity, file_format=payload.format,
        conditions=[condition.dict() for condition in payload.filters],
        actor=principal.actor, website_ids=principal.website_ids,
    )  # fmt: skip
    job.refresh_from_db()
    return Status(202, _out(job))


@router.get(
    "/transfer/exports/{uuid:job_id}",
    response={200: ExportOut, **ERRORS},
    url_name="transfer-export",
)
def export_status(request, job_id):
    """An export's progress; `download_url` once its file is ready."""
    return _out(services.get_export(job_id, principal=principal_of(request)))


@router.get(
    "/transfer/exports/{uuid:job_id}/file",
    response={200: None, 410: ErrorOut, **ERRORS},
    url_name="transfer-export-file",
)
def download_export(request, job_id):
    """The export's file (404 `export_not_ready` until it is; 410 `export_expired` once its file
    was deleted, after customer/privacy/retention_export_files_hours)."""
    job = services.get_export(job_id, principal=principal_of(request))
    try:
        file, name, content_type = services.open_export(job)
    except Conflict as error:
        if error.code == services.EXPORT_EXPIRED:
            return Status(410, error.as_dict())
        raise
    return FileResponse(file, as_attachment=True, filename=name, content_type=content_type)
