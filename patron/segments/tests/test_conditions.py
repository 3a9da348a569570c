"""Condition semantics (spec c §4, checks 13-30): each check as a segment refreshed over facts
recorded through the customers, sales, credit and newsletter services; visitors through
``evaluate_visitor`` and the events of their carts. Custom customer attributes and product
attributes flagged for promo rules are compared in conditions too."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.credit import services as credit
from patron.customers import attributes
from patron.customers import services as customers
from patron.customers.models import Customer
from patron.customers.tests.factories import make_address, make_customer, share_accounts
from patron.sales import services as sales
from patron.sales.models import Category
from patron.scopes import services as scopes
from patron.segments import services
from patron.segments.models import SegmentMembership
from patron.segments.tests.conftest import (
    address_attribute,
    address_has_region,
    cart_line_items,
    cart_qty,
    cart_total,
    combine,
    customer_address,
    customer_attribute,
    date_range,
    default_address,
    default_address_exists,
    make_product,
    newsletter,
    number_of_orders,
    order_address,
    order_address_attribute,
    order_address_type,
    order_status,
    place_order,
    product_attribute,
    product_history,
    product_list,
    purchased_qty,
    refreshed_members,
    sales_amount,
    set_cart,
    store_credit,
    up_to_date,
    view_product,
)
from patron.testing.fixtures import make_store_view

MALE, FEMALE = 1, 2
NOW = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)
TOKYO = ZoneInfo("Asia/Tokyo")


def days_ago(days: int, **time) -> dt.datetime:
    """``days`` before NOW, at NOW's time of day or at ``time`` (UTC)."""
    moment = NOW - dt.timedelta(days=days)
    return moment.replace(**time) if time else moment


def names(ids) -> set[str]:
    emails = Customer.objects.filter(pk__in=ids).values_list("email", flat=True)
    return {email.split("@")[0] for email in emails}


def matched(segment, *, now: dt.datetime = NOW) -> set[str]:
    """The local parts of the emails of the segment's members after a refresh at ``now``."""
    return names(refreshed_members(segment, now=now))


@pytest.fixture
def shopper(view_a):
    """``shopper("ada", **fields)``: a customer ada@example.com on the default website (or on
    the website of ``store_view``)."""

    def make(name: str, *, store_view=None, **fields):
        return make_customer(
            f"{name}@example.com",
            store_view=store_view or view_a,
            firstname=name.title(),
            **fields,
        )

    return make


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


@pytest.fixture
def mug(db):
    return make_product("MUG")


def buy(view, customer, *amounts, status="complete", placed_at=None):
    """Orders of ``customer`` for each amount, placed a day before NOW unless told."""
    for amount in amounts:
        place_order(
            view, customer, grand_total=amount, status=status, placed_at=placed_at or days_ago(1)
        )


# --- Customer and Customer Address (checks 13, 14, 29, 30) --------------------------------------

LOS_ANGELES = {
    "city": "Los Angeles",
    "region": "California",
    "region_code": "CA",
    "postcode": "90012",
}
BERLIN = {
    "street": ["Unter den Linden 1"],
    "city": "Berlin",
    "country_id": "DE",
    "region": "",
    "region_code": "",
    "postcode": "10117",
    "telephone": "+49 30 1234567",
}


def test_gender_and_an_address_in_los_angeles_california(make_segment, shopper, view_b):
    # given (check 13)
    ada = shopper("ada", gender=FEMALE)
    make_address(ada, **LOS_ANGELES)
    grace = shopper("grace", gender=FEMALE)
    make_address(
        grace, city="San Francisco", region="California", region_code="CA", postcode="94103"
    )
    alan = shopper("alan", gender=MALE)
    make_address(alan, **LOS_ANGELES)
    hedy = shopper("hedy", gender=FEMALE)  # the city and the state on different addresses
    make_address(hedy, city="Los Angeles", region="Texas", region_code="TX", postcode="75001")
    make_address(hedy, city="Sacramento", region="California", region_code="CA", postcode="95814")
    shopper("mary", gender=FEMALE)  # no address at all
    kate = shopper("kate", gender=FEMALE, store_view=view_b)  # another website's customer
    make_address(kate, **LOS_ANGELES)
    segment = make_segment(
        combine(
            customer_attribute("gender", "is", FEMALE),
            customer_address(
                address_attribute("city", "contains", "los angeles"),
                address_attribute("region", "is", "California"),
            ),
        )
    )

    # then
    assert matched(segment) == {"ada"}


