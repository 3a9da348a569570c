"""Hypothesis strategies for the differential test of the segment engine: random commerce facts
(customers with addresses, carts, orders, views, wish lists, store credit and subscriptions on two
websites in non-UTC time zones; guest visitors; products in categories with attributes) and
random condition trees drawn from the whole catalogue, valid for a given Apply To.

Values come from small pools (text from a four-letter alphabet, amounts that add up to round
figures, moments on either side of local midnight) so that conditions actually match.
The attribute definitions the trees and facts use are created by the test's fixture from the
constants below; :class:`Catalogue` carries their database ids.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from patron.segments.tests import oracle

# --- What the fixture defines -------------------------------------------------------------------

TIME_ZONES = ("America/Los_Angeles", "Asia/Tokyo")

# code -> (kind for the oracle, input type, validation, option labels)
CUSTOMER_CUSTOM = {
    "c_text": ("text", "text", "", ()),
    "c_num": ("number", "text", "numeric", ()),
    "c_date": ("date", "date", "", ()),
    "c_bool": ("boolean", "boolean", "", ()),
    "c_sel": ("select", "select", "", ("One", "Two", "Three")),
    "c_multi": ("multiselect", "multiselect", "", ("X", "Y", "Z")),
    "c_lines": ("lines", "multiline", "", ()),
}
ADDRESS_CUSTOM = {
    "a_text": ("text", "text", "", ()),
    "a_num": ("number", "text", "numeric", ()),
    "a_date": ("date", "date", "", ()),
    "a_bool": ("boolean", "boolean", "", ()),
    "a_sel": ("select", "select", "", ("North", "South")),
    "a_multi": ("multiselect", "multiselect", "", ("P", "Q", "R")),
}
CUSTOMER_SYSTEM = {
    **dict.fromkeys(
        ("prefix", "firstname", "middlename", "lastname", "suffix", "email", "taxvat"), "text"
    ),
    "dob": "date",
    "created_at": "moment",
    "updated_at": "moment",
    "gender": "select",
    "group_id": "select",
    "website_id": "select",
    "created_in": "select",
    "disable_auto_group_change": "boolean",
}
ADDRESS_SYSTEM = {
    **dict.fromkeys(
        (
            "prefix",
            "firstname",
            "middlename",
            "lastname",
            "suffix",
            "company",
            "city",
            "region",
            "postcode",
            "telephone",
            "fax",
            "vat_id",
        ),
        "text",
    ),
    "street": "lines",
    "country_id": "select",
}
# code -> (type, options); p_hidden is not flagged for promo rules, so never offered.
PRODUCT_ATTRIBUTES = {
    "p_text": ("text", ()),
    "p_num": ("number", ()),
    "p_bool": ("boolean", ()),
    "p_sel": ("select", ("red", "green", "blue")),
    "p_multi": ("multiselect", ("s", "m", "l")),
    "p_date": ("date", ()),
}
PRODUCT_KINDS = {
    "sku": "text",
    "attribute_set": "text",
    "category": "category",
    **{code: kind for code, (kind, _o) in PRODUCT_ATTRIBUTES.items()},
}
CATEGORIES = ("shoes", "hats", "bags")
STATUSES = ("pending", "processing", "complete", "canceled")
COUNTRIES = ("US", "DE", "FR", "JP")
ORDER_ADDRESS_FIELDS = (
    "firstname",
    "lastname",
    "company",
    "street",
    "city",
    "region",
    "postcode",
    "country_id",
    "telephone",
    "email",
)


@dataclass(frozen=True)
class Catalogue:
    """The installation a test example runs in: websites (ids, time zones, store views), the
    option ids of the choice attributes, the group ids, and the oracle's :class:`Schema`."""

    websites: tuple[int, int]
    store_views: dict[int, tuple[int, ...]]  # website -> its store views
    groups: tuple[int, ...]  # every group (NOT LOGGED IN included, as the picker offers it)
    options: dict[str, tuple[int, ...]]  # custom select / multiselect code -> option ids
    schema: oracle.Schema


