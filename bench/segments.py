"""The customer segments benchmark (issue 9): full refresh of five reference segments and
real-time evaluation of one customer against 50 active segments, each beside the same query
hand-written in SQL, on the bench database that PATRON_DATABASE_URL names (``bench.generate``
with its facts, see docs/performance.md).

Full refresh: each reference segment is created through ``services.create_segment`` (its
automatic refresh held back) and refreshed with ``services.refresh_segment`` twice, first on an
empty membership and then with the membership in place. The hand-written SQL does the same work
on the membership table for a twin segment: an ``INSERT ... SELECT`` on the empty membership,
then an ``UPDATE`` (close the rows of customers who no longer match) and an ``INSERT`` of the
newcomers; its ``SELECT count(*)`` is shown too. Engine and hand-written SQL must find the same
members, or the run stops.

Real-time: 45 more segments (variations of the five and cart, product list, product history,
store credit, purchased quantity and order address conditions) make 50 active ones on every
website; ``services.evaluate_customer(customer_id=...)`` runs for random customers twice (the
first pass writes their memberships, the second finds nothing to change), beside one
hand-written ``SELECT`` of the 50 verdicts. The hand-written verdicts must equal the memberships
the engine stored.

The benchmark's segments are named ``bench-seg ...``; those left by an earlier run are deleted
first and the run deletes its own at the end. Newsletter subscriptions (the generator makes
none) are added once to 40 % of the customers (30 % subscribed) so that the newsletter segments
have members.

    PATRON_MODE=test PATRON_DATABASE_URL=postgres://... .venv/bin/python -m bench.segments
"""

import argparse
import datetime as dt
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bench.generate import setup_django

PREFIX = "bench-seg"
GOAL_REFRESH_S = 3.0
GOAL_RATIO = 1.5
GOAL_REALTIME_MS = 20.0
SLOW_STATEMENT_S = 0.05  # statements printed with --explain
EXPLAIN_ANALYZE_UP_TO_S = 120
NO_REFRESH = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
MEMBERS = "segments_segmentmembership"
TIMELINE = "customers_timelineentry"
TIMELINE_KINDS = ("segment_joined", "segment_left")


def load() -> float:
    return os.getloadavg()[0]


def loads() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# --- Recording the statements Django runs ------------------------------------------------------


class Recorder:
    """A ``connection.execute_wrapper`` that keeps (sql, params, seconds) while ``on``."""

    def __init__(self) -> None:
        self.on = False
        self.statements: list[tuple[str, Any, float]] = []

    def __call__(self, execute, sql, params, many, context):
        if not self.on:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, time.perf_counter() - started))

    def start(self) -> None:
        self.statements = []
        self.on = True

    def stop(self) -> list[tuple[str, Any, float]]:
        self.on = False
        return self.statements


# --- Hand-written SQL helpers -----------------------------------------------------------------


@dataclass
class Hand:
    """What hand-written SQL needs for one website: its id, its calendar and the dialect."""

    website_id: int
    tz: ZoneInfo
    now: dt.datetime
    vendor: str
    ops: Any

    def since(self, days: int):
        """Midnight ``days`` days before today in the website's time zone (Up To Date lte)."""
        today = self.now.astimezone(self.tz).date()
        moment = dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min, self.tz)
        return self.ops.adapt_datetimefield_value(moment)

    def num(self, value) -> Any:
        # SQLite binds a Decimal as text, which never equals a number.
        return Decimal(str(value)) if self.vendor == "postgresql" else float(value)

    def json_text(self, column: str, key: str) -> str:
        if self.vendor == "postgresql":
            return f"({column} ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"


Sql = tuple[str, list]
Predicate = Callable[[Hand], Sql]  # a condition on the customer row ``c``


@dataclass
class Variation:
    label: str
    tree: dict
    predicate: Predicate
    members_sql: Predicate | None = None  # set-based SELECT c.id for one website (references)


# --- Condition trees --------------------------------------------------------------------------


def every(*conditions, value=True) -> dict:
    return {"type": "combine", "aggregator": "all", "value": value, "conditions": list(conditions)}


def anyof(*conditions, value=True) -> dict:
    return {"type": "combine", "aggregator": "any", "value": value, "conditions": list(conditions)}


def customer_attr(code, operator, value) -> dict:
    return {"type": "customer_attribute", "attribute": code, "operator": operator, "value": value}


def address(*conditions, aggregator="all") -> dict:
    return {"type": "customer_address", "aggregator": aggregator, "conditions": list(conditions)}


def address_attr(code, operator, value) -> dict:
    return {"type": "address_attribute", "attribute": code, "operator": operator, "value": value}


def order_aggregate(kind, operator, value, *conditions, function="total") -> dict:
    return {
        "type": kind, "function": function, "operator": operator, "value": str(value),
        "aggregator": "all", "conditions": list(conditions),
    }  # fmt: skip


def status(value) -> dict:
    return {"type": "order_status", "operator": "is", "value": value}


def up_to_date(days, operator="lte") -> dict:
    return {"type": "up_to_date", "operator": operator, "value": days}


def products(kind, operator, source, *conditions) -> dict:
    return {
        "type": kind, "operator": operator, "source": source, "aggregator": "all",
        "conditions": list(conditions),
    }  # fmt: skip


def product_attr(code, operator, value) -> dict:
    return {"type": "product_attribute", "attribute": code, "operator": operator, "value": value}


# --- The segments and their hand-written SQL --------------------------------------------------

