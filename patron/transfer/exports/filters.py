"""Export filters: conditions ``{"code", "operator", "value"}`` on any customer attribute (the
model's own fields and the staff-defined ones), and on the addresses' own attributes as
``address.<code>`` for the addresses export.

The grid's filters (patron.customers.grid) work on grid rows, which hold only the attributes
flagged for the grid and one operator per attribute; Magento's export filters any attribute, so
exports compile their conditions against the customer and address tables themselves.
Every condition narrows the set (they are ANDed).
"""

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.errors import InvalidInput
from patron.customers.models import AttributeEntity, CustomerAttribute, Gender, InputType

ADDRESS_PREFIX = "address."

OPERATORS = {
    "eq": gettext_lazy("equals"),
    "neq": gettext_lazy("does not equal"),
    "contains": gettext_lazy("contains"),
    "starts_with": gettext_lazy("starts with"),
    "gte": gettext_lazy("is at least (from)"),
    "lte": gettext_lazy("is at most (to)"),
    "gt": gettext_lazy("is greater than"),
    "lt": gettext_lazy("is less than"),
    "in": gettext_lazy("is one of (comma-separated)"),
    "empty": gettext_lazy("is empty"),
    "not_empty": gettext_lazy("is not empty"),
}
TEXT_OPERATORS = ("eq", "neq", "contains", "starts_with", "in", "empty", "not_empty")
ORDERED_OPERATORS = ("eq", "neq", "gte", "lte", "gt", "lt", "in", "empty", "not_empty")
CHOICE_OPERATORS = ("eq", "neq", "in", "empty", "not_empty")
FLAG_OPERATORS = ("eq", "neq")


@dataclass(frozen=True)
class FilterField:
    """A filterable attribute: ``kind`` is text, date, datetime, number, flag, website, store,
    group, gender, option (a dropdown) or options (a multiple select)."""

    code: str
    label: Any
    kind: str
    lookup: str  # the ORM path from the queryset's model
    attribute: CustomerAttribute | None = None

    @property
    def operators(self) -> tuple[str, ...]:
        if self.kind == "text":
            return TEXT_OPERATORS
        if self.kind in ("date", "datetime", "number"):
            return ORDERED_OPERATORS
        if self.kind == "flag":
            return FLAG_OPERATORS
        if self.kind == "options":
            return ("contains", "empty", "not_empty")
        return CHOICE_OPERATORS


_CUSTOMER_FIELDS = (
    ("website", gettext_lazy("Web Site"), "website", "website_id"),
    ("store", gettext_lazy("Account Created In"), "store", "created_in_id"),
    ("group", gettext_lazy("Group"), "group", "group_id"),
    ("created_at", gettext_lazy("Customer Since"), "datetime", "created_at"),
    ("updated_at", gettext_lazy("Updated At"), "datetime", "updated_at"),
    ("email", gettext_lazy("Email"), "text", "email"),
    ("prefix", gettext_lazy("Name Prefix"), "text", "prefix"),
    ("firstname", gettext_lazy("First Name"), "text", "firstname"),
    ("middlename", gettext_lazy("Middle Name/Initial"), "text", "middlename"),
    ("lastname", gettext_lazy("Last Name"), "text", "lastname"),
    ("suffix", gettext_lazy("Name Suffix"), "text", "suffix"),
    ("dob", gettext_lazy("Date of Birth"), "date", "dob"),
    ("gender", gettext_lazy("Gender"), "gender", "gender"),
    ("taxvat", gettext_lazy("Tax/VAT Number"), "text", "taxvat"),
    ("is_active", gettext_lazy("Active"), "flag", "is_active"),
    ("disable_auto_group_change", gettext_lazy("Disable Automatic Group Change"), "flag",
     "disable_auto_group_change"),
)  # fmt: skip
_ADDRESS_FIELDS = (
    ("country_id", gettext_lazy("Country"), "text", "country_id"),
    ("region", gettext_lazy("State/Province"), "text", "region"),
    ("city", gettext_lazy("City"), "text", "city"),
    ("postcode", gettext_lazy("Zip/Postal Code"), "text", "postcode"),
    ("company", gettext_lazy("Company"), "text", "company"),
    ("telephone", gettext_lazy("Phone Number"), "text", "telephone"),
    ("firstname", gettext_lazy("First Name"), "text", "firstname"),
    ("lastname", gettext_lazy("Last Name"), "text", "lastname"),
    ("vat_id", gettext_lazy("VAT Number"), "text", "vat_id"),
)
_ATTRIBUTE_KINDS = {
    InputType.TEXT: "text",
    InputType.TEXTAREA: "text",
    InputType.DATE: "date",
    InputType.BOOLEAN: "flag",
    InputType.SELECT: "option",
    InputType.MULTISELECT: "options",
}