def test_the_default_billing_address_in_germany(make_segment, shopper):
    # given (check 14)
    berta = shopper("berta")
    make_address(berta, default_billing=True, **BERLIN)
    carl = shopper("carl")  # Germany only as his default shipping address
    make_address(carl, default_billing=True)
    make_address(carl, default_shipping=True, **BERLIN)
    dora = shopper("dora")  # Germany only as an address that is no default
    make_address(dora, default_billing=True, default_shipping=True)
    make_address(dora, **BERLIN)
    segment = make_segment(
        combine(
            customer_address(
                default_address("billing"), address_attribute("country_id", "is", "DE")
            )
        )
    )
    not_default = make_segment(
        combine(
            customer_address(
                default_address("billing", operator="is_not"),
                address_attribute("country_id", "is", "DE"),
            )
        )
    )

    # then
    assert matched(segment) == {"berta"}
    assert matched(not_default) == {"carl", "dora"}


@pytest.mark.parametrize(
    ("aggregator", "value", "expected"),
    [
        pytest.param("any", False, {"grace", "adam", "alan"}, id="any_false"),
        pytest.param("all", False, {"alan"}, id="all_false"),
        pytest.param("any", True, {"ada", "grace", "adam"}, id="any_true"),
        pytest.param("all", True, {"ada"}, id="all_true"),
    ],
)
def test_a_combination_root_holds_by_its_aggregator_and_value(
    make_segment, shopper, aggregator, value, expected
):
    # given (check 29): A = "gender is female", B = "email contains ada"
    shopper("ada", gender=FEMALE)  # A and B
    shopper("grace", gender=FEMALE)  # A only
    shopper("adam", gender=MALE)  # B only
    shopper("alan", gender=MALE)  # neither
    segment = make_segment(
        combine(
            customer_attribute("gender", "is", FEMALE),
            customer_attribute("email", "contains", "ada"),
            aggregator=aggregator,
            value=value,
        )
    )

    # then
    assert matched(segment) == expected


def test_a_date_of_birth_is_a_calendar_day(make_segment, shopper):
    # given (check 30)
    shopper("may1", dob=dt.date(1990, 5, 1))
    shopper("april30", dob=dt.date(1990, 4, 30))
    shopper("may2", dob=dt.date(1990, 5, 2))
    shopper("unknown")
    on_the_day = make_segment(combine(customer_attribute("dob", "is", "1990-05-01")))
    from_the_day = make_segment(combine(customer_attribute("dob", "gte", "1990-05-01")))
    up_to_the_day = make_segment(combine(customer_attribute("dob", "lte", "1990-05-01")))

    # then
    assert matched(on_the_day) == {"may1"}
    assert matched(from_the_day) == {"may1", "may2"}
    assert matched(up_to_the_day) == {"may1", "april30"}


def test_default_addresses_exist_or_not(make_segment, shopper):
    # given: a first address becomes both defaults
    make_address(shopper("addressed"))
    shopper("homeless")
    has_shipping = make_segment(combine(default_address_exists("shipping")))
    no_billing = make_segment(combine(default_address_exists("billing", value=False)))

    # then
    assert matched(has_shipping) == {"addressed"}
    assert matched(no_billing) == {"homeless"}


def test_an_address_has_a_state_or_province_or_not(make_segment, shopper):
    # given
    make_address(shopper("boston"))
    make_address(shopper("berlin"), **BERLIN)
    with_region = make_segment(combine(customer_address(address_has_region(True))))
    without_region = make_segment(combine(customer_address(address_has_region(False))))

    # then
    assert matched(with_region) == {"boston"}
    assert matched(without_region) == {"berlin"}


# --- Sales (checks 15-21) -----------------------------------------------------------------------


def test_complete_sales_of_the_last_30_days_reaching_500(make_segment, shopper, view_a, mug):
    # given (check 15)
    recent = shopper("recent")
    buy(view_a, recent, "300", placed_at=days_ago(10))
    buy(view_a, recent, "200", placed_at=days_ago(29))
    old = shopper("old")  # 250 of it 31 days ago
    buy(view_a, old, "300", placed_at=days_ago(10))
    buy(view_a, old, "250", placed_at=days_ago(31))
    processing = shopper("processing")
    buy(view_a, processing, "300")
    buy(view_a, processing, "300", status="processing")
    buy(view_a, shopper("short"), "499.99")
    # the period starts at midnight 30 days before today
    buy(view_a, shopper("first"), "500", placed_at=days_ago(30, hour=0, minute=0, second=0))
    buy(view_a, shopper("before"), "500", placed_at=days_ago(31, hour=23, minute=59, second=59))
    shopper("none")
    segment = make_segment(
        combine(sales_amount("gte", 500, order_status("complete"), up_to_date("lte", 30)))
    )

    # then
    assert matched(segment) == {"recent", "first"}