# --- Small pools --------------------------------------------------------------------------------

# Every text of one or two letters of "abAB": one draw each (drawing characters one by one makes
# each example several times slower to generate and to shrink).
TEXTS = tuple(a + b for a in "abAB" for b in ("", *"abAB"))
TEXT = st.sampled_from(TEXTS)
OPTIONAL_TEXT = st.sampled_from(("",) * 10 + TEXTS)
# Cents that binary floating point cannot hold (SQLite's sums of 0.10 and 0.20), and amounts
# whose sums and means are round figures.
AMOUNTS = tuple(
    Decimal(v) for v in ("0", "0.10", "0.20", "0.25", "10.00", "20.00", "25.50", "99.99")
)
# Amounts and a few of their sums and means, so "is" finds equal totals and averages.
THRESHOLDS = (
    *AMOUNTS,
    *(Decimal(v) for v in ("0.30", "0.15", "0.35", "30.00", "15.00", "12.75", "35.50", "100")),
)
QUANTITIES = tuple(Decimal(v) for v in ("1", "2", "5", "0.5"))
DOBS = (dt.date(1990, 5, 1), dt.date(1990, 5, 2), dt.date(1985, 12, 31))
LOCAL_TIMES = (dt.time(0, 0, 0), dt.time(0, 0, 1), dt.time(23, 59, 59), dt.time(12, 0))
NOW_DAYS = (dt.date(2024, 3, 10), dt.date(2024, 11, 3), dt.date(2024, 6, 15))


@st.composite
def moments(draw) -> dt.datetime:
    """A "now": a moment just before, at or just after midnight (or noon) somewhere."""
    zone = ZoneInfo(draw(st.sampled_from(TIME_ZONES)))
    local = dt.datetime.combine(draw(st.sampled_from(NOW_DAYS)), draw(st.sampled_from(LOCAL_TIMES)))
    return local.replace(tzinfo=zone).astimezone(dt.UTC)


def moments_near(now: dt.datetime):
    """A moment some days before (or a day after) ``now``, close to a midnight of one of the
    websites' time zones or of UTC."""
    return st.sampled_from(_moments_near(now))


@functools.cache
def _moments_near(now: dt.datetime) -> tuple[dt.datetime, ...]:
    found = []
    for offset in range(-1, 11):
        for zone in (*TIME_ZONES, "UTC"):
            day = now.astimezone(ZoneInfo(zone)).date() - dt.timedelta(days=offset)
            for time in LOCAL_TIMES:
                local = dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone))
                found.append(local.astimezone(dt.UTC))
    return tuple(found)


def days_near(now: dt.datetime):
    """Calendar dates around the local "today" of either website."""
    return st.sampled_from(_days_near(now))


@functools.cache
def _days_near(now: dt.datetime) -> tuple[dt.date, ...]:
    days = {
        now.astimezone(ZoneInfo(zone)).date() - dt.timedelta(days=offset)
        for offset in range(-1, 11)
        for zone in TIME_ZONES
    }
    return tuple(sorted(days, reverse=True))


# --- Facts --------------------------------------------------------------------------------------
# Strategies are built once, here or once per world: building one costs more than drawing from it.

