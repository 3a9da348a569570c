"""What the segments tests share: ``make_segment``, builders for condition-tree nodes (plain
functions returning the JSON a segment stores) and the commerce facts recorded through the sales
services. Other test modules may import the builders from here; keep their signatures stable."""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from patron.core.actors import SYSTEM
from patron.sales import services as sales
from patron.segments import services
from patron.segments.models import SegmentMembership

# --- Condition-tree nodes -----------------------------------------------------------------------


def combine(*conditions: dict, aggregator: str = "all", value: bool = True) -> dict:
    """A conditions combination, "If ALL|ANY of these conditions are TRUE|FALSE": the root of
    every tree, or nested."""
    return {
        "type": "combine",
        "aggregator": aggregator,
        "value": value,
        "conditions": [*conditions],
    }


def customer_attribute(attribute: str, operator: str, value: Any) -> dict:
    return {
        "type": "customer_attribute",
        "attribute": attribute,
        "operator": operator,
        "value": value,
    }


def default_address_exists(address: str = "billing", value: bool = True) -> dict:
    """The condition "Customer Default Billing|Shipping Address exists|does not exist"."""
    return {"type": "customer_default_address", "address": address, "value": value}


def newsletter(subscribed: bool = True) -> dict:
    return {"type": "newsletter", "value": subscribed}


def store_credit(operator: str, value: Any) -> dict:
    return {"type": "store_credit", "operator": operator, "value": str(value)}


def customer_address(*conditions: dict, aggregator: str = "all") -> dict:
    return {"type": "customer_address", "aggregator": aggregator, "conditions": [*conditions]}


def address_attribute(attribute: str, operator: str, value: Any) -> dict:
    return {
        "type": "address_attribute",
        "attribute": attribute,
        "operator": operator,
        "value": value,
    }


def default_address(value: str = "billing", operator: str = "is") -> dict:
    """The condition "Customer Address is|is not Default Billing|Shipping Address"; only inside
    a Customer Address."""
    return {"type": "default_address", "operator": operator, "value": value}


def address_has_region(value: bool = True) -> dict:
    return {"type": "address_has_region", "value": value}


def cart_total(operator: str, value: Any, field: str = "subtotal") -> dict:
    return {"type": "cart_total", "field": field, "operator": operator, "value": str(value)}


def cart_line_items(operator: str, value: Any) -> dict:
    return {"type": "cart_line_items", "operator": operator, "value": str(value)}


def cart_qty(operator: str, value: Any) -> dict:
    return {"type": "cart_qty", "operator": operator, "value": str(value)}


def product_list(
    *conditions: dict, operator: str = "found", source: str = "cart", aggregator: str = "all"
) -> dict:
    return {
        "type": "product_list",
        "operator": operator,
        "source": source,
        "aggregator": aggregator,
        "conditions": [*conditions],
    }


def product_history(
    *conditions: dict, operator: str = "was", source: str = "viewed", aggregator: str = "all"
) -> dict:
    return {
        "type": "product_history",
        "operator": operator,
        "source": source,
        "aggregator": aggregator,
        "conditions": [*conditions],
    }


def product_attribute(attribute: str, operator: str, value: Any) -> dict:
    return {
        "type": "product_attribute",
        "attribute": attribute,
        "operator": operator,
        "value": value,
    }


def up_to_date(operator: str, days: int) -> dict:
    """The condition "Period <operator> <days> Days Up To Date"."""
    return {"type": "up_to_date", "operator": operator, "value": days}


def date_range(first: str, last: str, operator: str = "is") -> dict:
    """The condition "Date Range is|is not within first...last" (dates as YYYY-MM-DD)."""
    return {"type": "date_range", "operator": operator, "value": [first, last]}


def order_address(*conditions: dict, aggregator: str = "all") -> dict:
    return {"type": "order_address", "aggregator": aggregator, "conditions": [*conditions]}


def order_address_type(value: str, operator: str = "is") -> dict:
    return {"type": "order_address_type", "operator": operator, "value": value}


def order_address_attribute(attribute: str, operator: str, value: Any) -> dict:
    return {
        "type": "order_address_attribute",
        "attribute": attribute,
        "operator": operator,
        "value": value,
    }


def order_status(value: str, operator: str = "is") -> dict:
    return {"type": "order_status", "operator": operator, "value": value}


def _order_aggregate(code: str):
    """A builder of the order aggregate ``code``: "[Total|Average] <Name> <operator> <value>
    while ALL|ANY of these Conditions match", the order filters as children."""

    def build(
        operator: str,
        value: Any,
        *conditions: dict,
        function: str = "total",
        aggregator: str = "all",
    ) -> dict:
        return {
            "type": code,
            "function": function,
            "operator": operator,
            "value": str(value),
            "aggregator": aggregator,
            "conditions": [*conditions],
        }

    build.__name__ = code
    return build