def test_without_an_order_status_orders_of_every_status_count(make_segment, shopper, view_a, mug):
    # given (check 16)
    mixed = shopper("mixed")
    buy(view_a, mixed, "300")
    buy(view_a, mixed, "250", status="canceled")
    buy(view_a, shopper("canceled"), "500", status="canceled")
    buy(view_a, shopper("old"), "900", status="closed", placed_at=days_ago(400))
    with_status = make_segment(
        combine(sales_amount("gte", 500, order_status("complete"), up_to_date("lte", 30)))
    )
    without_status = make_segment(combine(sales_amount("gte", 500, up_to_date("lte", 30))))
    no_filter = make_segment(combine(sales_amount("gte", 500)))

    # then
    assert matched(with_status) == set()
    assert matched(without_status) == {"mixed", "canceled"}
    assert matched(no_filter) == {"mixed", "canceled", "old"}


def test_average_sales_amount_is_the_mean_grand_total(make_segment, shopper, view_a, mug):
    # given (check 17)
    buy(view_a, shopper("mean125"), "50", "200")
    buy(view_a, shopper("mean75"), "50", "100")
    buy(view_a, shopper("single150"), "150")
    shopper("none")
    segment = make_segment(combine(sales_amount("gt", 100, function="average")))

    # then
    assert matched(segment) == {"mean125", "single150"}


def test_number_of_orders_in_a_date_range_in_the_websites_time_zone(
    make_segment, shopper, website_a, view_a, mug
):
    # given (check 18): the website's day starts at 00:00 in Tokyo (15:00 UTC the day before)
    scopes.save_website(website=website_a, time_zone="Asia/Tokyo")

    def tokyo(*args) -> dt.datetime:
        return dt.datetime(*args, tzinfo=TOKYO)

    inside = shopper("inside")
    for moment in (tokyo(2024, 1, 1), tokyo(2024, 2, 15, 12), tokyo(2024, 3, 31, 23, 59, 59)):
        buy(view_a, inside, "10", placed_at=moment)
    edges = shopper("edges")  # two orders in, two just outside
    for moment in (
        tokyo(2023, 12, 31, 23, 59, 59),
        tokyo(2024, 2, 15, 12),
        tokyo(2024, 3, 31, 23, 59, 59),
        tokyo(2024, 4, 1),
    ):
        buy(view_a, edges, "10", placed_at=moment)
    within = make_segment(
        combine(number_of_orders("gte", 3, date_range("2024-01-01", "2024-03-31")))
    )
    outside = make_segment(
        combine(number_of_orders("gte", 2, date_range("2024-01-01", "2024-03-31", "is_not")))
    )

    # then
    assert matched(within) == {"inside"}
    assert matched(outside) == {"edges"}


def test_average_number_of_orders_is_still_the_count(make_segment, shopper, view_a, mug):
    # given: "Average" is offered but a count is a count (spec c §4.2)
    buy(view_a, shopper("two"), "10", "30")
    buy(view_a, shopper("one"), "500")
    average = make_segment(combine(number_of_orders("gte", 2, function="average")))

    # then
    assert matched(average) == {"two"}


def test_number_of_orders_is_0_matches_customers_without_orders(make_segment, shopper, view_a, mug):
    # given (check 19)
    shopper("none")
    buy(view_a, shopper("canceled"), "10", status="canceled")
    buy(view_a, shopper("complete"), "10")
    place_order(view_a, None, grand_total="10", placed_at=days_ago(1))  # a guest's order
    segment = make_segment(combine(number_of_orders("is", 0)))

    # then
    assert matched(segment) == {"none"}


def test_purchased_quantity_sums_the_quantities_of_the_orders(make_segment, shopper, view_a, mug):
    # given (check 20)
    def order(customer, qty):
        place_order(
            view_a,
            customer,
            grand_total="10",
            placed_at=days_ago(1),
            items=[{"sku": "MUG", "qty": Decimal(qty), "price": Decimal(1)}],
        )

    eleven = shopper("eleven")
    order(eleven, 6)
    order(eleven, 5)
    ten = shopper("ten")
    order(ten, 6)
    order(ten, 4)
    total = make_segment(combine(purchased_qty("gt", 10)))
    average = make_segment(combine(purchased_qty("gte", 5.5, function="average")))

    # then
    assert matched(total) == {"eleven"}
    assert matched(average) == {"eleven"}