BOOLEANS = st.booleans()
AMOUNT = st.sampled_from(AMOUNTS)
QUANTITY = st.sampled_from(QUANTITIES)
STATUS = st.sampled_from(STATUSES)
COUNTRY = st.sampled_from(COUNTRIES)
SUBSCRIBER_STATUS = st.sampled_from(("subscribed", "unsubscribed", "not_activated"))
LINES = st.lists(TEXT, min_size=1, max_size=2)
STREET = st.lists(TEXT, max_size=2)
SMALL_NUMBER = st.integers(0, 5).map(str)
DOB = st.one_of(st.none(), st.sampled_from(DOBS))
GENDER = st.one_of(st.none(), st.sampled_from((1, 2, 3)))
CART_AMOUNTS = ("subtotal", "grand_total", "tax", "shipping", "store_credit", "gift_card")
ORDER_ADDRESS_VALUES = {
    "firstname": TEXT,
    "lastname": TEXT,
    "company": OPTIONAL_TEXT,
    "street": LINES,
    "city": TEXT,
    "region": OPTIONAL_TEXT,
    "postcode": TEXT,
    "country_id": COUNTRY,
    "telephone": TEXT,
    "email": TEXT.map(lambda t: f"{t.lower()}@ex.io"),
}
ORDER_ADDRESS_KEYS = st.lists(st.sampled_from(ORDER_ADDRESS_FIELDS), min_size=1, unique=True)
ADDRESS_TEXT_FIELDS = {
    "prefix": OPTIONAL_TEXT,
    "firstname": TEXT,
    "middlename": OPTIONAL_TEXT,
    "lastname": TEXT,
    "suffix": OPTIONAL_TEXT,
    "company": OPTIONAL_TEXT,
    "street": STREET,
    "city": TEXT,
    "region": OPTIONAL_TEXT,
    "postcode": OPTIONAL_TEXT,
    "telephone": OPTIONAL_TEXT,
    "fax": OPTIONAL_TEXT,
    "vat_id": OPTIONAL_TEXT,
    "country_id": COUNTRY,
}
PRODUCT_VALUES = {
    "text": TEXT,
    "number": st.sampled_from((1, 2, 2.5, 10)),
    "boolean": BOOLEANS,
}


@dataclass(frozen=True)
class Pools:
    """The strategies of one world: they depend on its "now", its products and the catalogue."""

    cat: Catalogue
    now: dt.datetime
    skus: tuple[str, ...]

    @functools.cached_property
    def moment(self):
        return moments_near(self.now)

    @functools.cached_property
    def sku(self):
        return st.sampled_from(self.skus)

    @functools.cached_property
    def cart_skus(self):
        return st.lists(self.sku, max_size=3, unique=True)

    @functools.cached_property
    def order_skus(self):
        return st.lists(self.sku, min_size=1, max_size=2)

    @functools.cached_property
    def website(self):
        return st.sampled_from(self.cat.websites)

    @functools.cached_property
    def some_websites(self):
        return st.lists(self.website, max_size=2, unique=True)

    @functools.cached_property
    def store_views(self):
        views = [v for w in self.cat.websites for v in self.cat.store_views[w]]
        return st.lists(st.sampled_from(views), max_size=2, unique=True)

    @functools.cached_property
    def values(self) -> dict:
        """A strategy of stored values per custom attribute code."""
        date = days_near(self.now).map(dt.date.isoformat)
        found = {}
        for code, (kind, *_rest) in {**CUSTOMER_CUSTOM, **ADDRESS_CUSTOM}.items():
            if kind in ("select", "multiselect"):
                option = st.sampled_from(self.cat.options[code])
                found[code] = (
                    option
                    if kind == "select"
                    else st.lists(option, min_size=1, max_size=2, unique=True).map(sorted)
                )
            else:
                found[code] = {
                    "text": TEXT,
                    "lines": LINES,
                    "number": SMALL_NUMBER,
                    "date": date,
                    "boolean": BOOLEANS,
                }[kind]
        return found


def custom_values(draw, pools: Pools, definitions: dict) -> dict:
    return {code: draw(pools.values[code]) for code in definitions if draw(BOOLEANS)}


def address(draw, pools: Pools) -> oracle.Address:
    fields = {code: draw(values) for code, values in ADDRESS_TEXT_FIELDS.items()}
    return oracle.Address(fields=fields, custom=custom_values(draw, pools, ADDRESS_CUSTOM))


