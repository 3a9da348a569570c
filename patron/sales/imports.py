"""Bulk import of a shop's history: products, orders, refunds, reviews and product views, from
CSV or JSON Lines.

Every record goes through the schema the API uses and then the same service, so a file is
accepted or refused exactly as the same facts sent one by one would be. Records are committed
in batches that are all-or-nothing: a bad record rolls back its whole batch, and the report
names each problem by line and field. The services are idempotent, so running a file again
(after fixing it, or after a crash) adds only what is missing.
"""

import csv
import gzip
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import StringConstraints, ValidationError

from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.sales import schemas, services
from patron.scopes.models import StoreView

DEFAULT_BATCH = 500


# The shop's identifiers: never blank (a blank SKU or number would make a row nobody can
# address again).
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ProductRow(schemas.ProductIn):
    sku: Identifier


class OrderRow(schemas.OrderIn):
    number: Identifier
    store_view: str = ""


class RefundRow(schemas.RefundIn):
    order_number: Identifier
    number: Identifier
    store_view: str = ""


class ReviewRow(schemas.ReviewIn):
    review_id: Identifier
    store_view: str = ""


class ProductViewRow(schemas.ProductViewIn):
    store_view: str = ""


def _record_product(data: dict[str, Any], store_view, actor: Actor) -> str:
    services.save_product(actor=actor, **data)
    return "saved"


def _record_order(data: dict[str, Any], store_view, actor: Actor) -> str:
    items = data.pop("items")
    _order, result = services.record_order(store_view=store_view, items=items, actor=actor, **data)
    return result


def _record_refund(data: dict[str, Any], store_view, actor: Actor) -> str:
    _refund, result = services.record_refund(store_view=store_view, actor=actor, **data)
    return result


def _record_review(data: dict[str, Any], store_view, actor: Actor) -> str:
    external_id = data.pop("review_id")
    _review, result = services.record_review(
        store_view=store_view, external_id=external_id, actor=actor, **data
    )
    return result


def _record_view(data: dict[str, Any], store_view, actor: Actor) -> str:
    external_id = data.pop("view_id")
    _view, result = services.record_product_view(
        store_view=store_view, external_id=external_id, actor=actor, **data
    )
    return result


@dataclass(frozen=True)
class FactKind:
    """One kind of fact a file can hold: its row shape, the CSV columns that identify a record
    (rows repeating them continue the record with one more item), and the service call."""

    code: str
    schema: type[Schema]
    key_columns: tuple[str, ...]
    record: Callable[[dict[str, Any], StoreView | None, Actor], str]
    needs_store_view: bool = True
    # CSV cells holding several values, separated by "|".
    multi_value_columns: frozenset[str] = frozenset()


KINDS = {
    kind.code: kind
    for kind in (
        FactKind("products", ProductRow, ("sku",), _record_product, needs_store_view=False,
                 multi_value_columns=frozenset({"categories"})),
        FactKind("orders", OrderRow, ("store_view", "number"), _record_order,
                 multi_value_columns=frozenset({"applied_rule_ids"})),
        FactKind("refunds", RefundRow, ("store_view", "order_number", "number"), _record_refund),
        FactKind("reviews", ReviewRow, ("store_view", "review_id"), _record_review),
        FactKind("product_views", ProductViewRow, ("store_view", "view_id"), _record_view),
    )
}  # fmt: skip
LIST_FIELD = "items"


@dataclass
class Record:
    """One fact read from the file; ``lines`` are the file lines it came from (a CSV order
    with three items spans three lines), so problems with item N point at its own line."""

    lines: list[int]
    data: dict[str, Any]
    # Set when the file itself could not be read here: the record counts in its batch (which
    # then rolls back) and reports this.
    read_error: "RowError | None" = None
    from_csv: bool = False

    def line_of(self, field_path: str | None) -> int:
        match = re.match(rf"{LIST_FIELD}[\[.](\d+)", field_path or "")
        if match and int(match[1]) < len(self.lines):
            return self.lines[int(match[1])]
        return self.lines[0]


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = _("line %(line)d") % {"line": self.line}
        if self.field:
            where = f"{where}, {self.field}"
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    records: int = 0
    results: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    committed_batches: int = 0
    rolled_back_batches: int = 0
    rolled_back_records: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class FileFormatError(PatronError):
    status = 400
    default_code = "invalid_file"


# --- Reading ------------------------------------------------------------------------------------