def order_address_of(country: str) -> dict:
    return {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "street": ["1 Rue X"],
        "city": "Town",
        "postcode": "75001",
        "country_id": country,
    }


def test_an_order_with_a_french_billing_address(make_segment, shopper, view_a, mug):
    # given (check 21)
    billed = shopper("billed")  # US address book, one order billed to France
    make_address(billed, default_billing=True)
    place_order(
        view_a,
        billed,
        grand_total="10",
        placed_at=days_ago(1),
        billing_address=order_address_of("FR"),
        shipping_address=order_address_of("DE"),
    )
    shipped = shopper("shipped")  # France only as a shipping address
    place_order(
        view_a,
        shipped,
        grand_total="10",
        placed_at=days_ago(1),
        billing_address=order_address_of("DE"),
        shipping_address=order_address_of("FR"),
    )
    booked = shopper("booked")  # France only in the address book
    make_address(
        booked,
        default_billing=True,
        street=["1 Rue X"],
        city="Paris",
        country_id="FR",
        region="",
        region_code="",
        postcode="75001",
        telephone="+33 1 23 45 67 89",
    )
    place_order(
        view_a,
        booked,
        grand_total="10",
        placed_at=days_ago(1),
        billing_address=order_address_of("US"),
    )
    segment = make_segment(
        combine(
            order_address(
                order_address_type("billing"), order_address_attribute("country_id", "is", "FR")
            )
        )
    )

    # then
    assert matched(segment) == {"billed"}


@pytest.mark.parametrize(
    "node",
    [
        pytest.param(sales_amount("gte", 100), id="sales_amount"),
        pytest.param(number_of_orders("gte", 1), id="number_of_orders"),
        pytest.param(purchased_qty("gte", 1), id="purchased_qty"),
        pytest.param(order_address(order_address_type("billing")), id="order_address"),
        pytest.param(product_history(source="ordered"), id="ordered"),
    ],
)
def test_orders_on_another_website_do_not_count(make_segment, shopper, view_a, view_b, mug, node):
    # given: accounts shared globally, a customer of the default website orders on the second
    share_accounts("global")
    buyer = shopper("buyer")
    place_order(
        view_b,
        buyer,
        grand_total="100",
        placed_at=days_ago(1),
        billing_address=order_address_of("FR"),
    )
    here = make_segment(combine(node))
    there = make_segment(combine(node), websites=[view_b.store.website])

    # then (spec c §4.4)
    assert matched(here) == set()
    assert matched(there) == {"buyer"}


# --- Shopping cart and products (checks 22-26) --------------------------------------------------


@pytest.mark.parametrize("apply_to", ["visitors", "both"])
def test_a_guests_cart_subtotal_of_100_matches_until_items_are_removed(
    make_segment, view_a, website_a, mug, apply_to, django_capture_on_commit_callbacks
):
    # given (check 22)
    segment = make_segment(combine(cart_total("gte", 100)), apply_to=apply_to)
    hundred = [{"sku": "MUG", "qty": 10, "price": "10.00"}]
    with django_capture_on_commit_callbacks(execute=True):
        set_cart(view_a, visitor_id="v-100", items=hundred)
        set_cart(view_a, visitor_id="v-99", items=hundred, subtotal="99.99")
    assert services.visitor_segment_ids(website=website_a, visitor_id="v-100") == [segment.pk]
    assert services.visitor_segment_ids(website=website_a, visitor_id="v-99") == []

    # when: items are removed in the same session
    with django_capture_on_commit_callbacks(execute=True):
        set_cart(view_a, visitor_id="v-100", items=[{"sku": "MUG", "qty": 6, "price": "10.00"}])

    # then
    assert services.visitor_segment_ids(website=website_a, visitor_id="v-100") == []
    assert SegmentMembership.objects.count() == 0


@pytest.fixture
def lines(db):
    """Products MUG, TEA and CUP, and ``line(sku, qty)`` building a cart line of 1.00 each."""
    for sku in ("MUG", "TEA", "CUP"):
        make_product(sku)
    return lambda sku, qty: {"sku": sku, "qty": qty, "price": "1.00"}