def cart(draw, pools: Pools, website: int, visitor_id: str = "") -> oracle.Cart:
    return oracle.Cart(
        website=website,
        updated_at=draw(pools.moment),
        items=[oracle.CartItem(sku, draw(QUANTITY)) for sku in draw(pools.cart_skus)],
        amounts={name: draw(AMOUNT) for name in CART_AMOUNTS},
        visitor_id=visitor_id,
    )


def order_address(draw) -> dict:
    if draw(st.integers(0, 4)) == 0:
        return {}
    return {code: draw(ORDER_ADDRESS_VALUES[code]) for code in draw(ORDER_ADDRESS_KEYS)}


def order(draw, pools: Pools) -> oracle.Order:
    return oracle.Order(
        website=draw(pools.website),
        status=draw(STATUS),
        placed_at=draw(pools.moment),
        grand_total=draw(AMOUNT),
        total_qty=draw(QUANTITY),
        billing=order_address(draw),
        shipping=order_address(draw),
        skus=draw(pools.order_skus),
    )


def views(draw, pools: Pools) -> list[oracle.Dated]:
    return [
        oracle.Dated(draw(pools.sku), draw(pools.moment), draw(pools.website))
        for _ in range(draw(st.integers(0, 3)))
    ]


def customer(draw, pools: Pools, key: int, home: int) -> oracle.Customer:
    """A customer, most often of the segment's website ``home``."""
    cat = pools.cat
    website = draw(st.sampled_from((home, home, home, *cat.websites)))
    book = [address(draw, pools) for _ in range(draw(st.integers(0, 2)))]
    default = st.one_of(st.none(), st.integers(0, len(book) - 1)) if book else st.none()
    fields = {
        "prefix": draw(OPTIONAL_TEXT),
        "firstname": draw(TEXT),
        "middlename": draw(OPTIONAL_TEXT),
        "lastname": draw(TEXT),
        "suffix": draw(OPTIONAL_TEXT),
        "email": f"{draw(TEXT).lower()}{key}@ex.io",
        "taxvat": draw(OPTIONAL_TEXT),
        "dob": draw(DOB),
        "created_at": draw(pools.moment),
        "updated_at": draw(pools.moment),
        "gender": draw(GENDER),
        "group_id": draw(st.sampled_from([g for g in cat.groups if g != 0])),
        "website_id": website,
        "created_in": draw(st.one_of(st.none(), st.sampled_from(cat.store_views[website]))),
        "disable_auto_group_change": draw(BOOLEANS),
    }
    return oracle.Customer(
        key=key,
        website=website,
        fields=fields,
        custom=custom_values(draw, pools, CUSTOMER_CUSTOM),
        addresses=book,
        default_billing=draw(default),
        default_shipping=draw(default),
        subscriptions=[
            oracle.Subscription(store_view=view, status=draw(SUBSCRIBER_STATUS))
            for view in draw(pools.store_views)
        ],
        credit={w: draw(AMOUNT) for w in draw(pools.some_websites)},
        # A customer's cart may keep the visitor id it had before signing in.
        carts=[
            cart(draw, pools, w, visitor_id=draw(st.sampled_from(("", "v1"))))
            for w in draw(pools.some_websites)
        ],
        wishlist=[
            oracle.Dated(sku, draw(pools.moment))
            for sku in draw(st.lists(pools.sku, max_size=2, unique=True))
        ],
        views=views(draw, pools),
        orders=[order(draw, pools) for _ in range(draw(st.integers(0, 3)))],
    )


def visitor(draw, pools: Pools, visitor_id: str) -> oracle.Visitor:
    return oracle.Visitor(
        visitor_id=visitor_id,
        carts=[cart(draw, pools, w, visitor_id) for w in draw(pools.some_websites)],
        views=views(draw, pools),
    )


