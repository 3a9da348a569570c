"""Commerce facts for the benchmark customers: orders, refunds, carts, wish lists, product views.

``bench.generate --scale S`` calls ``load`` after its customers are committed (``--no-facts``
skips it). At scale 1.0, for the 1,000,000 new customers:

* a catalogue of at least ``PRODUCTS`` products in a three-level category tree (created only when
  the catalogue is smaller; not scaled);
* about 3,000,000 orders placed over the two years before today, ids in placed-at order, each
  with 1 to 4 items. 10 % are guest orders (``customer_id`` NULL, a random guest on a store view
  picked by the customers' country weights); the others belong to a customer who had signed up
  by then, in the customer's store view and website. A few customers order often; about half
  never order (a third have no ``LOYALTY`` weight, and the newest had little time). Statuses depend on the order's age: mostly complete, some
  canceled and closed, pending and processing only in the last two weeks. Amounts are in the
  website's currency and add up: ``row_total = price × qty``, ``subtotal = Σ row_total``,
  ``grand_total = subtotal − discount + shipping + tax``;
* a refund (credit memo) of every closed order, of all its items and its grand total, and of one
  item of 3 % of complete orders; a quarter of refunds go to store credit;
* an active cart for 5 % of customers, plus 25,000 visitor carts;
* wish lists (1 to 6 products) for 8 % of customers;
* about 5,000,000 product views over the last 90 days, 65 % by customers.

Counts scale linearly with S. Every stream has its own random generator seeded from ``seed``,
so a run is repeatable. Loading follows the customer loader: ``COPY`` on PostgreSQL (secondary
indexes of the fact tables dropped and rebuilt in bulk, per-row foreign-key triggers off as a
superuser and the keys checked set-based afterwards), ``executemany`` on SQLite; one
transaction; a sample of orders is checked before the commit.
"""

import bisect
import datetime as dt
import itertools
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bench import generate as base
from patron.customers.demo_names import COUNTRIES

PRODUCTS = 2_000
FULL_SCALE = {"orders": 3_000_000, "product views": 5_000_000, "visitor carts": 25_000}
CHUNK = 25_000
SAMPLE = 300
ORDER_DAYS = 730
VIEW_DAYS = 90
RECENT_DAYS = 14
DAY = 86_400.0

GUEST_SHARE = 0.10
CART_SHARE = 0.05
WISHLIST_SHARE = 0.08
CUSTOMER_VIEW_SHARE = 0.65
PARTIAL_REFUND_SHARE = 0.03
STORE_CREDIT_REFUND_SHARE = 0.25
COUPON_SHARE = 0.18

# Relative order frequency of a customer: 0 never orders. The mean and the guest share give
# 2.7 orders per customer at the full 3,000,000.
LOYALTY = {0: 35, 1: 35, 3: 18, 8: 9, 25: 3}
ITEM_COUNTS = {1: 45, 2: 30, 3: 15, 4: 10}
CART_ITEM_COUNTS = {1: 35, 2: 30, 3: 20, 4: 10, 5: 5}
QUANTITIES = {1: 80, 2: 15, 3: 4, 5: 1}
STATUSES_RECENT = {"pending": 15, "processing": 35, "complete": 42, "canceled": 6, "closed": 2}
STATUSES_OLDER = {"complete": 80, "canceled": 10, "closed": 7, "processing": 2, "pending": 1}
COUPONS = {"WELCOME10": (10, 1), "SPRING15": (15, 2), "VIP20": (20, 3), "NEWS5": (5, 4)}

# Per website currency: (USD → currency rate, decimal places, flat shipping and the subtotal
# from which shipping is free, both in minor units). Tax (basis points) per store-view country.
CURRENCIES = {
    "USD": (1.0, 2, 490, 5_000),
    "EUR": (0.92, 2, 490, 5_000),
    "JPY": (150.0, 0, 500, 5_000),
    "BRL": (5.0, 2, 1_990, 25_000),
}
TAX_BP = {"US": 725, "DE": 1_900, "FR": 2_000, "JP": 1_000, "BR": 1_700}