def filter_fields(entity: str) -> dict[str, FilterField]:
    """The attributes an export of ``entity`` can be filtered by, by code: the customer's own
    fields and staff-defined attributes (for every entity, applied to the customer), then for
    addresses the address's as ``address.<code>``."""
    owner = "" if entity == "customer" else "customer__"
    fields = {
        code: FilterField(code, label, kind, owner + lookup)
        for code, label, kind, lookup in _CUSTOMER_FIELDS
    }
    definitions = CustomerAttribute.objects.filter(is_system=False).prefetch_related("options")
    by_entity: dict[str, list[CustomerAttribute]] = {}
    for attribute in definitions.order_by("sort_order", "code"):
        if attribute.input_type in _ATTRIBUTE_KINDS:
            by_entity.setdefault(attribute.entity, []).append(attribute)
    for attribute in by_entity.get(AttributeEntity.CUSTOMER, []):
        fields.setdefault(attribute.code, _attribute_field(attribute, attribute.code, owner))
    if entity == "customer_address":
        for code, label, kind, lookup in _ADDRESS_FIELDS:
            fields[ADDRESS_PREFIX + code] = FilterField(ADDRESS_PREFIX + code, label, kind, lookup)
        for attribute in by_entity.get(AttributeEntity.ADDRESS, []):
            code = ADDRESS_PREFIX + attribute.code
            fields.setdefault(code, _attribute_field(attribute, code, ""))
    return fields


def _attribute_field(attribute: CustomerAttribute, code: str, owner: str) -> FilterField:
    from patron.customers.attributes import label_for

    kind = _ATTRIBUTE_KINDS[attribute.input_type]
    lookup = f"{owner}custom_attributes__{attribute.code}"
    return FilterField(code, label_for(attribute), kind, lookup, attribute=attribute)


