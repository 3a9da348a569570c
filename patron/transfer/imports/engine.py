"""The run of an import: Check Data (read and check every row, write nothing) or the import
itself, batch by batch.

Each batch of the import is one transaction holding its writes, the problems it found and the
run's checkpoint (``batches_done``, ``rows_done``, ``counts``), so a crash loses at most the
batch in progress and a resumed run starts after the last committed batch: no row is written
twice. When the errors found pass the allowed count, the batch in progress rolls back and the
run stops.
"""

import csv
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.models import Job
from patron.core.progress import advance, is_cancelled
from patron.transfer import layouts
from patron.transfer.imports import customers, finances
from patron.transfer.imports.cells import CellError
from patron.transfer.imports.context import Context, Counts, Problem
from patron.transfer.imports.prefetch import telephones_ahead
from patron.transfer.imports.reading import (
    Batch,
    FileProblem,
    count_lines,
    is_continuation,
    iter_batches,
    iter_rows,
    open_text,
    read_header,
)


class TooManyErrors(Exception):
    pass


class Cancelled(Exception):
    pass


@dataclass
class ImportResult:
    """What a check or an import run found and did."""

    import_id: int
    check_only: bool
    counts: Counts
    problems: list[Problem] = field(default_factory=list)
    file_problem: Problem | None = None
    stopped: bool = False  # more errors than allowed
    batches: int = 0
    seconds: float = 0.0

    @property
    def error_count(self) -> int:
        return self.counts.errors

    @property
    def ok(self) -> bool:
        return self.file_problem is None and not self.stopped

    def as_dict(self) -> dict[str, Any]:
        return {
            "import_id": self.import_id, "check_only": self.check_only,
            "counts": self.counts.as_dict(), "errors": self.counts.errors,
            "problems": [p.as_dict() for p in self.problems],
            "file_problem": self.file_problem.as_dict() if self.file_problem else None,
            "stopped": self.stopped, "batches": self.batches, "seconds": round(self.seconds, 3),
        }  # fmt: skip


@contextmanager
def open_source(run) -> IO[bytes]:
    if run.source_path:
        with open(run.source_path, "rb") as binary:
            yield binary
    else:
        with default_storage.open(run.file.name, "rb") as binary:
            yield binary


def total_rows(run) -> int:
    """An upper bound of the file's data rows (its lines less the header), for progress."""
    with open_source(run) as binary:
        return max(0, count_lines(binary) - 1)


def _process(context: Context, batch: Batch, counts: Counts) -> None:
    if context.entity == layouts.CUSTOMER_FINANCE:
        finances.process_finances(context, batch.rows, counts)
    elif context.entity == layouts.CUSTOMER_ADDRESS:
        customers.process_addresses(context, batch.rows, counts)
    else:
        composite = context.entity == layouts.CUSTOMER_COMPOSITE
        customers.process_customers(context, batch.rows, counts, composite=composite)


def _remember(context: Context, batch: Batch) -> None:
    """Note the keys of a batch committed before a crash, so duplicates later in the file are
    still found when the run resumes."""
    composite = context.entity == layouts.CUSTOMER_COMPOSITE
    for row in batch.rows:
        if row.problem is not None or (composite and is_continuation(row)):
            continue
        cells = row.cells
        try:
            website = context.website(cells.get("_website", ""))
        except CellError:
            continue
        if context.entity in (layouts.CUSTOMER, layouts.CUSTOMER_COMPOSITE):
            context.first_sight(website.code, cells.get("email", "").strip().lower())
        elif context.entity == layouts.CUSTOMER_ADDRESS:
            entity_id = cells.get("_entity_id", "").strip()
            if entity_id:
                email = cells.get("_email", "").strip().lower()
                context.first_sight(website.code, email, entity_id)
        else:
            try:
                finance = context.website(cells.get("_finance_website", ""))
            except CellError:
                continue
            email = cells.get("_email", "").strip().lower()
            context.first_sight(website.code, email, finance.code)


