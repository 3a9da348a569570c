"""The customers grid index: one ``CustomerGridRow`` per customer, rewritten by the services in
the same transaction as the change it reflects, and rebuilt in batches for repair.

The row copies the default billing address (phone, ZIP, country, region, city, street, company,
fax, VAT) as Magento's grid does, plus a one-line billing and shipping address.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.errors import InvalidInput, Problem
from patron.customers.models import Address, Customer, CustomerGridRow

REBUILD_BATCH = 2000


def _one_line(address: Address | None) -> str:
    if address is None:
        return ""
    parts = [
        ", ".join(address.street),
        address.city,
        address.region,
        address.postcode,
        address.country_id,
    ]
    return ", ".join(part for part in parts if part)


def build_row(customer: Customer, searchable: Iterable[Any] = ()) -> CustomerGridRow:
    """Return the unsaved grid row of ``customer`` (plain fields only, so the migration that
    first fills the table can use it with historical models). ``searchable`` are the custom
    attributes whose values the keyword search finds."""
    return CustomerGridRow(
        **row_values(customer, customer.default_billing, customer.default_shipping, searchable)
    )


def row_values(
    customer: Customer,
    billing: Address | None,
    shipping: Address | None,
    searchable: Iterable[Any] = (),
) -> dict[str, Any]:
    """The grid row of ``customer`` with these default addresses, by attribute name: what
    :func:`build_row` stores, for callers that insert many rows without building models."""
    values = {
        "customer_id": customer.pk,
        "website_id": customer.website_id,
        "group_id": customer.group_id,
        "created_in_id": customer.created_in_id,
        "name": " ".join(part for part in (customer.firstname, customer.lastname) if part),
        "email": customer.email,
        "dob": customer.dob,
        "taxvat": customer.taxvat,
        "gender": customer.gender,
        "is_active": customer.is_active,
        "confirmed": not customer.confirmation_required or customer.confirmed_at is not None,
        "lock_expires_at": customer.lock_expires_at,
        "created_at": customer.created_at,
        "billing_full": _one_line(billing),
        "shipping_full": _one_line(shipping),
    }
    if billing is not None:
        values.update(
            telephone=billing.telephone,
            postcode=billing.postcode,
            country_id=billing.country_id,
            region=billing.region,
            city=billing.city,
            street=", ".join(billing.street),
            company=billing.company,
            fax=billing.fax,
            vat_id=billing.vat_id,
            billing_firstname=billing.firstname,
            billing_lastname=billing.lastname,
        )
    words = [
        customer.firstname, customer.lastname, customer.email, customer.taxvat,
        customer.number or "",
    ]  # fmt: skip
    if billing is not None:
        words += [
            values["telephone"], values["postcode"], values["city"], values["region"],
            values["street"], values["company"], values["vat_id"],
        ]  # fmt: skip
    values["custom_attributes"] = grid_attribute_values(customer, billing)
    words.extend(_searchable_words(customer, billing, searchable))
    values["search_text"] = " ".join(word for word in words if word).lower()
    return values


BILLING_PREFIX = "billing_"


def grid_attribute_values(customer: Customer, billing: Address | None) -> dict[str, Any]:
    """The custom attribute values the grid shows: the customer's by code, the default billing
    address's as ``billing_<code>``."""
    values = dict(customer.custom_attributes or {})
    if billing is not None:
        values.update(
            {f"{BILLING_PREFIX}{k}": v for k, v in (billing.custom_attributes or {}).items()}
        )
    return values


def _searchable_words(customer, billing, searchable) -> list[str]:
    from patron.customers.attributes import display_value

    words = []
    for attribute in searchable:
        owner = customer if attribute.entity == "customer" else billing
        value = (getattr(owner, "custom_attributes", None) or {}).get(attribute.code)
        if value is not None:
            words.append(display_value(attribute, value))
    return words


def _searchable_attributes() -> list[Any]:
    from patron.customers.models import CustomerAttribute

    return list(
        CustomerAttribute.objects.filter(is_system=False, searchable_in_grid=True).prefetch_related(
            "options"
        )
    )


def _customers(ids: Iterable[int]):
    return Customer.objects.filter(pk__in=list(ids)).select_related(
        "default_billing", "default_shipping"
    )


