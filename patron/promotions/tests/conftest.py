"""What the cart price rule tests share: builders for condition-tree nodes (the JSON a rule
stores), ``make_rule`` (through ``save_rule``), ``evaluate`` (through ``evaluate_cart``), the
catalogue and the orders the shop records (through the sales services)."""

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest

from patron.core.actors import SYSTEM
from patron.promotions import services
from patron.sales import services as sales
from patron.sales.models import Category

GUEST, GENERAL, WHOLESALE, RETAILER = 0, 1, 2, 3  # the groups of a fresh installation
ALL_GROUPS = [GUEST, GENERAL, WHOLESALE, RETAILER]
REGISTERED = [GENERAL, WHOLESALE, RETAILER]
SEGMENTS_ENABLED = "customer/segments/enabled"

# --- Condition-tree nodes -----------------------------------------------------------------------


def tree(*conditions: dict, aggregator: str = "all", value: bool = True) -> dict:
    """ "If ALL|ANY of these conditions are TRUE|FALSE": a root, or nested."""
    return {
        "type": "cart_rule.combine",
        "aggregator": aggregator,
        "value": value,
        "conditions": [*conditions],
    }


def cart_attribute(attribute: str, operator: str, value: Any) -> dict:
    return {
        "type": "cart_rule.cart_attribute",
        "attribute": attribute,
        "operator": operator,
        "value": value,
    }


def found(*conditions: dict, value: bool = True, aggregator: str = "all") -> dict:
    """ "If an item is FOUND|NOT FOUND in the cart with ALL|ANY of these conditions true"."""
    return {
        "type": "cart_rule.product_found",
        "value": value,
        "aggregator": aggregator,
        "conditions": [*conditions],
    }


def subselect(
    attribute: str, operator: str, value: Any, *conditions: dict, aggregator: str = "all"
) -> dict:
    """ "If total quantity|amount <operator> <value> for a subselection of items matching…"."""
    return {
        "type": "cart_rule.product_subselect",
        "attribute": attribute,
        "operator": operator,
        "value": str(value),
        "aggregator": aggregator,
        "conditions": [*conditions],
    }


def item_attribute(attribute: str, operator: str, value: Any) -> dict:
    return {
        "type": "cart_rule.item_attribute",
        "attribute": attribute,
        "operator": operator,
        "value": str(value),
    }


def product_attribute(attribute: str, operator: str, value: Any) -> dict:
    return {
        "type": "cart_rule.product_attribute",
        "attribute": attribute,
        "operator": operator,
        "value": value,
    }


def customer_segment(operator: str, ids) -> dict:
    return {"type": "cart_rule.customer_segment", "operator": operator, "value": ids}


# --- Rules and carts ----------------------------------------------------------------------------

_names = itertools.count(1)


@pytest.fixture
def make_rule(website_a):
    """Create a rule through ``save_rule``: every group, the default website, 10 % off every
    item, unless the fields say otherwise."""

    def make(**fields: Any):
        fields.setdefault("name", f"Rule {next(_names)}")
        fields.setdefault("websites", [website_a])
        fields.setdefault("customer_groups", ALL_GROUPS)
        fields.setdefault("discount_amount", "10")
        return services.save_rule(actor=SYSTEM, **fields)

    return make


def line(sku: str, qty: Any = 1, price: Any | None = None) -> dict:
    """A cart item as the checkout sends it (no price: the catalogue's)."""
    item = {"sku": sku, "qty": Decimal(str(qty))}
    if price is not None:
        item["price"] = Decimal(str(price))
    return item


def evaluate(store_view, items, **cart: Any):
    """The evaluation of a cart on ``store_view`` (see ``services.evaluate_cart``)."""
    evaluation, _cart, _coupon, _explained = services.evaluate_cart(
        store_view=store_view, items=items, **cart
    )
    return evaluation


def applied_ids(evaluation) -> list[int]:
    return [applied.rule.pk for applied in evaluation.applied]


def discounts(evaluation) -> list[Decimal]:
    """The discount of each line, in cart order."""
    return [result.discount for result in evaluation.lines]


# --- Catalogue and orders -----------------------------------------------------------------------


def make_category(code: str, parent: Category | None = None) -> Category:
    return Category.objects.create(code=code, name=code.title(), parent=parent)


def make_product(sku: str, *, price: Any = "10.00", categories=None, **fields: Any):
    """Create a product through ``save_product`` (``categories``: category codes)."""
    if categories is not None:
        fields["categories"] = list(categories)
    return sales.save_product(
        sku=sku, name=sku.title(), price=Decimal(str(price)), actor=SYSTEM, **fields
    )


_numbers = itertools.count(500001)


def record_order(
    store_view,
    customer=None,
    *,
    number: str | None = None,
    coupon_code: str = "",
    applied_rule_ids=(),
    status: str = "processing",
    placed_at: dt.datetime | None = None,
    sku: str = "MUG",
):
    """Record an order through ``record_order`` (a product ``sku`` must exist); the caller runs
    the handlers queued after commit."""
    order, _result = sales.record_order(
        store_view=store_view,
        number=number or str(next(_numbers)),
        items=[{"sku": sku, "qty": Decimal(1), "price": Decimal("10")}],
        actor=SYSTEM,
        customer_id=customer.pk if customer else None,
        customer_email=customer.email if customer else "guest@example.com",
        status=status,
        currency="USD",
        subtotal=Decimal("10"),
        grand_total=Decimal("10"),
        coupon_code=coupon_code,
        applied_rule_ids=list(applied_rule_ids),
        placed_at=placed_at or dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC),
    )
    return order


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what the services queue after commit (event handlers), as production does once the
    transaction commits: ``with on_commit(): ...``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def mug(db):
    return make_product("MUG", price="10.00")


# --- Segments -----------------------------------------------------------------------------------


@pytest.fixture
def make_segment(website_a):
    """Create a segment through ``create_segment`` (default website, no conditions unless
    given); its stored members are computed only by ``refresh_segment``."""
    from patron.segments import services as segments

    def make(conditions: dict | None = None, **fields: Any):
        fields.setdefault("name", "Segment")
        fields.setdefault("websites", [website_a])
        return segments.create_segment(actor=SYSTEM, conditions=conditions, **fields)

    return make