def test_a_visitors_line_items_count_distinct_lines_and_products_qty_sums_them(
    make_segment, view_a, website_a, lines
):
    # given (check 23)
    set_cart(view_a, visitor_id="v-2x5", items=[lines("MUG", 5), lines("TEA", 5)])
    set_cart(view_a, visitor_id="v-1x10", items=[lines("MUG", 10)])
    set_cart(view_a, visitor_id="v-3", items=[lines("MUG", 4), lines("TEA", 4), lines("CUP", 2)])
    two_lines = make_segment(combine(cart_line_items("is", 2)))
    ten_items = make_segment(combine(cart_qty("is", 10)))

    def segments_of(visitor_id):
        return services.evaluate_visitor(website=website_a, visitor_id=visitor_id)

    # then
    assert segments_of("v-2x5") == [two_lines.pk, ten_items.pk]
    assert segments_of("v-1x10") == [ten_items.pk]
    assert segments_of("v-3") == [ten_items.pk]
    assert segments_of("v-no-cart") == []


def test_a_customers_line_items_count_distinct_lines_and_products_qty_sums_them(
    make_segment, shopper, view_a, lines
):
    # given (check 23)
    set_cart(view_a, customer=shopper("two_by_five"), items=[lines("MUG", 5), lines("TEA", 5)])
    set_cart(view_a, customer=shopper("one_by_ten"), items=[lines("MUG", 10)])
    set_cart(
        view_a,
        customer=shopper("three_lines"),
        items=[lines("MUG", 4), lines("TEA", 4), lines("CUP", 2)],
    )
    shopper("no_cart")
    two_lines = make_segment(combine(cart_line_items("is", 2)))
    ten_items = make_segment(combine(cart_qty("is", 10)))

    # then
    assert matched(two_lines) == {"two_by_five"}
    assert matched(ten_items) == {"two_by_five", "one_by_ten", "three_lines"}


@pytest.fixture
def shoes(db):
    """Categories shoes and hats, products BOOT (shoes) and CAP (hats)."""
    Category.objects.create(code="shoes", name="Shoes")
    Category.objects.create(code="hats", name="Hats")
    make_product("BOOT", categories=["shoes"])
    make_product("CAP", categories=["hats"])


def shoe_segments(make_segment):
    in_shoes = product_attribute("category", "is", "shoes")
    found = make_segment(combine(product_list(in_shoes)))
    not_found = make_segment(combine(product_list(in_shoes, operator="not_found")))
    return found, not_found


def cart_line(sku):
    return {"sku": sku, "qty": 1, "price": "20.00"}


def test_a_product_of_a_category_found_or_not_found_in_a_visitors_cart(
    make_segment, view_a, website_a, shoes
):
    # given (check 24)
    set_cart(view_a, visitor_id="v-boots", items=[cart_line("CAP"), cart_line("BOOT")])
    set_cart(view_a, visitor_id="v-caps", items=[cart_line("CAP")])
    set_cart(view_a, visitor_id="v-emptied", items=[cart_line("BOOT")])
    set_cart(view_a, visitor_id="v-emptied", items=[])
    found, not_found = shoe_segments(make_segment)

    def segments_of(visitor_id):
        return services.evaluate_visitor(website=website_a, visitor_id=visitor_id)

    # then
    assert segments_of("v-boots") == [found.pk]
    assert segments_of("v-caps") == [not_found.pk]
    assert segments_of("v-emptied") == [not_found.pk]
    assert segments_of("v-no-cart") == [not_found.pk]


def test_a_product_of_a_category_found_or_not_found_in_a_customers_cart(
    make_segment, shopper, view_a, shoes
):
    # given (check 24)
    set_cart(view_a, customer=shopper("boots"), items=[cart_line("CAP"), cart_line("BOOT")])
    set_cart(view_a, customer=shopper("caps"), items=[cart_line("CAP")])
    shopper("no_cart")
    emptied = shopper("emptied")
    set_cart(view_a, customer=emptied, items=[cart_line("BOOT")])
    set_cart(view_a, customer=emptied, items=[])
    found, not_found = shoe_segments(make_segment)

    # then
    assert matched(found) == {"boots"}
    assert matched(not_found) == {"caps", "no_cart", "emptied"}


