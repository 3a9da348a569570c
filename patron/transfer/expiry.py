"""Expiry of the files Data Transfer leaves in Django's default storage: export files and
uploaded import files hold customers' personal data, so they are deleted once they are no
longer needed, each ruled by its setting in "Customer Configuration > Privacy and Data
Retention" (0 keeps the files for ever):

- ``customer/privacy/retention_export_files_hours``: the file of a finished export goes that
  many hours after the export finished; the job stays, marked expired in its result, and its
  download answers that the export expired (:func:`patron.transfer.exports.services.open_export`).
- ``customer/privacy/retention_import_files_days``: an uploaded import file goes that many days
  after the import's last step (imported, failed, Check Data done, or uploaded when nothing ran);
  the import row stays with its settings, counts and problems. A file being checked or imported
  (its state, or a job of it still pending or running) is never touched.

Files in the two folders that no export or import refers to (a crash between writing a file
and recording it, a job that failed after writing) go by the same limits, measured from the
file's modification time.

:func:`expire_files` runs every rule; the hourly job ``transfer.expire_files`` calls it.
"""

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.files.storage import default_storage
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from patron.core.models import Job, JobState
from patron.scopes.config import get_config
from patron.transfer.exports.services import EXPIRED_KEY
from patron.transfer.exports.services import FOLDER as EXPORT_FOLDER
from patron.transfer.exports.services import JOB_KIND as EXPORT_JOB_KIND
from patron.transfer.models import Import, ImportState

logger = logging.getLogger(__name__)

EXPORT_FILES_HOURS = "customer/privacy/retention_export_files_hours"
IMPORT_FILES_DAYS = "customer/privacy/retention_import_files_days"
IMPORT_FOLDER = "transfer/imports"
# Imports in these states are reading their file.
BUSY_STATES = (ImportState.CHECKING, ImportState.IMPORTING)
UNFINISHED_JOB_STATES = (JobState.PENDING, JobState.RUNNING)
LOOKUP_BATCH = 500


def cutoff(setting: str, unit: str, *, now: dt.datetime | None = None) -> dt.datetime | None:
    """Return the moment before which files lose their place, ``setting`` (a retention in
    ``unit``: "hours" or "days") back from now, or None when the setting is 0 (keep)."""
    amount = int(get_config(setting) or 0)
    if amount <= 0:
        return None
    return (now or timezone.now()) - dt.timedelta(**{unit: amount})


# --- Exports ------------------------------------------------------------------------------------