def refresh_rows(customer_ids: Iterable[int]) -> None:
    """Rewrite the grid rows of these customers (deleted customers lose theirs by cascade)."""
    searchable = _searchable_attributes()
    rows = [build_row(customer, searchable) for customer in _customers(customer_ids)]
    if not rows:
        return
    fields = [f.name for f in CustomerGridRow._meta.concrete_fields if not f.primary_key]
    CustomerGridRow.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["customer"], update_fields=fields
    )


def rebuild(*, batch_size: int = REBUILD_BATCH, progress=None) -> int:
    """Rebuild every row in batches of ``batch_size`` (each its own transaction) and remove
    rows of customers that no longer exist; return how many rows were written."""
    written = 0
    last_id = 0
    while True:
        ids = list(
            Customer.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            refresh_rows(ids)
        written += len(ids)
        last_id = ids[-1]
        if progress is not None:
            progress(written)
    CustomerGridRow.objects.exclude(customer__in=Customer.objects.all()).delete()
    return written


# --- Reading --------------------------------------------------------------------------------------

COUNT_CAP = 10_000


@dataclass(frozen=True)
class GridColumn:
    """A column of the customers grid: ``filter`` is text, select, date_range, number_range,
    contains (a multiple select holding an option) or None; ``default`` says whether it is shown
    before the staff member changes the columns.

    A custom attribute's column (``attr_<key>``, see patron.customers.attribute_grid) also
    carries the attribute, its ``key`` in the row's ``custom_attributes`` and whether it is
    ``offered`` in the column chooser (Add to Column Options) or is only a filter."""

    code: str
    label: Any
    field: str
    default: bool
    filter: str | None = "text"
    attribute: Any = None
    key: str = ""
    offered: bool = True

    @property
    def condition(self) -> str:
        """How a text filter matches: partial, prefix or full (built-in columns: partial)."""
        if self.attribute is None:
            return "partial"
        return self.attribute.grid_filter_condition


COLUMNS: tuple[GridColumn, ...] = (
    GridColumn("id", gettext_lazy("ID"), "customer_id", True, "number_range"),
    GridColumn("name", gettext_lazy("Name"), "name", True),
    GridColumn("email", gettext_lazy("Email"), "email", True),
    GridColumn("group", gettext_lazy("Group"), "group_id", True, "select"),
    GridColumn("telephone", gettext_lazy("Phone"), "telephone", True),
    GridColumn("postcode", gettext_lazy("ZIP"), "postcode", True),
    GridColumn("country", gettext_lazy("Country"), "country_id", True, "select"),
    GridColumn("region", gettext_lazy("State/Province"), "region", True),
    GridColumn("created_at", gettext_lazy("Customer Since"), "created_at", True, "date_range"),
    GridColumn("website", gettext_lazy("Web Site"), "website_id", True, "select"),
    GridColumn("confirmed", gettext_lazy("Confirmed Email"), "confirmed", True, "select"),
    GridColumn("created_in", gettext_lazy("Account Created In"), "created_in_id", True, "select"),
    GridColumn("dob", gettext_lazy("Date of Birth"), "dob", True, "date_range"),
    GridColumn("taxvat", gettext_lazy("Tax VAT Number"), "taxvat", True),
    GridColumn("gender", gettext_lazy("Gender"), "gender", True, "select"),
    GridColumn("company", gettext_lazy("Company"), "company", False),
    GridColumn("street", gettext_lazy("Street Address"), "street", False),
    GridColumn("city", gettext_lazy("City"), "city", False),
    GridColumn("fax", gettext_lazy("Fax"), "fax", False),
    GridColumn("billing_firstname", gettext_lazy("Billing Firstname"), "billing_firstname", False),
    GridColumn("billing_lastname", gettext_lazy("Billing Lastname"), "billing_lastname", False),
    GridColumn("billing_full", gettext_lazy("Billing Address"), "billing_full", False),
    GridColumn("shipping_full", gettext_lazy("Shipping Address"), "shipping_full", False),
    GridColumn("vat_id", gettext_lazy("VAT Number"), "vat_id", False),
    GridColumn("lock", gettext_lazy("Account Lock"), "lock_expires_at", False, "select"),
    GridColumn("status", gettext_lazy("Status"), "is_active", False, "select"),
)
COLUMNS_BY_CODE = {column.code: column for column in COLUMNS}
ATTRIBUTE_PREFIX = "attr_"


class ColumnSet:
    """The grid's columns by code: the built-in ones, then those of the custom attributes.

    The attributes' columns are read from the database once, and only when a code asks for one
    (or :meth:`load` is used), so a state holding the built-in columns alone needs no query.
    Read one set per request and pass it on, so the page reads the definitions once."""

    def __init__(self, attribute_columns: Mapping[str, GridColumn] | None = None):
        self._attribute_columns = attribute_columns

    @classmethod
    def load(cls) -> "ColumnSet":
        from patron.customers.attribute_grid import attribute_columns

        return cls(attribute_columns())

    @property
    def attribute_columns(self) -> Mapping[str, GridColumn]:
        if self._attribute_columns is None:
            from patron.customers.attribute_grid import attribute_columns

            self._attribute_columns = attribute_columns()
        return self._attribute_columns

    def get(self, code: str) -> GridColumn | None:
        if code.startswith(ATTRIBUTE_PREFIX):
            return self.attribute_columns.get(code)
        return COLUMNS_BY_CODE.get(code)

    def offered(self) -> list[GridColumn]:
        """The columns of the column chooser, in their default order."""
        return [*COLUMNS, *(c for c in self.attribute_columns.values() if c.offered)]

    def filters(self) -> list[GridColumn]:
        """The columns that have a filter, in the Filters panel's order."""
        return [c for c in (*COLUMNS, *self.attribute_columns.values()) if c.filter]

    def is_offered(self, code: str) -> bool:
        column = self.get(code)
        return column is not None and column.offered

    def filter_column(self, key: str) -> tuple[GridColumn | None, str]:
        """The column a filter key is for, and its bound (``from``, ``to`` or "")."""
        if key.startswith(ATTRIBUTE_PREFIX):
            # Attribute codes may hold "__" themselves, so the bound is the last part.
            column = self.get(key)
            if column is not None:
                return column, ""
            code, _sep, bound = key.rpartition("__")
            return (self.get(code) if code else None), bound
        code, _sep, bound = key.partition("__")
        return COLUMNS_BY_CODE.get(code), bound


def _vanished(code: str, column: GridColumn | None, *, as_filter: bool = False) -> bool:
    """Whether ``code`` names an attribute that is gone from the grid (deleted, or no longer
    offered as a column or filter): saved views and bookmarks then drop it without an error."""
    if not code.startswith(ATTRIBUTE_PREFIX):
        return False
    if as_filter:
        return column is None or column.filter is None
    return column is None or not column.offered


def search_grid(
    *,
    website_ids: list[int] | None = None,
    keyword: str = "",
    filters: Mapping[str, Any] | None = None,
    sort: str = "id",
    descending: bool = False,
    column_set: ColumnSet | None = None,
) -> QuerySet[CustomerGridRow]:
    """Return the grid rows visible to the caller matching the keyword and per-column filters,
    sorted by one column (ties broken by id). Text filters match a part of the value (custom
    attributes: their Grid Filter Condition Type); ``*_from``/``*_to`` bound date and number
    columns; select filters match exactly. Raises ``InvalidInput`` naming an unknown sort or
    filter column."""
    from patron.core.db import read_alias

    column_set = column_set or ColumnSet()
    rows = CustomerGridRow.objects.using(read_alias())
    if website_ids is not None:
        rows = rows.filter(website_id__in=website_ids)
    for word in keyword.lower().split():
        # search_text is stored lower-case and trigram-indexed as it is (migration 0008), so a
        # plain LIKE on the lower-cased word uses the index without UPPER() on every row.
        rows = rows.filter(search_text__contains=word)
    rows = _apply_filters(rows, filters or {}, column_set)
    column = column_set.get(sort)
    if column is None or not column.offered:
        raise InvalidInput(
            _("Unknown sort column %(column)s.") % {"column": sort},
            code="unknown_column",
            field="sort",
        )
    if column.code == "id" and any(
        key.startswith("created_at__") and value not in (None, "")
        for key, value in (filters or {}).items()
    ):
        # Ids follow sign-up time, which the planner cannot know: to find a Customer Since
        # range in id order it walks the primary key from the oldest customer and may read
        # most of the table (0.6 s for one recent month of a million customers). An expression
        # the key index cannot serve makes it read the date range first and sort only that.
        key = F("customer_id") + 0
        return rows.order_by(key.desc() if descending else key.asc())
    if column.attribute is not None:
        from patron.customers.attribute_grid import sort_expression

        expression = sort_expression(column, rows.db)
        tie = F("customer_id")
        if descending:
            return rows.order_by(expression.desc(), tie.desc())
        return rows.order_by(expression.asc(), tie.asc())
    prefix = "-" if descending else ""
    return rows.order_by(f"{prefix}{column.field}", f"{prefix}customer_id")


def _apply_filters(
    rows: QuerySet[CustomerGridRow], filters: Mapping[str, Any], column_set: ColumnSet
) -> QuerySet[CustomerGridRow]:
    for key, value in filters.items():
        if value in (None, ""):
            continue
        column, bound = column_set.filter_column(key)
        if column is not None and column.attribute is not None and column.filter:
            from patron.customers.attribute_grid import filter_rows

            rows = filter_rows(rows, column, key, bound, value)
            continue
        code = key.partition("__")[0]
        ranged = column is not None and column.filter in ("date_range", "number_range")
        if column is None or column.filter is None or (bound and not ranged):
            raise InvalidInput(
                _("Unknown filter %(name)s.") % {"name": key}, code="unknown_filter", field=key
            )
        if column.filter in ("date_range", "number_range"):
            if bound not in ("from", "to"):
                raise InvalidInput(
                    _("Filter %(name)s needs __from or __to.") % {"name": code},
                    code="unknown_filter",
                    field=key,
                )
            rows = _range(rows, column, bound, value)
        elif column.code == "lock":
            now = timezone.now()
            rows = (
                rows.filter(lock_expires_at__gt=now)
                if _truthy(value)
                else rows.exclude(lock_expires_at__gt=now)
            )
        elif column.filter == "select":
            rows = rows.filter(
                **{
                    column.field: _truthy(value)
                    if column.field in ("confirmed", "is_active")
                    else _clean(column, key, value)
                }
            )
        elif column.code == "email":
            # Emails are stored lower-case; see the keyword search above.
            rows = rows.filter(email__contains=str(value).strip().lower())
        else:
            rows = rows.filter(**{f"{column.field}__icontains": str(value).strip()})
    return rows


def _range(
    rows: QuerySet[CustomerGridRow], column: GridColumn, bound: str, value: Any
) -> QuerySet[CustomerGridRow]:
    if column.code == "created_at":
        try:
            day = value if isinstance(value, dt.date) else parse_date(str(value))
        except ValueError:  # well formed but impossible, such as 2026-02-30
            day = None
        if day is None:
            raise InvalidInput(
                _("Enter a date as YYYY-MM-DD."),
                code="invalid_date",
                field=f"{column.code}__{bound}",
            )
        # A date bound covers the whole day in the active time zone.
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        if bound == "from":
            return rows.filter(created_at__gte=start)
        return rows.filter(created_at__lt=start + dt.timedelta(days=1))
    value = _clean(column, f"{column.code}__{bound}", value)
    return rows.filter(**{f"{column.field}__{'gte' if bound == 'from' else 'lte'}": value})


def _clean(column: GridColumn, key: str, value: Any) -> Any:
    """Return ``value`` as the column's type; raise ``InvalidInput`` (``invalid_value``) when
    it is not one, rather than letting the database layer fail with a server error."""
    try:
        return CustomerGridRow._meta.get_field(column.field).to_python(value)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="invalid_value", field=key) from None