CATEGORY_JOIN = (
    "JOIN sales_product_categories pc ON pc.product_id = {item}.product_id "
    "JOIN sales_category k ON k.id = pc.category_id"
)


def women_in(gender: int, city: str, region: str) -> Variation:
    tree = every(
        customer_attr("gender", "is", gender),
        address(address_attr("city", "is", city), address_attr("region", "is", region)),
    )

    def predicate(h: Hand) -> Sql:
        return (
            "c.gender = %s AND EXISTS (SELECT 1 FROM customers_address a WHERE a.customer_id = c.id"
            " AND lower(a.city) = lower(%s) AND lower(a.region) = lower(%s))",
            [gender, city, region],
        )

    def members(h: Hand) -> Sql:
        sql, params = predicate(h)
        return f"SELECT c.id FROM customers_customer c WHERE c.website_id = %s AND {sql}", [
            h.website_id, *params,
        ]  # fmt: skip

    label = f"{'women' if gender == 2 else 'men'} in {city} / {region}"
    return Variation(label, tree, predicate, members)


def order_sum(kind, function, operator, value, state: str | None, days: int | None) -> Variation:
    """Sales amount or purchased quantity (total/average) with a status and an Up To Date."""
    children = [status(state)] if state else []
    if days is not None:
        children.append(up_to_date(days))
    tree = every(order_aggregate(kind, operator, value, *children, function=function))
    column = "grand_total" if kind == "sales_amount" else "total_qty"
    aggregate = "SUM" if function == "total" else "AVG"
    compare = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<", "is": "="}[operator]

    def filters(h: Hand, alias: str) -> Sql:
        sql, params = f"{alias}.website_id = %s", [h.website_id]
        if state:
            sql, params = f"{sql} AND {alias}.status = %s", [*params, state]
        if days is not None:
            sql, params = f"{sql} AND {alias}.placed_at >= %s", [*params, h.since(days)]
        return sql, params

    def predicate(h: Hand) -> Sql:
        where, params = filters(h, "o")
        return (
            f"COALESCE((SELECT {aggregate}(o.{column}) FROM sales_order o "
            f"WHERE o.customer_id = c.id AND {where}), 0) {compare} %s",
            [*params, h.num(value)],
        )

    def members(h: Hand) -> Sql:
        # Customers without such orders count as 0, which never passes a positive threshold.
        assert operator in ("gte", "gt") and Decimal(str(value)) > 0
        where, params = filters(h, "o")
        return (
            "SELECT c.id FROM customers_customer c WHERE c.website_id = %s AND c.id IN ("
            f"SELECT o.customer_id FROM sales_order o WHERE {where} "
            f"GROUP BY o.customer_id HAVING {aggregate}(o.{column}) {compare} %s)",
            [h.website_id, *params, h.num(value)],
        )

    name = "sales amount" if kind == "sales_amount" else "purchased qty"
    label = (
        f"{function} {name} {operator} {value}"
        + (f", {state}" if state else "")
        + (f", last {days} days" if days is not None else "")
    )
    return Variation(label, tree, predicate, members)


def orders_and_category(min_orders: int, category: str) -> Variation:
    tree = every(
        order_aggregate("number_of_orders", "gte", min_orders),
        products("product_history", "was", "ordered",
                 product_attr("category", "is", category)),
    )  # fmt: skip
    join = CATEGORY_JOIN.format(item="i")

    def predicate(h: Hand) -> Sql:
        return (
            "(SELECT COUNT(*) FROM sales_order o WHERE o.customer_id = c.id AND o.website_id = %s)"
            f" >= %s AND EXISTS (SELECT 1 FROM sales_orderitem i JOIN sales_order o "
            f"ON o.id = i.order_id {join} WHERE o.customer_id = c.id AND o.website_id = %s "
            "AND k.code = %s)",
            [h.website_id, min_orders, h.website_id, category],
        )

    def members(h: Hand) -> Sql:
        return (
            "SELECT c.id FROM customers_customer c WHERE c.website_id = %s AND c.id IN ("
            "SELECT o.customer_id FROM sales_order o WHERE o.website_id = %s "
            "GROUP BY o.customer_id HAVING COUNT(*) >= %s) AND c.id IN ("
            f"SELECT o.customer_id FROM sales_orderitem i JOIN sales_order o ON o.id = i.order_id "
            f"{join} WHERE o.website_id = %s AND k.code = %s)",
            [h.website_id, h.website_id, min_orders, h.website_id, category],
        )

    label = f"orders >= {min_orders} and ordered a product in {category}"
    return Variation(label, tree, predicate, members)


def newsletter_idle(subscribed: bool, days: int) -> Variation:
    tree = every(
        {"type": "newsletter", "value": subscribed},
        order_aggregate("number_of_orders", "is", 0, up_to_date(days)),
    )

    def predicate(h: Hand) -> Sql:
        negation = "" if subscribed else "NOT "
        return (
            f"{negation}EXISTS (SELECT 1 FROM customers_newslettersubscriber s "
            "JOIN scopes_storeview v ON v.id = s.store_view_id "
            "JOIN scopes_store st ON st.id = v.store_id "
            "WHERE s.customer_id = c.id AND st.website_id = %s AND s.status = 'subscribed') "
            "AND NOT EXISTS (SELECT 1 FROM sales_order o WHERE o.customer_id = c.id "
            "AND o.website_id = %s AND o.placed_at >= %s)",
            [h.website_id, h.website_id, h.since(days)],
        )

    def members(h: Hand) -> Sql:
        sql, params = predicate(h)
        return f"SELECT c.id FROM customers_customer c WHERE c.website_id = %s AND {sql}", [
            h.website_id, *params,
        ]  # fmt: skip

    label = f"{'subscribed' if subscribed else 'not subscribed'}, no order in {days} days"
    return Variation(label, tree, predicate, members)