TREE = {
    ("kitchen", "Kitchen"): [("Cookware", "Pan"), ("Tableware", "Plate"), ("Knives", "Knife"),
                             ("Coffee & Tea", "Teapot")],
    ("garden", "Garden"): [("Tools", "Trowel"), ("Seeds", "Seed Set"), ("Watering", "Hose"),
                           ("Furniture", "Bench")],
    ("books", "Books"): [("Fiction", "Novel"), ("Cooking", "Cookbook"), ("Travel", "Guide"),
                         ("Children", "Picture Book")],
    ("toys", "Toys"): [("Puzzles", "Puzzle"), ("Wooden Toys", "Train Set"), ("Games", "Board Game"),
                       ("Outdoor Play", "Kite")],
    ("apparel", "Apparel"): [("Shirts", "Shirt"), ("Knitwear", "Sweater"), ("Socks", "Socks"),
                             ("Outerwear", "Jacket")],
    ("home", "Home"): [("Lighting", "Lamp"), ("Textiles", "Throw"), ("Storage", "Basket"),
                       ("Decor", "Vase")],
    ("sports", "Sports"): [("Hiking", "Backpack"), ("Cycling", "Bike Light"), ("Yoga", "Mat"),
                           ("Running", "Running Belt")],
    ("office", "Office"): [("Paper", "Notebook"), ("Pens", "Fountain Pen"), ("Desk", "Desk Tray"),
                           ("Bags", "Laptop Sleeve")],
}  # fmt: skip
LINES = ("Basics", "Classic", "Pro")
ADJECTIVES = ("Everyday", "Compact", "Deluxe", "Rustic", "Nordic", "Urban", "Vintage", "Soft",
              "Sturdy", "Light", "Large", "Mini", "Eco", "Premium", "Travel", "Family")  # fmt: skip
MATERIALS = ("Oak", "Linen", "Cotton", "Steel", "Wool", "Bamboo", "Stoneware", "Leather", "Glass")
COLORS = ("black", "white", "grey", "blue", "green", "red", "natural", "yellow")

ORDER_COLUMNS = (
    "id", "website_id", "store_view_id", "number", "customer_id", "customer_email",
    "customer_name", "status", "currency", "subtotal", "tax", "shipping", "discount",
    "grand_total", "total_qty", "coupon_code", "applied_rule_ids", "billing_address",
    "shipping_address", "placed_at", "recorded_at", "updated_at",
)  # fmt: skip
ORDER_ITEM_COLUMNS = ("id", "order_id", "sku", "product_id", "name", "qty", "price", "row_total")
REFUND_COLUMNS = (
    "id", "order_id", "number", "currency", "grand_total", "to_store_credit", "refunded_at",
    "recorded_at",
)  # fmt: skip
REFUND_ITEM_COLUMNS = ("id", "refund_id", "sku", "qty", "row_total")
CART_COLUMNS = (
    "id", "website_id", "store_view_id", "customer_id", "visitor_id", "currency", "subtotal",
    "tax", "shipping", "grand_total", "store_credit_applied", "gift_card_applied",
    "billing_address", "shipping_address", "updated_at",
)  # fmt: skip
CART_ITEM_COLUMNS = ("id", "cart_id", "sku", "product_id", "name", "qty", "price")
WISHLIST_COLUMNS = ("id", "customer_id", "product_id", "qty", "added_at")
VIEW_COLUMNS = (
    "id", "website_id", "external_id", "product_id", "customer_id", "visitor_id", "viewed_at",
)  # fmt: skip

# Load order: a table comes after those its rows point at.
TABLES = {
    "sales_order": ORDER_COLUMNS,
    "sales_orderitem": ORDER_ITEM_COLUMNS,
    "sales_refund": REFUND_COLUMNS,
    "sales_refunditem": REFUND_ITEM_COLUMNS,
    "sales_cart": CART_COLUMNS,
    "sales_cartitem": CART_ITEM_COLUMNS,
    "sales_wishlistitem": WISHLIST_COLUMNS,
    "sales_productview": VIEW_COLUMNS,
}

# Disk use per new customer of the facts above (tables, indexes, TOAST) at the full-scale ratio
# of facts to customers, measured after loads; see docs/performance.md. generate's
# check_disk_space adds it (with the same headroom) when --facts is on.
BYTES_PER_CUSTOMER = {"postgresql": 5_000, "sqlite": 4_200}

Chunk = dict[str, list[tuple]]


@dataclass
class _View:
    """A store view with what its orders need: website, country, currency and its rules."""

    id: int
    website_id: int
    country: str
    currency: str
    places: int
    rate: float
    shipping: int
    free_from: int
    tax_bp: int

    def money(self, minor: int) -> str:
        if self.places == 0:
            return str(minor)
        return f"{minor // 100}.{minor % 100:02d}"


@dataclass
class _Catalogue:
    ids: list[int]
    skus: list[str]
    names: list[str]
    usd_cents: list[int]
    popular: list[int]  # product indexes, each as often as its popularity
    prices: dict[str, list[int]]  # currency -> price of each product in minor units


@dataclass
class _Shoppers:
    """The new customers, by sign-up time: (id, website, store view, email, name, address JSON),
    their sign-up times (epoch seconds) and the running sums of their order and browse weights."""

    rows: list[tuple]
    created: list[float]
    order_weights: list[float]
    browse_weights: list[float]


@dataclass
class _World:
    views: dict[int, _View]
    by_website: dict[int, _View]
    guest_views: list[_View]
    catalogue: _Catalogue
    shoppers: _Shoppers
    end: float  # today 00:00 UTC, epoch seconds


