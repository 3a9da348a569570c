"""``patron import_facts KIND FILE``: load a shop's history (products, orders, refunds,
reviews, product views) from CSV or JSON Lines; see docs/commerce-facts.md for the columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patron.core.actors import Actor, ActorKind
from patron.core.errors import PatronError
from patron.sales import imports
from patron.scopes.models import StoreView

ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = "Import a shop's history of commerce facts from a CSV or JSON Lines file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(imports.KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "jsonl"], dest="fmt")
        parser.add_argument(
            "--store-view", help="Store view code of records without a store_view value."
        )
        parser.add_argument("--batch-size", type=int, default=imports.DEFAULT_BATCH)
        parser.add_argument(
            "--check", action="store_true", help="Validate every record and write nothing."
        )

    def handle(self, *args, kind, file, fmt, store_view, batch_size, check, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        default_store_view = None
        if store_view:
            default_store_view = StoreView.objects.filter(code=store_view).first()
            if default_store_view is None:
                raise CommandError(f"There is no store view {store_view}.")
        fact_kind = imports.KINDS[kind]
        report = imports.ImportReport()
        try:
            records = imports.read_records(file, fact_kind, fmt)
            imports.import_records(
                fact_kind, records,
                actor=Actor(ActorKind.SYSTEM, None, f"import {file.name}"),
                default_store_view=default_store_view, batch_size=batch_size,
                check_only=check, report=report, on_batch=self._progress,
            )  # fmt: skip
        except PatronError as error:
            raise CommandError(f"{file}: {error.message}") from error
        self._summary(report, check)
        if not report.ok:
            raise CommandError(f"{len(report.errors)} problem(s); see above.")

    def _progress(self, report, batch, committed) -> None:
        first, last = batch[0].lines[0], batch[-1].lines[-1]
        state = "committed" if committed else "rolled back"
        self.stderr.write(f"lines {first}–{last}: {len(batch)} record(s) {state}")

    def _summary(self, report, check) -> None:
        for error in report.errors[:ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(report.errors) > ERRORS_SHOWN:
            self.stderr.write(f"… and {len(report.errors) - ERRORS_SHOWN} more problem(s).")
        results = ", ".join(f"{name} {count}" for name, count in sorted(report.results.items()))
        self.stdout.write(
            f"{report.records} record(s) read; "
            + ("checked only, nothing written; " if check else "")
            + f"{report.committed_batches} batch(es) committed ({results or 'nothing'}), "
            f"{report.rolled_back_batches} rolled back ({report.rolled_back_records} record(s))."
        )
