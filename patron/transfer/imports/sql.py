"""Set-based writes the ORM has no fast form for: setting a few columns of many rows, each to
its own values, in one ``UPDATE ... FROM (VALUES ...)`` statement per chunk (PostgreSQL, and
SQLite from 3.33). Django's ``bulk_update`` writes one ``CASE`` per column instead, which
grows with the square of the batch on SQLite."""

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