def clean_conditions(entity: str, conditions: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Return the conditions as plain dicts after checking each against ``entity``'s fields;
    raise ``InvalidInput`` naming the first bad one (``filters[<n>]``)."""
    fields = filter_fields(entity)
    cleaned = []
    for number, condition in enumerate(conditions):
        where = f"filters[{number}]"
        code = str(condition.get("code") or "").strip()
        operator = str(condition.get("operator") or "eq").strip()
        value = condition.get("value")
        value = "" if value is None else str(value).strip()
        field = fields.get(code)
        if field is None:
            raise InvalidInput(
                _("Unknown attribute %(code)s.") % {"code": code},
                code="unknown_filter",
                field=where,
            )
        if operator not in field.operators:
            raise InvalidInput(
                _("The operator %(operator)s does not apply to %(code)s.")
                % {"operator": operator, "code": code},
                code="invalid_operator",
                field=where,
            )
        if operator not in ("empty", "not_empty"):
            if value == "":
                raise InvalidInput(
                    _("Enter a value for %(code)s.") % {"code": code}, code="required", field=where
                )
            for part in _parts(operator, value):
                _value(field, part, where)  # raises on a value of the wrong kind
        cleaned.append({"code": code, "operator": operator, "value": value})
    return cleaned


def apply_conditions(queryset: QuerySet, entity: str, conditions: Iterable[Mapping[str, Any]]):
    """Return ``queryset`` narrowed by the (cleaned) conditions."""
    conditions = list(conditions)
    if not conditions:
        return queryset
    fields = filter_fields(entity)
    vendor = connections[queryset.db].vendor
    for condition in conditions:
        field = fields[condition["code"]]
        where = condition["code"]
        queryset = queryset.filter(
            _q(field, condition["operator"], condition["value"], where, vendor)
        )
    return queryset


def _parts(operator: str, value: str) -> list[str]:
    if operator == "in":
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def _q(field: FilterField, operator: str, value: str, where: str, vendor: str) -> Q:
    lookup = field.lookup
    if operator in ("empty", "not_empty"):
        empty = Q(**{f"{lookup}__isnull": True})
        if field.kind == "text" or field.attribute is not None:
            empty |= Q(**{lookup: ""})
        return empty if operator == "empty" else ~empty
    if operator == "in":
        parts = [_value(field, part, where) for part in _parts(operator, value)]
        return Q(**{f"{lookup}__in": parts})
    if field.kind == "options":
        on_address = field.code.startswith(ADDRESS_PREFIX)
        table = "customers_address" if on_address else "customers_customer"
        return Q(_holds_option(table, field.attribute.code, _value(field, value, where), vendor))
    cleaned = _value(field, value, where)
    if field.kind == "datetime" and isinstance(cleaned, dt.date):
        return _day_q(lookup, operator, cleaned)
    if operator == "contains":
        return Q(**{f"{lookup}__icontains": cleaned})
    if operator == "starts_with":
        return Q(**{f"{lookup}__istartswith": cleaned})
    # The model's own text fields compare without regard to case, as the grid's filters do.
    same = f"{lookup}__iexact" if field.kind == "text" and field.attribute is None else lookup
    if operator == "neq":
        return ~Q(**{same: cleaned}) | Q(**{f"{lookup}__isnull": True})
    if operator == "eq":
        return Q(**{same: cleaned})
    suffix = f"__{operator}"
    return Q(**{f"{lookup}{suffix}": cleaned})


def _day_q(lookup: str, operator: str, day: dt.date) -> Q:
    """A date given for a date-and-time attribute covers the whole day (active time zone)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    return {
        "eq": Q(**{f"{lookup}__gte": start, f"{lookup}__lt": end}),
        "neq": ~Q(**{f"{lookup}__gte": start, f"{lookup}__lt": end}),
        "gte": Q(**{f"{lookup}__gte": start}),
        "gt": Q(**{f"{lookup}__gte": end}),
        "lte": Q(**{f"{lookup}__lt": end}),
        "lt": Q(**{f"{lookup}__lt": start}),
    }[operator]


def _value(field: FilterField, text: str, where: str) -> Any:
    """``text`` as the attribute's stored value; raise ``InvalidInput`` when it is not one."""
    kind = field.kind
    if kind == "text":
        return text
    if kind == "website":
        return _scope_id("scopes.Website", text, where)
    if kind == "store":
        return _scope_id("scopes.StoreView", text, where)
    if kind == "group":
        from patron.customers.models import CustomerGroup

        found = CustomerGroup.objects.filter(_code_or_id(text, "code__iexact")).first()
        if found is None:
            raise InvalidInput(
                _("There is no customer group %(group)s.") % {"group": text},
                code="invalid_value",
                field=where,
            )
        return found.pk
    if kind == "gender":
        for number, label in Gender.choices:
            if text.lower() in (str(number), str(label).lower(), Gender(number).label.lower()):
                return number
        raise InvalidInput(_("Choose a gender."), code="invalid_value", field=where)
    if kind == "flag":
        answer = text.lower()
        if answer in ("1", "true", "yes"):
            return True
        if answer in ("0", "false", "no"):
            return False
        raise InvalidInput(_("Choose Yes or No."), code="invalid_value", field=where)
    if kind == "number":
        try:
            return int(text)
        except ValueError:
            raise InvalidInput(_("Enter a number."), code="invalid_value", field=where) from None
    if kind in ("option", "options"):
        for option in field.attribute.options.all():
            if text == str(option.pk) or text.lower() == option.label.lower():
                return option.pk
        raise InvalidInput(_("Choose one of the options."), code="invalid_value", field=where)
    moment = _when(kind, text, where)
    if field.attribute is not None:
        # Staff-defined date attributes hold ISO text, which sorts like the dates it names.
        return moment.isoformat()
    return moment


def _when(kind: str, text: str, where: str) -> Any:
    try:
        moment = parse_datetime(text) if kind == "datetime" and len(text) > 10 else None
        day = None if moment else parse_date(text)
    except ValueError:  # well formed but impossible, such as 2026-02-30
        moment = day = None
    if moment is not None:
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    if day is None:
        raise InvalidInput(_("Enter a date as YYYY-MM-DD."), code="invalid_date", field=where)
    return day


def _scope_id(model: str, text: str, where: str) -> int:
    from django.apps import apps

    found = (
        apps.get_model(model)
        .objects.filter(_code_or_id(text, "code"))
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise InvalidInput(
            _("There is no website or store view %(code)s.") % {"code": text},
            code="invalid_value",
            field=where,
        )
    return found


def _code_or_id(text: str, code_lookup: str) -> Q:
    found = Q(**{code_lookup: text})
    if text.isascii() and text.isdigit():
        found |= Q(pk=int(text))
    return found


def _holds_option(table: str, key: str, option_id: int, vendor: str) -> RawSQL:
    """Whether a multiple-select value (a JSON list of option ids) holds ``option_id``. Only
    the fixed table name is written into the SQL; the key and the id are parameters."""
    column = f"{table}.custom_attributes"
    if vendor == "postgresql":
        sql = f"({column} -> %s) @> %s::jsonb"
        return RawSQL(sql, (key, json.dumps([option_id])), output_field=BooleanField())  # noqa: S611
    sql = f"EXISTS (SELECT 1 FROM json_each({column}, %s) AS item WHERE item.value = %s)"  # noqa: S608
    return RawSQL(sql, (f"$.{key}", option_id), output_field=BooleanField())  # noqa: S611