def open_text(path: Path) -> io.TextIOBase:
    """The file as text (UTF-8, a BOM tolerated), gunzipped when its name ends in .gz."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def file_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    last = suffixes[-1] if suffixes else ""
    if last == ".csv":
        return "csv"
    if last in (".jsonl", ".ndjson"):
        return "jsonl"
    raise FileFormatError(
        _("Name the file .csv or .jsonl (optionally .gz), or give the format."), field="file"
    )


def read_jsonl(lines: Iterable[str]) -> Iterator[Record]:
    """One object a line; blank lines are skipped and a line that is not a JSON object is an
    error of that line (and of its batch)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line, parse_constant=_refuse_constant)
        except (json.JSONDecodeError, ValueError) as error:
            message = getattr(error, "msg", str(error))
            yield _unreadable(number, _("Not valid JSON: %(e)s.") % {"e": message})
            continue
        if not isinstance(data, dict):
            yield _unreadable(number, _("Each line must be a JSON object."))
            continue
        yield Record([number], data)


def _refuse_constant(name: str) -> Any:
    """JSON has no NaN or Infinity; Python's reader accepts them unless told not to."""
    raise ValueError(f"{name} is not a JSON number")


def _unreadable(line: int, message: str, field: str | None = None) -> Record:
    return Record([line], {}, read_error=RowError(line, field, message))


def read_csv(text: Iterable[str], kind: FactKind) -> Iterator[Record]:
    """Rows of one record share its key columns (or leave them empty): each such row adds an
    item from its ``items.*`` columns. ``a.b`` columns become nested values, empty cells are
    absent values, and cells of multi-value columns split on "|". A row that cannot be read
    is an error record of its own, and the item rows after it belong to it."""
    reader = csv.DictReader(text)
    missing = [
        c for c in kind.key_columns if c != "store_view" and c not in (reader.fieldnames or [])
    ]
    if missing:
        raise FileFormatError(
            _("The file has no %(columns)s column.") % {"columns": ", ".join(missing)},
            field="header",
        )
    current: Record | None = None
    current_key: tuple[str, ...] = ()
    for row in reader:
        line = reader.line_num
        key = tuple((row.get(c) or "").strip() for c in kind.key_columns)
        if None in row:
            record = _unreadable(line, _("The row has more cells than the header."))
        else:
            item = _nested(row, kind, prefix=f"{LIST_FIELD}.")
            continues = current is not None and (key == current_key or not any(key))
            if continues and item:
                current.lines.append(line)
                if current.read_error is None:
                    current.data.setdefault(LIST_FIELD, []).append(item)
                continue
            if not any(k for c, k in zip(kind.key_columns, key, strict=True) if c != "store_view"):
                record = _unreadable(line, _("The row has no identifier."), _key_field(kind))
            else:
                record = Record([line], _nested(row, kind), from_csv=True)
                if item:
                    record.data[LIST_FIELD] = [item]
        if current is not None:
            yield current
        current, current_key = record, key
    if current is not None:
        yield current


def _key_field(kind: FactKind) -> str:
    return next(c for c in reversed(kind.key_columns) if c != "store_view")


def _nested(row: dict[str, str], kind: FactKind, prefix: str = "") -> dict[str, Any]:
    """The non-empty cells of ``row``: those under ``prefix`` when given (the item columns),
    else all others, with ``a.b`` columns nested."""
    data: dict[str, Any] = {}
    for column, cell in row.items():
        if cell is None or cell.strip() == "" or column is None:
            continue
        is_item = column.startswith(f"{LIST_FIELD}.")
        if prefix and not column.startswith(prefix):
            continue
        if not prefix and is_item:
            continue
        name = column[len(prefix) :]
        value: Any = cell.strip()
        if name in kind.multi_value_columns:
            value = [part.strip() for part in value.split("|") if part.strip()]
        parent, _dot, child = name.partition(".")
        if child:
            data.setdefault(parent, {})[child] = value
        else:
            data[name] = value
    return data


def typed_attribute_cells(values: dict[str, Any]) -> dict[str, Any]:
    """CSV cells are text: give each product attribute value the type of its definition (a
    number, Yes/No, the options of a multiple select separated by "|"); a cell that does not
    read as its type stays text, so the service names it."""
    from patron.sales.models import ProductAttribute, ProductAttributeType

    kinds = dict(ProductAttribute.objects.filter(code__in=list(values)).values_list("code", "type"))
    typed = {}
    for code, text in values.items():
        kind = kinds.get(code)
        if kind == ProductAttributeType.NUMBER:
            typed[code] = _number(text)
        elif kind == ProductAttributeType.BOOLEAN:
            typed[code] = {"1": True, "true": True, "yes": True, "0": False, "false": False,
                           "no": False}.get(text.lower(), text)  # fmt: skip
        elif kind == ProductAttributeType.MULTISELECT:
            typed[code] = [part.strip() for part in text.split("|") if part.strip()]
        else:
            typed[code] = text
    return typed