def any_address(country: str, city_part: str, postcode_part: str) -> Variation:
    tree = every(
        address(
            anyof(
                address_attr("country_id", "is", country),
                address_attr("city", "contains", city_part),
                address_attr("postcode", "contains", postcode_part),
            )
        )
    )

    def predicate(h: Hand) -> Sql:
        return (
            "EXISTS (SELECT 1 FROM customers_address a WHERE a.customer_id = c.id AND "
            "(a.country_id = %s OR lower(a.city) LIKE lower(%s) OR lower(a.postcode) LIKE %s))",
            [country, f"%{city_part}%", f"%{postcode_part.lower()}%"],
        )

    def members(h: Hand) -> Sql:
        sql, params = predicate(h)
        return f"SELECT c.id FROM customers_customer c WHERE c.website_id = %s AND {sql}", [
            h.website_id, *params,
        ]  # fmt: skip

    label = f"address: country {country} OR city ~ {city_part} OR postcode ~ {postcode_part}"
    return Variation(label, tree, predicate, members)


def cart_value(kind: str, operator: str, value, amount: str = "subtotal") -> Variation:
    node = {"type": kind, "operator": operator, "value": str(value)}
    if kind == "cart_total":
        node["field"] = amount
    tree = every(node)
    compare = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}[operator]
    expression = {
        "cart_total": f"(SELECT k.{amount} FROM sales_cart k WHERE k.customer_id = c.id "
        "AND k.website_id = %s)",
        "cart_line_items": "(SELECT COUNT(*) FROM sales_cartitem ci JOIN sales_cart k "
        "ON k.id = ci.cart_id WHERE k.customer_id = c.id AND k.website_id = %s)",
        "cart_qty": "(SELECT SUM(ci.qty) FROM sales_cartitem ci JOIN sales_cart k "
        "ON k.id = ci.cart_id WHERE k.customer_id = c.id AND k.website_id = %s)",
    }[kind]

    def predicate(h: Hand) -> Sql:
        return f"COALESCE({expression}, 0) {compare} %s", [h.website_id, h.num(value)]

    what = {"cart_total": f"cart {amount}", "cart_line_items": "cart lines", "cart_qty": "cart qty"}
    return Variation(f"{what[kind]} {operator} {value}", tree, predicate)


def cart_product(sku_part: str) -> Variation:
    tree = every(
        products("product_list", "found", "cart", product_attr("sku", "contains", sku_part))
    )

    def predicate(h: Hand) -> Sql:
        return (
            "EXISTS (SELECT 1 FROM sales_cartitem ci JOIN sales_cart k ON k.id = ci.cart_id "
            "JOIN sales_product p ON p.id = ci.product_id WHERE k.customer_id = c.id "
            "AND k.website_id = %s AND lower(p.sku) LIKE lower(%s))",
            [h.website_id, f"%{sku_part}%"],
        )

    return Variation(f"cart holds a SKU ~ {sku_part}", tree, predicate)


def wishlist_category(category: str) -> Variation:
    tree = every(
        products("product_list", "found", "wishlist", product_attr("category", "is", category))
    )
    join = CATEGORY_JOIN.format(item="wi")

    def predicate(h: Hand) -> Sql:
        return (
            f"EXISTS (SELECT 1 FROM sales_wishlistitem wi {join} "
            "WHERE wi.customer_id = c.id AND k.code = %s)",
            [category],
        )

    return Variation(f"wish list holds {category}", tree, predicate)


def viewed_category(category: str, days: int) -> Variation:
    tree = every(
        products("product_history", "was", "viewed",
                 product_attr("category", "is", category), up_to_date(days))
    )  # fmt: skip
    join = CATEGORY_JOIN.format(item="pv")

    def predicate(h: Hand) -> Sql:
        return (
            f"EXISTS (SELECT 1 FROM sales_productview pv {join} WHERE pv.customer_id = c.id "
            "AND pv.website_id = %s AND pv.viewed_at >= %s AND k.code = %s)",
            [h.website_id, h.since(days), category],
        )

    return Variation(f"viewed {category} in {days} days", tree, predicate)


def store_credit(operator: str, value) -> Variation:
    tree = every({"type": "store_credit", "operator": operator, "value": str(value)})
    compare = {"gte": ">=", "gt": ">", "lte": "<=", "lt": "<"}[operator]

    def predicate(h: Hand) -> Sql:
        return (
            "COALESCE((SELECT b.amount FROM credit_storecreditbalance b WHERE b.customer_id = c.id"
            f" AND b.website_id = %s), 0) {compare} %s",
            [h.website_id, h.num(value)],
        )

    return Variation(f"store credit {operator} {value}", tree, predicate)


def order_address(attribute: str, value: str) -> Variation:
    tree = every(
        {
            "type": "order_address", "aggregator": "all",
            "conditions": [{"type": "order_address_attribute", "attribute": attribute,
                            "operator": "is", "value": value}],
        }
    )  # fmt: skip

    def predicate(h: Hand) -> Sql:
        billing = h.json_text("o.billing_address", attribute)
        shipping = h.json_text("o.shipping_address", attribute)
        if attribute == "country_id":
            test = f"({billing} = %s OR {shipping} = %s)"
        else:
            test = f"(lower({billing}) = lower(%s) OR lower({shipping}) = lower(%s))"
        return (
            "EXISTS (SELECT 1 FROM sales_order o WHERE o.customer_id = c.id "
            f"AND o.website_id = %s AND {test})",
            [h.website_id, value, value],
        )

    return Variation(f"an order address with {attribute} {value}", tree, predicate)


