"""Exports in Magento's layouts (issue 15): Customers Main File, Customer Addresses and Customer
Finances, filtered by any attribute, as CSV or Excel XML.

An export is a job (patron.core.progress): :func:`request_export` checks the request, records
it in the staff action log and queues :func:`build_export`, which streams the rows in chunks
into a file in Django's default storage and stores the file's name in the job's result;
:func:`open_export` hands the file to whoever may download it. :func:`write_export` streams an
export into any binary file (the ``patron export`` command writes straight to disk).

Magento-layout CSV is written raw, without neutralizing formulas, so that the file imports back
unchanged (docs/export.md); the Excel XML file neutralizes them, since it is made to be opened.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.actors import Actor
from patron.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from patron.core.models import Job, JobState
from patron.core.progress import advance, fail_job, finish_job, get_job, mark_running, start_job
from patron.core.writers import EXPORT_FORMATS, excel_xml_chunks
from patron.transfer import layouts
from patron.transfer.exports import filters, rows

JOB_KIND = "transfer.export"
EXPORT_PERMISSION = "customers.export_customers"
FOLDER = "transfer/exports"
# Set in a job's result (an ISO moment) once patron.transfer.expiry deleted its file.
EXPIRED_KEY = "expired_at"
EXPORT_EXPIRED = "export_expired"
CHUNK_SIZE = 2000
CSV_BATCH = 500
ENTITIES = {
    "customer": gettext_lazy("Customers Main File"),
    "customer_address": gettext_lazy("Customer Addresses"),
    "customer_finance": gettext_lazy("Customer Finances"),
}
FORMATS = {"csv": gettext_lazy("CSV"), "xml": gettext_lazy("Excel XML")}


# --- What an export holds ------------------------------------------------------------------------


def check_request(
    *, entity: str, file_format: str, conditions: Iterable[Mapping[str, Any]] = ()
) -> list[dict[str, str]]:
    """Return the cleaned filter conditions; raise ``InvalidInput`` for an unknown entity,
    format or condition."""
    if entity not in ENTITIES:
        raise InvalidInput(
            _("Choose an entity: %(choices)s.") % {"choices": ", ".join(ENTITIES)},
            code="invalid_entity",
            field="entity",
        )
    if file_format not in EXPORT_FORMATS:
        raise InvalidInput(_("format must be csv or xml."), code="invalid_format", field="format")
    return filters.clean_conditions(entity, conditions)


def records(
    entity: str,
    conditions: Iterable[Mapping[str, Any]] = (),
    *,
    website_ids: list[int] | None = None,
) -> QuerySet:
    """The records an export of ``entity`` writes, in a stable order: customers, addresses or
    store credit balances."""
    from patron.credit.models import StoreCreditBalance
    from patron.customers.models import Address, Customer

    if entity == "customer":
        found = Customer.objects.all()
        if website_ids is not None:
            found = found.filter(website_id__in=website_ids)
    else:
        model = Address if entity == "customer_address" else StoreCreditBalance
        found = model.objects.all()
        if website_ids is not None:
            found = found.filter(customer__website_id__in=website_ids)
    return filters.apply_conditions(found, entity, conditions).order_by("pk")


def header(entity: str) -> list[str]:
    """The file's columns: the entity's Magento layout, then the staff-defined attributes of
    customers (main file) or addresses (addresses file) by code."""
    from patron.customers.models import AttributeEntity

    columns = list(layouts.export_columns(entity))
    owner = {"customer": AttributeEntity.CUSTOMER, "customer_address": AttributeEntity.ADDRESS}
    if entity in owner:
        columns += [a.code for a in rows.custom_attributes(owner[entity]) if a.code not in columns]
    return columns


def _cells(entity: str) -> dict[str, Callable[[Any], Any]]:
    scopes = rows.Scopes.load()
    if entity == "customer":
        return rows.customer_cells(scopes)
    if entity == "customer_address":
        return rows.address_cells(scopes)
    return rows.finance_cells(scopes)


def file_name(entity: str, file_format: str) -> str:
    return f"{entity}_{rows.now_text()}.{EXPORT_FORMATS[file_format][1]}"


def write_export(
    out: IO[bytes],
    *,
    entity: str,
    file_format: str,
    conditions: Iterable[Mapping[str, Any]] = (),
    website_ids: list[int] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Stream the export into ``out`` and return the number of rows written. The records are
    read ``chunk_size`` at a time, so memory stays the same whatever the row count;
    ``progress(rows)`` is called after each chunk."""
    conditions = check_request(entity=entity, file_format=file_format, conditions=conditions)
    columns = header(entity)
    found = records(entity, conditions, website_ids=website_ids)
    written = 0

    def counted(values: Iterable[list[Any]]) -> Iterator[list[Any]]:
        nonlocal written
        for value in values:
            yield value
            written += 1
            if progress is not None and written % chunk_size == 0:
                progress(chunk_size)

    fields = rows.FIELDS[entity]
    if entity != "customer_finance" and len(columns) == len(layouts.export_columns(entity)):
        fields = tuple(name for name in fields if name != "custom_attributes")  # none to write
    texts = {f"{name}_text": Cast(name, CharField()) for name in rows.TEXT_MOMENTS[entity]}
    found = found.annotate(**texts).values(*fields, *texts).iterator(chunk_size=chunk_size)
    values = counted(rows.values(found, columns, _cells(entity)))
    if file_format == "csv":
        # Raw on purpose: see the module's docstring.
        chunks = text_csv_chunks(columns, values)
    else:
        chunks = excel_xml_chunks(columns, values, sheet_name=str(ENTITIES[entity]))
    for chunk in chunks:
        out.write(chunk)
    if progress is not None and written % chunk_size:
        progress(written % chunk_size)
    return written