def _number(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text else number


def read_records(path: Path, kind: FactKind, fmt: str | None = None):
    fmt = fmt or file_format(path)
    handle = open_text(path)
    try:
        reader = read_csv(handle, kind) if fmt == "csv" else read_jsonl(handle)
        yield from reader
    finally:
        handle.close()


# --- Recording ----------------------------------------------------------------------------------


class _RollBack(Exception):
    """Raised inside a batch's transaction to undo it."""


def import_records(
    kind: FactKind,
    records: Iterable[Record],
    *,
    actor: Actor,
    default_store_view: StoreView | None = None,
    batch_size: int = DEFAULT_BATCH,
    check_only: bool = False,
    report: ImportReport | None = None,
    on_batch: Callable[[ImportReport, list[Record], bool], None] | None = None,
) -> ImportReport:
    """Record ``records`` in batches of ``batch_size``; a batch with any problem, or every
    batch when ``check_only``, is rolled back."""
    report = report or ImportReport()
    store_views = _StoreViews(default_store_view)
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            _import_batch(kind, batch, actor, store_views, check_only, report, on_batch)
            batch = []
    if batch:
        _import_batch(kind, batch, actor, store_views, check_only, report, on_batch)
    return report


def _import_batch(kind, batch, actor, store_views, check_only, report, on_batch) -> None:
    errors: list[RowError] = []
    results: dict[str, int] = {}
    try:
        with transaction.atomic():
            for record in batch:
                result = _import_one(kind, record, actor, store_views, errors)
                if result:
                    results[result] = results.get(result, 0) + 1
            if errors or check_only:
                raise _RollBack
    except _RollBack:
        committed = False
    else:
        committed = True
    report.records += len(batch)
    report.errors.extend(errors)
    if committed:
        report.committed_batches += 1
        for result, count in results.items():
            report.results[result] = report.results.get(result, 0) + count
    else:
        report.rolled_back_batches += 1
        report.rolled_back_records += len(batch)
    if on_batch:
        on_batch(report, batch, committed)


def _import_one(kind, record: Record, actor, store_views, errors: list[RowError]) -> str | None:
    if record.read_error is not None:
        errors.append(record.read_error)
        return None
    if record.from_csv and isinstance(record.data.get("attributes"), dict):
        record.data["attributes"] = typed_attribute_cells(record.data["attributes"])
    try:
        row = kind.schema.model_validate(record.data)
    except ValidationError as error:
        for problem in error.errors():
            path = _field_path(problem["loc"])
            errors.append(RowError(record.line_of(path), path or None, problem["msg"]))
        return None
    data = row.model_dump()
    store_view = None
    if kind.needs_store_view:
        store_view = store_views.get(data.pop("store_view"), record, errors)
        if store_view is None:
            return None
    try:
        # Each service runs in its own savepoint (it is atomic), so a refused record leaves
        # nothing behind and the batch can go on to report the records after it.
        return kind.record(data, store_view, actor)
    except PatronError as error:
        for problem in error.problems or [error]:
            errors.append(
                RowError(record.line_of(problem.field), problem.field, str(problem.message))
            )
        return None


def _field_path(loc: Iterable[Any]) -> str:
    """A schema error's location written as the services write fields: ``items[1].sku``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


class _StoreViews:
    """Store views by code, looked up once per import; a record without a code uses the
    import's default."""

    def __init__(self, default: StoreView | None) -> None:
        self.default = default
        self.by_code: dict[str, StoreView | None] = {}

    def get(self, code: str, record: Record, errors: list[RowError]) -> StoreView | None:
        code = (code or "").strip()
        if not code:
            if self.default is None:
                errors.append(
                    RowError(
                        record.lines[0], "store_view",
                        _("Give the store view code in a store_view column or with --store-view."),
                    )
                )  # fmt: skip
            return self.default
        if code not in self.by_code:
            self.by_code[code] = (
                StoreView.objects.select_related("store__website").filter(code=code).first()
            )
        if self.by_code[code] is None:
            errors.append(
                RowError(
                    record.lines[0], "store_view",
                    _("There is no store view %(code)s.") % {"code": code},
                )
            )  # fmt: skip
        return self.by_code[code]