def products(draw, now: dt.datetime) -> dict[str, oracle.Product]:
    skus = draw(st.lists(TEXT, min_size=1, max_size=4, unique=True))
    date = days_near(now).map(dt.date.isoformat)
    found = {}
    for sku in skus:
        attributes = {}
        for code, (kind, options) in PRODUCT_ATTRIBUTES.items():
            if not draw(BOOLEANS):
                continue
            if kind == "select":
                attributes[code] = draw(st.sampled_from(options))
            elif kind == "multiselect":
                attributes[code] = draw(
                    st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True)
                )
            else:
                attributes[code] = draw(date if kind == "date" else PRODUCT_VALUES[kind])
        found[sku] = oracle.Product(
            sku=sku,
            attribute_set=draw(OPTIONAL_TEXT),
            categories=tuple(draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True))),
            attributes=attributes,
        )
    return found


@st.composite
def worlds(draw, cat: Catalogue, now: dt.datetime, website: int) -> oracle.World:
    """Products, one to five customers (most of them on ``website``) and three visitors."""
    catalogue = products(draw, now)
    pools = Pools(cat=cat, now=now, skus=tuple(sorted(catalogue)))
    people = [customer(draw, pools, key, website) for key in range(draw(st.integers(1, 5)))]
    guests = [visitor(draw, pools, visitor_id) for visitor_id in ("v1", "v2", "v3")]
    return oracle.World(products=catalogue, customers=people, visitors=guests)


# --- Condition trees ----------------------------------------------------------------------------

ROOT, ADDRESS, PRODUCT, ORDER_ADDRESS, ORDER = (
    "root",
    "address",
    "product",
    "order_address",
    "order",
)
NUMBER_OPS = ("is", "is_not", "gte", "gt", "lte", "lt")
TEXT_OPS = ("is", "is_not", "contains", "does_not_contain")
SELECT_OPS = ("is", "is_not")
DATE_OPS = ("is", "gte", "lte")
CHOICE_LIST_OPS = ("is", "is_not", "is_one_of", "is_not_one_of")
AGGREGATORS = st.sampled_from(("all", "any"))
REGISTERED_ROOT = (
    "customer_attribute", "customer_default_address", "newsletter", "store_credit",
    "customer_address", "order_address", "sales_amount", "number_of_orders", "purchased_qty",
)  # fmt: skip
VISITOR_ROOT = ("cart_total", "cart_line_items", "cart_qty", "product_list", "product_history")
CONTAINERS = {
    "combine", "customer_address", "order_address", "product_list", "product_history",
    "sales_amount", "number_of_orders", "purchased_qty",
}  # fmt: skip
KINDS = {
    ADDRESS: ("default_address", "address_attribute", "address_has_region"),
    PRODUCT: ("product_attribute", "up_to_date", "date_range"),
    ORDER_ADDRESS: ("order_address_type", "order_address_attribute"),
    ORDER: ("up_to_date", "date_range", "order_status"),
}
CHILD_SCOPES = {
    "customer_address": ADDRESS, "order_address": ORDER_ADDRESS, "product_list": PRODUCT,
    "product_history": PRODUCT, "sales_amount": ORDER, "number_of_orders": ORDER,
    "purchased_qty": ORDER,
}  # fmt: skip
ATTRIBUTE_OPERATORS = {
    "text": TEXT_OPS, "lines": TEXT_OPS, "number": NUMBER_OPS, "date": DATE_OPS,
    "moment": DATE_OPS, "select": SELECT_OPS, "boolean": SELECT_OPS, "multiselect": TEXT_OPS,
}  # fmt: skip
PRODUCT_OPERATORS = {"text": TEXT_OPS, "number": NUMBER_OPS, "boolean": SELECT_OPS,
                     "date": DATE_OPS}  # fmt: skip
PRODUCT_OPTIONS = {"category": CATEGORIES, **{c: o for c, (_k, o) in PRODUCT_ATTRIBUTES.items()}}


def drawn_types() -> set[str]:
    """Every condition type the trees can contain."""
    return {"combine", *VISITOR_ROOT, *REGISTERED_ROOT, *(k for ks in KINDS.values() for k in ks)}