def group_with_orders(group_id: int, group: str, min_orders: int) -> Variation:
    tree = every(
        customer_attr("group_id", "is", group_id),
        order_aggregate("number_of_orders", "gte", min_orders),
    )

    def predicate(h: Hand) -> Sql:
        return (
            "c.group_id = %s AND (SELECT COUNT(*) FROM sales_order o WHERE o.customer_id = c.id "
            "AND o.website_id = %s) >= %s",
            [group_id, h.website_id, min_orders],
        )

    return Variation(f"group {group} with orders >= {min_orders}", tree, predicate)


def default_billing_since(day: dt.date) -> Variation:
    tree = every(
        {"type": "customer_default_address", "address": "billing", "value": True},
        customer_attr("created_at", "gte", day.isoformat()),
    )

    def predicate(h: Hand) -> Sql:
        start = dt.datetime.combine(day, dt.time.min, h.tz)
        return (
            "c.default_billing_id IS NOT NULL AND c.created_at >= %s",
            [h.ops.adapt_datetimefield_value(start)],
        )

    return Variation(f"default billing address, customer since {day}", tree, predicate)


# --- Values taken from the data ---------------------------------------------------------------


@dataclass
class Picks:
    pairs: list[tuple[str, str]]  # (city, region), most common first
    categories: list[str]  # leaf category codes with the most products first
    groups: list[tuple[int, str]]
    newest_signup: dt.date


def pick_values() -> Picks:
    from django.db import connection

    from patron.customers.models import Customer, CustomerGroup

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT city, region, COUNT(*) FROM customers_address GROUP BY city, region "
            "ORDER BY 3 DESC, 1, 2 LIMIT 6"
        )
        pairs = [(city, region) for city, region, _n in cursor.fetchall()]
        cursor.execute(
            "SELECT k.code, COUNT(*) FROM sales_category k JOIN sales_product_categories pc "
            "ON pc.category_id = k.id GROUP BY k.code ORDER BY 2 DESC, 1 LIMIT 8"
        )
        categories = [code for code, _n in cursor.fetchall()]
    if len(pairs) < 6 or len(categories) < 8:
        raise SystemExit("No bench data here: run bench.generate (with its facts) first.")
    groups = list(CustomerGroup.objects.exclude(pk=0).order_by("pk").values_list("pk", "code"))
    newest = Customer.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    return Picks(pairs, categories, groups, newest.date())


def references(p: Picks) -> list[Variation]:
    city, region = p.pairs[0]
    return [
        women_in(2, city, region),
        order_sum("sales_amount", "total", "gte", 500, "complete", 90),
        orders_and_category(2, p.categories[0]),
        newsletter_idle(True, 365),
        any_address("DE", "burg", "750"),
    ]


def variations(p: Picks) -> list[Variation]:
    """45 more segments: with the five references, 50 active ones."""
    group_ids = dict((code, pk) for pk, code in p.groups)
    wholesale = group_ids.get("Wholesale", p.groups[-1][0])
    year_ago = p.newest_signup - dt.timedelta(days=365)
    found = [
        *(women_in(gender, city, region)
          for gender, (city, region) in [(1, p.pairs[0]), (2, p.pairs[1]), (1, p.pairs[2]),
                                         (2, p.pairs[3]), (2, p.pairs[4])]),
        order_sum("sales_amount", "total", "gte", 100, "complete", 30),
        order_sum("sales_amount", "total", "gte", 1000, "complete", 365),
        order_sum("sales_amount", "total", "gte", 250, None, 90),
        order_sum("sales_amount", "average", "gte", 200, "complete", None),
        order_sum("sales_amount", "total", "gt", 2000, None, None),
        orders_and_category(1, p.categories[1]),
        orders_and_category(3, p.categories[2]),
        orders_and_category(5, p.categories[3]),
        orders_and_category(2, p.categories[4]),
        newsletter_idle(True, 90),
        newsletter_idle(False, 365),
        newsletter_idle(True, 30),
        any_address("FR", "ham", "100"),
        any_address("BR", "sal", "80"),
        any_address("JP", "ville", "20"),
        cart_value("cart_total", "gte", 50),
        cart_value("cart_total", "gte", 200, amount="grand_total"),
        cart_value("cart_total", "lt", 20),
        cart_value("cart_line_items", "gte", 2),
        cart_value("cart_line_items", "gte", 4),
        cart_value("cart_qty", "gte", 3),
        cart_value("cart_qty", "gte", 6),
        cart_product("BN-001"),
        cart_product("BN-012"),
        wishlist_category(p.categories[0]),
        wishlist_category(p.categories[5]),
        wishlist_category(p.categories[6]),
        viewed_category(p.categories[0], 30),
        viewed_category(p.categories[1], 7),
        viewed_category(p.categories[7], 90),
        viewed_category(p.categories[2], 1),
        store_credit("gte", 10),
        store_credit("gt", 0),
        store_credit("lt", 5),
        order_sum("purchased_qty", "total", "gte", 10, "complete", 365),
        order_sum("purchased_qty", "average", "gte", 3, None, None),
        order_address("city", p.pairs[0][0]),
        order_address("country_id", "FR"),
        group_with_orders(wholesale, "Wholesale", 1),
        default_billing_since(year_ago),
    ]  # fmt: skip
    assert len(found) == 45, len(found)
    return found