def _truthy(value: Any) -> bool:
    # Besides flags, accept the words the grid shows: Yes/No, Locked/Unlocked, Active/Inactive.
    return str(value).strip().lower() in ("1", "true", "yes", "on", "locked", "active")


def page_of(rows: QuerySet[CustomerGridRow], page: int, page_size: int) -> list[CustomerGridRow]:
    """Return one page of ``rows``: the page's ids first, then only those rows.

    Skipping to a deep page then reads index entries rather than whole rows (page 5,000 by
    Customer Since: 29 ms instead of 91 ms at a million customers, docs/performance.md)."""
    offset = (page - 1) * page_size
    ids = list(rows.values_list("customer_id", flat=True)[offset : offset + page_size])
    found = CustomerGridRow.objects.using(rows.db).in_bulk(ids)
    return [found[customer_id] for customer_id in ids if customer_id in found]


def capped_count(rows: QuerySet[CustomerGridRow], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """Return (count, whether it was capped): counting stops after ``cap`` rows, so a page
    view never pays for a full count of a million matches."""
    # Without order_by() the ORDER BY stays in the counting subquery (it is sliced), making the
    # database sort every match before counting; the count does not depend on the order.
    count = rows.order_by()[: cap + 1].count()
    return min(count, cap), count > cap


@dataclass(frozen=True)
class Lookups:
    """The names the grid shows instead of ids and codes, read once per page or export."""

    groups: dict[int, str]
    websites: dict[int, str]
    views: dict[int, str]
    genders: dict[int, str]
    now: dt.datetime

    @classmethod
    def load(cls) -> "Lookups":
        from patron.customers.models import CustomerGroup, Gender
        from patron.scopes.models import StoreView, Website

        return cls(
            groups=dict(CustomerGroup.objects.values_list("pk", "code")),
            websites=dict(Website.objects.values_list("pk", "name")),
            views=dict(StoreView.objects.values_list("pk", "name")),
            genders={value: str(label) for value, label in Gender.choices},
            now=timezone.now(),
        )


def cell_value(column: GridColumn, row: CustomerGridRow, lookups: Lookups) -> Any:
    """The value of ``column`` in ``row`` as the grid shows it: names for ids, words for flags,
    option labels; dates stay dates for the caller to format."""
    if column.attribute is not None:
        from patron.customers.attribute_grid import cell

        return cell(column, row)
    value = getattr(row, column.field)
    if column.code == "group":
        return lookups.groups.get(value, value)
    if column.code == "website":
        return lookups.websites.get(value, value)
    if column.code == "created_in":
        return lookups.views.get(value, "")
    if column.code == "gender":
        return lookups.genders.get(value, "")
    if column.code == "confirmed":
        return _("Yes") if value else _("No")
    if column.code == "status":
        return _("Active") if value else _("Inactive")
    if column.code == "lock":
        return _("Locked") if value and value > lookups.now else _("Unlocked")
    return value


def export_rows(
    rows: QuerySet[CustomerGridRow], columns: Iterable[GridColumn] = COLUMNS
) -> Iterable[list[Any]]:
    """Yield each row's values of ``columns``, with groups, websites, store views, genders and
    flags written as the grid shows them rather than as ids."""
    lookups = Lookups.load()
    columns = list(columns)
    for row in rows.iterator(chunk_size=2000):
        yield [cell_value(column, row, lookups) for column in columns]


# --- Grid state: columns, keyword, filters, sort and page size ------------------------------------

PAGE_SIZES = (20, 30, 50, 100, 200)
DEFAULT_COLUMNS = tuple(column.code for column in COLUMNS if column.default)
STATE_PARAMETERS = ("columns", "keyword", "sort", "direction", "page_size")


def default_state() -> dict[str, Any]:
    return {
        "columns": list(DEFAULT_COLUMNS),
        "keyword": "",
        "filters": {},
        "sort": "id",
        "direction": "asc",
        "page_size": PAGE_SIZES[0],
    }


def clean_state(raw: Mapping[str, Any], column_set: ColumnSet | None = None) -> dict[str, Any]:
    """Return a complete, valid grid state from ``raw`` (a saved view or a request's values),
    raising ``InvalidInput`` that names each unknown column, filter, sort or page size.

    Custom attribute columns, filters and sort that are gone (the attribute deleted, or no
    longer offered as a column or filter) are dropped without an error, so saved views and
    bookmarks keep working; with no column left the default columns are shown."""
    column_set = column_set or ColumnSet()
    state = default_state()
    problems = []
    columns = raw.get("columns")
    if columns:
        if isinstance(columns, str):
            columns = [code for code in columns.split(",") if code]
        columns = [code for code in columns if not _vanished(code, column_set.get(code))]
        unknown = [code for code in columns if not column_set.is_offered(code)]
        if unknown:
            problems.append(
                Problem(
                    "unknown_column",
                    _("Unknown column %(column)s.") % {"column": ", ".join(unknown)},
                    field="columns",
                )
            )
        kept = list(dict.fromkeys(code for code in columns if column_set.is_offered(code)))
        state["columns"] = kept or state["columns"]
    state["keyword"] = str(raw.get("keyword") or "").strip()[:200].strip()
    filters = {
        k: str(v).strip()
        for k, v in (raw.get("filters") or {}).items()
        if str(v).strip() and not _vanished(k, column_set.filter_column(k)[0], as_filter=True)
    }
    for key, value in filters.items():
        try:
            _apply_filters(CustomerGridRow.objects.none(), {key: value}, column_set)
        except InvalidInput as error:
            problems.append(Problem(error.code, str(error.message), field=error.field))
    state["filters"] = filters
    sort = raw.get("sort") or "id"
    if _vanished(sort, column_set.get(sort)):
        sort = "id"
    if not column_set.is_offered(sort):
        problems.append(
            Problem(
                "unknown_column",
                _("Unknown sort column %(column)s.") % {"column": sort},
                field="sort",
            )
        )
    else:
        state["sort"] = sort
    state["direction"] = "desc" if raw.get("direction") == "desc" else "asc"
    try:
        given = raw.get("page_size")
        page_size = PAGE_SIZES[0] if given is None or given == "" else int(given)
    except (TypeError, ValueError):
        page_size = 0
    if page_size not in PAGE_SIZES:
        problems.append(
            Problem(
                "invalid_page_size",
                _("Show %(sizes)s rows a page.") % {"sizes": ", ".join(map(str, PAGE_SIZES))},
                field="page_size",
            )
        )
    else:
        state["page_size"] = page_size
    if problems:
        raise InvalidInput.from_problems(problems)
    return state


def state_from_query(
    query: Mapping[str, Any], column_set: ColumnSet | None = None
) -> dict[str, Any]:
    """Read a grid state from query parameters: the state's own names, and each filter as
    ``f_<filter>`` (``f_group=1``, ``f_created_at__from=2026-01-01``)."""
    raw: dict[str, Any] = {name: query.get(name) for name in STATE_PARAMETERS}
    if hasattr(query, "getlist") and len(query.getlist("columns")) > 1:
        raw["columns"] = query.getlist("columns")  # the column chooser's ticked boxes, in order
    raw["filters"] = {
        key[2:]: value for key, value in query.items() if key.startswith("f_") and value
    }
    return clean_state(raw, column_set)


def query_from_state(state: Mapping[str, Any]) -> dict[str, str]:
    """The query parameters that :func:`state_from_query` reads back as ``state``."""
    query = {
        "columns": ",".join(state["columns"]),
        "keyword": state["keyword"],
        "sort": state["sort"],
        "direction": state["direction"],
        "page_size": str(state["page_size"]),
    }
    query |= {f"f_{key}": value for key, value in state["filters"].items()}
    return {key: value for key, value in query.items() if value}


def search_state(
    state: Mapping[str, Any],
    *,
    website_ids: list[int] | None,
    column_set: ColumnSet | None = None,
):
    """The rows a grid state shows, for the staff member's websites."""
    return search_grid(
        website_ids=website_ids,
        keyword=state["keyword"],
        filters=state["filters"],
        sort=state["sort"],
        descending=state["direction"] == "desc",
        column_set=column_set,
    )


def export_chunks(
    rows: QuerySet[CustomerGridRow],
    file_format: str,
    *,
    columns: list[str] | None = None,
    column_set: ColumnSet | None = None,
):
    """Return (chunks, content type, file name) streaming ``rows`` as CSV or Excel XML with
    ``columns`` (codes, in order; by default every column, with the custom attributes offered
    as columns); raise ``InvalidInput`` for another format or an unknown column."""
    from patron.core.writers import EXPORT_FORMATS, csv_chunks, excel_xml_chunks

    if file_format not in EXPORT_FORMATS:
        raise InvalidInput(_("format must be csv or xml."), code="invalid_format", field="format")
    column_set = column_set or ColumnSet()
    if columns:
        unknown = [code for code in columns if not column_set.is_offered(code)]
        if unknown:
            raise InvalidInput(
                _("Unknown column %(column)s.") % {"column": ", ".join(unknown)},
                code="unknown_column",
                field="columns",
            )
        chosen = [column_set.get(code) for code in columns]
    else:
        chosen = column_set.offered()
    header = [str(column.label) for column in chosen]
    values = export_rows(rows, chosen)
    chunks = (
        csv_chunks(header, values, byte_order_mark=True)
        if file_format == "csv"
        else excel_xml_chunks(header, values, sheet_name=str(_("Customers")))
    )
    content_type, extension = EXPORT_FORMATS[file_format]
    return chunks, content_type, f"customers.{extension}"
