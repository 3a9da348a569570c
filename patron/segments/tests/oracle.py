"""A second, deliberately plain implementation of segment conditions: a Python evaluator over
in-memory facts, used only by the differential test (``test_differential.py``) as the oracle the
SQL engine must agree with.

It is written from spec c §4.1–4.6 and the semantic decisions listed below, not from the SQL
compiler, so a slip in one is not copied into the other:

- A combination with no children holds, whatever ALL/ANY and TRUE/FALSE say. ALL + FALSE holds
  when every child is false, ANY + FALSE when some child is false.
- Customer Address with no children: the customer has an address. Product List / History with no
  children: some item exists. Order aggregates with no children count every order.
- Registered-only conditions are false for a visitor (both polarities: "not subscribed" too).
- Text compares case-insensitively (ASCII); "is" on text is equality ignoring case. A missing
  value satisfies only the negative operators (is not, does not contain, is not one of).
  Multiple-line values (the street) match "is" on a whole line and "contains" inside a line.
- Multiselect "is" / "contains": the option is among the values.
- Date operators on a date-time: "is" is the whole calendar day in the website's time zone,
  "equals or greater than" from its first moment, "equals or less than" to its last.
- Up To Date counts the calendar days between the event's local date and today's local date and
  compares that number with N. Date Range holds for local dates from the first to the last day.
- Cart items are dated by the cart's last change; missing carts have totals of 0; a missing store
  credit balance is 0; order aggregates of customers without (passing) orders are 0.
- Only the customers of the segment's website are looked at (accounts shared per website).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

NEGATIVE = frozenset({"is_not", "does_not_contain", "is_not_one_of"})

# --- Facts --------------------------------------------------------------------------------------


@dataclass
class Product:
    sku: str
    attribute_set: str = ""
    categories: tuple[str, ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Address:
    """An address-book entry; ``fields`` holds the model's own columns by attribute code (street
    is a list of lines), ``custom`` the custom attribute values."""

    fields: dict[str, Any]
    custom: dict[str, Any] = field(default_factory=dict)


@dataclass
class CartItem:
    sku: str
    qty: Decimal


@dataclass
class Cart:
    website: int
    updated_at: dt.datetime
    items: list[CartItem] = field(default_factory=list)
    amounts: dict[str, Decimal] = field(default_factory=dict)  # subtotal, grand_total, tax, ...
    visitor_id: str = ""


@dataclass
class Dated:
    """A wish-list item (no website: the customer's own) or a product view (on a website)."""

    sku: str
    at: dt.datetime
    website: int | None = None


@dataclass
class Order:
    website: int
    status: str
    placed_at: dt.datetime
    grand_total: Decimal
    total_qty: Decimal
    billing: dict[str, Any] = field(default_factory=dict)
    shipping: dict[str, Any] = field(default_factory=dict)
    skus: list[str] = field(default_factory=list)


@dataclass
class Subscription:
    store_view: int
    status: str


@dataclass
class Customer:
    """A registered customer; ``fields`` holds the model's own columns by attribute code
    (``website_id``, ``group_id``, ``created_in`` are ids; ``created_at`` is a date-time)."""

    key: int
    website: int
    fields: dict[str, Any]
    custom: dict[str, Any] = field(default_factory=dict)
    addresses: list[Address] = field(default_factory=list)
    default_billing: int | None = None  # index into addresses
    default_shipping: int | None = None
    subscriptions: list[Subscription] = field(default_factory=list)
    credit: dict[int, Decimal] = field(default_factory=dict)  # website -> balance
    carts: list[Cart] = field(default_factory=list)  # at most one per website
    wishlist: list[Dated] = field(default_factory=list)
    views: list[Dated] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)


@dataclass
class Visitor:
    """A guest known by the shop's visitor id: guest carts and views recorded under that id."""

    visitor_id: str
    carts: list[Cart] = field(default_factory=list)
    views: list[Dated] = field(default_factory=list)


@dataclass
class World:
    products: dict[str, Product]
    customers: list[Customer]
    visitors: list[Visitor]


