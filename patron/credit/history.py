"""Store credit movements on the customer's timeline, described in the reader's language."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.core import history
from patron.core.actors import Actor
from patron.customers.models import TimelineEntry


class CreditTimelineKind(models.TextChoices):
    STORE_CREDIT_CHANGED = "store_credit_changed", _("Store credit changed")


history.register_kinds(CreditTimelineKind)


def _describe(params: dict[str, Any]) -> str:
    from patron.core.locales import format_money
    from patron.credit.models import CreditAction

    return gettext("%(action)s: %(delta)s, balance %(balance)s") % {
        "action": CreditAction(params["action"]).label,
        "delta": format_money(Decimal(params["delta"]), params["currency"]),
        "balance": format_money(Decimal(params["balance"]), params["currency"]),
    }


history.register_describer(CreditTimelineKind.STORE_CREDIT_CHANGED, _describe)


def record_credit_changed(entry, actor: Actor) -> None:
    balance = entry.balance
    TimelineEntry.objects.create(
        customer_id=balance.customer_id, kind=CreditTimelineKind.STORE_CREDIT_CHANGED,
        note=entry.comment, **actor.as_fields(),
        params={
            "action": entry.action, "delta": str(entry.delta), "balance": str(entry.balance_after),
            "currency": balance.currency, "website_id": balance.website_id,
            "reference": entry.reference,
        },
    )  # fmt: skip