def test_a_sku_viewed_within_7_days(make_segment, shopper, view_a, website_a):
    # given (check 25): the period starts at midnight 7 days before today
    make_product("ABC-1")
    make_product("XYZ-9")
    seven = days_ago(7, hour=0, minute=0, second=0)
    eight = days_ago(8, hour=23, minute=59, second=59)
    view_product(view_a, sku="ABC-1", viewed_at=seven, customer=shopper("recent"))
    view_product(view_a, sku="ABC-1", viewed_at=eight, customer=shopper("late"))
    view_product(view_a, sku="XYZ-9", viewed_at=days_ago(1), customer=shopper("other"))
    view_product(view_a, sku="ABC-1", viewed_at=seven, visitor_id="v-recent")
    view_product(view_a, sku="ABC-1", viewed_at=eight, visitor_id="v-late")
    segment = make_segment(
        combine(product_history(product_attribute("sku", "is", "ABC-1"), up_to_date("lte", 7)))
    )

    # then
    assert matched(segment) == {"recent"}

    def visitor(visitor_id):
        return services.evaluate_visitor(website=website_a, visitor_id=visitor_id, now=NOW)

    assert visitor("v-recent") == [segment.pk]
    assert visitor("v-late") == []


def test_a_product_found_in_the_wish_list(make_segment, shopper):
    # given
    make_product("ABC-1")
    make_product("XYZ-9")
    sales.replace_wishlist(customer=shopper("wishes"), items=[{"sku": "ABC-1"}], actor=SYSTEM)
    sales.replace_wishlist(customer=shopper("other"), items=[{"sku": "XYZ-9"}], actor=SYSTEM)
    shopper("none")
    abc = product_attribute("sku", "is", "ABC-1")
    found = make_segment(combine(product_list(abc, source="wishlist")))
    not_found = make_segment(combine(product_list(abc, source="wishlist", operator="not_found")))

    # then
    assert matched(found) == {"wishes"}
    assert matched(not_found) == {"other", "none"}


def test_a_customers_cart_total_is_read_from_the_cart_on_the_segments_website(
    make_segment, shopper, view_a, view_b, mug
):
    # given: accounts shared globally, so a customer may have a cart on each website
    share_accounts("global")
    line = [{"sku": "MUG", "qty": 1, "price": "100"}]
    set_cart(view_a, customer=shopper("here"), items=line)
    set_cart(view_b, customer=shopper("there"), items=line)
    set_cart(view_a, customer=shopper("small"), items=line, subtotal="99.99")
    shopper("none")
    segment = make_segment(combine(cart_total("gte", 100)))

    # then
    assert matched(segment) == {"here"}


def test_product_ordered_checks_the_customers_orders_and_is_refused_to_visitors(
    make_segment, shopper, view_a
):
    # given (check 26)
    make_product("ABC-1")
    make_product("XYZ-9")

    def order(customer, sku):
        place_order(
            view_a,
            customer,
            grand_total="10",
            placed_at=days_ago(3),
            items=[{"sku": sku, "qty": 1, "price": "10"}],
        )

    order(shopper("bought"), "ABC-1")
    other = shopper("other")
    order(other, "XYZ-9")
    order(None, "ABC-1")  # a guest
    ordered_abc = product_history(product_attribute("sku", "is", "ABC-1"), source="ordered")

    # when
    with pytest.raises(InvalidInput) as error:
        make_segment(combine(ordered_abc), apply_to="visitors")
    segment = make_segment(combine(ordered_abc), apply_to="registered")

    # then
    assert [p.field for p in error.value.problems] == ["conditions.conditions[0].source"]
    assert matched(segment) == {"bought"}


# --- Newsletter and store credit (checks 27, 28) ------------------------------------------------


def test_subscribed_means_a_subscription_on_a_store_of_the_segments_website(
    make_segment, shopper, view_a, view_b
):
    # given (check 27): accounts shared globally so one customer can subscribe anywhere
    share_accounts("global")

    def subscribe(customer, view, **options):
        return customers.subscribe_newsletter(
            store_view=view, customer=customer, actor=SYSTEM, source="account", **options
        )

    subscribe(shopper("here"), view_a)
    subscribe(shopper("there"), view_b)
    left = shopper("left")
    subscribe(left, view_a)
    customers.unsubscribe_newsletter(customer=left, actor=SYSTEM, source="account")
    subscribe(shopper("pending"), view_a, require_confirmation=True)
    shopper("never")
    subscribed = make_segment(combine(newsletter(True)))
    not_subscribed = make_segment(combine(newsletter(False)))

    # then
    assert matched(subscribed) == {"here"}
    assert matched(not_subscribed) == {"there", "left", "pending", "never"}