@dataclass(frozen=True)
class Schema:
    """What the oracle must know of the installation: each attribute's kind (text, lines,
    number, date, moment, select, boolean, multiselect; product attributes also category), the
    website of each store view, and each website's time zone."""

    customer_kinds: dict[str, str]
    address_kinds: dict[str, str]
    product_kinds: dict[str, str]
    view_websites: dict[int, int]
    time_zones: dict[int, str]


# --- Evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    schema: Schema
    world: World
    website: int
    now: dt.datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.schema.time_zones[self.website])

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    @property
    def today(self) -> dt.date:
        return self.local_date(self.now)


def holds(
    tree: dict,
    subject: Customer | Visitor,
    *,
    schema: Schema,
    world: World,
    website: int,
    now: dt.datetime,
) -> bool:
    """Whether ``subject`` satisfies the (cleaned) condition ``tree`` on ``website`` at ``now``."""
    return _root(tree, subject, Scene(schema, world, website, now))


def matching_customers(
    tree: dict, *, schema: Schema, world: World, website: int, now: dt.datetime
) -> set[int]:
    """The keys of the website's customers who satisfy ``tree``."""
    scene = Scene(schema, world, website, now)
    return {c.key for c in world.customers if c.website == website and _root(tree, c, scene)}


def combination(results: list[bool], aggregator: str, value: bool = True) -> bool:
    if not results:
        return True
    wanted = [r == value for r in results]
    return all(wanted) if aggregator == "all" else any(wanted)


def _children(node: dict, evaluate) -> list[bool]:
    return [evaluate(child) for child in node.get("conditions", [])]


# Root scope ------------------------------------------------------------------------------------


def _root(node: dict, subject, scene: Scene) -> bool:
    kind = node["type"]
    if kind == "combine":
        return combination(
            _children(node, lambda c: _root(c, subject, scene)), node["aggregator"], node["value"]
        )
    visitor = isinstance(subject, Visitor)
    if kind == "cart_total":
        if visitor and node["field"] == "store_credit":
            return False
        cart = _cart(subject, scene)
        amount = cart.amounts.get(node["field"], Decimal(0)) if cart else Decimal(0)
        return compare_number(amount, node["operator"], Decimal(node["value"]))
    if kind == "cart_line_items":
        cart = _cart(subject, scene)
        return compare_number(
            Decimal(len(cart.items) if cart else 0), node["operator"], Decimal(node["value"])
        )
    if kind == "cart_qty":
        cart = _cart(subject, scene)
        qty = sum((i.qty for i in cart.items), Decimal(0)) if cart else Decimal(0)
        return compare_number(qty, node["operator"], Decimal(node["value"]))
    if kind in ("product_list", "product_history"):
        return _products(node, subject, scene)
    if visitor:
        return False  # every other condition is for registered customers only
    customer: Customer = subject
    if kind == "customer_attribute":
        code = node["attribute"]
        kind_of = scene.schema.customer_kinds[code]
        value = customer.fields.get(code) if code in customer.fields else customer.custom.get(code)
        return compare(kind_of, value, node["operator"], node["value"], scene)
    if kind == "customer_default_address":
        return (_default(customer, node["address"]) is not None) == node["value"]
    if kind == "newsletter":
        subscribed = any(
            s.status == "subscribed" and scene.schema.view_websites[s.store_view] == scene.website
            for s in customer.subscriptions
        )
        return subscribed == node["value"]
    if kind == "store_credit":
        balance = customer.credit.get(scene.website, Decimal(0))
        return compare_number(balance, node["operator"], Decimal(node["value"]))
    if kind == "customer_address":
        return any(
            combination(
                _children(node, lambda c, i=index: _address(c, customer, i, scene)),
                node["aggregator"],
            )
            for index in range(len(customer.addresses))
        )
    if kind == "order_address":
        for order in _orders(customer, scene):
            for address_kind, address in (("billing", order.billing), ("shipping", order.shipping)):
                if not address:
                    continue
                results = _children(
                    node, lambda c, a=address, k=address_kind: _order_address(c, a, k, scene)
                )
                if combination(results, node["aggregator"]):
                    return True
        return False
    if kind in ("sales_amount", "number_of_orders", "purchased_qty"):
        return _aggregate(node, customer, scene)
    raise AssertionError(f"the oracle does not know {kind!r} at the root")


