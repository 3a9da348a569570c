"""Order statuses: the list a shop may report, configurable because shops add their own.

The setting holds one status a line, ``code`` or ``code = Label``; Magento's statuses are known
by code and shown with a translated label, a shop's own ones with the label it configures.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from patron.scopes.config import get_config

ORDER_STATUSES = "sales/order_statuses/list"
KNOWN_STATUSES = {
    "pending": _("Pending"),
    "pending_payment": _("Pending Payment"),
    "payment_review": _("Payment Review"),
    "processing": _("Processing"),
    "holded": _("On Hold"),
    "complete": _("Complete"),
    "closed": _("Closed"),
    "canceled": _("Canceled"),
    "fraud": _("Suspected Fraud"),
}
DEFAULT_LIST = "\n".join(KNOWN_STATUSES)
_LINE = re.compile(r"^(?P<code>[a-z][a-z0-9_]{0,31})\s*(?:=\s*(?P<label>\S.*))?$")


def parse_status_list(text: str) -> dict[str, str]:
    """The statuses of the setting's text, in order: code → label. Raises ``ValidationError``
    naming the first line that is not ``code`` or ``code = Label``."""
    statuses: dict[str, str] = {}
    for number, line in enumerate(str(text).splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValidationError(
                _(
                    "Line %(line)d: write a status code (lower-case letters, digits and _, up "
                    "to 32 characters), optionally followed by = and its label."
                ),
                params={"line": number},
                code="invalid_status_line",
            )
        code = match["code"]
        statuses[code] = match["label"] or str(KNOWN_STATUSES.get(code, code))
    if not statuses:
        raise ValidationError(_("List at least one order status."), code="required")
    return statuses


def order_statuses() -> dict[str, str]:
    return parse_status_list(get_config(ORDER_STATUSES) or DEFAULT_LIST)


def status_label(code: str) -> str:
    """The label of a status for people: the translated one for Magento's statuses, else the
    configured label, else the code itself (a status since removed from the list)."""
    if code in KNOWN_STATUSES:
        return str(KNOWN_STATUSES[code])
    return order_statuses().get(code, code)


def validate_status_list(text: str) -> None:
    parse_status_list(text)
