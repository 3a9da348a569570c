"""The operator vocabularies of segment conditions (spec c §4.1) and how each compares values
in SQL. Codes are what the condition tree stores; labels are what staff read."""

import datetime as dt
import re
from decimal import Decimal

from django.db.models import BooleanField, DecimalField, Q, Value
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils.translation import gettext_lazy as _

LABELS = {
    "is": _("is"),
    "is_not": _("is not"),
    "contains": _("contains"),
    "does_not_contain": _("does not contain"),
    "gte": _("equals or greater than"),
    "gt": _("greater than"),
    "lte": _("equals or less than"),
    "lt": _("less than"),
    "is_one_of": _("is one of"),
    "is_not_one_of": _("is not one of"),
}

NUMBER = ("is", "is_not", "gte", "gt", "lte", "lt")
TEXT = ("is", "is_not", "contains", "does_not_contain")
SELECT = ("is", "is_not")
DATE = ("is", "gte", "lte")
MULTISELECT = ("is", "is_not", "contains", "does_not_contain")
# Product attributes that are lists (multiselect, category) also take lists of values.
CHOICE_LIST = ("is", "is_not", "is_one_of", "is_not_one_of")

# Operators that hold when the positive test fails (a missing value satisfies them).
NEGATIVE = frozenset({"is_not", "does_not_contain", "is_not_one_of"})

TRUE = Q(Value(True, output_field=BooleanField()))
FALSE = Q(Value(False, output_field=BooleanField()))

_NUMBER_LOOKUPS = {
    "is": Exact,
    "gte": GreaterThanOrEqual,
    "gt": GreaterThan,
    "lte": LessThanOrEqual,
    "lt": LessThan,
}


def decimal_value(value: Decimal):
    """``value`` as a SQL number: SQLite binds a Decimal as text, which never equals a number
    that has no column affinity (an aggregate), so it is cast explicitly."""
    return Cast(Value(str(value)), DecimalField(max_digits=30, decimal_places=4))


def compare_number(lhs, operator: str, value: Decimal) -> Q:
    """``lhs <operator> value`` for an expression that is never NULL (coalesced)."""
    if operator == "is_not":
        return ~Q(Exact(lhs, decimal_value(value)))
    return Q(_NUMBER_LOOKUPS[operator](lhs, decimal_value(value)))


def compare_field_number(path: str, operator: str, value) -> Q:
    """``path <operator> value`` on a model field; Django keeps negations two-valued."""
    if operator == "is_not":
        return ~Q(**{path: value})
    lookup = "" if operator == "is" else f"__{operator}"
    return Q(**{f"{path}{lookup}": value})


def compare_text(path: str, operator: str, value: str) -> Q:
    """Case-insensitive text comparison, as the guide's MySQL collation compares."""
    if operator in ("is", "is_not"):
        positive = Q(**{f"{path}__iexact": value})
    else:
        positive = Q(**{f"{path}__icontains": value})
    return ~positive if operator in NEGATIVE else positive


def json_list_pattern(value) -> str:
    """A regular expression that finds the JSON scalar ``value`` as an element of a JSON array
    written as text, whatever spacing the database writes between elements."""
    import json

    element = re.escape(json.dumps(value))
    return rf"(^|[\[,])\s*{element}\s*([,\]]|$)"


def day_start(day: dt.date, tz) -> dt.datetime:
    """Midnight at the start of ``day`` in the website's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def compare_moment(path: str, operator: str, day: dt.date, tz) -> Q:
    """Date operators on a date-time column: ``is`` is the whole calendar day in the website's
    time zone, ``gte`` from its first moment, ``lte`` up to its last."""
    start, end = day_start(day, tz), day_start(day + dt.timedelta(days=1), tz)
    if operator == "is":
        return Q(**{f"{path}__gte": start, f"{path}__lt": end})
    if operator == "gte":
        return Q(**{f"{path}__gte": start})
    return Q(**{f"{path}__lt": end})


def up_to_date(path: str, operator: str, days: int, today: dt.date, tz) -> Q:
    """The phrase "Period <op> N Days Up To Date" (spec c §4.6): the number of calendar days between the
    event and today, in the website's time zone, compared with N."""

    def start_of(days_ago: int) -> dt.datetime:
        return day_start(today - dt.timedelta(days=days_ago), tz)

    # The period is exactly N days for events in [start_of(N), start_of(N - 1)).
    if operator == "lte":
        return Q(**{f"{path}__gte": start_of(days)})
    if operator == "lt":
        return Q(**{f"{path}__gte": start_of(days - 1)})
    if operator == "gte":
        return Q(**{f"{path}__lt": start_of(days - 1)})
    if operator == "gt":
        return Q(**{f"{path}__lt": start_of(days)})
    exact = Q(**{f"{path}__gte": start_of(days), f"{path}__lt": start_of(days - 1)})
    return exact if operator == "is" else ~exact


def date_range(path: str, operator: str, first: dt.date, last: dt.date, tz) -> Q:
    """The phrase "Date Range is within first...last": from 00:00 of the first day to the end of the last."""
    within = Q(
        **{
            f"{path}__gte": day_start(first, tz),
            f"{path}__lt": day_start(last + dt.timedelta(days=1), tz),
        }
    )
    return within if operator == "is" else ~within