sales_amount = _order_aggregate("sales_amount")
number_of_orders = _order_aggregate("number_of_orders")
purchased_qty = _order_aggregate("purchased_qty")


# --- Segments -----------------------------------------------------------------------------------


@pytest.fixture
def make_segment(website_a):
    """Create a segment through ``create_segment``: ``make_segment(tree, **fields)``, on the
    default website unless ``websites`` is given. Its members are not computed (the refresh
    queued after commit does not run in a test's transaction): call ``refresh_segment``."""

    def make(conditions: dict | None = None, **fields: Any):
        fields.setdefault("name", "Segment")
        fields.setdefault("websites", [website_a])
        return services.create_segment(actor=SYSTEM, conditions=conditions, **fields)

    return make


def member_ids(segment, website=None) -> set[int]:
    """The ids of the segment's current stored members (on ``website`` if given)."""
    rows = SegmentMembership.objects.filter(segment=segment, left_at__isnull=True)
    if website is not None:
        rows = rows.filter(website=website)
    return set(rows.values_list("customer_id", flat=True))


def refreshed_members(segment, *, now: dt.datetime | None = None) -> set[int]:
    """Refresh ``segment`` (as of ``now``) and return the ids of its stored members."""
    services.refresh_segment(segment=segment, now=now)
    return member_ids(segment)


# --- Commerce facts -----------------------------------------------------------------------------

_numbers = itertools.count(100001)


def make_product(sku: str, *, price: Any = "10.00", categories=None, **fields: Any):
    """Create a product through ``save_product`` (``categories``: category codes)."""
    if categories is not None:
        fields["categories"] = list(categories)
    return sales.save_product(
        sku=sku, name=sku.title(), price=Decimal(str(price)), actor=SYSTEM, **fields
    )


def place_order(
    store_view,
    customer=None,
    *,
    grand_total: Any,
    placed_at: dt.datetime,
    status: str = "complete",
    items=None,
    number: str | None = None,
    **fields: Any,
):
    """Record an order through ``record_order``; ``items`` default to one MUG (a product of
    that SKU must exist). Returns the order."""
    items = items or [{"sku": "MUG", "qty": Decimal(1), "price": Decimal(str(grand_total))}]
    total = Decimal(str(grand_total))
    order, _result = sales.record_order(
        store_view=store_view,
        number=number or str(next(_numbers)),
        items=items,
        actor=SYSTEM,
        customer_id=customer.pk if customer else None,
        customer_email=customer.email if customer else "guest@example.com",
        status=status,
        currency="EUR",
        subtotal=total,
        grand_total=total,
        placed_at=placed_at,
        **fields,
    )
    return order


def set_cart(store_view, *, items, customer=None, visitor_id: str = "", subtotal: Any = None):
    """Replace a customer's or visitor's active cart through ``replace_cart``; the subtotal
    defaults to the items' qty x price."""
    if subtotal is None:
        subtotal = sum(
            (Decimal(str(i["qty"])) * Decimal(str(i["price"])) for i in items), Decimal(0)
        )
    return sales.replace_cart(
        store_view=store_view,
        items=items,
        actor=SYSTEM,
        customer_id=customer.pk if customer else None,
        visitor_id=visitor_id,
        currency="EUR",
        subtotal=Decimal(str(subtotal)),
        grand_total=Decimal(str(subtotal)),
    )


def view_product(store_view, *, sku: str, viewed_at: dt.datetime, customer=None, visitor_id=""):
    """Record a product view through ``record_product_view``."""
    view, _result = sales.record_product_view(
        store_view=store_view,
        external_id=f"view-{next(_numbers)}",
        sku=sku,
        viewed_at=viewed_at,
        actor=SYSTEM,
        customer_id=customer.pk if customer else None,
        visitor_id=visitor_id,
    )
    return view


def emails_tree(*emails: str) -> dict:
    """A condition tree matching exactly the customers with these emails."""
    return {
        "type": "combine", "aggregator": "any", "value": True,
        "conditions": [
            {"type": "customer_attribute", "attribute": "email", "operator": "is", "value": e}
            for e in emails
        ],
    }  # fmt: skip


def segment_of_emails(name: str, emails: list[str], websites, **fields):
    """A segment of exactly these customers, refreshed."""
    from patron.core.actors import SYSTEM
    from patron.segments import services

    segment = services.create_segment(
        name=name, websites=websites, conditions=emails_tree(*emails), actor=SYSTEM, **fields
    )
    services.refresh_segment(segment=segment)
    return segment