def expire_export_files(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the files of exports that finished before the limit and mark their jobs expired;
    delete unreferenced files of the export folder older than the limit. Return the counts."""
    now = now or timezone.now()
    before = cutoff(EXPORT_FILES_HOURS, "hours", now=now)
    if before is None:
        return {}
    finished = (
        Job.objects.filter(
            kind=EXPORT_JOB_KIND,
            state=JobState.SUCCEEDED,
            finished_at__lt=before,
            result__has_key="file",
        )
        .exclude(result__has_key=EXPIRED_KEY)
        .order_by("pk")
    )
    expired = 0
    for job in finished.iterator(chunk_size=LOOKUP_BATCH):
        # The file goes first: if marking the job failed, the next run marks it, and meanwhile
        # a download already answers "expired" (a finished export without its file is expired).
        _delete(job.result["file"])
        marked = {**job.result, EXPIRED_KEY: now.isoformat()}
        expired += (
            Job.objects.filter(pk=job.pk)
            .exclude(result__has_key=EXPIRED_KEY)
            .update(result=marked, updated_at=now)
        )
    orphans = _delete_orphans(EXPORT_FOLDER, before, _referenced_exports)
    return {"export_files": expired, "orphan_export_files": orphans}


def _referenced_exports(names: list[str]) -> set[str]:
    """The names among ``names`` that an export still needs: the file of a succeeded export
    not yet expired, or any file of an export still being built."""
    by_id: dict[uuid.UUID, str] = {}
    for name in names:
        try:
            by_id[uuid.UUID(name.rsplit("/", 1)[-1].split(".", 1)[0])] = name
        except ValueError:
            continue
    needed = set()
    for job in Job.objects.filter(pk__in=list(by_id)).only("pk", "state", "result"):
        result = job.result or {}
        building = job.state in UNFINISHED_JOB_STATES
        current = job.state == JobState.SUCCEEDED and EXPIRED_KEY not in result
        if building or (current and result.get("file") == by_id[job.pk]):
            needed.add(by_id[job.pk])
    return needed


# --- Imports ------------------------------------------------------------------------------------


def ended_imports(*, before: dt.datetime):
    """Imports with an uploaded file, not being checked or imported, whose last step (finished,
    checked, or uploaded) came before ``before``."""
    last_step = Greatest(
        Coalesce("finished_at", "created_at"), Coalesce("checked_at", "created_at"), "created_at"
    )
    return (
        Import.objects.exclude(file="")
        .exclude(state__in=BUSY_STATES)
        .exclude(check_job__state__in=UNFINISHED_JOB_STATES)
        .exclude(import_job__state__in=UNFINISHED_JOB_STATES)
        .alias(last_step=last_step)
        .filter(last_step__lt=before)
    )


def expire_import_files(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the uploaded files of imports that ended before the limit, keeping the imports
    (settings, results, counts and problems); delete unreferenced files of the import folder
    older than the limit. Return the counts."""
    now = now or timezone.now()
    before = cutoff(IMPORT_FILES_DAYS, "days", now=now)
    if before is None:
        return {}
    expired = 0
    rows = ended_imports(before=before).order_by("pk").values_list("pk", "file")
    for pk, name in rows.iterator(chunk_size=LOOKUP_BATCH):
        # The row lets go of its file first, and only while it is still idle, so an import
        # started meanwhile keeps its file; a file whose deletion failed is an orphan, which
        # the next run deletes.
        released = Import.objects.filter(pk=pk, file=name).exclude(state__in=BUSY_STATES)
        if released.update(file=""):
            _delete(name)
            expired += 1
    orphans = _delete_orphans(IMPORT_FOLDER, before, _referenced_imports)
    return {"import_files": expired, "orphan_import_files": orphans}


def _referenced_imports(names: list[str]) -> set[str]:
    return set(Import.objects.filter(file__in=names).values_list("file", flat=True))


def import_file_expired(run: Import) -> bool:
    """Say whether the uploaded file of ``run`` was deleted by expiry (so Check Data and the
    import cannot run again). Imports of a file on the server's disk have none to expire."""
    return not run.file and not run.source_path


# --- Both ---------------------------------------------------------------------------------------


def expire_files(*, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Run both expiries and log what each deleted; return the counts per kind."""
    now = now or timezone.now()
    results = {
        "exports": expire_export_files(now=now),
        "imports": expire_import_files(now=now),
    }
    for kind, counts in results.items():
        logger.info(
            "Transfer file expiry %s: %s",
            kind,
            ", ".join(f"{name} {count}" for name, count in counts.items()) or "kept",
            extra={"expiry_kind": kind, **{f"deleted_{k}": v for k, v in counts.items()}},
        )
    return results


def _delete(name: str) -> None:
    """Delete a stored file; one already gone is fine."""
    with contextlib.suppress(FileNotFoundError):
        default_storage.delete(name)


def _stored_files(folder: str) -> Iterator[str]:
    try:
        _folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for file in files:
        yield f"{folder}/{file}"


def _batches(names: Iterable[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == LOOKUP_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _delete_orphans(folder: str, before: dt.datetime, referenced: Any) -> int:
    """Delete the files of ``folder`` modified before ``before`` that ``referenced(names)``
    does not claim; return how many went."""
    deleted = 0
    for names in _batches(_stored_files(folder)):
        needed = referenced(names)
        for name in names:
            if name in needed:
                continue
            try:
                modified = default_storage.get_modified_time(name)
            except (FileNotFoundError, NotImplementedError):
                continue
            if modified < before:
                _delete(name)
                deleted += 1
    return deleted