# --- Setting up and cleaning up ---------------------------------------------------------------


def delete_bench_segments() -> int:
    from patron.core.actors import SYSTEM
    from patron.segments import services
    from patron.segments.models import Segment

    left = list(Segment.objects.filter(name__startswith=PREFIX))
    forget_timeline(left)
    for segment in left:
        services.delete_segment(segment=segment, actor=SYSTEM)
    return len(left)


def forget_timeline(segments) -> None:
    """Delete the timeline entries (joined / left) that refreshing ``segments`` wrote."""
    from patron.customers.models import TimelineEntry

    if segments:
        TimelineEntry.objects.filter(
            kind__in=TIMELINE_KINDS, params__segment_id__in=[s.pk for s in segments]
        ).delete()


def create(name: str, tree: dict, *, active: bool = True):
    """A segment on every website, through ``create_segment``, without its automatic refresh
    (the benchmark times the refresh itself)."""
    from django.test import override_settings

    from patron.core.actors import SYSTEM
    from patron.scopes.models import Website
    from patron.segments import services

    with override_settings(TASKS=NO_REFRESH):
        return services.create_segment(
            name=f"{PREFIX} {name}"[:255], websites=list(Website.objects.all()), actor=SYSTEM,
            conditions=tree, is_active=active, apply_to="registered",
        )  # fmt: skip


def ensure_subscriptions(out) -> None:
    """Subscribe 30 % of the customers and unsubscribe 10 % on their sign-up store view, once
    (set-based); the generator makes no newsletter subscribers."""
    from django.db import connection

    from patron.customers.models import Customer, NewsletterSubscriber

    customers = Customer.objects.count()
    if NewsletterSubscriber.objects.count() >= customers * 0.3:
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_newslettersubscriber (customer_id, email, store_view_id, status,"
            " confirm_code_digest, consent_at, consent_source, status_changed_at, created_at,"
            " updated_at) SELECT c.id, c.email, c.created_in_id, CASE WHEN c.id %% 10 = 3 THEN"
            " 'unsubscribed' ELSE 'subscribed' END, '', c.created_at, 'registration',"
            " c.created_at, c.created_at, c.created_at FROM customers_customer c"
            " WHERE c.id %% 10 IN (0, 1, 2, 3) AND c.created_in_id IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM customers_newslettersubscriber s WHERE s.store_view_id ="
            " c.created_in_id AND s.email = c.email)",
            [],  # with parameters, "%%" is a literal "%" on both databases
        )
        added = cursor.rowcount
        cursor.execute("ANALYZE customers_newslettersubscriber")
    out(f"added {added:,} newsletter subscriptions in {time.perf_counter() - started:.1f} s")


def hands(now) -> dict[int, Hand]:
    from django.db import connection

    from patron.scopes.models import Website

    return {
        w.pk: Hand(w.pk, ZoneInfo(w.time_zone or "UTC"), now, connection.vendor, connection.ops)
        for w in Website.objects.order_by("pk")
    }


# --- Full refresh -----------------------------------------------------------------------------


@dataclass
class RefreshRow:
    label: str
    members: int = 0
    engine_empty: list[float] = field(default_factory=list)
    engine_again: list[float] = field(default_factory=list)
    timeline: list[float] = field(default_factory=list)  # the empty run's timeline inserts
    hand_empty: list[float] = field(default_factory=list)
    hand_again: list[float] = field(default_factory=list)
    hand_count: list[float] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)
    slowest: list[tuple[str, Any, float]] = field(default_factory=list)
    timed_out: str = ""

    @staticmethod
    def mid(values: list[float]) -> float:
        return statistics.median(values) if values else float("nan")

    def ratios(self) -> tuple[float, float]:
        return (
            self.mid(self.engine_empty) / self.mid(self.hand_empty),
            self.mid(self.engine_again) / self.mid(self.hand_again),
        )

    def verdict(self, vendor: str) -> str:
        if self.timed_out:
            return "miss: statement timeout"
        if vendor != "postgresql":
            return "(no goal)"
        misses = []
        if max(self.mid(self.engine_empty), self.mid(self.engine_again)) > GOAL_REFRESH_S:
            misses.append(f"> {GOAL_REFRESH_S:g} s")
        if max(self.ratios()) > GOAL_RATIO:
            misses.append(f"> {GOAL_RATIO:g}x")
        return "miss: " + ", ".join(misses) if misses else "ok"


def hand_refresh(twin, variation: Variation, by_website: dict[int, Hand], now, empty: bool):
    """The twin segment's membership rebuilt by hand-written SQL, website by website, each in
    one transaction; returns (seconds, rows inserted). With the membership in place, a member
    is closed when the condition no longer holds for that customer (one look-up per member) and
    the matching customers are inserted with ON CONFLICT DO NOTHING on the open-membership
    unique index: neither statement joins the membership table to itself, so no estimate of a
    new segment's rows can turn them into a loop over the table."""
    from django.db import connection, transaction

    stamp = connection.ops.adapt_datetimefield_value(now)
    head = (
        f"INSERT INTO {MEMBERS} (segment_id, website_id, joined_at, customer_id) SELECT %s, %s, %s"
    )
    inserted = 0
    started = time.perf_counter()
    for website_id, h in by_website.items():
        members, params = variation.members_sql(h)
        with transaction.atomic(), connection.cursor() as cursor:
            if empty:
                cursor.execute(
                    f"{head}, m.id FROM ({members}) m", [twin.pk, website_id, stamp, *params]
                )
            else:
                holds, holds_params = variation.predicate(h)
                cursor.execute(
                    f"UPDATE {MEMBERS} SET left_at = %s WHERE segment_id = %s AND website_id = %s"
                    " AND left_at IS NULL AND NOT EXISTS (SELECT 1 FROM customers_customer c"
                    f" WHERE c.id = {MEMBERS}.customer_id AND c.website_id = %s AND {holds})",
                    [stamp, twin.pk, website_id, website_id, *holds_params],
                )
                cursor.execute(
                    f"{head}, m.id FROM ({members}) m WHERE true ON CONFLICT (segment_id,"
                    " website_id, customer_id) WHERE left_at IS NULL DO NOTHING",
                    [twin.pk, website_id, stamp, *params],
                )
            inserted += cursor.rowcount
    return time.perf_counter() - started, inserted


