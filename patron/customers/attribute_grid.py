"""The custom attributes in the customers grid (spec b §1 and §4): their columns, filters, sort
and cells, and keeping the rows' search words in step with the attribute definitions.

An attribute flagged Add to Column Options is an optional column; one flagged Use in Filter
Options has a filter in the Filters panel, whether or not it is a column. Both are named
``attr_<key>``, ``key`` being where the grid row keeps the value (``grid_key``: the code, or
``billing_<code>`` for an attribute of the default billing address). The filter depends on the
input type:

- text, text area, multiple line: the attribute's Grid Filter Condition Type, case-insensitive
  (Partial Match contains, Prefix Match starts with, Full Match equals; a multiple-line value
  matches when one of its lines does). The keyword search does not use it;
- date: ``attr_<key>__from`` / ``__to``, both days included;
- Yes/No and dropdown: one value (1 or 0, an option id);
- multiple select: the value holds the option.

Equality and ranges compare the expression the attribute's grid index is built on
(``attributes.grid_value_sql``), so dropdown, Yes/No and date filters can use that index. The
case-insensitive text matches and "holds an option" cannot use an index on the plain value.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections, transaction
from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.lookups import (
    Exact,
    GreaterThanOrEqual,
    IContains,
    IExact,
    IsNull,
    IStartsWith,
    LessThanOrEqual,
)
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django_tasks import task

from patron.core.actors import Actor
from patron.core.errors import InvalidInput
from patron.core.models import Job
from patron.core.progress import advance, finish_job, get_job, mark_running, start_job
from patron.customers import attributes, grid
from patron.customers.grid import ATTRIBUTE_PREFIX, GridColumn
from patron.customers.models import (
    AttributeEntity,
    CustomerAttribute,
    CustomerGridRow,
    GridFilterCondition,
    InputType,
)

# The filter each input type gets; files and images get none.
FILTER_KINDS = {
    InputType.TEXT: "text",
    InputType.TEXTAREA: "text",
    InputType.MULTILINE: "text",
    InputType.DATE: "date_range",
    InputType.BOOLEAN: "select",
    InputType.SELECT: "select",
    InputType.MULTISELECT: "contains",
}
TEXT_LOOKUPS = {
    GridFilterCondition.PARTIAL: IContains,
    GridFilterCondition.PREFIX: IStartsWith,
    GridFilterCondition.FULL: IExact,
}
LIKE_PATTERNS = {
    GridFilterCondition.PARTIAL: "%{}%",
    GridFilterCondition.PREFIX: "{}%",
    GridFilterCondition.FULL: "{}",
}
REFRESH_BATCH = 2000


# --- Columns ------------------------------------------------------------------------------------


def attribute_columns() -> dict[str, GridColumn]:
    """Return the grid columns of the staff-defined attributes flagged Add to Column Options
    or Use in Filter Options, by code: the customer's attributes, then the default billing
    address's, each in sort order (two queries: the attributes and their options)."""
    found = (
        CustomerAttribute.objects.filter(is_system=False)
        .filter(Q(in_grid=True) | Q(filterable_in_grid=True))
        .prefetch_related("options")
    )
    ordered = sorted(
        found, key=lambda a: (a.entity != AttributeEntity.CUSTOMER, a.sort_order, a.code)
    )
    columns = [column_of(attribute) for attribute in ordered]
    return {column.code: column for column in columns}


def column_of(attribute: CustomerAttribute) -> GridColumn:
    """The grid column of one attribute (``offered`` when it is a column option, with a
    ``filter`` when it is a filter option)."""
    key = attributes.grid_key(attribute)
    label = attributes.label_for(attribute)
    if attribute.entity == AttributeEntity.ADDRESS:
        label = _("Billing %(label)s") % {"label": label}
    kind = FILTER_KINDS.get(attribute.input_type) if attribute.filterable_in_grid else None
    return GridColumn(
        f"{ATTRIBUTE_PREFIX}{key}",
        label,
        "custom_attributes",
        False,
        kind,
        attribute=attribute,
        key=key,
        offered=attribute.in_grid,
    )