def test_store_credit_is_the_balance_on_the_segments_website(
    make_segment, shopper, website_a, website_b
):
    # given (check 28)
    share_accounts("global")
    credit.update_balance(customer=shopper("positive"), website=website_a, delta="10", actor=SYSTEM)
    spent = shopper("spent")
    credit.update_balance(customer=spent, website=website_a, delta="10", actor=SYSTEM)
    credit.update_balance(customer=spent, website=website_a, delta="-10", actor=SYSTEM)
    credit.update_balance(
        customer=shopper("elsewhere"), website=website_b, delta="10", actor=SYSTEM
    )
    shopper("never")
    positive = make_segment(combine(store_credit("gt", 0)))
    none = make_segment(combine(store_credit("is", 0)))

    # then
    assert matched(positive) == {"positive"}
    assert matched(none) == {"spent", "elsewhere", "never"}


# --- Custom attributes and product attributes ---------------------------------------------------


def define(code: str, input_type: str, **props):
    props.setdefault("label", code.replace("_", " ").title())
    return attributes.create_attribute(
        entity="customer",
        code=code,
        input_type=input_type,
        used_in_segments=True,
        actor=SYSTEM,
        **props,
    )


@pytest.fixture
def attributed(shopper):
    """Three customers with custom attribute values: a dropdown (tier), a multiple select
    (hobbies), a Yes/No (vip), a numeric text (shoe_size) and a date (anniversary); "blank"
    has none. Returns the attributes' option ids by label."""
    tier = define("tier", "select", options=[{"label": "Silver"}, {"label": "Gold"}])
    hobbies = define(
        "hobbies", "multiselect", options=[{"label": "Chess"}, {"label": "Go"}, {"label": "Tea"}]
    )
    define("vip", "boolean")
    define("shoe_size", "text", validation="numeric")
    define("anniversary", "date")
    option = {o.label: o.pk for o in [*tier.options.all(), *hobbies.options.all()]}
    shopper(
        "gold",
        custom_attributes={
            "tier": option["Gold"],
            "hobbies": [option["Chess"], option["Tea"]],
            "vip": True,
            "shoe_size": "42",
            "anniversary": "2020-05-01",
        },
    )
    shopper(
        "silver",
        custom_attributes={
            "tier": option["Silver"],
            "hobbies": [option["Go"]],
            "vip": False,
            "shoe_size": "9",
            "anniversary": "2021-01-01",
        },
    )
    shopper("blank")
    return option


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        pytest.param(("tier", "is", "Gold"), {"gold"}, id="select_is"),
        pytest.param(("tier", "is_not", "Gold"), {"silver", "blank"}, id="select_is_not"),
        pytest.param(("hobbies", "is", "Chess"), {"gold"}, id="multiselect_is"),
        pytest.param(("hobbies", "contains", "Tea"), {"gold"}, id="multiselect_contains"),
        pytest.param(("hobbies", "is_not", "Chess"), {"silver", "blank"}, id="multiselect_not"),
        pytest.param(
            ("hobbies", "does_not_contain", "Go"), {"gold", "blank"}, id="multiselect_lacks"
        ),
        pytest.param(("vip", "is", True), {"gold"}, id="boolean_yes"),
        pytest.param(("vip", "is", False), {"silver"}, id="boolean_no"),
        pytest.param(("vip", "is_not", True), {"silver", "blank"}, id="boolean_not_yes"),
        pytest.param(("shoe_size", "gte", "10"), {"gold"}, id="numeric_compared_as_numbers"),
        pytest.param(("shoe_size", "lt", "10"), {"silver"}, id="numeric_less"),
        pytest.param(("shoe_size", "is_not", "42"), {"silver", "blank"}, id="numeric_is_not"),
        pytest.param(("anniversary", "is", "2021-01-01"), {"silver"}, id="date_is"),
        pytest.param(("anniversary", "lte", "2020-12-31"), {"gold"}, id="date_up_to"),
        pytest.param(("anniversary", "gte", "2020-05-01"), {"gold", "silver"}, id="date_from"),
    ],
)
def test_custom_attributes_are_compared_by_their_type(make_segment, attributed, node, expected):
    # given
    code, operator, value = node
    value = attributed.get(value, value) if isinstance(value, str) else value
    segment = make_segment(combine(customer_attribute(code, operator, value)))

    # then
    assert matched(segment) == expected


