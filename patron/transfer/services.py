"""Imports of Magento's customer files (issue 15): upload a file with its settings, Check Data,
then Import, each as a job with progress; or :func:`import_file` for a file on disk (the
command line and the benchmark).

Check Data reads every row and reports every problem with its row, column and reason, and the
customers, addresses and balances that would be added, updated and deleted; it writes nothing.
The import refuses to start until Check Data passed (no more errors than allowed), then writes
batch by batch (see :mod:`patron.transfer.imports.engine`), skipping the rows with problems.

Passwords from a ``password`` column are stored for :func:`hash_pending_passwords`, run as a
task after each batch commits, because hashing with Argon2id takes a moment per customer.
"""

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import SYSTEM, Actor
from patron.core.errors import Conflict, InvalidInput, NotFound
from patron.core.models import Job
from patron.core.progress import fail_job, finish_job, get_job, mark_running, start_job
from patron.transfer import layouts
from patron.transfer.imports.engine import ImportResult, execute, finish_message, total_rows
from patron.transfer.models import Import, ImportEntity, ImportState, PendingPassword

CHECK_JOB_KIND = "transfer.import_check"
IMPORT_JOB_KIND = "transfer.import"
IMPORT_PERMISSION = "transfer.import_customers"
DEFAULT_BATCH_SIZE = 1000
DEFAULT_ALLOWED_ERRORS = 10
MAX_BATCH_SIZE = 50_000


# --- Settings of an import -----------------------------------------------------------------------


def parse_website_map(text: str | Mapping[str, str] | Iterable[str] | None) -> dict[str, str]:
    """Read a website mapping: ``"admin=base, shop2=de"``, a list of ``CODE=PATRON_CODE`` or a
    dict; raise ``InvalidInput`` for a malformed pair."""
    if not text:
        return {}
    if isinstance(text, Mapping):
        pairs = [(str(k), str(v)) for k, v in text.items()]
    else:
        parts = text.replace("\n", ",").split(",") if isinstance(text, str) else list(text)
        pairs = []
        for part in parts:
            if not part.strip():
                continue
            source, sep, target = part.partition("=")
            if not sep or not source.strip() or not target.strip():
                raise InvalidInput(
                    _("Write each website mapping as MAGENTO_CODE=PATRON_CODE."),
                    code="invalid_website_map",
                    field="website_map",
                )
            pairs.append((source, target))
    return {source.strip(): target.strip() for source, target in pairs}


def _check_settings(
    *, entity: str, behavior: str, allowed_errors: int, batch_size: int, website_map: dict
) -> None:
    from patron.scopes.models import Website

    if entity not in layouts.ENTITIES:
        raise InvalidInput(
            _("Choose an entity type: %(choices)s.") % {"choices": ", ".join(layouts.ENTITIES)},
            code="invalid_entity",
            field="entity",
        )
    if behavior not in layouts.BEHAVIORS:
        raise InvalidInput(
            _("Choose an import behavior: %(choices)s.")
            % {"choices": ", ".join(layouts.BEHAVIORS)},
            code="invalid_behavior",
            field="behavior",
        )
    if allowed_errors < 0:
        raise InvalidInput(
            _("The allowed errors count cannot be negative."),
            code="invalid_allowed_errors",
            field="allowed_errors",
        )
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise InvalidInput(
            _("The batch size must be between 1 and %(max)d.") % {"max": MAX_BATCH_SIZE},
            code="invalid_batch_size",
            field="batch_size",
        )
    known = set(Website.objects.values_list("code", flat=True))
    unknown = sorted(set(website_map.values()) - known)
    if unknown:
        raise InvalidInput(
            _("The website mapping names websites Patron does not have: %(codes)s.")
            % {"codes": ", ".join(unknown)},
            code="unknown_website",
            field="website_map",
        )


def create_import(
    *,
    entity: str,
    behavior: str,
    actor: Actor,
    upload: Any = None,
    path: str | Path | None = None,
    allowed_errors: int = DEFAULT_ALLOWED_ERRORS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    website_map: Any = None,
) -> Import:
    """Record an import of an uploaded file (stored in the default storage) or of a file on
    the server's disk (``path``, read in place) and return it; raise ``InvalidInput`` for bad
    settings or a missing file."""
    website_map = parse_website_map(website_map)
    _check_settings(
        entity=entity, behavior=behavior, allowed_errors=allowed_errors, batch_size=batch_size,
        website_map=website_map,
    )  # fmt: skip
    if upload is None and path is None:
        raise InvalidInput(_("Choose a file to import."), code="required", field="file")
    run = Import(
        entity=entity, behavior=behavior, allowed_errors=allowed_errors, batch_size=batch_size,
        website_map=website_map, **actor.as_fields(),
    )  # fmt: skip
    if path is not None:
        path = Path(path).resolve()
        if not path.is_file():
            raise InvalidInput(
                _("There is no file %(path)s.") % {"path": path}, code="not_found", field="file"
            )
        run.source_path = str(path)
        run.original_name = path.name[:255]
        run.save()
    else:
        name = Path(getattr(upload, "name", "") or "import.csv").name
        run.original_name = name[:255]
        run.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{name}"[:100], File(upload), save=False)
        run.save()
    return run