def scaled_counts(scale: float) -> dict[str, int]:
    """The fact counts of FULL_SCALE at ``scale`` (customer carts and wish lists follow the
    customers instead)."""
    return {name: max(1, round(count * scale)) for name, count in FULL_SCALE.items()}


def _at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"bench-facts-{seed}-{stream}")


# --- Catalogue -------------------------------------------------------------------------------


def ensure_catalogue(rng: random.Random, size: int = PRODUCTS) -> tuple[int, int]:
    """Create the category tree of TREE and products ``BN-00001``… until the catalogue has
    ``size`` products; return (categories created, products created)."""
    from patron.sales.models import Product

    categories, leaves = _ensure_categories()
    missing = size - Product.objects.count()
    if missing <= 0:
        return categories, 0
    taken = set(Product.objects.filter(sku__startswith="BN-").values_list("sku", flat=True))
    free = (sku for sku in (f"BN-{n:05d}" for n in itertools.count(1)) if sku not in taken)
    made = [_product(rng, sku, leaves) for sku in itertools.islice(free, missing)]
    Product.objects.bulk_create([product for product, _leaves in made], batch_size=500)
    link = Product.categories.through
    link.objects.bulk_create(
        [link(product_id=p.pk, category_id=leaf) for p, chosen in made for leaf in chosen],
        batch_size=1000,
    )
    return categories, len(made)


def _ensure_categories() -> tuple[int, dict[str, list[tuple[int, str]]]]:
    """Create the missing categories of TREE (root > child > line); return how many were
    created and, per root code, the (id, item noun) of its leaves."""
    from patron.sales.models import Category

    before = Category.objects.count()
    leaves: dict[str, list[tuple[int, str]]] = {}
    for (root_code, root_name), children in TREE.items():
        root = _category(root_code, root_name, None)
        for child_name, noun in children:
            child_code = f"{root_code}-{_slug(child_name)}"
            child = _category(child_code, child_name, root)
            for line in LINES:
                leaf = _category(f"{child_code}-{line.lower()}", f"{child_name} {line}", child)
                leaves.setdefault(root_code, []).append((leaf.pk, noun))
    return Category.objects.count() - before, leaves


def _category(code: str, name: str, parent):
    from patron.sales.models import Category

    return Category.objects.get_or_create(code=code, defaults={"name": name, "parent": parent})[0]


def _slug(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def _product(rng: random.Random, sku: str, leaves: dict[str, list[tuple[int, str]]]):
    """Return an unsaved product of a random root and the leaf categories it belongs to (a
    fifth of products are in a second leaf too)."""
    from patron.sales.models import Product

    roots = list(leaves)
    root = base._pick(rng, roots)
    leaf, noun = base._pick(rng, leaves[root])
    dollars = min(1_499, max(1, int(math.exp(rng.gauss(3.3, 0.85)))))
    product = Product(
        sku=sku,
        name=f"{base._pick(rng, ADJECTIVES)} {base._pick(rng, MATERIALS)} {noun}",
        price=Decimal(f"{dollars}.99"),
        weight=Decimal(f"{0.1 + rng.random() * 5:.3f}"),
        attribute_set=root.capitalize(),
        attributes={"color": base._pick(rng, COLORS)},
        is_active=rng.random() > 0.03,
    )
    other = base._pick(rng, leaves[base._pick(rng, roots)])[0]
    return product, [leaf] if rng.random() < 0.8 or other == leaf else [leaf, other]


def _catalogue(rng: random.Random, views: dict[int, _View]) -> _Catalogue:
    """Every product with its price in each website currency and a popularity table: a seeded
    shuffle ranks the products, and rank r sells in proportion to 1 / r^0.7."""
    from patron.sales.models import Product

    rows = list(Product.objects.order_by("pk").values_list("pk", "sku", "name", "price"))
    usd_cents = [int(price * 100) for _pk, _sku, _name, price in rows]
    ranked = list(range(len(rows)))
    rng.shuffle(ranked)
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(rows))]
    per_weight = 20 * len(rows) / sum(weights)
    popular = [
        index
        for rank, index in enumerate(ranked)
        for _n in range(max(1, round(weights[rank] * per_weight)))
    ]
    currencies = {view.currency: view for view in views.values()}
    return _Catalogue(
        ids=[row[0] for row in rows],
        skus=[row[1] for row in rows],
        names=[row[2] for row in rows],
        usd_cents=usd_cents,
        popular=popular,
        prices={
            code: [_local_price(c, view) for c in usd_cents] for code, view in currencies.items()
        },
    )


def _local_price(usd_cents: int, view: _View) -> int:
    """A USD price in the view's currency, in minor units (whole tens of yen)."""
    if view.places == 0:
        return max(10, round(usd_cents * view.rate / 1_000) * 10)
    return max(1, round(usd_cents * view.rate))


# --- Scopes and customers ----------------------------------------------------------------------