def _cart(subject: Customer | Visitor, scene: Scene) -> Cart | None:
    """The shopper's active cart on the website (a visitor's carts are their guest carts)."""
    carts = [c for c in subject.carts if c.website == scene.website]
    assert len(carts) <= 1, "one active cart per shopper and website"
    return carts[0] if carts else None


def _default(customer: Customer, kind: str) -> int | None:
    return customer.default_billing if kind == "billing" else customer.default_shipping


def _orders(customer: Customer, scene: Scene) -> list[Order]:
    return [o for o in customer.orders if o.website == scene.website]


# Addresses -------------------------------------------------------------------------------------


def _address(node: dict, customer: Customer, index: int, scene: Scene) -> bool:
    kind = node["type"]
    address = customer.addresses[index]
    if kind == "combine":
        return combination(
            _children(node, lambda c: _address(c, customer, index, scene)),
            node["aggregator"],
            node["value"],
        )
    if kind == "default_address":
        return (_default(customer, node["value"]) == index) == (node["operator"] == "is")
    if kind == "address_has_region":
        return bool(address.fields.get("region")) == node["value"]
    if kind == "address_attribute":
        code = node["attribute"]
        kind_of = scene.schema.address_kinds[code]
        value = address.fields.get(code) if code in address.fields else address.custom.get(code)
        return compare(kind_of, value, node["operator"], node["value"], scene)
    raise AssertionError(f"the oracle does not know {kind!r} in an address")


def _order_address(node: dict, address: dict, address_kind: str, scene: Scene) -> bool:
    kind = node["type"]
    if kind == "combine":
        return combination(
            _children(node, lambda c: _order_address(c, address, address_kind, scene)),
            node["aggregator"],
            node["value"],
        )
    if kind == "order_address_type":
        return (address_kind == node["value"]) == (node["operator"] == "is")
    if kind == "order_address_attribute":
        code = node["attribute"]
        value = address.get(code)
        kind_of = "select" if code == "country_id" else ("lines" if code == "street" else "text")
        return compare(kind_of, value, node["operator"], node["value"], scene)
    raise AssertionError(f"the oracle does not know {kind!r} in an order address")


# Products --------------------------------------------------------------------------------------


def _products(node: dict, subject, scene: Scene) -> bool:
    """Product List (cart / wish list) and Product History (viewed / ordered)."""
    visitor = isinstance(subject, Visitor)
    source = node["source"]
    if visitor and source in ("wishlist", "ordered"):
        return False
    items: list[tuple[str, dt.datetime]]
    if source == "cart":
        cart = _cart(subject, scene)
        items = [(i.sku, cart.updated_at) for i in cart.items] if cart else []
    elif source == "wishlist":
        items = [(w.sku, w.at) for w in subject.wishlist]
    elif source == "viewed":
        items = [(v.sku, v.at) for v in subject.views if v.website == scene.website]
    else:
        items = [(sku, o.placed_at) for o in _orders(subject, scene) for sku in o.skus]
    found = any(
        combination(
            _children(node, lambda c, s=sku, a=at: _product(c, scene.world.products[s], a, scene)),
            node["aggregator"],
        )
        for sku, at in items
    )
    positive = node["operator"] in ("found", "was")
    return found == positive


def _product(node: dict, product: Product, at: dt.datetime, scene: Scene) -> bool:
    kind = node["type"]
    if kind == "combine":
        return combination(
            _children(node, lambda c: _product(c, product, at, scene)),
            node["aggregator"],
            node["value"],
        )
    if kind in ("up_to_date", "date_range"):
        return _dated(node, at, scene)
    if kind == "product_attribute":
        code = node["attribute"]
        kind_of = scene.schema.product_kinds[code]
        if code == "sku":
            value: Any = product.sku
        elif code == "attribute_set":
            value = product.attribute_set
        elif code == "category":
            value = list(product.categories)
        else:
            value = product.attributes.get(code)
        return compare(kind_of, value, node["operator"], node["value"], scene)
    raise AssertionError(f"the oracle does not know {kind!r} in a product")


