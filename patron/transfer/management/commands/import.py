"""``patron import FILE --entity ENTITY [--behavior append|replace|delete] [--website-map
admin=base] [--allowed-errors N] [--batch-size N] [--check-only | --no-check]`` and
``patron import --resume ID``: import a Magento-layout file from disk (docs/import-export.md)."""

from django.core.management.base import BaseCommand, CommandError

from patron.core.errors import PatronError
from patron.core.progress import start_job
from patron.transfer import layouts, services


class Command(BaseCommand):
    help = "Check or import customers, addresses or store credit from Magento's CSV layouts."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The CSV file to import.")
        parser.add_argument("--entity", choices=layouts.ENTITIES)
        parser.add_argument("--behavior", choices=layouts.BEHAVIORS, default=layouts.APPEND)
        parser.add_argument(
            "--website-map",
            action="append",
            default=[],
            metavar="MAGENTO_CODE=PATRON_CODE",
            help="Map a website code of the file to a Patron website, e.g. admin=base.",
        )
        parser.add_argument("--allowed-errors", type=int, default=services.DEFAULT_ALLOWED_ERRORS)
        parser.add_argument("--batch-size", type=int, default=services.DEFAULT_BATCH_SIZE)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check-only", action="store_true", help="Check Data only.")
        mode.add_argument(
            "--no-check", action="store_true", help="Import without the Check Data pass first."
        )
        mode.add_argument("--resume", type=int, metavar="ID", help="Resume import ID.")

    def handle(self, *args, file, entity, behavior, website_map, allowed_errors, batch_size,
               check_only, no_check, resume, **options):  # fmt: skip
        def report(rows: int) -> None:
            self.stderr.write(f"\r{rows} rows", ending="")

        try:
            if resume is not None:
                run = services.get_import(resume)
                job = start_job(kind=services.IMPORT_JOB_KIND, label=f"Import: {run.original_name}")
                result = services.resume_import(
                    run=run, actor=services.SYSTEM, job=job, progress=report
                )
            else:
                if not file or not entity:
                    raise CommandError("Give the FILE and --entity (or --resume ID).")
                kind = services.CHECK_JOB_KIND if check_only else services.IMPORT_JOB_KIND
                job = start_job(kind=kind, label=f"{'Check' if check_only else 'Import'}: {file}")
                result = services.import_file(
                    file, entity=entity, behavior=behavior, check_only=check_only,
                    check_first=not no_check, batch_size=batch_size,
                    website_map=website_map, allowed_errors=allowed_errors, job=job,
                    progress=report,
                )  # fmt: skip
        except PatronError as error:
            raise CommandError(str(error.message)) from None
        self.stderr.write("")
        for problem in result.problems:
            self.stdout.write(
                f"row {problem.row}, column {problem.column or '-'}: {problem.message} "
                f"[{problem.code}]"
            )
        counts = result.counts
        self.stdout.write(
            f"import {result.import_id}: rows {counts.rows}, entities {counts.entities}, "
            f"invalid rows {counts.invalid_rows}, errors {counts.errors}; customers "
            f"+{counts.customers_added} ~{counts.customers_updated} -{counts.customers_deleted}; "
            f"addresses +{counts.addresses_added} ~{counts.addresses_updated} "
            f"-{counts.addresses_deleted}; balances changed {counts.balances_changed}; "
            f"{result.seconds:.1f} s"
        )
        if not result.ok:
            raise CommandError(
                "Stopped: the file cannot be read further."
                if result.file_problem
                else "Stopped: more errors than allowed."
            )
