"""The customer timeline's commerce entries: orders placed, their status changes and refunds,
dated when they happened on the shop (an imported order from last year sorts last year)."""

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.core import history
from patron.core.actors import Actor
from patron.customers.models import TimelineEntry


class SalesTimelineKind(models.TextChoices):
    ORDER_PLACED = "order_placed", _("Order placed")
    ORDER_STATUS_CHANGED = "order_status_changed", _("Order status changed")
    REFUND_RECORDED = "refund_recorded", _("Refund recorded")


history.register_kinds(SalesTimelineKind)


def _money(amount: str, currency: str) -> str:
    from patron.core.locales import format_money

    return format_money(Decimal(amount), currency)


def _status(code: str) -> str:
    from patron.sales.statuses import status_label

    return status_label(code)


def _describe_order_placed(params: dict[str, Any]) -> str:
    return gettext("Order #%(number)s, %(total)s, %(status)s") % {
        "number": params["number"],
        "total": _money(params["grand_total"], params["currency"]),
        "status": _status(params["status"]),
    }


def _describe_status_changed(params: dict[str, Any]) -> str:
    return gettext("Order #%(number)s: %(old)s → %(new)s") % {
        "number": params["number"],
        "old": _status(params["old"]),
        "new": _status(params["new"]),
    }


def _describe_refund(params: dict[str, Any]) -> str:
    return gettext("Refund #%(refund)s of order #%(number)s, %(total)s") % {
        "refund": params["refund"],
        "number": params["number"],
        "total": _money(params["grand_total"], params["currency"]),
    }


history.register_describer(SalesTimelineKind.ORDER_PLACED, _describe_order_placed)
history.register_describer(SalesTimelineKind.ORDER_STATUS_CHANGED, _describe_status_changed)
history.register_describer(SalesTimelineKind.REFUND_RECORDED, _describe_refund)


def record_order_placed(order, actor: Actor) -> None:
    TimelineEntry.objects.create(
        customer_id=order.customer_id, kind=SalesTimelineKind.ORDER_PLACED,
        occurred_at=order.placed_at, **actor.as_fields(),
        params={
            "order_id": order.pk, "number": order.number, "status": order.status,
            "grand_total": str(order.grand_total), "currency": order.currency,
        },
    )  # fmt: skip


def record_status_changed(order, old: str, actor: Actor) -> None:
    TimelineEntry.objects.create(
        customer_id=order.customer_id, kind=SalesTimelineKind.ORDER_STATUS_CHANGED,
        **actor.as_fields(),
        params={"order_id": order.pk, "number": order.number, "old": old, "new": order.status},
    )  # fmt: skip


def record_refund(refund, actor: Actor) -> None:
    order = refund.order
    TimelineEntry.objects.create(
        customer_id=order.customer_id, kind=SalesTimelineKind.REFUND_RECORDED,
        occurred_at=refund.refunded_at, **actor.as_fields(),
        params={
            "order_id": order.pk, "number": order.number, "refund": refund.number,
            "grand_total": str(refund.grand_total), "currency": refund.currency,
        },
    )  # fmt: skip