SNAPSHOT_KEYS = (
    "firstname", "lastname", "company", "street", "city", "region", "postcode", "country_id",
    "telephone",
)  # fmt: skip
SHOPPER_FIELDS = (
    "id", "website_id", "created_in_id", "email", "firstname", "lastname", "created_at",
    *(f"default_billing__{key}" for key in SNAPSHOT_KEYS),
)  # fmt: skip


def _views() -> dict[int, _View]:
    from patron.customers import demo
    from patron.scopes.models import StoreView

    views = {}
    for view in StoreView.objects.select_related("store__website").order_by("pk"):
        country = demo._view_country(view)
        currency = view.store.website.base_currency
        rate, places, shipping, free_from = CURRENCIES.get(currency, CURRENCIES["USD"])
        views[view.pk] = _View(
            id=view.pk, website_id=view.store.website_id, country=country, currency=currency,
            places=places, rate=rate, shipping=shipping, free_from=free_from,
            tax_bp=TAX_BP.get(country, 0),
        )  # fmt: skip
    return views


def _guest_views(views: dict[int, _View]) -> list[_View]:
    """The store views of guests and visitors, each as often as its country's weight among the
    generated customers (the first store view of each country)."""
    first: dict[str, _View] = {}
    for view in views.values():
        first.setdefault(view.country, view)
    table = [
        first[country]
        for country, weight in base.COUNTRY_WEIGHTS.items()
        if country in first
        for _n in range(weight)
    ]
    return table or list(views.values())


def _shoppers(rng: random.Random, first_id: int, last_id: int, world_views) -> _Shoppers:
    """Read customers ``first_id``…``last_id`` with their default billing address; give each a
    loyalty weight (LOYALTY) for orders and that weight + 1 for product views."""
    from patron.customers.models import Customer

    views, by_website = world_views
    rows = []
    for start in range(first_id, last_id + 1, 50_000):
        stop = min(last_id, start + 49_999)
        values = Customer.objects.filter(pk__range=(start, stop)).order_by("pk")
        for row in values.values_list(*SHOPPER_FIELDS):
            shopper = _shopper(row, views, by_website)
            if shopper is not None:
                rows.append(shopper)
    rows.sort()
    weights = [base._pick(rng, _LOYALTY) for _row in rows]
    return _Shoppers(
        rows=rows,
        created=[row[0] for row in rows],
        order_weights=list(itertools.accumulate(weights)),
        browse_weights=list(itertools.accumulate(weight + 1 for weight in weights)),
    )


def _shopper(row: tuple, views: dict[int, _View], by_website: dict[int, _View]) -> tuple | None:
    """(sign-up time, id, website, store view, email, name, billing address JSON), or None for
    a customer of a website without store views."""
    customer_id, website_id, view_id, email, first, last, created, *address = row
    view = views.get(view_id)
    if view is None or view.website_id != website_id:
        view = by_website.get(website_id)
    if view is None:
        return None
    snapshot = (
        "{}"
        if all(value is None for value in address)
        else json.dumps(dict(zip(SNAPSHOT_KEYS, address, strict=True)), ensure_ascii=False)
    )
    name = " ".join(part for part in (first, last) if part)
    return (created.timestamp(), customer_id, website_id, view.id, email, name, snapshot)


def _world(seed: int, first_id: int, last_id: int) -> _World:
    from django.utils import timezone

    views = _views()
    if not views:
        raise SystemExit("There are no store views: run migrate first.")
    by_website: dict[int, _View] = {}
    for view in views.values():
        by_website.setdefault(view.website_id, view)
    end = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return _World(
        views=views,
        by_website=by_website,
        guest_views=_guest_views(views),
        catalogue=_catalogue(_rng(seed, "popularity"), views),
        shoppers=_shoppers(_rng(seed, "loyalty"), first_id, last_id, (views, by_website)),
        end=end.timestamp(),
    )


# --- Row makers --------------------------------------------------------------------------------


class _Ids:
    """The next id of each table (ids are given explicitly, as the customer loader does)."""

    def __init__(self, first: dict[str, int]):
        self.next = dict(first)

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


_LOYALTY = base._table(LOYALTY)
_ITEM_COUNTS = base._table(ITEM_COUNTS)
_CART_ITEM_COUNTS = base._table(CART_ITEM_COUNTS)
_QUANTITIES = base._table(QUANTITIES)
_STATUSES_RECENT = base._table(STATUSES_RECENT)
_STATUSES_OLDER = base._table(STATUSES_OLDER)
_COUPON_CODES = list(COUPONS)


def _empty(*tables: str) -> Chunk:
    return {table: [] for table in tables}


def _shopper_at(rng: random.Random, shoppers: _Shoppers, at: float, weights: list) -> tuple | None:
    """A customer who had signed up by ``at``, picked by weight; None if there is none."""
    known = bisect.bisect_right(shoppers.created, at)
    if known == 0 or weights[known - 1] <= 0:
        return None
    return shoppers.rows[bisect.bisect_right(weights, rng.random() * weights[known - 1])]