def execute(
    run, *, check_only: bool, actor: Actor, job: Job | None = None, progress=None
) -> ImportResult:
    """Check or import the file of ``run`` (a :class:`patron.transfer.models.Import`);
    ``progress(rows)`` is called after each batch with the rows read so far."""
    from patron.transfer.models import ImportProblem

    started = time.perf_counter()
    context = Context.load(
        entity=run.entity, behavior=run.behavior, actor=actor, check_only=check_only,
        website_map=run.website_map,
    )  # fmt: skip
    resuming = not check_only and run.batches_done > 0
    counts = Counts.from_dict(run.counts) if resuming else Counts()
    context.problem_count = counts.errors
    result = ImportResult(run.pk, check_only, counts)
    if not resuming:
        ImportProblem.objects.filter(run=run).delete()
    stored_problems = ImportProblem.objects.filter(run=run).count()
    attribute_codes = set()
    if run.entity in (layouts.CUSTOMER, layouts.CUSTOMER_COMPOSITE):
        attribute_codes |= set(context.customer_attributes)
    if run.entity == layouts.CUSTOMER_ADDRESS:
        attribute_codes |= set(context.address_attributes)
    if run.entity == layouts.CUSTOMER_COMPOSITE:
        attribute_codes |= {layouts.ADDRESS_PREFIX + code for code in context.address_attributes}
    composite = run.entity == layouts.CUSTOMER_COMPOSITE
    try:
        with open_source(run) as binary, open_text(binary) as text:
            reader = csv.reader(text)
            header = read_header(reader, run.entity, attribute_codes)
            batches = iter_batches(
                iter_rows(reader, header), batch_size=run.batch_size, composite=composite
            )
            with telephones_ahead(context, batches) as ahead:
                for batch in ahead:
                    if resuming and batch.index < run.batches_done:
                        _remember(context, batch)
                        continue
                    if job is not None and is_cancelled(job):
                        raise Cancelled
                    first_problem = len(context.problems)
                    batch_counts = Counts()
                    if check_only:
                        _process(context, batch, batch_counts)
                    else:
                        with transaction.atomic():
                            _process(context, batch, batch_counts)
                            batch_counts.errors = context.problem_count - counts.errors
                            if context.problem_count > run.allowed_errors:
                                raise TooManyErrors
                            new_problems = context.problems[first_problem:]
                            room = max(0, 1000 - stored_problems)
                            ImportProblem.objects.bulk_create(
                                [ImportProblem(run=run, **p.as_dict()) for p in new_problems[:room]]
                            )
                            stored_problems += min(room, len(new_problems))
                            counts.add(batch_counts)
                            type(run).objects.filter(pk=run.pk).update(
                                batches_done=batch.index + 1,
                                rows_done=counts.rows,
                                counts=counts.as_dict(),
                            )
                            run.batches_done = batch.index + 1
                    if check_only:
                        batch_counts.errors = context.problem_count - counts.errors
                        counts.add(batch_counts)
                        result.stopped = counts.errors > run.allowed_errors
                    result.batches += 1
                    if job is not None:
                        _advance(job, len(batch.rows))
                    if progress is not None:
                        progress(counts.rows)
    except FileProblem as problem:
        found = Problem(problem.row, problem.column, problem.code, problem.message)
        result.file_problem = found
        context.report(found.row, found.column, found.code, found.message)
        counts.errors = context.problem_count
        if not check_only and stored_problems < 1000:
            ImportProblem.objects.create(run=run, **found.as_dict())
    except TooManyErrors:
        result.stopped = True
        counts.errors = context.problem_count
    except Cancelled:
        result.stopped = True
    if check_only:
        ImportProblem.objects.bulk_create(
            [ImportProblem(run=run, **p.as_dict()) for p in context.problems[:1000]]
        )
    result.problems = list(context.problems)
    result.seconds = time.perf_counter() - started
    return result


def _advance(job: Job, rows: int) -> None:
    room = max(0, (job.total or 0) - job.done)
    if room:
        advance(job, by=min(rows, room))


def finish_message(result: ImportResult) -> str:
    counts = result.counts
    if result.file_problem is not None:
        return result.file_problem.message
    if result.stopped:
        return _("Stopped: %(errors)d errors, more than allowed.") % {"errors": counts.errors}
    return _("Checked rows: %(rows)d, entities: %(entities)d, invalid rows: %(invalid)d, "
             "errors: %(errors)d.") % {
        "rows": counts.rows, "entities": counts.entities, "invalid": counts.invalid_rows,
        "errors": counts.errors,
    }  # fmt: skip


def now():
    return timezone.now()