def hand_count(variation: Variation, by_website: dict[int, Hand]) -> tuple[float, int]:
    from django.db import connection

    total = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for h in by_website.values():
            members, params = variation.members_sql(h)
            cursor.execute(f"SELECT COUNT(*) FROM ({members}) m", params)
            total += cursor.fetchone()[0]
    return time.perf_counter() - started, total


def clear(segment) -> None:
    from patron.segments.models import SegmentMembership

    SegmentMembership.objects.filter(segment=segment).delete()
    forget_timeline([segment])


def discard(*segments) -> None:
    from patron.core.actors import SYSTEM
    from patron.segments import services

    forget_timeline(segments)
    for segment in segments:
        services.delete_segment(segment=segment, actor=SYSTEM)


def run_refresh(refs, now, repeat, recorder, out, explain_it) -> list[tuple[RefreshRow, Any]]:
    """Each repeat creates the segment anew (its first refresh is that of a new segment, as in
    production) and a twin for the hand-written SQL; only the last repeat's segment is kept."""
    from django.db import OperationalError

    from patron.segments import services
    from patron.segments.models import SegmentMembership

    by_website = hands(now)
    rows = []
    for index, variation in enumerate(refs, 1):
        row = RefreshRow(f"{index}. {variation.label}")
        hand_count(variation, by_website)  # warm-up, not timed
        segment = None
        for run in range(1, repeat + 1):
            if segment is not None:
                discard(segment)
            segment = create(f"ref {index}.{run}: {variation.label}", variation.tree)
            twin = create(f"hand {index}.{run}: {variation.label}", variation.tree, active=False)
            row.loads.append(load())
            try:
                recorder.start()
                started = time.perf_counter()
                result = services.refresh_segment(segment=segment, now=now)
                row.engine_empty.append(time.perf_counter() - started)
                statements = recorder.stop()
                row.timeline.append(sum(t for s, _p, t in statements if is_timeline_insert(s)))
                recorder.start()
                started = time.perf_counter()
                again = services.refresh_segment(segment=segment, now=now)
                row.engine_again.append(time.perf_counter() - started)
                statements_again = recorder.stop()
            except OperationalError as error:  # the statement timeout
                statements = recorder.stop()
                row.timed_out = f"{error}".strip().splitlines()[0]
                row.slowest = sorted(
                    [(f"empty: {s}", p, t) for s, p, t in statements], key=lambda item: -item[2]
                )
                out(f"{row.label}: {row.timed_out} after {time.perf_counter() - started:.0f} s")
                discard(twin)
                break
            row.slowest = sorted(
                [(f"empty: {s}", p, t) for s, p, t in statements]
                + [(f"in place: {s}", p, t) for s, p, t in statements_again],
                key=lambda item: -item[2],
            )
            seconds, inserted = hand_refresh(twin, variation, by_website, now, empty=True)
            row.hand_empty.append(seconds)
            seconds, again_inserted = hand_refresh(twin, variation, by_website, now, empty=False)
            row.hand_again.append(seconds)
            seconds, counted = hand_count(variation, by_website)
            row.hand_count.append(seconds)
            row.loads.append(load())
            twin_members = SegmentMembership.objects.filter(segment=twin, left_at__isnull=True)
            if not (result.members == again.members == inserted == counted == twin_members.count()):
                raise SystemExit(
                    f"{row.label}: the engine found {result.members:,} members "
                    f"({again.members:,} on the second run), the hand-written SQL {inserted:,} "
                    f"(count {counted:,}); stopping"
                )
            if again.joined or again.left or again_inserted:
                raise SystemExit(f"{row.label}: the second refresh changed the membership")
            row.members = result.members
            discard(twin)
        out(refresh_line(row))
        rows.append((row, segment))
        if explain_it:
            explain_refresh(row, variation, by_website, segment, now, out)
    return rows


def is_timeline_insert(sql: str) -> bool:
    return sql.startswith("INSERT INTO") and TIMELINE in sql[:60]


REFRESH_HEADER = (
    f"{'segment':<58} {'members':>9} {'empty s':>8} {'timeline':>8} {'again s':>8} {'hand s':>7} "
    f"{'hand again':>10} {'count s':>7} {'ratio':>11} {'load':>9}  verdict"
)


def refresh_line(row: RefreshRow, vendor: str | None = None) -> str:
    from django.db import connection

    first, again = row.ratios()
    return (
        f"{row.label[:58]:<58} {row.members:>9,} {row.mid(row.engine_empty):>8.2f} "
        f"{row.mid(row.timeline):>8.2f} "
        f"{row.mid(row.engine_again):>8.2f} {row.mid(row.hand_empty):>7.2f} "
        f"{row.mid(row.hand_again):>10.2f} {row.mid(row.hand_count):>7.2f} "
        f"{first:>5.2f}/{again:<5.2f} {min(row.loads):>4.1f}-{max(row.loads):<4.1f} "
        f"{row.verdict(vendor or connection.vendor)}"
    )


