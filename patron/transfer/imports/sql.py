"""Set-based writes the ORM has no fast form for: setting a few columns of many rows, each to
its own values (Django's ``bulk_update`` writes one ``CASE`` per column instead, which grows
with the square of the batch on SQLite), and inserting many rows without ``bulk_create``'s
per-value preparation, which costs more than the statement itself, with primary keys drawn
before the insert (:func:`assign_keys`)."""

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Model
from django.db.models.base import ModelState
from django.utils import timezone

CHUNK = 500


def update_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``names`` (field names) of the rows whose primary key is each row's first value to
    the row's other values: on PostgreSQL one ``UPDATE ... FROM (VALUES ...)`` per chunk, on
    SQLite one prepared single-row ``UPDATE`` run over every row (see :func:`insert_values`
    for why its text must not vary)."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in names)]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    table = quote(meta.db_table)
    # None is NULL, except in a JSON field (which may store JSON's null), as on insert.
    converters = [
        (_converter(field, connection), field.get_internal_type() == "JSONField")
        for field in fields
    ]

    def converted(chunk: Sequence[Sequence[Any]]) -> Iterator[list[Any]]:
        for row in chunk:
            yield [
                converter(value) if converter and (value is not None or is_json) else value
                for (converter, is_json), value in zip(converters, row, strict=True)
            ]

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            assignments = ", ".join(f"{column} = ?" for column in columns[1:])
            sql = f"UPDATE {table} SET {assignments} WHERE {columns[0]} = ?"  # noqa: S608
            cursor.cursor.executemany(sql, ([*row[1:], row[0]] for row in converted(rows)))
            return
        marks = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
        assignments = ", ".join(f"{column} = v.{column}" for column in columns[1:])
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            params = [value for row in converted(chunk) for value in row]
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
                f"FROM (VALUES {', '.join([marks] * len(chunk))}) "
                f"AS v({', '.join(columns)}) WHERE t.{columns[0]} = v.{columns[0]}",
                params,
            )


# Fields whose Python value is already what the database driver takes (no conversion).
PLAIN_TYPES = {
    "CharField", "TextField", "EmailField", "SlugField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "PositiveBigIntegerField", "BooleanField",
}  # fmt: skip
INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}


def _is_plain(field: Any) -> bool:
    kind = field.get_internal_type()
    if kind == "ForeignKey":
        return field.target_field.get_internal_type() in INTEGER_KEYS
    return kind in PLAIN_TYPES


def _sqlite_datetime(value: dt.datetime) -> str:
    # What Django's SQLite backend stores (naive UTC text), without its per-value setting and
    # connection look-ups, which cost more than the conversion itself.
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(value)


def _converter(field: Any, connection: Any) -> Callable[[Any], Any] | None:
    """How a non-NULL value of ``field`` is handed to the driver: None when as it is."""
    if _is_plain(field):
        return None
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return _sqlite_datetime if connection.vendor == "sqlite" else None
    if kind == "DateField":
        return str if connection.vendor == "sqlite" else None
    if kind == "JSONField" and connection.vendor == "sqlite" and field.encoder is None:
        return json.dumps
    return partial(field.get_db_prep_save, connection=connection)