def cell(column: GridColumn, row: CustomerGridRow) -> Any:
    """The attribute's value in ``row`` as people read it (option labels, Yes/No, a file's
    name); a date stays a date for the caller to format."""
    value = (row.custom_attributes or {}).get(column.key)
    if column.attribute.input_type == InputType.DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return attributes.display_value(column.attribute, value)


def filter_choices(columns: Iterable[GridColumn]) -> dict[str, list[tuple[str, str]]]:
    """The options of the attributes' select and "holds an option" filters, as (value, label)
    by column code."""
    choices = {}
    for column in columns:
        if column.attribute is None or column.filter not in ("select", "contains"):
            continue
        if column.attribute.input_type == InputType.BOOLEAN:
            choices[column.code] = [("1", _("Yes")), ("0", _("No"))]
        else:
            choices[column.code] = [
                (str(option.pk), attributes.label_for(option))
                for option in column.attribute.options.all()
            ]
    return choices


# --- Filters and sort ---------------------------------------------------------------------------


def filter_rows(
    rows: QuerySet[CustomerGridRow], column: GridColumn, key: str, bound: str, value: Any
) -> QuerySet[CustomerGridRow]:
    """Return ``rows`` narrowed by the filter ``key`` of an attribute column; raise
    ``InvalidInput`` naming ``key`` for a value of the wrong kind or an unknown bound."""
    kind = column.filter
    if kind == "date_range" and bound not in ("from", "to"):
        raise InvalidInput(
            _("Filter %(name)s needs __from or __to.") % {"name": column.code},
            code="unknown_filter",
            field=key,
        )
    if bound and kind != "date_range":
        raise InvalidInput(
            _("Unknown filter %(name)s.") % {"name": key}, code="unknown_filter", field=key
        )
    attribute = column.attribute
    vendor = connections[rows.db].vendor
    value_sql = attributes.grid_value_sql(attribute)
    text = str(value).strip()
    if kind == "date_range":
        day = _day(text, key).isoformat()
        bounded = GreaterThanOrEqual if bound == "from" else LessThanOrEqual
        return rows.filter(bounded(value_sql, day))
    if kind == "select":
        chosen = _yes_no(text, key) if attribute.input_type == InputType.BOOLEAN else _id(text, key)
        return rows.filter(Exact(value_sql, _scalar(chosen, vendor)))
    if kind == "contains":
        return rows.filter(_holds_option(column.key, _id(text, key), vendor))
    condition = attribute.grid_filter_condition
    if attribute.input_type == InputType.MULTILINE:
        return rows.filter(_a_line_matches(column.key, text, condition, rows.db))
    return rows.filter(TEXT_LOOKUPS.get(condition, IContains)(value_sql, text))


def sort_expression(column: GridColumn, db: str):
    """What an attribute column sorts by: the value, or for a dropdown its option's label."""
    value_sql = attributes.grid_value_sql(column.attribute)
    if column.attribute.input_type != InputType.SELECT:
        return value_sql
    options = sorted(column.attribute.options.all(), key=lambda o: (o.label.lower(), o.pk))
    if not options:
        return value_sql
    vendor = connections[db].vendor
    return Case(
        *(
            When(Exact(value_sql, _scalar(option.pk, vendor)), then=Value(position))
            for position, option in enumerate(options)
        ),
        output_field=IntegerField(),
    )


def _scalar(value: bool | int, vendor: str) -> Value:
    """A JSON scalar as ``grid_value_sql`` gives it: text on PostgreSQL (``->>``: true, 12), the
    SQL value on SQLite (``json_extract``: 1, 12). Compared as such, the index serves it."""
    if vendor == "postgresql":
        return Value(json.dumps(value))
    return Value(int(value))


def _holds_option(key: str, option_id: int, vendor: str) -> RawSQL:
    # ``key`` matched the attribute code pattern (letters, digits, underscores); it is still
    # passed as a parameter.
    if vendor == "postgresql":
        return RawSQL(
            "(custom_attributes -> %s) @> %s::jsonb",
            (key, json.dumps([option_id])),
            output_field=BooleanField(),
        )
    return RawSQL(
        "EXISTS (SELECT 1 FROM json_each(custom_attributes, %s) AS item WHERE item.value = %s)",
        (f"$.{key}", option_id),
        output_field=BooleanField(),
    )


