"""Streaming a Magento CSV file in batches: the header is checked once, rows are read one at a
time and grouped into batches of about ``batch_size`` rows, so memory follows the batch size,
not the file size.

Rows are numbered as Magento numbers them: 1 is the first row after the header; a quoted cell
spanning lines still counts as one row. A file that cannot be read further (a cell larger than
the CSV reader's limit, text in a broken quote running to the end of the file) raises
:class:`FileProblem` with the row it stopped at; a batch is handed out only once all its rows
were read, so such a file never leaves half a batch behind.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from patron.transfer import layouts


class FileProblem(Exception):
    """The file as a whole (``row`` 0) or from ``row`` on cannot be read."""

    def __init__(self, row: int, code: str, message: str, column: str = ""):
        super().__init__(message)
        self.row = row
        self.code = code
        self.message = message
        self.column = column


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    # A problem found while reading (wrong column count, undecodable text): code, message,
    # column. The row is reported and skipped.
    problem: tuple[str, str, str] | None = None


@dataclass
class Batch:
    index: int  # 0-based
    rows: list[Row] = field(default_factory=list)


def open_text(binary: IO[bytes]) -> io.TextIOWrapper:
    """The file as text: UTF-8, a byte order mark dropped, bytes that are not UTF-8 kept as
    lone surrogates so that their row can be reported (see :func:`_undecodable_column`)."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")


def count_lines(binary: IO[bytes]) -> int:
    """The number of lines of a file (at least its number of rows), read in blocks."""
    lines = 0
    last = b"\n"
    while block := binary.read(1 << 20):
        lines += block.count(b"\n")
        last = block[-1:]
    return lines + (0 if last == b"\n" else 1)


def read_header(reader, entity: str, attribute_codes: set[str]) -> list[str]:
    """Return the header's column names; raise :class:`FileProblem` for an empty file, a
    missing required column, a column named twice or a column nobody knows."""
    try:
        header = next(reader)
    except StopIteration:
        raise FileProblem(0, "empty_file", _("The file is empty.")) from None
    except csv.Error as error:
        raise FileProblem(0, "malformed_csv", _("The header cannot be read: %s") % error) from None
    header = [name.strip() for name in header]
    undecodable = _undecodable_column(header, header)
    if undecodable is not None:
        raise FileProblem(0, "invalid_encoding", _("The header is not UTF-8 text."))
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise FileProblem(
                0, "duplicate_column", _("The column %(name)s appears twice.") % {"name": name},
                column=name,
            )  # fmt: skip
        seen.add(name)
    missing = [name for name in layouts.REQUIRED_COLUMNS[entity] if name not in seen]
    if missing:
        raise FileProblem(
            0,
            "missing_column",
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
            column=missing[0],
        )
    known = set(layouts.COLUMNS[entity]) | attribute_codes
    if entity in (layouts.CUSTOMER, layouts.CUSTOMER_COMPOSITE):
        known |= set(layouts.PATRON_CUSTOMER_COLUMNS)
    unknown = [name for name in header if name and name not in known]
    if unknown:
        raise FileProblem(
            0,
            "unknown_column",
            _("Unknown columns (not in the layout and not an attribute code): %(columns)s.")
            % {"columns": ", ".join(unknown)},
            column=unknown[0],
        )
    return header


def _undecodable_column(header: list[str], cells: list[str]) -> str | None:
    try:
        "\x1f".join(cells).encode("utf-8")
    except UnicodeEncodeError:
        for name, cell in zip(header, cells, strict=False):
            try:
                cell.encode("utf-8")
            except UnicodeEncodeError:
                return name
        return ""
    return None


def iter_rows(reader, header: list[str]) -> Iterator[Row]:
    """Yield the data rows; blank lines are skipped but keep their number."""
    number = 0
    width = len(header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileProblem(
                number + 1,
                "malformed_csv",
                _("Row %(row)d cannot be read: %(reason)s.") % {"row": number + 1, "reason": error},
            ) from None
        number += 1
        if not cells or (len(cells) <= width and not any(cells)):
            continue
        if len(cells) != width:
            yield Row(
                number,
                {},
                (
                    "column_count",
                    _("The row has %(count)d values; the header has %(width)d columns.")
                    % {"count": len(cells), "width": width},
                    "",
                ),
            )
            continue
        column = _undecodable_column(header, cells)
        if column is not None:
            yield Row(number, {}, ("invalid_encoding", _("The value is not UTF-8 text."), column))
            continue
        yield Row(number, dict(zip(header, cells, strict=True)))


def is_continuation(row: Row) -> bool:
    """A composite file's row that adds an address to the customer above it."""
    return not row.cells.get("email", "").strip() and not row.cells.get("_website", "").strip()


def iter_batches(rows: Iterator[Row], *, batch_size: int, composite: bool) -> Iterator[Batch]:
    """Group rows into batches of at least ``batch_size`` rows (the last may be smaller); in a
    composite file a customer's continuation rows stay in its batch."""
    batch = Batch(0)
    for row in rows:
        starts_record = not composite or row.problem is not None or not is_continuation(row)
        if starts_record and len(batch.rows) >= batch_size:
            yield batch
            batch = Batch(batch.index + 1)
        batch.rows.append(row)
    if batch.rows:
        yield batch