# Orders ----------------------------------------------------------------------------------------


def _order(node: dict, order: Order, scene: Scene) -> bool:
    kind = node["type"]
    if kind == "combine":
        return combination(
            _children(node, lambda c: _order(c, order, scene)), node["aggregator"], node["value"]
        )
    if kind in ("up_to_date", "date_range"):
        return _dated(node, order.placed_at, scene)
    if kind == "order_status":
        if node["value"] == "any":
            return True
        return (order.status == node["value"]) == (node["operator"] == "is")
    raise AssertionError(f"the oracle does not know {kind!r} in an order filter")


def _aggregate(node: dict, customer: Customer, scene: Scene) -> bool:
    orders = [
        o
        for o in _orders(customer, scene)
        if combination(_children(node, lambda c, o=o: _order(c, o, scene)), node["aggregator"])
    ]
    if node["type"] == "number_of_orders":
        figure = Decimal(len(orders))  # Total or Average: a count is a count
    else:
        values = [o.grand_total if node["type"] == "sales_amount" else o.total_qty for o in orders]
        total = sum(values, Decimal(0))
        average = node["function"] == "average" and values
        figure = total / len(values) if average else total
    return compare_number(figure, node["operator"], Decimal(node["value"]))


# Dates -----------------------------------------------------------------------------------------


def _dated(node: dict, at: dt.datetime, scene: Scene) -> bool:
    day = scene.local_date(at)
    if node["type"] == "up_to_date":
        days = (scene.today - day).days
        n = node["value"]
        return {
            "lte": days <= n,
            "lt": days < n,
            "gte": days >= n,
            "gt": days > n,
            "is": days == n,
            "is_not": days != n,
        }[node["operator"]]
    first, last = (dt.date.fromisoformat(v) for v in node["value"])
    within = first <= day <= last
    return within == (node["operator"] == "is")


# Comparisons -----------------------------------------------------------------------------------


def compare_number(value: Decimal, operator: str, expected: Decimal) -> bool:
    return {
        "is": value == expected,
        "is_not": value != expected,
        "gte": value >= expected,
        "gt": value > expected,
        "lte": value <= expected,
        "lt": value < expected,
    }[operator]


def _is_missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def compare(kind: str, value: Any, operator: str, expected: Any, scene: Scene) -> bool:
    """``value <operator> expected`` for an attribute of ``kind``; a missing value satisfies
    only the negative operators."""
    negative = operator in NEGATIVE
    if kind == "moment":  # a date-time compared with a calendar date of the website
        if value is None:
            return negative
        return _compare_day(scene.local_date(value), operator, dt.date.fromisoformat(expected))
    if kind == "date":
        if _is_missing(value):
            return negative
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        return _compare_day(day, operator, dt.date.fromisoformat(expected))
    if _is_missing(value) and kind != "category":
        return negative
    if kind == "text":
        return _text_holds(str(value), operator, expected) != negative
    if kind == "lines":
        return any(_text_holds(line, operator, expected) for line in value) != negative
    if kind == "number":
        return compare_number(Decimal(str(value)), operator, Decimal(str(expected)))
    if kind in ("multiselect", "category"):
        wanted = expected if isinstance(expected, list) else [expected]
        return any(v in value for v in wanted) != negative
    # select and boolean: one stored value
    wanted = expected if isinstance(expected, list) else [expected]
    return (value in wanted) != negative


def _text_holds(value: str, operator: str, expected: str) -> bool:
    """The positive test of a text operator, ignoring case."""
    value, expected = value.lower(), expected.lower()
    return value == expected if operator in ("is", "is_not") else expected in value


def _compare_day(day: dt.date, operator: str, expected: dt.date) -> bool:
    return {"is": day == expected, "gte": day >= expected, "lte": day <= expected}[operator]