def test_an_address_custom_attribute_is_compared_inside_customer_address(make_segment, shopper):
    # given
    attributes.create_attribute(
        entity="address",
        code="floor",
        input_type="text",
        validation="numeric",
        label="Floor",
        used_in_segments=True,
        actor=SYSTEM,
    )
    make_address(shopper("high"), custom_attributes={"floor": "12"})
    make_address(shopper("low"), custom_attributes={"floor": "3"})
    segment = make_segment(combine(customer_address(address_attribute("floor", "gt", "5"))))

    # then
    assert matched(segment) == {"high"}


def test_an_attribute_not_used_in_segments_is_refused(make_segment):
    # given
    attributes.create_attribute(
        entity="customer",
        code="loyalty_id",
        input_type="text",
        label="Loyalty",
        used_in_segments=False,
        actor=SYSTEM,
    )

    # when
    with pytest.raises(InvalidInput) as error:
        make_segment(combine(customer_attribute("loyalty_id", "is", "X1")))

    # then
    assert [p.field for p in error.value.problems] == ["conditions.conditions[0].attribute"]


@pytest.fixture
def promo_attributes(db):
    """Product attributes flagged for promo rules, one of each type, and one that is not
    (batch); products RED-MUG and BLUE-CUP with values of each."""
    flagged = {
        "colour": {"type": "select", "options": ["red", "blue"]},
        "material": {"type": "multiselect", "options": ["ceramic", "glass", "steel"]},
        "volume": {"type": "number"},
        "dishwasher": {"type": "boolean"},
        "launched": {"type": "date"},
        "maker": {"type": "text"},
    }
    for code, definition in flagged.items():
        sales.save_product_attribute(
            code=code, label=code.title(), use_for_promo_rules=True, actor=SYSTEM, **definition
        )
    sales.save_product_attribute(code="batch", label="Batch", type="text", actor=SYSTEM)
    make_product(
        "RED-MUG",
        attributes={
            "colour": "red",
            "material": ["ceramic"],
            "volume": 350,
            "dishwasher": True,
            "launched": "2024-01-10",
            "maker": "Potter & Sons",
            "batch": "b1",
        },
    )
    make_product(
        "BLUE-CUP",
        attributes={
            "colour": "blue",
            "material": ["glass", "steel"],
            "volume": 90,
            "dishwasher": False,
            "launched": "2025-06-01",
            "maker": "Glassworks",
            "batch": "b2",
        },
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param(product_attribute("colour", "is", "red"), {"red"}, id="select_is"),
        pytest.param(product_attribute("colour", "is_not", "red"), {"blue"}, id="select_is_not"),
        pytest.param(
            product_attribute("colour", "is_one_of", ["blue", "green"]), {"blue"}, id="one_of"
        ),
        pytest.param(product_attribute("material", "is", "steel"), {"blue"}, id="multiselect"),
        pytest.param(
            product_attribute("material", "is_not_one_of", ["glass", "steel"]),
            {"red"},
            id="multiselect_not_one_of",
        ),
        pytest.param(product_attribute("volume", "gt", "100"), {"red"}, id="number_gt"),
        pytest.param(product_attribute("volume", "lte", "90"), {"blue"}, id="number_lte"),
        pytest.param(product_attribute("dishwasher", "is", True), {"red"}, id="boolean"),
        pytest.param(product_attribute("launched", "gte", "2025-01-01"), {"blue"}, id="date"),
        pytest.param(product_attribute("maker", "contains", "potter"), {"red"}, id="text"),
    ],
)
def test_product_attributes_flagged_for_promo_rules_are_compared(
    make_segment, shopper, view_a, promo_attributes, condition, expected
):
    # given: each customer viewed one product
    view_product(view_a, sku="RED-MUG", viewed_at=days_ago(1), customer=shopper("red"))
    view_product(view_a, sku="BLUE-CUP", viewed_at=days_ago(1), customer=shopper("blue"))
    segment = make_segment(combine(product_history(condition)))

    # then
    assert matched(segment) == expected


def test_a_product_attribute_not_flagged_for_promo_rules_is_refused(make_segment, promo_attributes):
    # when
    with pytest.raises(InvalidInput) as error:
        make_segment(combine(product_list(product_attribute("batch", "is", "b1"))))

    # then
    assert [(p.field, p.message) for p in error.value.problems] == [
        (
            "conditions.conditions[0].conditions[0].attribute",
            "This product attribute does not exist or is not used for promo rules.",
        )
    ]