@dataclass(frozen=True)
class Frame:
    """What a tree is drawn for: the catalogue, Apply To, "now", and values taken from the
    world (texts, totals, quantities), so that "is" finds equal values more often than chance
    would."""

    cat: Catalogue
    apply_to: str
    now: dt.datetime
    texts: tuple[str, ...] = ()
    amounts: tuple[Decimal, ...] = ()
    quantities: tuple[Decimal, ...] = ()

    @functools.cached_property
    def text(self):
        if not self.texts:
            return TEXT
        seen = st.sampled_from(self.texts)
        return st.one_of(TEXT, seen, seen.map(str.swapcase))

    def number(self, pool, hints=()):
        """A number from ``pool`` or ``hints``, as the builder sends it (text)."""
        found = st.sampled_from(pool)
        if hints:
            found = st.one_of(found, st.sampled_from(hints))
        return found.map(str)

    @functools.cached_property
    def amount(self):
        return self.number(THRESHOLDS, self.amounts)

    @functools.cached_property
    def day(self):
        return days_near(self.now).map(dt.date.isoformat)


def hints_of(world: oracle.World) -> dict:
    """The texts, totals and quantities found in ``world``: its customers' names and addresses,
    the sums and means of their orders (every order, and per status) and of their carts."""
    texts: set[str] = set()
    amounts: set[Decimal] = set()
    quantities: set[Decimal] = set()

    def add_texts(values):
        for value in values:
            if isinstance(value, str) and value:
                texts.add(value)
            elif isinstance(value, list):
                add_texts(value)

    def add_figures(target: set[Decimal], values: list[Decimal]):
        if values:
            target.update((sum(values), sum(values) / len(values)))

    for product in world.products.values():
        add_texts((product.sku, product.attribute_set, *product.attributes.values()))
    for customer in world.customers:
        add_texts((*customer.fields.values(), *customer.custom.values()))
        for address in customer.addresses:
            add_texts((*address.fields.values(), *address.custom.values()))
        for order in customer.orders:
            add_texts((*order.billing.values(), *order.shipping.values()))
        for website in {o.website for o in customer.orders}:
            orders = [o for o in customer.orders if o.website == website]
            for status in {None, *(o.status for o in orders)}:
                chosen = [o for o in orders if status in (None, o.status)]
                add_figures(amounts, [o.grand_total for o in chosen])
                add_figures(quantities, [o.total_qty for o in chosen])
        amounts.update(customer.credit.values())
    for subject in (*world.customers, *world.visitors):
        for cart in subject.carts:
            quantities.add(sum((item.qty for item in cart.items), Decimal(0)))
    return {
        "texts": tuple(sorted(texts)),
        "amounts": _four_places(amounts),
        "quantities": _four_places(quantities),
    }


def _four_places(figures: set[Decimal]) -> tuple[Decimal, ...]:
    """The figures that have at most four decimal places (a mean that goes on forever is no
    use as a threshold)."""
    places = Decimal("0.0001")
    return tuple(sorted({f.quantize(places) for f in figures if f == f.quantize(places)}))


def numeric(draw, values) -> dict:
    return {"operator": draw(st.sampled_from(NUMBER_OPS)), "value": draw(values)}


def _condition_value(draw, frame: Frame, kind: str, code: str):
    """A value to compare an attribute of ``kind`` with, as the builder would send it."""
    cat = frame.cat
    if kind in ("text", "lines"):
        return draw(frame.text)
    if kind == "number":
        return str(draw(st.integers(0, 5)))
    if kind in ("date", "moment"):
        return draw(st.sampled_from(DOBS)).isoformat() if code == "dob" else draw(frame.day)
    if kind == "boolean":
        return draw(BOOLEANS)
    choices = {
        "gender": (1, 2, 3),
        "group_id": cat.groups,
        "website_id": cat.websites,
        "created_in": [v for w in cat.websites for v in cat.store_views[w]],
        "country_id": COUNTRIES,
    }.get(code) or cat.options[code]
    return draw(st.sampled_from(choices))