def _lines(rng: random.Random, world: _World, view: _View, counts: list[int]) -> list[tuple]:
    """1–4 (or 1–5) distinct popular products as (product index, qty, price in minor units)."""
    catalogue = world.catalogue
    wanted = min(base._pick(rng, counts), len(catalogue.ids))
    chosen: list[int] = []
    while len(chosen) < wanted:
        product = base._pick(rng, catalogue.popular)
        if product not in chosen:
            chosen.append(product)
    prices = catalogue.prices[view.currency]
    return [(product, base._pick(rng, _QUANTITIES), prices[product]) for product in chosen]


def _tax(amount: int, view: _View) -> int:
    return (amount * view.tax_bp + 5_000) // 10_000


def _guest(rng: random.Random, world: _World, order_id: int) -> tuple:
    """(customer id None, store view, email, name, address JSON) of a random guest."""
    view = base._pick(rng, world.guest_views)
    country = view.country if view.country in COUNTRIES else "US"
    names = COUNTRIES[country]
    first = base._pick(rng, names["female"] if rng.random() < 0.5 else names["male"])
    last = base._pick(rng, names["last"])
    domain = base._pick(rng, base.EXTRAS[country]["domains"])
    email = f"{base._email_local(first, last)}.g{order_id:x}@{domain}"
    (_first, _last, company, street, city, country_id, region, _code, postcode, telephone,
     _fax, _vat) = base._address(rng, country, first, last)  # fmt: skip
    values = (first, last, company, street, city, region, postcode, country_id, telephone)
    address = dict(zip(SNAPSHOT_KEYS, values, strict=True))
    return None, view, email, f"{first} {last}", json.dumps(address, ensure_ascii=False)


def _buyer(rng: random.Random, world: _World, at: float, order_id: int) -> tuple:
    shopper = None
    if rng.random() >= GUEST_SHARE:
        shopper = _shopper_at(rng, world.shoppers, at, world.shoppers.order_weights)
    if shopper is None:
        return _guest(rng, world, order_id)
    _created, customer_id, _website, view_id, email, name, address = shopper
    return customer_id, world.views[view_id], email, name, address


def _amounts(rng: random.Random, view: _View, lines: list[tuple]) -> dict[str, Any]:
    """subtotal, discount (a coupon on COUPON_SHARE of orders), shipping (free from a subtotal
    on), tax on the discounted subtotal, and grand total, in minor units."""
    subtotal = sum(qty * price for _product, qty, price in lines)
    coupon, rules, discount = "", "[]", 0
    if rng.random() < COUPON_SHARE:
        coupon = base._pick(rng, _COUPON_CODES)
        percent, rule = COUPONS[coupon]
        discount, rules = subtotal * percent // 100, f"[{rule}]"
    shipping = 0 if subtotal >= view.free_from else view.shipping
    tax = _tax(subtotal - discount, view)
    return {
        "subtotal": subtotal, "discount": discount, "shipping": shipping, "tax": tax,
        "grand_total": subtotal - discount + shipping + tax, "coupon": coupon, "rules": rules,
    }  # fmt: skip


def _status(rng: random.Random, age: float) -> str:
    return base._pick(rng, _STATUSES_RECENT if age < RECENT_DAYS * DAY else _STATUSES_OLDER)


def _refunded(rng: random.Random, status: str, lines: list[tuple], grand_total: int):
    """(refunded lines, refund total) of the order, or None: closed orders are refunded whole,
    PARTIAL_REFUND_SHARE of complete orders one unit of their first item."""
    if status == "closed":
        return lines, grand_total
    if status == "complete" and rng.random() < PARTIAL_REFUND_SHARE:
        product, _qty, price = lines[0]
        return [(product, 1, price)], price
    return None


def _changed_after(rng: random.Random, status: str) -> float:
    """Seconds from placing to the order's last status change."""
    if status == "pending":
        return 0.0
    if status in ("processing", "canceled"):
        return rng.random() * 2 * DAY
    return (1 + rng.random() * 5) * DAY


def _add_order(rng: random.Random, world: _World, ids: _Ids, placed: float, chunk: Chunk):
    order_id = ids.take("sales_order")
    customer_id, view, email, name, address = _buyer(rng, world, placed, order_id)
    lines = _lines(rng, world, view, _ITEM_COUNTS)
    amounts = _amounts(rng, view, lines)
    status = _status(rng, world.end - placed)
    updated = min(world.end, placed + _changed_after(rng, status))
    refund = _refunded(rng, status, lines, amounts["grand_total"])
    if refund is not None:
        updated = _add_refund(rng, world, ids, (order_id, view, placed), refund, chunk)
    money = view.money
    chunk["sales_order"].append(
        (
            order_id, view.website_id, view.id, f"{view.id}{order_id:09d}", customer_id, email,
            name, status, view.currency, money(amounts["subtotal"]), money(amounts["tax"]),
            money(amounts["shipping"]), money(amounts["discount"]),
            money(amounts["grand_total"]), str(sum(qty for _p, qty, _price in lines)),
            amounts["coupon"], amounts["rules"], address, address, _at(placed),
            _at(placed + 2 + rng.random() * 60), _at(updated),
        )
    )  # fmt: skip
    _add_items(world, ids, order_id, view, lines, chunk)


