"""Set-based writes the ORM has no fast form for: setting a few columns of many rows, each to
its own values, in one ``UPDATE ... FROM (VALUES ...)`` statement per chunk (PostgreSQL, and
SQLite from 3.33). Django's ``bulk_update`` writes one ``CASE`` per column instead, which
grows with the square of the batch on SQLite. And multi-row inserts (:func:`insert_rows`)
without ``bulk_create``'s per-value preparation, which costs more than the statement itself."""

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache, partial
from operator import itemgetter
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.utils import timezone

CHUNK = 500


def update_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set ``names`` (field names) of the rows whose primary key is each row's first value to
    the row's other values."""
    if not rows:
        return
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in names)]
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    postgres = connection.vendor == "postgresql"
    if postgres:
        marks = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
    else:
        marks = "(" + ", ".join("%s" for _field in fields) + ")"
    table = quote(meta.db_table)
    converters = [_converter(field, connection) for field in fields]
    assignments = ", ".join(f"{column} = v.{column}" for column in columns[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = ", ".join([marks] * len(chunk))
            params = [
                value if converter is None or value is None else converter(value)
                for row in chunk
                for converter, value in zip(converters, row, strict=True)
            ]
            if postgres:
                sql = (
                    f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) "  # noqa: S608
                    f"AS v({', '.join(columns)}) WHERE t.{columns[0]} = v.{columns[0]}"
                )
            else:
                sql = (
                    f"WITH v({', '.join(columns)}) AS (VALUES {values}) "  # noqa: S608
                    f"UPDATE {table} SET {assignments} FROM v "
                    f"WHERE {table}.{columns[0]} = v.{columns[0]}"
                )
            cursor.execute(sql, params)


# Fields whose Python value is already what the database driver takes (no conversion).
PLAIN_TYPES = {
    "CharField", "TextField", "EmailField", "SlugField", "IntegerField", "BigIntegerField",
    "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "PositiveBigIntegerField", "BooleanField",
}  # fmt: skip
INTEGER_KEYS = {"AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"}
MAX_PARAMS = {"sqlite": 30_000, "postgresql": 60_000}


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


def insert_rows(model: type[Model], objects: Sequence[Model], *, keys_given: bool = False) -> None:
    """Insert new ``objects`` with multi-row ``INSERT ... RETURNING`` statements and set their
    primary keys, as ``bulk_create`` does, without its per-value preparation (see
    :func:`insert_values`). With ``keys_given`` the objects carry their primary keys (a one-to-one
    key) and nothing is returned."""
    if not objects:
        return
    ids = insert_values(model, [instance.__dict__ for instance in objects], keys_given=keys_given)
    if keys_given:
        return
    alias = connections[DEFAULT_DB_ALIAS].alias
    for instance, new_id in zip(objects, ids, strict=True):
        instance.pk = new_id
        instance._state.adding = False
        instance._state.db = alias


def insert_values(
    model: type[Model], rows: Sequence[dict[str, Any]], *, keys_given: bool = False
) -> list[Any]:
    """Insert ``rows`` (values by attribute name; a missing one takes its field's default) and
    return the new primary keys in the rows' order (none with ``keys_given``, where the rows
    carry their keys). PostgreSQL gets one ``COPY`` with keys drawn from the table's sequence
    first; SQLite multi-row ``INSERT ... RETURNING`` statements. Values of plain fields (text,
    numbers, flags, integer foreign keys) go to the driver as they are, dates and times as
    Django's backend would store them, the others through their field's ``get_db_prep_save``;
    ``auto_now`` fields, and ``auto_now_add`` ones left empty, get one timestamp for the whole
    call; None is NULL except in JSON fields."""
    if not rows:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    pk = meta.pk
    postgres = connection.vendor == "postgresql"
    new_ids: list[Any] = []
    if postgres and not keys_given:
        new_ids = _draw_keys(connection, meta, len(rows))
        for values, new_id in zip(rows, new_ids, strict=True):
            values[pk.attname] = new_id
        keys_given = True
    fields = [f for f in meta.concrete_fields if keys_given or f is not pk]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if postgres:
            # Django's wrapper has no COPY; psycopg's own cursor has.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in _row_values(model, fields, rows, connection):
                    copy.write_row(row)
            return new_ids
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        chunk_size = max(1, MAX_PARAMS.get(connection.vendor, 999) // len(fields))
        for start in range(0, len(rows), chunk_size):
            chunk = rows[start : start + chunk_size]
            params: list[Any] = []
            for row in _row_values(model, fields, chunk, connection):
                params.extend(row)
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(chunk))}"  # noqa: S608
            if keys_given:
                cursor.execute(sql, params)
                continue
            cursor.execute(f"{sql} RETURNING {quote(pk.column)}", params)
            # Rows get ascending keys in the order of VALUES; RETURNING may list them in any order.
            new_ids.extend(sorted(row[0] for row in cursor.fetchall()))
    return new_ids


def _draw_keys(connection: Any, meta: Any, count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence (what an INSERT would take)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


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