def _attribute_node(draw, frame: Frame, entity: str) -> dict:
    schema = frame.cat.schema
    kinds = schema.customer_kinds if entity == "customer" else schema.address_kinds
    code = draw(st.sampled_from(sorted(kinds)))
    return {
        "type": f"{entity}_attribute",
        "attribute": code,
        "operator": draw(st.sampled_from(ATTRIBUTE_OPERATORS[kinds[code]])),
        "value": _condition_value(draw, frame, kinds[code], code),
    }


def _product_attribute(draw, frame: Frame) -> dict:
    code = draw(st.sampled_from(sorted(PRODUCT_KINDS)))
    kind = PRODUCT_KINDS[code]
    operator = draw(st.sampled_from(PRODUCT_OPERATORS.get(kind, CHOICE_LIST_OPS)))
    if operator in ("is_one_of", "is_not_one_of"):
        options = st.sampled_from(PRODUCT_OPTIONS[code])
        value = draw(st.lists(options, min_size=1, max_size=2, unique=True))
    elif kind in ("select", "multiselect", "category"):
        value = draw(st.sampled_from(PRODUCT_OPTIONS[code]))
    elif kind == "text":
        value = draw(frame.text)
    elif kind == "number":
        value = str(draw(st.sampled_from((0, 1, 2, 2.5, 10))))
    elif kind == "boolean":
        value = draw(BOOLEANS)
    else:
        value = draw(frame.day)
    return {"type": "product_attribute", "attribute": code, "operator": operator, "value": value}


def _dates(draw, frame: Frame, kind: str) -> dict:
    if kind == "up_to_date":
        operator, value = draw(st.sampled_from(NUMBER_OPS)), draw(st.integers(0, 9))
        return {"type": kind, "operator": operator, "value": value}
    first, last = sorted(draw(st.lists(frame.day, min_size=2, max_size=2)))
    return {"type": kind, "operator": draw(st.sampled_from(SELECT_OPS)), "value": [first, last]}


def _leaf(draw, frame: Frame, kind: str) -> dict:
    if kind in ("customer_attribute", "address_attribute"):
        return _attribute_node(draw, frame, kind.removesuffix("_attribute"))
    if kind == "customer_default_address":
        address = draw(st.sampled_from(("billing", "shipping")))
        return {"type": kind, "address": address, "value": draw(BOOLEANS)}
    if kind in ("newsletter", "address_has_region"):
        return {"type": kind, "value": draw(BOOLEANS)}
    if kind == "store_credit":
        return {"type": kind, **numeric(draw, frame.amount)}
    if kind == "cart_total":
        fields = ["subtotal", "grand_total", "tax", "shipping", "gift_card"]
        if frame.apply_to != "visitors":
            fields.append("store_credit")
        return {"type": kind, "field": draw(st.sampled_from(fields)),
                **numeric(draw, frame.amount)}  # fmt: skip
    if kind == "cart_line_items":
        return {"type": kind, **numeric(draw, frame.number((0, 1, 2, 3)))}
    if kind == "cart_qty":
        pool = (*QUANTITIES, Decimal(0), Decimal(3))
        return {"type": kind, **numeric(draw, frame.number(pool, frame.quantities))}
    if kind in ("default_address", "order_address_type"):
        operator = draw(st.sampled_from(SELECT_OPS))
        return {"type": kind, "operator": operator,
                "value": draw(st.sampled_from(("billing", "shipping")))}  # fmt: skip
    if kind == "order_address_attribute":
        code = draw(st.sampled_from(ORDER_ADDRESS_FIELDS))
        if code == "country_id":
            operator, value = draw(st.sampled_from(SELECT_OPS)), draw(COUNTRY)
        else:
            operator, value = draw(st.sampled_from(TEXT_OPS)), draw(frame.text)
        return {"type": kind, "attribute": code, "operator": operator, "value": value}
    if kind == "product_attribute":
        return _product_attribute(draw, frame)
    if kind in ("up_to_date", "date_range"):
        return _dates(draw, frame, kind)
    if kind == "order_status":
        return {"type": kind, "operator": draw(st.sampled_from(SELECT_OPS)),
                "value": draw(st.sampled_from(("any", *STATUSES)))}  # fmt: skip
    raise AssertionError(kind)