def _add_items(world, ids: _Ids, order_id: int, view: _View, lines: list[tuple], chunk: Chunk):
    catalogue, money = world.catalogue, view.money
    rows = chunk["sales_orderitem"]
    for product, qty, price in lines:
        rows.append(
            (
                ids.take("sales_orderitem"), order_id, catalogue.skus[product],
                catalogue.ids[product], catalogue.names[product], str(qty), money(price),
                money(qty * price),
            )
        )  # fmt: skip


def _add_refund(rng, world: _World, ids: _Ids, order: tuple, refund: tuple, chunk: Chunk) -> float:
    """Add the refund and its items; return when it was made."""
    order_id, view, placed = order
    lines, total = refund
    refund_id = ids.take("sales_refund")
    at = min(world.end, placed + (3 + rng.random() * 27) * DAY)
    credit = total if rng.random() < STORE_CREDIT_REFUND_SHARE else 0
    chunk["sales_refund"].append(
        (
            refund_id, order_id, f"{view.id}{refund_id:09d}", view.currency, view.money(total),
            view.money(credit), _at(at), _at(at + 5),
        )
    )  # fmt: skip
    for product, qty, price in lines:
        chunk["sales_refunditem"].append(
            (
                ids.take("sales_refunditem"), refund_id, world.catalogue.skus[product], str(qty),
                view.money(qty * price),
            )
        )  # fmt: skip
    return at


ORDER_TABLES = ("sales_order", "sales_orderitem", "sales_refund", "sales_refunditem")


def _order_chunks(rng: random.Random, world: _World, count: int, ids: _Ids) -> Iterator[Chunk]:
    """``count`` orders spread evenly over the ORDER_DAYS before today, in placed-at order."""
    span = ORDER_DAYS * DAY
    start = world.end - span
    chunk = _empty(*ORDER_TABLES)
    for index in range(count):
        _add_order(rng, world, ids, start + span * (index + rng.random()) / count, chunk)
        if len(chunk["sales_order"]) >= CHUNK:
            yield chunk
            chunk = _empty(*ORDER_TABLES)
    if chunk["sales_order"]:
        yield chunk


def _add_cart(rng: random.Random, world: _World, ids: _Ids, shopper: tuple | None, chunk: Chunk):
    """A customer's cart (half with their address) or, for ``shopper`` None, a visitor's."""
    cart_id = ids.take("sales_cart")
    since = world.end - 30 * DAY
    if shopper is None:
        view, customer_id, address = base._pick(rng, world.guest_views), None, "{}"
        visitor = f"v{cart_id:x}-{int(rng.random() * 16**10):010x}"
    else:
        created, customer_id, _website, view_id, _email, _name, snapshot = shopper
        view, visitor, since = world.views[view_id], "", max(since, created)
        address = snapshot if rng.random() < 0.5 else "{}"
    lines = _lines(rng, world, view, _CART_ITEM_COUNTS)
    subtotal = sum(qty * price for _product, qty, price in lines)
    tax, shipping = _tax(subtotal, view), 0 if subtotal >= view.free_from else view.shipping
    money = view.money
    chunk["sales_cart"].append(
        (
            cart_id, view.website_id, view.id, customer_id, visitor, view.currency,
            money(subtotal), money(tax), money(shipping), money(subtotal + tax + shipping),
            money(0), money(0), address, address,
            _at(since + rng.random() * (world.end - since)),
        )
    )  # fmt: skip
    c = world.catalogue
    for product, qty, price in lines:
        chunk["sales_cartitem"].append(
            (
                ids.take("sales_cartitem"), cart_id, c.skus[product], c.ids[product],
                c.names[product], str(qty), money(price),
            )
        )  # fmt: skip


CART_TABLES = ("sales_cart", "sales_cartitem")


def _cart_chunks(rng: random.Random, world: _World, visitors: int, ids: _Ids) -> Iterator[Chunk]:
    """A cart for CART_SHARE of the customers, then ``visitors`` visitor carts."""
    chunk = _empty(*CART_TABLES)
    owners = itertools.chain(
        (shopper for shopper in world.shoppers.rows if rng.random() < CART_SHARE),
        itertools.repeat(None, visitors),
    )
    for shopper in owners:
        _add_cart(rng, world, ids, shopper, chunk)
        if len(chunk["sales_cart"]) >= CHUNK:
            yield chunk
            chunk = _empty(*CART_TABLES)
    if chunk["sales_cart"]:
        yield chunk