def explain(sql: str, params, out, analyze: bool = True) -> None:
    """Print the plan of one statement (run, unless ``analyze`` is false; what it changes is
    rolled back)."""
    from django.db import connection, transaction

    prefix = "EXPLAIN QUERY PLAN "
    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        for line in cursor.fetchall():
            out("    " + " | ".join(str(part) for part in line))
        transaction.set_rollback(True)


def explain_refresh(row, variation, by_website, segment, now, out) -> None:
    """The plans of the engine's slow statements (on the membership they met) and of the
    hand-written statement for the first website."""
    out(f"  plans of {row.label}:")
    for sql, params, seconds in row.slowest[:3]:
        if seconds < SLOW_STATEMENT_S:
            break
        phase, statement = sql.split(": ", 1)
        out(f"  -- engine, {phase} ({seconds:.3f} s): {statement}")
        if phase == "empty":
            clear(segment)
        # A statement that ran for minutes is shown with its plan only.
        explain(statement, params, out, analyze=seconds < EXPLAIN_ANALYZE_UP_TO_S)
        if phase == "empty":
            from patron.segments import services

            services.refresh_segment(segment=segment, now=now)
    h = next(iter(by_website.values()))
    members, params = variation.members_sql(h)
    out(f"  -- hand-written, website {h.website_id}: {members}")
    explain(f"SELECT COUNT(*) FROM ({members}) m", params, out)


# --- Real-time --------------------------------------------------------------------------------


@dataclass
class Timings:
    label: str
    seconds: list[float] = field(default_factory=list)
    db_seconds: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    loads: tuple[float, float] = (0.0, 0.0)

    def line(self, vendor: str, goal: bool = True) -> str:
        ms = [s * 1000 for s in self.seconds]
        db = [s * 1000 for s in self.db_seconds]
        p95 = percentile(ms, 0.95)
        verdict = "(no goal)"
        if goal and vendor == "postgresql":
            verdict = "ok" if p95 <= GOAL_REALTIME_MS else f"miss: p95 > {GOAL_REALTIME_MS:g} ms"
        if not goal:
            verdict = ""
        db_part = (
            f"{percentile(db, 0.5):>7.1f} {percentile(db, 0.95):>7.1f} "
            f"{statistics.median(self.statements):>5.0f}"
            if db
            else f"{'':>7} {'':>7} {'':>5}"
        )
        return (
            f"{self.label:<34} {len(ms):>4} {percentile(ms, 0.5):>7.1f} {p95:>7.1f} "
            f"{max(ms):>7.1f} {db_part} {self.loads[0]:>4.1f}-{self.loads[1]:<4.1f} {verdict}"
        )


REALTIME_HEADER = (
    f"{'real-time, 50 active segments':<34} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
    f"{'DB p50':>7} {'DB p95':>7} {'stmts':>5} {'load':>9}  verdict"
)


def hand_verdicts_sql(found: list[tuple[Any, Variation]], h: Hand) -> Sql:
    columns, params = [], []
    for _segment, variation in found:
        sql, values = variation.predicate(h)
        columns.append(f"CASE WHEN {sql} THEN 1 ELSE 0 END")
        params += values
    select = ", ".join(columns)
    return (
        f"SELECT {select} FROM customers_customer c WHERE c.id = %s AND c.website_id = %s",
        params,
    )


