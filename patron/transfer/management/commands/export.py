"""``patron export ENTITY [--format csv|xml] [--filter CODE OPERATOR [VALUE]]... [--output FILE]``:
write customers, addresses or store credit balances in Magento's layout (docs/export.md)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patron.core.errors import PatronError
from patron.transfer.exports import filters, services


class Command(BaseCommand):
    help = "Export customers, addresses or store credit in Magento's column layouts."

    def add_arguments(self, parser):
        parser.add_argument("entity", choices=sorted(services.ENTITIES))
        parser.add_argument("--format", choices=["csv", "xml"], default="csv", dest="fmt")
        parser.add_argument(
            "--filter",
            nargs="+",
            action="append",
            default=[],
            dest="conditions",
            metavar="CODE OPERATOR [VALUE]",
            help="Keep the records whose attribute matches, e.g. --filter website eq base "
            "--filter created_at gte 2024-01-01. Operators: " + ", ".join(filters.OPERATORS),
        )
        parser.add_argument(
            "--output", "-o", type=Path, help="The file to write (default: standard output)."
        )
        parser.add_argument("--chunk-size", type=int, default=services.CHUNK_SIZE)

    def handle(self, *args, entity, fmt, conditions, output, chunk_size, **options):
        parsed = []
        for condition in conditions:
            if len(condition) not in (2, 3):
                raise CommandError("--filter takes CODE OPERATOR [VALUE].")
            code, operator, *value = condition
            parsed.append({"code": code, "operator": operator, "value": value[0] if value else ""})
        written = 0

        def report(done: int) -> None:
            nonlocal written
            written += done
            self.stderr.write(f"\r{written} rows", ending="")

        try:
            if output is None:
                count = services.write_export(
                    sys.stdout.buffer, entity=entity, file_format=fmt, conditions=parsed,
                    progress=report, chunk_size=chunk_size,
                )  # fmt: skip
            else:
                with output.open("wb") as out:
                    count = services.write_export(
                        out, entity=entity, file_format=fmt, conditions=parsed,
                        progress=report, chunk_size=chunk_size,
                    )  # fmt: skip
        except PatronError as error:
            raise CommandError(f"{error.field or entity}: {error.message}") from error
        self.stderr.write(f"\r{count} rows exported" + (f" to {output}." if output else "."))