def _a_line_matches(key: str, text: str, condition: str, db: str) -> RawSQL:
    connection = connections[db]
    pattern = LIKE_PATTERNS.get(condition, "%{}%").format(connection.ops.prep_for_like_query(text))
    if connection.vendor == "postgresql":
        return RawSQL(
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN"
            " jsonb_typeof(custom_attributes -> %s) = 'array' THEN custom_attributes -> %s END)"
            " AS line(value) WHERE line.value ILIKE %s)",
            (key, key, pattern),
            output_field=BooleanField(),
        )
    return RawSQL(
        "EXISTS (SELECT 1 FROM json_each(custom_attributes, %s) AS line"
        " WHERE line.value LIKE %s ESCAPE '\\')",
        (f"$.{key}", pattern),
        output_field=BooleanField(),
    )


def _day(text: str, key: str) -> dt.date:
    try:
        day = parse_date(text)
    except ValueError:  # well formed but impossible, such as 2026-02-30
        day = None
    if day is None:
        raise InvalidInput(_("Enter a date as YYYY-MM-DD."), code="invalid_date", field=key)
    return day


def _yes_no(text: str, key: str) -> bool:
    answer = text.lower()
    if answer in ("1", "true", "yes"):
        return True
    if answer in ("0", "false", "no"):
        return False
    raise InvalidInput(_("Choose Yes or No."), code="invalid_value", field=key)


def _id(text: str, key: str) -> int:
    # An option removed since (a saved view's filter) matches nothing rather than failing.
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(_("Choose one of the options."), code="invalid_value", field=key)
    return int(text)


# --- Keeping search words in step --------------------------------------------------------------


def refresh_attribute_rows(
    *,
    entity: str,
    code: str,
    batch_size: int = REFRESH_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rewrite, in batches of ``batch_size`` (each its own transaction), the grid rows that
    hold a value of the attribute ``entity``/``code``, so their search words follow its Use in
    Search Options; return how many rows were written.

    The rows are found by the grid's own copy of the value, so this also works after the
    attribute and its values were deleted (the rows then lose the copy and the words)."""
    holding = rows_holding(entity=entity, code=code)
    written = 0
    last_id = 0
    while True:
        ids = list(
            holding.filter(customer_id__gt=last_id)
            .order_by("customer_id")
            .values_list("customer_id", flat=True)[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            grid.refresh_rows(ids)
        written += len(ids)
        last_id = ids[-1]
        if progress is not None:
            progress(written)
    return written


def rows_holding(*, entity: str, code: str) -> QuerySet[CustomerGridRow]:
    """The grid rows holding a value of the attribute ``entity``/``code`` (which need not exist
    any more). When the attribute is filterable, its grid index serves this."""
    value_sql = attributes.grid_value_sql(CustomerAttribute(entity=entity, code=code))
    return CustomerGridRow.objects.filter(IsNull(value_sql, False))


@task()
def refresh_attribute_rows_task(*, job_id: str, entity: str, code: str) -> dict:
    """Run :func:`refresh_attribute_rows`, reporting progress on its job after each batch."""
    job = get_job(job_id)
    mark_running(job, total=rows_holding(entity=entity, code=code).count())
    reported = 0

    def report(written: int) -> None:
        nonlocal reported
        advance(job, by=written - reported)
        reported = written

    rows = refresh_attribute_rows(entity=entity, code=code, progress=report)
    finish_job(job, result={"done": rows})
    return {"done": rows}


def start_attribute_rows_refresh(*, attribute: CustomerAttribute, actor: Actor) -> Job:
    """Queue :func:`refresh_attribute_rows` for ``attribute`` once the current transaction
    commits, and return the job that reports its progress. Call it when Use in Search Options
    changes, or after deleting an attribute whose rows were not rewritten."""
    job = start_job(
        kind="customers.attribute_grid_refresh",
        label=_("Update the customers grid for attribute %(code)s") % {"code": attribute.code},
        actor=actor,
    )
    arguments = {"job_id": str(job.pk), "entity": attribute.entity, "code": attribute.code}
    transaction.on_commit(lambda: refresh_attribute_rows_task.enqueue(**arguments))
    return job