def _wishlist_chunks(rng: random.Random, world: _World, ids: _Ids) -> Iterator[Chunk]:
    """1–6 distinct products for WISHLIST_SHARE of the customers, added in the last year."""
    rows: list[tuple] = []
    catalogue = world.catalogue
    for created, customer_id, *_rest in world.shoppers.rows:
        if rng.random() >= WISHLIST_SHARE:
            continue
        since = max(created, world.end - 365 * DAY)
        chosen: set[int] = set()
        for _n in range(1 + int(rng.random() * 6)):
            chosen.add(base._pick(rng, catalogue.popular))
        for product in sorted(chosen):
            added = _at(since + rng.random() * (world.end - since))
            rows.append(
                (ids.take("sales_wishlistitem"), customer_id, catalogue.ids[product], "1", added)
            )
        if len(rows) >= CHUNK:
            yield {"sales_wishlistitem": rows}
            rows = []
    if rows:
        yield {"sales_wishlistitem": rows}


def _view_chunks(rng: random.Random, world: _World, count: int, ids: _Ids) -> Iterator[Chunk]:
    """``count`` product views over the VIEW_DAYS before today, in time order: customers (by
    browse weight, among those signed up by then) and a pool of count / 8 visitors."""
    span, shoppers, catalogue = VIEW_DAYS * DAY, world.shoppers, world.catalogue
    start, visitors = world.end - span, max(1, count // 8)
    rows: list[tuple] = []
    for index in range(count):
        at = start + span * (index + rng.random()) / count
        view_id = ids.take("sales_productview")
        shopper = None
        if rng.random() < CUSTOMER_VIEW_SHARE:
            shopper = _shopper_at(rng, shoppers, at, shoppers.browse_weights)
        if shopper is None:
            website, customer_id = base._pick(rng, world.guest_views).website_id, None
            visitor = f"v{int(rng.random() * visitors):x}"
        else:
            website, customer_id, visitor = shopper[2], shopper[1], ""
        product = catalogue.ids[base._pick(rng, catalogue.popular)]
        rows.append((view_id, website, f"pv-{view_id}", product, customer_id, visitor, _at(at)))
        if len(rows) >= CHUNK * 2:
            yield {"sales_productview": rows}
            rows = []
    if rows:
        yield {"sales_productview": rows}


def _streams(seed: int, world: _World, counts: dict[str, int], ids: _Ids) -> list[tuple]:
    """(label, chunks) of each kind of fact, in load order; each with its own generator."""
    return [
        ("orders", _order_chunks(_rng(seed, "orders"), world, counts["orders"], ids)),
        ("carts", _cart_chunks(_rng(seed, "carts"), world, counts["visitor carts"], ids)),
        ("wish lists", _wishlist_chunks(_rng(seed, "wish lists"), world, ids)),
        ("product views", _view_chunks(_rng(seed, "views"), world, counts["product views"], ids)),
    ]


# --- Loading -----------------------------------------------------------------------------------


def _models() -> dict[str, Any]:
    from django.apps import apps

    return {m._meta.db_table: m for m in apps.get_app_config("sales").get_models()}


def _next_ids(cursor) -> dict[str, int]:
    return {
        table: base._one(cursor, f"SELECT coalesce(max(id), 0) + 1 FROM {table}", [])
        for table in TABLES
    }


def _stream_detail(counts: dict[str, int], before: dict[str, int]) -> str:
    return ", ".join(
        f"{counts[t] - before[t]:,} {t.removeprefix('sales_')}"
        for t in TABLES
        if counts[t] > before[t]
    )


def _load_postgresql(connection, streams, clock, bulk: bool, first_ids: dict[str, int]):
    counts = dict.fromkeys(TABLES, 0)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        triggers_off = bulk and base._foreign_key_triggers_off(cursor)
        indexes = base._secondary_indexes(cursor, list(TABLES)) if bulk else []
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        clock.lap("drop sales indexes", f"{len(indexes)} indexes")
        copy_sql = {
            t: f"COPY {t} ({', '.join(columns)}) FROM STDIN" for t, columns in TABLES.items()
        }
        for label, chunks in streams:
            before = dict(counts)
            for chunk in chunks:
                for table, rows in chunk.items():
                    with cursor.cursor.copy(copy_sql[table]) as copy:
                        for row in rows:
                            copy.write_row(row)
                    counts[table] += len(rows)
            clock.lap(f"copy {label}", _stream_detail(counts, before))
        _finish_postgresql(connection, cursor, triggers_off, indexes, first_ids, clock)
    return counts


def _finish_postgresql(connection, cursor, triggers_off, indexes, first_ids, clock) -> None:
    """Check the foreign keys, rebuild the dropped indexes, move the id sequences."""
    if triggers_off:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        models = _models()
        checks = [(models[table], "id", first) for table, first in first_ids.items()]
        base._check_foreign_keys(connection, cursor, checks)
        clock.lap("sales foreign keys", "set-based")
    else:
        # The deferred checks must run before an index can be built on the table.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        clock.lap("sales foreign keys", "per-row triggers")
    for _name, definition in indexes:
        cursor.execute(definition)
    clock.lap("rebuild sales indexes", f"{len(indexes)} indexes")
    base._move_sequences(cursor, list(TABLES))


def _load_sqlite(connection, streams, clock) -> dict[str, int]:
    prep = base._prep_sqlite(connection)
    inserts = {
        table: f"INSERT INTO {table} ({', '.join(columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
        for table, columns in TABLES.items()
    }
    counts = dict.fromkeys(TABLES, 0)
    with connection.cursor() as cursor:
        for label, chunks in streams:
            before = dict(counts)
            for chunk in chunks:
                for table, rows in chunk.items():
                    cursor.executemany(inserts[table], [[prep(v) for v in row] for row in rows])
                    counts[table] += len(rows)
            clock.lap(f"insert {label}", _stream_detail(counts, before))
    return counts


def verify_sample(first_order_id: int, last_order_id: int, size: int = SAMPLE, seed: int = 0):
    """Check up to ``size`` random orders in the id range: 1–4 items, items that add up to the
    subtotal and total quantity, ``grand_total = subtotal − discount + shipping + tax``, the
    customer on the order's website, and their refunds within the order. Raise
    ``AssertionError`` naming the problems; return how many orders were checked."""
    from django.db.models import Count, F, Sum

    from patron.sales.models import Order, Refund

    population = range(first_order_id, last_order_id + 1)
    ids = random.Random(seed).sample(population, min(size, len(population)))
    orders = Order.objects.filter(pk__in=ids).annotate(
        lines=Count("items"), items_total=Sum("items__row_total"), items_qty=Sum("items__qty"),
        customer_website=F("customer__website_id"),
    )  # fmt: skip
    problems = [problem for order in orders for problem in _order_problems(order)]
    for refund in Refund.objects.filter(order_id__in=ids).select_related("order"):
        order = refund.order
        if not (refund.to_store_credit <= refund.grand_total <= order.grand_total):
            problems.append(f"refund {refund.pk}: {refund.grand_total} of {order.grand_total}")
        if refund.refunded_at < order.placed_at or order.status not in ("closed", "complete"):
            problems.append(f"refund {refund.pk} of a {order.status} order or before it")
    if len(orders) != len(ids) or problems:
        raise AssertionError(
            f"{len(problems)} problems in sampled orders:\n" + "\n".join(problems[:20])
        )
    return len(ids)


def _order_problems(order) -> list[str]:
    problems = []
    expected = order.subtotal - order.discount + order.shipping + order.tax
    if not 1 <= order.lines <= 4:
        problems.append(f"order {order.pk}: {order.lines} items")
    if (order.items_total, order.items_qty) != (order.subtotal, order.total_qty):
        problems.append(f"order {order.pk}: items {order.items_total} ≠ {order.subtotal}")
    if order.grand_total != expected:
        problems.append(f"order {order.pk}: grand total {order.grand_total} ≠ {expected}")
    if order.customer_id is not None and order.customer_website != order.website_id:
        problems.append(f"order {order.pk}: customer of another website")
    return problems


def _analyze(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return
        for table in (*TABLES, "sales_product", "sales_category", "sales_product_categories"):
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} {table}")


def load(
    *,
    first_id: int,
    last_id: int,
    scale: float,
    seed: int,
    clock,
    bulk: bool,
    using: str = "default",
) -> dict[str, int]:
    """Add the commerce facts of customers ``first_id``…``last_id`` at ``scale`` (see the module
    docstring) in one transaction; return the rows added per table, with the products and
    categories created. Raises ``AssertionError`` (rolling back) when a sampled order does not
    add up."""
    from django.db import connections, transaction

    connection = connections[using]
    with transaction.atomic(using=using):
        categories, products = ensure_catalogue(_rng(seed, "catalogue"))
        clock.lap("catalogue", f"{products:,} products, {categories} categories created")
        world = _world(seed, first_id, last_id)
        clock.lap("read customers", f"{len(world.shoppers.rows):,} customers")
        with connection.cursor() as cursor:
            first_ids = _next_ids(cursor)
        streams = _streams(seed, world, scaled_counts(scale), _Ids(first_ids))
        if connection.vendor == "postgresql":
            counts = _load_postgresql(connection, streams, clock, bulk, first_ids)
        else:
            counts = _load_sqlite(connection, streams, clock)
        first_order = first_ids["sales_order"]
        checked = verify_sample(first_order, first_order + counts["sales_order"] - 1, seed=seed)
        clock.lap("verify sales sample", f"{checked} orders add up")
    _analyze(connection)
    clock.lap("vacuum/analyze sales")
    return {"sales_category": categories, "sales_product": products, **counts}


def summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {table.removeprefix('sales_')}" for table, count in counts.items())