@lru_cache(maxsize=32)
def _blank_values(model: type[Model]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    fixed: dict[str, Any] = {}
    made: list[tuple[str, Any]] = []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            made.append((field.attname, field.default))
        else:
            fixed[field.attname] = field.get_default()
    return fixed, tuple(made)


def new_instance(model: type[Model], **values: Any) -> Model:
    """An unsaved ``model`` instance with its fields' defaults and ``values`` (attribute names,
    such as ``customer_id``). The same object ``model(**values)`` builds, without the per-field
    work of ``Model.__init__`` (descriptor look-ups, keyword checks), which an import building
    hundreds of thousands of records pays on every one; no signals are sent, as ``bulk_create``
    sends none either."""
    fixed, made = _blank_values(model)
    instance = model.__new__(model)
    state = instance.__dict__
    state.update(fixed)
    for attname, factory in made:
        state[attname] = factory()
    state.update(values)
    state["_state"] = ModelState()
    return instance


def assign_keys(model: type[Model], objects: Sequence[Model]) -> None:
    """Give new ``objects`` primary keys drawn from the table's sequence before they are
    inserted, so that rows pointing at them (a customer's default address, an address's
    customer) are written with their final values in one go: the database checks those
    foreign keys at commit."""
    if not objects:
        return
    alias = connections[DEFAULT_DB_ALIAS].alias
    for instance, new_id in zip(objects, draw_keys(model, len(objects)), strict=True):
        instance.pk = new_id
        instance._state.adding = False
        instance._state.db = alias


def insert_rows(model: type[Model], objects: Sequence[Model], *, keys_given: bool = False) -> None:
    """Insert new ``objects`` (see :func:`insert_values`) and set their primary keys, as
    ``bulk_create`` does, without its per-value preparation. With ``keys_given`` the objects
    carry their keys (from :func:`assign_keys`, or a one-to-one key)."""
    if not objects:
        return
    if not keys_given:
        assign_keys(model, objects)
    insert_values(model, [instance.__dict__ for instance in objects], keys_given=True)


def insert_values(
    model: type[Model], rows: Sequence[dict[str, Any]], *, keys_given: bool = False
) -> list[Any]:
    """Insert ``rows`` (values by attribute name; a missing one takes its field's default) and
    return the new primary keys in the rows' order (none with ``keys_given``, where the rows
    carry their keys). Keys are drawn from the table's sequence first (:func:`draw_keys`);
    PostgreSQL then gets one ``COPY``, SQLite one prepared single-row ``INSERT`` run over every
    row: as fast as multi-row statements (measured), and of one text, where multi-row
    statements of varying length each stayed in the driver's statement cache, growing the
    import's memory by about 190 MB over the first 40 batches. Values of plain fields (text,
    numbers, flags, integer foreign keys) go to the driver as they are, dates and times as
    Django's backend would store them, the others through their field's ``get_db_prep_save``;
    ``auto_now`` fields, and ``auto_now_add`` ones left empty, get one timestamp for the whole
    call; None is NULL except in JSON fields."""
    if not rows:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    new_ids: list[Any] = []
    if not keys_given:
        new_ids = draw_keys(model, len(rows))
        for values, new_id in zip(rows, new_ids, strict=True):
            values[meta.pk.attname] = new_id
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    values = _row_values(model, fields, rows, connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's wrapper has no COPY; psycopg's own cursor has.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            # The driver's own cursor: Django's would rewrite the statement for every row.
            cursor.cursor.executemany(sql, values)
    return new_ids


def draw_keys(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``'s table, ascending, taken from its sequence as
    an INSERT would take them, so no other writer can be given them."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        # SQLite: Django's tables are AUTOINCREMENT, whose next key is one past the larger of
        # sqlite_sequence and the highest key; moving sqlite_sequence past the range reserves it.
        # The write lock taken by the transaction keeps others out in between.
        with transaction.atomic():
            table = connection.ops.quote_name(meta.db_table)
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"COALESCE((SELECT MAX({connection.ops.quote_name(meta.pk.column)}) FROM {table}), 0))",
                [meta.db_table],
            )
            first = cursor.fetchone()[0] + 1
            last = first + count - 1
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, meta.db_table]
            )
            if cursor.rowcount == 0:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [meta.db_table, last],
                )
        return list(range(first, last + 1))


def _row_values(
    model: type[Model], fields: list[Any], rows: Sequence[dict[str, Any]], connection: Any
) -> Iterator[list[Any]]:
    """Each row's values in the order of ``fields``, stamped, defaulted and converted."""
    now = timezone.now()
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False)]
    # A creation date the caller gives (an imported customer's) is kept.
    dated = [f.attname for f in fields if getattr(f, "auto_now_add", False)]
    attnames = [f.attname for f in fields]
    # Columns whose values are converted; None is NULL for every field but a JSON one (which may
    # store JSON's null).
    conversions = [
        (index, converter, f.get_internal_type() == "JSONField")
        for index, f in enumerate(fields)
        if (converter := _converter(f, connection)) is not None
    ]
    fixed, made = _blank_values(model)
    factories = dict(made)

    def default(attname: str) -> Any:
        return factories[attname]() if attname in factories else fixed.get(attname)

    pick = itemgetter(*attnames)
    for values in rows:
        for attname in stamped:
            values[attname] = now
        for attname in dated:
            if values.get(attname) is None:
                values[attname] = now
        try:
            row = list(pick(values))
        except KeyError:
            row = [values[a] if a in values else default(a) for a in attnames]
        for index, converter, is_json in conversions:
            value = row[index]
            if value is not None or is_json:
                row[index] = converter(value)
        yield row