def get_import(import_id: Any) -> Import:
    """Return the import with ``import_id`` or raise ``NotFound``."""
    try:
        return Import.objects.get(pk=import_id)
    except (Import.DoesNotExist, ValueError, TypeError):
        raise NotFound(
            _("There is no import %(id)s.") % {"id": import_id}, code="import_not_found"
        ) from None


# --- Check Data and Import -----------------------------------------------------------------------


def _require_file(run: Import) -> None:
    """Refuse to check or import a run whose uploaded file was deleted by expiry."""
    from patron.transfer.expiry import import_file_expired

    if import_file_expired(run):
        raise Conflict(
            _(
                "The uploaded file of this import was deleted when it expired; upload the file "
                "again to check or import it."
            ),
            code="import_file_expired",
        )


def check_import(
    *, run: Import, actor: Actor, job: Job | None = None, progress=None
) -> ImportResult:
    """Run Check Data over the import's file and store what it found on the import."""
    _require_file(run)
    if run.state == ImportState.IMPORTING or run.state == ImportState.IMPORTED:
        raise Conflict(
            _("This file is already being imported or was imported."), code="import_started"
        )
    Import.objects.filter(pk=run.pk).update(state=ImportState.CHECKING)
    if job is not None:
        mark_running(job, total=total_rows(run))
    try:
        result = execute(run, check_only=True, actor=actor, job=job, progress=progress)
    except Exception as error:
        Import.objects.filter(pk=run.pk).update(state=ImportState.FAILED)
        if job is not None:
            fail_job(job, error=str(error))
        raise
    summary = result.as_dict()
    summary.pop("problems")
    run.check_result = summary
    run.checked_at = timezone.now()
    run.state = ImportState.CHECKED if result.file_problem is None else ImportState.FAILED
    run.save(update_fields=["check_result", "checked_at", "state"])
    if job is not None:
        _finish(job, run, result)
    return result


def check_passed(run: Import) -> bool:
    result = run.check_result or {}
    return (
        run.state == ImportState.CHECKED
        and not result.get("file_problem")
        and int(result.get("errors", 0)) <= run.allowed_errors
    )


def run_import(
    *,
    run: Import,
    actor: Actor,
    job: Job | None = None,
    check_first: bool = False,
    progress=None,
) -> ImportResult:
    """Import the file of ``run`` (resuming after its last committed batch). With
    ``check_first`` Check Data runs first; otherwise the import must have passed it, or have
    started already (a resumed run). Raise ``Conflict`` when it may not run."""
    _require_file(run)
    if check_first and run.batches_done == 0:
        checked = check_import(run=run, actor=actor, progress=progress)
        if not check_passed(run):
            return checked
    resumable = run.state in (ImportState.IMPORTING, ImportState.FAILED) and run.batches_done
    if not check_passed(run) and not resumable:
        raise Conflict(
            _("Check Data must pass (no more errors than allowed) before the import runs."),
            code="not_checked",
        )
    Import.objects.filter(pk=run.pk).update(
        state=ImportState.IMPORTING, import_job=job or run.import_job
    )
    run.state = ImportState.IMPORTING
    if job is not None:
        mark_running(job, total=total_rows(run))
    try:
        result = execute(run, check_only=False, actor=actor, job=job, progress=progress)
    except Exception as error:
        Import.objects.filter(pk=run.pk).update(state=ImportState.FAILED)
        if job is not None:
            fail_job(job, error=str(error))
        raise
    run.refresh_from_db()
    run.state = ImportState.IMPORTED if result.ok else ImportState.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])
    if job is not None:
        _finish(job, run, result)
    return result


def _finish(job: Job, run: Import, result: ImportResult) -> None:
    # "done" is what the shared job page reports: the rows read without a problem.
    done = result.counts.rows - result.counts.invalid_rows
    outcome = {**result.as_dict(), "import_id": run.pk, "done": done}
    outcome.pop("problems")
    if result.file_problem is not None:
        fail_job(job, error=finish_message(result))
        job.result = outcome
        Job.objects.filter(pk=job.pk).update(result=outcome)
        return
    if job.total:
        Job.objects.filter(pk=job.pk).update(done=job.total)
    finish_job(job, result=outcome)


def request_check(*, run: Import, actor: Actor) -> Job:
    """Queue Check Data for the import and return its job."""
    from patron.transfer.tasks import check_import_task

    _require_file(run)

    label = _("Check Data: %(file)s") % {"file": run.original_name}
    with transaction.atomic():
        job = start_job(kind=CHECK_JOB_KIND, label=label, actor=actor)
        Import.objects.filter(pk=run.pk).update(check_job=job)
        arguments = {"import_id": run.pk, "job_id": str(job.pk)}
        transaction.on_commit(lambda: check_import_task.enqueue(**arguments))
    run.check_job = job
    return job


