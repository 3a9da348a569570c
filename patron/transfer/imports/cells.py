"""Reading one cell of a Magento file: dates as Magento writes them (``m/d/Y H:i``) or ISO,
flags, genders by label or id, groups by id or name.

Each reader returns the value or raises :class:`CellError` with a code and a message; the
caller turns it into a problem of the row and column.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from patron.customers.models import Gender

MAGENTO_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y")
MAGENTO_DATETIME_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%y %H:%M")
# Magento's own gender labels, whatever the language of the staff member importing.
GENDER_LABELS = {
    "male": Gender.MALE,
    "female": Gender.FEMALE,
    "not specified": Gender.NOT_SPECIFIED,
}


class CellError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def read_date(text: str) -> dt.date:
    """``m/d/Y`` (Magento) or ``Y-m-d`` (ISO); a time part is ignored."""
    value = text.strip()
    if "/" in value:
        day_part = value.split(" ", 1)[0]
        for pattern in MAGENTO_DATE_FORMATS:
            try:
                return dt.datetime.strptime(day_part, pattern).date()
            except ValueError:
                continue
    else:
        try:
            found = parse_date(value[:10])
        except ValueError:  # well formed but impossible, such as 2026-02-30
            found = None
        if found is not None and (len(value) == 10 or value[10] in " T"):
            return found
    raise CellError(
        "invalid_date", _("%(value)s is not a date (use m/d/Y or YYYY-MM-DD).") % {"value": text}
    )


def read_datetime(text: str) -> dt.datetime:
    """``m/d/Y H:i`` (Magento) or ISO 8601; a time without a zone is read as UTC, which is how
    Magento stores and exports it."""
    value = text.strip()
    moment = None
    if "/" in value:
        for pattern in MAGENTO_DATETIME_FORMATS:
            try:
                moment = dt.datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = dt.datetime.combine(read_date(value), dt.time.min)
            except CellError:
                moment = None
    else:
        try:
            moment = parse_datetime(value)
            if moment is None and len(value) == 10:
                day = parse_date(value)
                moment = dt.datetime.combine(day, dt.time.min) if day else None
        except ValueError:
            moment = None
    if moment is None:
        raise CellError(
            "invalid_datetime",
            _("%(value)s is not a date and time (use m/d/Y H:i or ISO 8601).") % {"value": text},
        )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def read_flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "yes", "true"):
        return True
    if value in ("0", "no", "false"):
        return False
    raise CellError("invalid_flag", _("%(value)s is not 0 or 1.") % {"value": text})


def read_gender(text: str) -> int:
    """A gender by Magento's label (Male, Female, Not Specified), Patron's label in the active
    language, or id (1, 2, 3)."""
    value = text.strip().casefold()
    if value in GENDER_LABELS:
        return GENDER_LABELS[value]
    for number, label in Gender.choices:
        if value in (str(number), str(label).casefold()):
            return number
    raise CellError(
        "invalid_gender",
        _("%(value)s is not a gender (Male, Female, Not Specified or 1, 2, 3).") % {"value": text},
    )


def read_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise CellError("invalid_amount", _("%(value)s is not an amount.") % {"value": text})
    return amount


def read_int(text: str) -> int:
    value = text.strip()
    if value.isascii() and value.lstrip("-").isdigit():
        return int(value)
    raise CellError("invalid_number", _("%(value)s is not a whole number.") % {"value": text})
