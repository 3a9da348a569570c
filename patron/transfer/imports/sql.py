"""Set-based writes the ORM has no fast form for: setting a few columns of many rows, each to
its own values, in one ``UPDATE ... FROM (VALUES ...)`` statement per chunk (PostgreSQL, and
SQLite from 3.33). Django's ``bulk_update`` writes one ``CASE`` per column instead, which
grows with the square of the batch on SQLite. And multi-row inserts (:func:`insert_rows`)
without ``bulk_create``'s per-value preparation, which costs more than the statement itself."""

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model

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
    assignments = ", ".join(f"{column} = v.{column}" for column in columns[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            values = ", ".join([marks] * len(chunk))
            params = [
                field.get_db_prep_save(value, connection)
                for row in chunk
                for field, value in zip(fields, row, strict=True)
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


def insert_rows(model: type[Model], objects: Sequence[Model], *, keys_given: bool = False) -> None:
    """Insert new ``objects`` with multi-row ``INSERT ... RETURNING`` statements and set their
    primary keys, as ``bulk_create`` does, without its per-value preparation: values of plain
    fields (text, numbers, flags, integer foreign keys) go to the driver as they are, the others
    through their field's ``get_db_prep_save``; ``auto_now``/``auto_now_add`` are stamped by the
    fields' own ``pre_save``; None is NULL except in JSON fields. With ``keys_given`` the
    objects carry their primary keys (a one-to-one key) and nothing is returned."""
    if not objects:
        return
    meta = model._meta
    pk = meta.pk
    fields = [f for f in meta.concrete_fields if keys_given or f is not pk]
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    converters = [None if _is_plain(f) else f for f in fields]
    attnames = [f.attname for f in fields]
    # None is NULL for every field but a JSON one (which may store JSON's null).
    nullable = {f for f in fields if f.get_internal_type() == "JSONField"}
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    chunk_size = max(1, MAX_PARAMS.get(connection.vendor, 999) // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), chunk_size):
            chunk = objects[start : start + chunk_size]
            params: list[Any] = []
            for instance in chunk:
                for field in stamped:
                    field.pre_save(instance, True)
                values = instance.__dict__
                for attname, converter in zip(attnames, converters, strict=True):
                    value = values.get(attname)
                    if converter is not None and (value is not None or converter in nullable):
                        value = converter.get_db_prep_save(value, connection)
                    params.append(value)
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(chunk))}"  # noqa: S608
            if keys_given:
                cursor.execute(sql, params)
                continue
            cursor.execute(f"{sql} RETURNING {quote(pk.column)}", params)
            # Rows get ascending keys in the order of VALUES; RETURNING may list them in any order.
            ids = sorted(row[0] for row in cursor.fetchall())
            for instance, new_id in zip(chunk, ids, strict=True):
                instance.pk = new_id
                instance._state.adding = False
                instance._state.db = connection.alias