def request_import(*, run: Import, actor: Actor) -> Job:
    """Queue the import (Check Data must have passed) and return its job."""
    from patron.transfer.tasks import run_import_task

    _require_file(run)
    resumable = run.state in (ImportState.IMPORTING, ImportState.FAILED) and run.batches_done
    if not check_passed(run) and not resumable:
        raise Conflict(
            _("Check Data must pass (no more errors than allowed) before the import runs."),
            code="not_checked",
        )
    label = _("Import: %(file)s") % {"file": run.original_name}
    with transaction.atomic():
        job = start_job(kind=IMPORT_JOB_KIND, label=label, actor=actor)
        Import.objects.filter(pk=run.pk).update(import_job=job)
        arguments = {"import_id": run.pk, "job_id": str(job.pk)}
        transaction.on_commit(lambda: run_import_task.enqueue(**arguments))
    run.import_job = job
    return job


def run_queued(*, import_id: int, job_id: str, check_only: bool) -> ImportResult | None:
    """Run a queued Check Data or import (the tasks' body)."""
    job = get_job(job_id)
    if job.is_finished:
        return None
    run = get_import(import_id)
    actor = Actor(run.actor_kind, run.actor_id, run.actor_label)
    if check_only:
        return check_import(run=run, actor=actor, job=job)
    return run_import(run=run, actor=actor, job=job)


def import_file(
    path: str | Path,
    *,
    entity: str,
    behavior: str = layouts.APPEND,
    check_only: bool = False,
    check_first: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
    website_map: Any = None,
    allowed_errors: int = DEFAULT_ALLOWED_ERRORS,
    job: Job | None = None,
    actor: Actor = SYSTEM,
    progress=None,
) -> ImportResult:
    """Check (``check_only``) or import a file on disk and return what happened; the import is
    recorded like an uploaded one, so ``patron import --resume`` can continue it after a
    crash. ``check_first=False`` skips the Check Data pass: rows with problems are still
    skipped and counted, and the run stops when they pass ``allowed_errors``."""
    run = create_import(
        entity=entity, behavior=behavior, actor=actor, path=path, allowed_errors=allowed_errors,
        batch_size=batch_size, website_map=website_map,
    )  # fmt: skip
    if check_only:
        return check_import(run=run, actor=actor, job=job, progress=progress)
    if not check_first:
        Import.objects.filter(pk=run.pk).update(state=ImportState.IMPORTING)
        run.state = ImportState.IMPORTING
        run.check_result = {"errors": 0}
        # A run that was never checked is started as a resumable one.
        run.batches_done = 0
        return _run_unchecked(run=run, actor=actor, job=job, progress=progress)
    return run_import(run=run, actor=actor, job=job, check_first=True, progress=progress)


def _run_unchecked(*, run: Import, actor: Actor, job: Job | None, progress=None) -> ImportResult:
    if job is not None:
        mark_running(job, total=total_rows(run))
    result = execute(run, check_only=False, actor=actor, job=job, progress=progress)
    run.refresh_from_db()
    run.state = ImportState.IMPORTED if result.ok else ImportState.FAILED
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])
    if job is not None:
        _finish(job, run, result)
    return result


def resume_import(
    *, run: Import, actor: Actor, job: Job | None = None, progress=None
) -> ImportResult:
    """Continue an import that stopped (a crash, a cancelled job) after its last committed
    batch."""
    if run.state == ImportState.IMPORTED:
        raise Conflict(_("This import is complete."), code="import_complete")
    _require_file(run)
    if run.batches_done == 0 and not check_passed(run):
        return run_import(run=run, actor=actor, job=job, check_first=True, progress=progress)
    Import.objects.filter(pk=run.pk).update(state=ImportState.IMPORTING)
    run.state = ImportState.IMPORTING
    return _run_unchecked(run=run, actor=actor, job=job, progress=progress)


def entity_label(entity: str) -> str:
    return str(ImportEntity(entity).label)


# --- Plain passwords -----------------------------------------------------------------------------


def hash_pending_passwords(*, customer_ids: Iterable[int] | None = None, limit: int = 500) -> int:
    """Hash waiting plain passwords (those of ``customer_ids``, or any) with the preferred
    hasher, store the hashes and forget the plain text; return how many were hashed."""
    from patron.customers.models import Customer

    pending = PendingPassword.objects.order_by("pk")
    if customer_ids is not None:
        pending = pending.filter(customer_id__in=list(customer_ids))
    done = 0
    for item in pending[:limit]:
        with transaction.atomic():
            hashed = make_password(item.password)
            Customer.objects.filter(pk=item.customer_id).update(
                password=hashed, password_changed_at=timezone.now()
            )
            PendingPassword.objects.filter(pk=item.pk, password=item.password).delete()
        done += 1
    return done