def run_realtime(refs, more, picks, now, count, seed, recorder, out, explain_it) -> list:
    from django.db import connection

    from patron.customers.models import Customer
    from patron.segments import services
    from patron.segments.models import Segment, SegmentMembership

    started = time.perf_counter()
    found = list(refs)
    for index, variation in enumerate(more, len(refs) + 1):
        found.append((create(f"rt {index}: {variation.label}", variation.tree), variation))
    out(f"created {len(more)} more segments in {time.perf_counter() - started:.1f} s")
    by_website = hands(now)
    for website_id in by_website:
        from patron.scopes.models import Website

        active = services.active_segments(Website.objects.get(pk=website_id))
        if len(active) != len(found):
            out(f"note: website {website_id} has {len(active)} active segments, not {len(found)}")
    rng = random.Random(seed)
    ids = list(Customer.objects.order_by("pk").values_list("pk", "website_id"))
    chosen = rng.sample(ids, count + 10)
    warm, chosen = chosen[:10], chosen[10:]
    # The engine compiles its verdict statement once per website and keeps it: compile it
    # before the timed passes.
    for website_id in by_website:
        warm.append(next(c for c in ids if c[1] == website_id))
    for customer_id, _w in warm:
        services.evaluate_customer(customer_id=customer_id, now=now)
    passes = []
    for label in ("evaluate_customer, 1st pass", "evaluate_customer, again"):
        timing = Timings(label)
        before = load()
        for customer_id, _w in chosen:
            recorder.start()
            begun = time.perf_counter()
            services.evaluate_customer(customer_id=customer_id, now=now)
            timing.seconds.append(time.perf_counter() - begun)
            statements = recorder.stop()
            timing.db_seconds.append(sum(s for _q, _p, s in statements))
            timing.statements.append(len(statements))
        timing.loads = (before, load())
        passes.append(timing)
    # The same 50 verdicts, hand-written: one SELECT per customer.
    hand = Timings("hand-written SELECT of 50 verdicts")
    queries = {w: hand_verdicts_sql(found, h) for w, h in by_website.items()}
    verdicts = {}
    before = load()
    with connection.cursor() as cursor:
        for customer_id, website_id in chosen:
            sql, params = queries[website_id]
            begun = time.perf_counter()
            cursor.execute(sql, [*params, customer_id, website_id])
            verdicts[customer_id] = cursor.fetchone()
            hand.seconds.append(time.perf_counter() - begun)
    hand.loads = (before, load())
    passes.append(hand)
    # The engine's stored memberships must be the hand-written verdicts.
    bench_ids = [segment.pk for segment, _v in found]
    held: dict[int, set[int]] = {}
    rows = SegmentMembership.objects.filter(
        customer_id__in=[c for c, _w in chosen], segment_id__in=bench_ids, left_at__isnull=True
    ).values_list("customer_id", "segment_id")
    for customer_id, segment_id in rows:
        held.setdefault(customer_id, set()).add(segment_id)
    wrong = []
    for customer_id, _w in chosen:
        expected = {bench_ids[i] for i, flag in enumerate(verdicts[customer_id]) if flag}
        if expected != held.get(customer_id, set()):
            wrong.append((customer_id, expected ^ held.get(customer_id, set())))
    matched = sum(len(v) for v in held.values())
    out(f"{len(chosen)} customers, {matched:,} memberships among them; "
        f"engine and hand-written verdicts differ for {len(wrong)}")  # fmt: skip
    for customer_id, differing in wrong[:5]:
        names = Segment.objects.filter(pk__in=differing).values_list("name", flat=True)
        out(f"  customer {customer_id}: {sorted(names)}")
    if explain_it:
        customer_id, website_id = chosen[0]
        sql, params = queries[website_id]
        out(f"  -- hand-written verdicts of customer {customer_id}:")
        explain(sql, [*params, customer_id, website_id], out)
        recorder.start()
        services.evaluate_customer(customer_id=customer_id, now=now)
        statements = recorder.stop()
        for sql, _params, seconds in statements:
            out(f"  -- evaluate_customer statement ({seconds * 1000:.1f} ms): {sql[:200]}")
        slowest = max(statements, key=lambda s: s[2])
        out("  -- plan of its slowest statement:")
        explain(slowest[0], slowest[1], out)
    return passes


# --- The command ------------------------------------------------------------------------------


def data_sizes(out) -> None:
    from django.db import connection

    tables = (
        "customers_customer", "customers_address", "customers_newslettersubscriber",
        "sales_order", "sales_orderitem", "sales_cart", "sales_cartitem", "sales_wishlistitem",
        "sales_productview", "credit_storecreditbalance",
    )  # fmt: skip
    counts = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts.append(f"{table.split('_', 1)[1]} {cursor.fetchone()[0]:,}")
    out("data: " + ", ".join(counts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments-only", action="store_true",
                        help="only the full refresh of the five reference segments")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3,
                        help="timed refresh pairs per segment; medians are shown (default 3)")  # fmt: skip
    parser.add_argument("--customers", type=int, default=200,
                        help="random customers evaluated in real time (default 200)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--timeout", type=int, default=900,
                        help="PostgreSQL statement timeout in seconds (default 900)")  # fmt: skip
    parser.add_argument("--explain", action="store_true",
                        help="print the plans of the slow statements, engine and hand-written")  # fmt: skip
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.customers < 1:
        parser.error("--repeat and --customers must be at least 1")
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from patron.scopes.config import get_config
    from patron.segments import services

    if settings.MODE == "production":
        raise SystemExit("Refusing to write benchmark segments in production mode.")
    if not services.is_enabled():
        raise SystemExit("Customer segments are disabled (customer/segments/enabled).")
    if get_config(services.SHARE_SCOPE_PATH) == "global":
        raise SystemExit("The hand-written SQL assumes accounts shared per website.")

    def out(line: str) -> None:
        print(line, flush=True)

    version = ".".join(str(part) for part in connection.get_database_version())
    out(f"{connection.vendor} {version}; load average before: {loads()}")
    started = time.perf_counter()
    removed = delete_bench_segments()
    if removed:
        out(f"deleted {removed} segments left by an earlier run")
    ensure_subscriptions(out)
    data_sizes(out)
    picks = pick_values()
    now = timezone.now()
    recorder = Recorder()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = '{int(args.timeout)}s'")
    try:
        with connection.execute_wrapper(recorder):
            refs = references(picks)
            out(f"\nfull refresh, {args.repeat} run(s) each, medians in seconds; "
                "ratio = engine / hand-written (empty run / run with the membership in place)")  # fmt: skip
            out(REFRESH_HEADER)
            rows = run_refresh(refs, now, args.repeat, recorder, out, args.explain)
            if not args.segments_only:
                out("")
                passes = run_realtime(
                    [(segment, v) for (_row, segment), v in zip(rows, refs, strict=True)],
                    variations(picks), picks, now, args.customers, args.seed, recorder, out,
                    args.explain,
                )  # fmt: skip
                out(REALTIME_HEADER)
                for timing in passes:
                    out(timing.line(connection.vendor, goal=timing.label.startswith("evaluate")))
                engine, hand = (percentile(t.seconds, 0.95) for t in passes[1:3])
                out(f"p95 ratio engine (again) / hand-written: {engine / hand:.1f}x")
            out("\nsummary")
            out(REFRESH_HEADER)
            for row, _segment in rows:
                out(refresh_line(row))
    finally:
        removed = delete_bench_segments()
        out(f"deleted the {removed} benchmark segments")
    out(f"load average after: {loads()}; {time.perf_counter() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