def _kinds(scope: str, apply_to: str) -> tuple[str, ...]:
    if scope == ROOT:
        return VISITOR_ROOT if apply_to == "visitors" else (*VISITOR_ROOT, *REGISTERED_ROOT)
    return KINDS[scope]


def _container(draw, frame: Frame, kind: str, scope: str, depth: int) -> dict:
    count = draw(st.integers(0, 3))
    child_scope = CHILD_SCOPES.get(kind, scope)
    children = [node(draw, frame, child_scope, depth - 1) for _ in range(count)]
    found = {"type": kind, "aggregator": draw(AGGREGATORS), "conditions": children}
    registered = frame.apply_to != "visitors"
    if kind == "combine":
        found["value"] = draw(BOOLEANS)
    elif kind == "product_list":
        found["operator"] = draw(st.sampled_from(("found", "not_found")))
        found["source"] = draw(st.sampled_from(("cart", "wishlist") if registered else ("cart",)))
    elif kind == "product_history":
        found["operator"] = draw(st.sampled_from(("was", "was_not")))
        sources = ("viewed", "ordered") if registered else ("viewed",)
        found["source"] = draw(st.sampled_from(sources))
    elif kind in ("sales_amount", "number_of_orders", "purchased_qty"):
        found["function"] = draw(st.sampled_from(("total", "average")))
        values = {
            "sales_amount": frame.amount,
            "number_of_orders": frame.number((0, 1, 2, 3)),
            "purchased_qty": frame.number((*QUANTITIES, 3, 1.5), frame.quantities),
        }[kind]
        found.update(numeric(draw, values))
    return found


def node(draw, frame: Frame, scope: str, depth: int) -> dict:
    """One condition of ``scope``: a leaf, or (while ``depth`` allows) a container."""
    kinds = list(_kinds(scope, frame.apply_to))
    if depth > 0:
        kinds.append("combine")
    else:
        kinds = [k for k in kinds if k not in CONTAINERS]
    kind = draw(st.sampled_from(kinds))
    if kind in CONTAINERS:
        return _container(draw, frame, kind, scope, depth)
    return _leaf(draw, frame, kind)


@st.composite
def trees(draw, frame: Frame, depth: int = 3) -> dict:
    """A root combination whose conditions nest up to ``depth`` levels below it."""
    children = [node(draw, frame, ROOT, depth) for _ in range(draw(st.integers(1, 4)))]
    return {"type": "combine", "aggregator": draw(AGGREGATORS), "value": draw(BOOLEANS),
            "conditions": children}  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    apply_to: str
    website: int
    now: dt.datetime
    world: oracle.World
    trees: tuple[dict, ...]


@st.composite
def scenarios(draw, cat: Catalogue, apply_to: str | None = None) -> Scenario:
    """Facts, a website, a moment and one to four condition trees valid for ``apply_to`` (drawn
    if None): writing the facts costs more than checking another tree against them."""
    apply_to = apply_to or draw(st.sampled_from(("both", "registered", "visitors")))
    now = draw(moments())
    website = draw(st.sampled_from(cat.websites))
    world = draw(worlds(cat, now, website))
    frame = Frame(cat=cat, apply_to=apply_to, now=now, **hints_of(world))
    drawn = tuple(draw(trees(frame)) for _ in range(draw(st.integers(1, 4))))
    return Scenario(apply_to=apply_to, website=website, now=now, world=world, trees=drawn)