def text_csv_chunks(header: list[str], values: Iterable[list[Any]]) -> Iterator[bytes]:
    """Yield the same bytes as ``patron.core.writers.csv_chunks`` (the tests compare them) for
    rows whose cells are already text or integers: the rows go to ``csv.writer.writerows``
    whole, without the per-cell conversion the general writer needs, which was a quarter of
    the export's time at a million rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    batch: list[list[Any]] = []
    for row in values:
        batch.append(row)
        if len(batch) == CSV_BATCH:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue().encode("utf-8")


# --- Export jobs ---------------------------------------------------------------------------------


def request_export(
    *,
    entity: str,
    file_format: str,
    conditions: Iterable[Mapping[str, Any]] = (),
    actor: Actor,
    website_ids: list[int] | None = None,
) -> Job:
    """Queue an export and return its job; record the request in the staff action log."""
    from patron.staff.models import StaffActionKind
    from patron.staff.services import record_staff_action
    from patron.transfer.exports.tasks import build_export_task

    conditions = check_request(entity=entity, file_format=file_format, conditions=conditions)
    label = _("Export: %(entity)s (%(format)s)") % {
        "entity": ENTITIES[entity],
        "format": FORMATS[file_format],
    }
    with transaction.atomic():
        job = start_job(kind=JOB_KIND, label=label, actor=actor)
        arguments = {
            "job_id": str(job.pk), "entity": entity, "file_format": file_format,
            "conditions": conditions, "website_ids": website_ids,
        }  # fmt: skip
        record_staff_action(
            actor=actor, action=StaffActionKind.EXPORT, target=str(ENTITIES[entity]),
            details={"format": file_format, "filters": conditions, "job_id": str(job.pk),
                     "website_ids": website_ids},
        )  # fmt: skip
        transaction.on_commit(lambda: build_export_task.enqueue(**arguments))
    return job


def build_export(
    *,
    job_id: str,
    entity: str,
    file_format: str,
    conditions: Iterable[Mapping[str, Any]] = (),
    website_ids: list[int] | None = None,
) -> Job:
    """Write the export of a queued job into the default storage and finish the job with the
    file's storage name, the row count and the format in its result."""
    job = get_job(job_id)
    if job.is_finished:  # cancelled while queued, or a task run twice
        return job
    try:
        total = records(entity, conditions, website_ids=website_ids).count()
        mark_running(job, total=total)
        with tempfile.TemporaryFile() as scratch:
            written = write_export(
                scratch, entity=entity, file_format=file_format, conditions=conditions,
                website_ids=website_ids, progress=lambda done: _advance(job, done, total),
            )  # fmt: skip
            scratch.seek(0)
            extension = EXPORT_FORMATS[file_format][1]
            stored = default_storage.save(f"{FOLDER}/{job.pk}.{extension}", File(scratch))
    except InvalidInput as error:  # e.g. a filtered attribute deleted after queueing
        fail_job(job, error=str(error.message))
        return job
    finish_job(
        job,
        result={
            "file": stored, "filename": file_name(entity, file_format), "rows": written,
            "format": file_format, "entity": entity, "done": written,
            "content_type": EXPORT_FORMATS[file_format][0], "website_ids": website_ids,
        },
    )  # fmt: skip
    return job


def _advance(job: Job, done: int, total: int) -> None:
    # Rows added since the count was taken would push done past total (a constraint).
    room = max(0, total - job.done)
    if room:
        advance(job, by=min(done, room))


def get_export(job_id: Any, *, principal) -> Job:
    """Return an export job the caller may see: theirs, or with ``core.view_job`` any export of
    websites they may see; raise ``NotFound`` otherwise (as for a job that does not exist) and
    ``Forbidden`` without the export permission."""
    if not principal.has_perm(EXPORT_PERMISSION):
        raise Forbidden(
            _("You need the permission %(permission)s for this.")
            % {"permission": EXPORT_PERMISSION},
            code="permission_denied",
            params={"permission": EXPORT_PERMISSION},
        )
    job = get_job(job_id)
    started_it = job.actor_kind == principal.actor.kind and job.actor_id == principal.actor.id
    if job.kind != JOB_KIND or not (started_it or principal.has_perm("core.view_job")):
        raise NotFound(_("There is no export %(id)s.") % {"id": job_id}, code="export_not_found")
    if not started_it and not _covers(principal.website_ids, (job.result or {}).get("website_ids")):
        # Someone limited to some websites never reads another website's customers.
        raise NotFound(_("There is no export %(id)s.") % {"id": job_id}, code="export_not_found")
    return job


def _covers(allowed: list[int] | None, exported: list[int] | None) -> bool:
    if allowed is None:
        return True
    return exported is not None and set(exported) <= set(allowed)


def is_expired(job: Job) -> bool:
    """Say whether a finished export's file was deleted by expiry (``patron.transfer.expiry``,
    setting ``customer/privacy/retention_export_files_hours``)."""
    return job.state == JobState.SUCCEEDED and EXPIRED_KEY in (job.result or {})


def open_export(job: Job) -> tuple[IO[bytes], str, str]:
    """Return (open file, download name, content type) of a finished export; raise
    ``NotFound`` (``export_not_ready``) while it is not ready and ``Conflict``
    (``export_expired``, answered as 410 Gone) once its file is gone: deleted by expiry, or
    missing for any other reason, which counts the same."""
    result = job.result or {}
    if job.state != JobState.SUCCEEDED or not result.get("file"):
        raise NotFound(
            _("The export is not ready yet (%(state)s).") % {"state": job.get_state_display()},
            code="export_not_ready",
        )
    if is_expired(job) or not default_storage.exists(result["file"]):
        raise Conflict(
            _("This export has expired and its file was deleted. Request a new export."),
            code=EXPORT_EXPIRED,
        )
    return default_storage.open(result["file"], "rb"), result["filename"], result["content_type"]
