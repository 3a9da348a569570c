"""The shopper's commerce pages (spec b §11-13): My Orders and an order with its refunds, My Wish
List, My Product Reviews, their links in the account navigation, and My Account's Recent Orders
and My Recent Reviews blocks. Only the signed-in customer's facts of the current website show;
anything else answers 404."""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from patron.accounts.tests.factories import query_of
from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer, share_accounts
from patron.dashboard.tests.factories import (
    LOGIN_URL,
    PASSWORD,
    elements,
    nav_links,
    signed_in,
    texts,
)
from patron.sales import services
from patron.sales.models import Order
from patron.scopes import services as scope_services
from patron.testing.fixtures import make_store_view

HISTORY_URL = "/sales/order/history/"
WISHLIST_URL = "/wishlist/"
REVIEWS_URL = "/review/customer/"
ACCOUNT_URL = "/customer/account/"
PLACED = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
ASCII_SPACES = re.compile(r"[ \t\n\r\f]+")
HEADER = ["Order #", "Date", "Ship To", "Order Total", "Status", "Action"]


def order_url(order) -> str:
    return f"/sales/order/view/{order.pk}/"


def review_url(review) -> str:
    return f"/review/customer/view/{review.pk}/"


@pytest.fixture
def shopper(view_a):
    return make_customer("ada@example.com", store_view=view_a, password=PASSWORD)


@pytest.fixture
def shopper_client(client, shopper) -> Client:
    return signed_in(client, shopper)


@pytest.fixture
def products(db):
    return [
        services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM),
        services.save_product(sku="TEA", name="Green Tea", price=Decimal("4.00"), actor=SYSTEM),
    ]


def shipping_to(firstname: str, lastname: str = "Lovelace", **more) -> dict:
    return {
        "firstname": firstname, "lastname": lastname, "street": ["12 Analytical Row"],
        "city": "Boston", "postcode": "02108", "country_id": "US", **more,
    }  # fmt: skip


def place_order(view, number, *, customer=None, placed_at=PLACED, **fields) -> Order:
    """Record an order of 2 mugs and 1 tea (21.00 + 5.00 shipping) through the service."""
    values = {
        "customer_email": customer.email if customer else "guest@example.com",
        "customer_name": "Ada Lovelace",
        "status": "pending",
        "currency": "USD",
        "subtotal": Decimal("21.00"),
        "shipping": Decimal("5.00"),
        "grand_total": Decimal("26.00"),
        "total_qty": Decimal(3),
        "billing_address": shipping_to("Ada"),
        "shipping_address": shipping_to("Ada"),
        "placed_at": placed_at,
        **fields,
    }
    order, _result = services.record_order(
        store_view=view,
        number=number,
        items=[
            {"sku": "MUG", "name": "Mug", "qty": Decimal(2), "price": Decimal("8.50")},
            {"sku": "TEA", "name": "Green Tea", "qty": Decimal(1), "price": Decimal("4.00")},
        ],
        customer_id=customer.pk if customer else None,
        actor=SYSTEM,
        **values,
    )
    return order


def bulk_orders(view, customer, count: int) -> None:
    """Insert ``count`` orders one hour apart in one query; record_order would emit an event
    per order, which a list page's volume test does not need."""
    Order.objects.bulk_create(
        Order(
            website=view.store.website, store_view=view, number=f"B{number:05d}",
            customer=customer, customer_email=customer.email, status="complete",
            currency="USD", subtotal=Decimal(10), grand_total=Decimal(10), total_qty=Decimal(1),
            shipping_address=shipping_to("Ada"),
            placed_at=PLACED + dt.timedelta(hours=number),
        )
        for number in range(1, count + 1)
    )  # fmt: skip


def write_review(view, external_id, *, customer, sku="MUG", rating=4, **fields):
    review, _result = services.record_review(
        store_view=view,
        external_id=external_id,
        sku=sku,
        rating=rating,
        title=fields.pop("title", f"Review {external_id}"),
        nickname="Ada",
        written_at=fields.pop("written_at", PLACED),
        customer_id=customer.pk,
        actor=SYSTEM,
        **fields,
    )
    return review


class _Cells(HTMLParser):
    """Collect the cells (``cell_tags``) of each row (``row_tag``) of a page."""

    def __init__(self, row_tag: str, cell_tags: tuple[str, ...]):
        super().__init__()
        self.row_tag, self.cell_tags = row_tag, cell_tags
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == self.row_tag:
            self.rows.append([])
        elif tag in self.cell_tags:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in self.cell_tags and self._cell is not None:
            # Only ASCII white space: money keeps its no-break spaces ("26,00\xa0€").
            self.rows[-1].append(ASCII_SPACES.sub(" ", "".join(self._cell)).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows(response) -> list[list[str]]:
    """Return the cells of every table row of the page, header rows included, in page order."""
    parser = _Cells("tr", ("th", "td"))
    parser.feed(response.content.decode())
    return parser.rows


def facts(response) -> list[list[str]]:
    """Return the terms and descriptions of every description list (``dl``) of the page."""
    parser = _Cells("dl", ("dt", "dd"))
    parser.feed(response.content.decode())
    return parser.rows


def numbers(response) -> list[str]:
    """Return the first cell of every body row of the page's tables (the order numbers)."""
    return [row[0] for row in rows(response) if row[0] != "Order #"]


@pytest.fixture
def second_website_view(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


# --- Signing in --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [HISTORY_URL, f"{HISTORY_URL}?page=2&limit=20", "/sales/order/view/1/", WISHLIST_URL,
     REVIEWS_URL, "/review/customer/view/1/"],
)  # fmt: skip
def test_a_guest_is_sent_to_sign_in_and_back(client, view_a, path):
    # when
    response = client.get(path)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?")
    assert query_of(response["Location"]) == {"next": path}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


# --- Navigation ---------------------------------------------------------------------------------

NAVIGATION = [
    ("My Account", ACCOUNT_URL),
    ("My Orders", HISTORY_URL),
    ("My Wish List", WISHLIST_URL),
    ("Address Book", "/customer/address/"),
    ("Account Information", "/customer/account/edit/"),
    ("My Product Reviews", REVIEWS_URL),
    ("Store Credit", "/storecredit/info/"),
    ("Newsletter Subscriptions", "/newsletter/manage/"),
    ("Privacy", "/customer/privacy/"),
]


@pytest.mark.parametrize("current", [1, 2, 5])
def test_navigation_lists_the_pages_in_magentos_order_and_marks_the_current_one(
    shopper_client, current
):
    # when
    response = shopper_client.get(NAVIGATION[current][1])

    # then
    assert response.status_code == 200
    assert nav_links(response) == [
        (label, url, index == current) for index, (label, url) in enumerate(NAVIGATION)
    ]


# --- My Orders ----------------------------------------------------------------------------------


def test_lists_the_customers_orders_newest_first(shopper_client, shopper, view_a, products):
    # given
    place_order(view_a, "100001", customer=shopper)
    place_order(
        view_a, "100002", customer=shopper, status="pending_payment",
        placed_at=PLACED + dt.timedelta(days=1), grand_total=Decimal("1234.5"),
        shipping_address=shipping_to("Grace", "Hopper", prefix="Dr."),
    )  # fmt: skip

    # when
    response = shopper_client.get(HISTORY_URL)

    # then
    assert response.status_code == 200
    assert texts(response, "h1") == ["My Orders"]
    assert rows(response) == [
        HEADER,
        ["100002", "11/21/2026", "Dr. Grace Hopper", "$1,234.50", "Pending Payment",
         "View Order 100002"],
        ["100001", "11/20/2026", "Ada Lovelace", "$26.00", "Pending", "View Order 100001"],
    ]  # fmt: skip
    links = [e["attrs"]["href"] for e in elements(response, "a") if "View Order" in e["text"]]
    assert links == [order_url(o) for o in Order.objects.order_by("-placed_at")]


def test_lists_no_order_of_another_customer_or_a_guest(shopper_client, shopper, view_a, products):
    # given
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    place_order(view_a, "100001", customer=shopper)
    place_order(view_a, "100002", customer=other)
    place_order(view_a, "100003", customer_email=shopper.email)  # a guest order, not linked

    # when
    response = shopper_client.get(HISTORY_URL)

    # then
    assert numbers(response) == ["100001"]


def test_lists_no_order_of_another_website(client, shopper, view_a, second_website_view, products):
    # given: one account for every website, with an order on each
    share_accounts("global")
    place_order(view_a, "100001", customer=shopper)
    place_order(second_website_view, "200001", customer=shopper)
    signed_in(client, shopper)

    # when
    response = client.get(HISTORY_URL)

    # then
    assert numbers(response) == ["100001"]


def test_shows_an_empty_state_without_orders(shopper_client):
    # when
    response = shopper_client.get(HISTORY_URL)

    # then
    assert response.status_code == 200
    assert "You have placed no orders." in texts(response, "p")
    assert elements(response, "table") == []


def test_pages_ten_orders_at_a_time_by_default(shopper_client, shopper, view_a):
    # given
    bulk_orders(view_a, shopper, 25)

    # when
    first = shopper_client.get(HISTORY_URL)
    last = shopper_client.get(f"{HISTORY_URL}?page=3")

    # then
    assert numbers(first) == [f"B{n:05d}" for n in range(25, 15, -1)]
    assert numbers(last) == [f"B{n:05d}" for n in range(5, 0, -1)]
    assert "Items 21 to 25 of 25 total" in texts(last, "p")
    assert texts(last, "nav", "aria-label", "Pages of orders") == ["Previous Page 3 of 3"]
    assert [e["attrs"]["href"] for e in elements(last, "a", "rel", "prev")] == ["?page=2&limit=10"]


@pytest.mark.parametrize(
    ("limit", "shown", "selected"),
    [("20", 20, "20"), ("50", 25, "50"), ("7", 10, "10"), ("x", 10, "10")],
)
def test_pages_as_many_orders_as_asked_among_10_20_50(
    shopper_client, shopper, view_a, limit, shown, selected
):
    # given
    bulk_orders(view_a, shopper, 25)

    # when
    response = shopper_client.get(f"{HISTORY_URL}?limit={limit}")

    # then
    assert len(numbers(response)) == shown
    options = elements(response, "option")
    assert [o["attrs"]["value"] for o in options] == ["10", "20", "50"]
    assert [o["attrs"]["value"] for o in options if "selected" in o["attrs"]] == [selected]


def test_reads_a_page_of_orders_in_a_fixed_number_of_queries(
    shopper_client, shopper, view_a, django_assert_max_num_queries
):
    # given
    bulk_orders(view_a, shopper, 2)
    with CaptureQueriesContext(connection) as two_orders:
        shopper_client.get(f"{HISTORY_URL}?limit=50")
    Order.objects.all().delete()
    bulk_orders(view_a, shopper, 120)

    # when / then: fifty rows cost what two do
    with django_assert_max_num_queries(len(two_orders)) as fifty_orders:
        response = shopper_client.get(f"{HISTORY_URL}?limit=50")
    assert len(numbers(response)) == 50
    # the page's own reads: the count and the page of orders
    sales_queries = [q["sql"] for q in fifty_orders.captured_queries if '"sales_' in q["sql"]]
    assert len(sales_queries) == 2
    assert sales_queries[0].startswith('SELECT COUNT(*) AS "__count" FROM "sales_order"')


# --- Money --------------------------------------------------------------------------------------


def test_formats_amounts_in_the_orders_currency(shopper_client, shopper, view_a, products):
    # given
    order = place_order(
        view_a, "100001", customer=shopper, currency="JPY", subtotal=Decimal(1500),
        shipping=Decimal(0), grand_total=Decimal(1500),
    )  # fmt: skip

    # when
    history = shopper_client.get(HISTORY_URL)
    page = shopper_client.get(order_url(order))

    # then
    assert rows(history)[1][3] == "¥1,500"
    assert rows(page)[-1] == ["Grand Total", "¥1,500"]


def test_formats_amounts_in_the_store_views_language(client, shopper, view_a, products):
    # given: a German store view of the same website
    make_store_view(view_a.store.website, "de", "de", store=view_a.store, name="Deutsch")
    order = place_order(view_a, "100001", customer=shopper, currency="EUR",
                        grand_total=Decimal("1234.5"))  # fmt: skip
    signed_in(client, shopper, prefix="/de")

    # when
    history = client.get(f"/de{HISTORY_URL}")
    page = client.get(f"/de{order_url(order)}")

    # then
    assert rows(history)[1][3] == "1.234,50\xa0€"
    assert rows(page)[1][2] == "8,50\xa0€"
    assert [e["attrs"]["href"] for e in elements(history, "a") if e["attrs"].get("href", "")
            .startswith("/de/sales/order/view/")] == [f"/de{order_url(order)}"]  # fmt: skip


def test_shows_dates_in_the_store_views_time_zone(shopper_client, shopper, view_a, products):
    # given: placed late on the 20th in UTC, already the 21st in Tokyo
    scope_services.save_website(website=view_a.store.website, time_zone="Asia/Tokyo")
    scope_services.invalidate_caches()
    place_order(view_a, "100001", customer=shopper, placed_at=PLACED.replace(hour=20))

    # when
    response = shopper_client.get(HISTORY_URL)

    # then
    assert rows(response)[1][1] == "11/21/2026"


# --- An order -----------------------------------------------------------------------------------


def test_shows_an_order_with_its_items_totals_and_addresses(
    shopper_client, shopper, view_a, products
):
    # given
    order = place_order(
        view_a, "100001", customer=shopper, status="complete", tax=Decimal("1.50"),
        discount=Decimal("2.00"), grand_total=Decimal("25.50"),
        billing_address=shipping_to("Ada", city="Cambridge"),
        shipping_address=shipping_to("Grace", "Hopper"),
    )  # fmt: skip

    # when
    response = shopper_client.get(order_url(order))

    # then
    assert response.status_code == 200
    assert texts(response, "h1") == ["Order # 100001"]
    assert facts(response) == [["Status", "Complete", "Order Date", "Nov. 20, 2026"]]
    assert rows(response) == [
        ["Product", "SKU", "Price", "Quantity", "Subtotal"],
        ["Mug", "MUG", "$8.50", "2", "$17.00"],
        ["Green Tea", "TEA", "$4.00", "1", "$4.00"],
        ["Subtotal", "$21.00"],
        ["Shipping & Handling", "$5.00"],
        ["Discount", "-$2.00"],
        ["Tax", "$1.50"],
        ["Grand Total", "$25.50"],
    ]
    assert texts(response, "h3") == ["Shipping Address", "Billing Address"]
    addresses = texts(response, "address")
    assert addresses[0].startswith("Grace Hopper\n12 Analytical Row")
    assert "Cambridge" in addresses[1]
    assert "Refunds" not in texts(response, "h2")


def test_shows_the_refunds_of_an_order(shopper_client, shopper, view_a, products):
    # given
    order = place_order(view_a, "100001", customer=shopper, status="closed")
    for number, day, items, total, credit in [
        ("CM-1", 22, [{"sku": "TEA", "qty": 1, "row_total": "4.00"}], "4.00", "0"),
        ("CM-2", 23, [{"sku": "MUG", "qty": 2, "row_total": "17.00"}], "22.00", "10.00"),
    ]:
        services.record_refund(
            store_view=view_a, order_number="100001", number=number, items=items,
            grand_total=Decimal(total), to_store_credit=Decimal(credit),
            refunded_at=PLACED.replace(day=day), actor=SYSTEM,
        )  # fmt: skip

    # when
    response = shopper_client.get(order_url(order))

    # then: the newest refund first, each with its items, total and store credit part
    assert "Refunds" in texts(response, "h2")
    assert texts(response, "h3")[:2] == ["Refund # CM-2", "Refund # CM-1"]
    cells = rows(response)
    assert cells[cells.index(["Grand Total", "$26.00"]) + 1 :] == [
        ["Product", "SKU", "Quantity", "Subtotal"],
        ["Mug", "MUG", "2", "$17.00"],
        ["Refunded", "$22.00"],
        ["Refunded to Store Credit", "$10.00"],
        ["Product", "SKU", "Quantity", "Subtotal"],
        ["Green Tea", "TEA", "1", "$4.00"],
        ["Refunded", "$4.00"],
        ["Refunded to Store Credit", "$0.00"],
    ]
    assert facts(response)[1:] == [
        ["Refund Date", "Nov. 23, 2026"],
        ["Refund Date", "Nov. 22, 2026"],
    ]


def test_reads_an_order_with_its_refunds_in_four_queries_of_its_own(
    shopper_client, shopper, view_a, products
):
    # given: three refunds of two items each
    order = place_order(view_a, "100001", customer=shopper, status="closed")
    for number in range(3):
        services.record_refund(
            store_view=view_a, order_number="100001", number=f"CM-{number}",
            items=[{"sku": "MUG", "qty": 1, "row_total": "1.00"},
                   {"sku": "TEA", "qty": 1, "row_total": "1.00"}],
            grand_total=Decimal("2.00"), refunded_at=PLACED, actor=SYSTEM,
        )  # fmt: skip

    # when
    with CaptureQueriesContext(connection) as queries:
        response = shopper_client.get(order_url(order))

    # then: the order, its items, its refunds and their items
    assert len(rows(response)) == 8 + 3 * 5
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in queries.captured_queries
              if '"sales_' in q["sql"]]  # fmt: skip
    assert tables == [
        '"sales_order"',
        '"sales_orderitem"',
        '"sales_refund"',
        '"sales_refunditem"',
    ]


def test_another_customers_order_is_not_found(shopper_client, view_a, products):
    # given
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    order = place_order(view_a, "100001", customer=other)

    # when
    response = shopper_client.get(order_url(order))

    # then
    assert response.status_code == 404


def test_an_order_of_another_website_is_not_found(client, shopper, second_website_view, products):
    # given
    share_accounts("global")
    order = place_order(second_website_view, "200001", customer=shopper)
    signed_in(client, shopper)

    # when
    response = client.get(order_url(order))

    # then
    assert response.status_code == 404


def test_an_unknown_order_is_not_found(shopper_client):
    assert shopper_client.get("/sales/order/view/999999/").status_code == 404


# --- Wish list ----------------------------------------------------------------------------------


def test_shows_the_wish_list(shopper_client, shopper, products):
    # given
    services.replace_wishlist(
        customer=shopper,
        items=[
            {"sku": "MUG", "qty": 2, "added_at": PLACED},
            {"sku": "TEA", "added_at": PLACED + dt.timedelta(days=3)},
        ],
        actor=SYSTEM,
    )

    # when
    response = shopper_client.get(WISHLIST_URL)

    # then
    assert response.status_code == 200
    assert texts(response, "h1") == ["My Wish List"]
    assert rows(response) == [
        ["Product", "SKU", "Price", "Quantity", "Added"],
        ["Green Tea", "TEA", "$4.00", "1", "11/23/2026"],
        ["Mug", "MUG", "$8.50", "2", "11/20/2026"],
    ]
    # read-only: the only form is the header's Sign Out
    assert [e["attrs"]["action"] for e in elements(response, "form")] == [
        "/customer/account/logout/"
    ]
    assert "cart" not in response.content.decode().lower()


def test_shows_an_empty_wish_list(shopper_client, view_a, products):
    # given: someone else's wish list
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    services.replace_wishlist(customer=other, items=[{"sku": "MUG"}], actor=SYSTEM)

    # when
    response = shopper_client.get(WISHLIST_URL)

    # then
    assert "You have no items in your wish list." in texts(response, "p")
    assert elements(response, "table") == []


# --- Reviews ------------------------------------------------------------------------------------


def test_lists_the_customers_reviews_of_this_website(
    client, shopper, view_a, second_website_view, products
):
    # given
    share_accounts("global")
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    write_review(view_a, "r1", customer=shopper, sku="MUG", rating=4, title="Sturdy")
    write_review(
        view_a, "r2", customer=shopper, sku="TEA", rating=1, title="Bitter", status="approved",
        written_at=PLACED + dt.timedelta(days=1),
    )  # fmt: skip
    write_review(view_a, "r3", customer=other, title="Not mine")
    write_review(second_website_view, "r4", customer=shopper, title="Other website")
    signed_in(client, shopper)

    # when
    response = client.get(REVIEWS_URL)

    # then
    assert texts(response, "h1") == ["My Product Reviews"]
    assert rows(response) == [
        ["Date", "Product", "Rating", "Summary", "Status", "Action"],
        ["11/21/2026", "Green Tea", "★☆☆☆☆1 of 5 stars", "Bitter", "Approved",
         "See Details Green Tea"],
        ["11/20/2026", "Mug", "★★★★☆4 of 5 stars", "Sturdy", "Pending", "See Details Mug"],
    ]  # fmt: skip
    assert texts(response, "span", "class", "visually-hidden")[1:3] == [
        "1 of 5 stars",
        "Green Tea",
    ]


def test_shows_an_empty_state_without_reviews(shopper_client):
    # when
    response = shopper_client.get(REVIEWS_URL)

    # then
    assert "You have submitted no reviews." in texts(response, "p")


def test_pages_the_reviews(shopper_client, shopper, view_a, products):
    # given
    for number in range(12):
        write_review(
            view_a, f"r{number}", customer=shopper, written_at=PLACED + dt.timedelta(hours=number)
        )

    # when
    response = shopper_client.get(f"{REVIEWS_URL}?page=2")

    # then
    assert [row[3] for row in rows(response)[1:]] == ["Review r1", "Review r0"]
    assert "Items 11 to 12 of 12 total" in texts(response, "p")


def test_shows_a_review(shopper_client, shopper, view_a, products):
    # given
    review = write_review(
        view_a, "r1", customer=shopper, rating=5, title="Lovely", detail="Holds\nheat."
    )

    # when
    response = shopper_client.get(review_url(review))

    # then
    assert response.status_code == 200
    assert texts(response, "h1") == ["Review Details"]
    assert texts(response, "h2") == ["Mug"]
    assert texts(response, "h3") == ["Lovely"]
    assert facts(response) == [
        ["SKU", "MUG", "Your Rating", "★★★★★5 of 5 stars", "Status", "Pending",
         "Submitted on", "Nov. 20, 2026"]
    ]  # fmt: skip
    assert texts(response, "p", "class", "review-detail") == ["Holds\nheat."]


def test_another_customers_review_is_not_found(shopper_client, view_a, products):
    # given
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    review = write_review(view_a, "r1", customer=other)

    # when
    response = shopper_client.get(review_url(review))

    # then
    assert response.status_code == 404


def test_a_review_of_another_website_is_not_found(client, shopper, second_website_view, products):
    # given
    share_accounts("global")
    review = write_review(second_website_view, "r1", customer=shopper)
    signed_in(client, shopper)

    # when
    response = client.get(review_url(review))

    # then
    assert response.status_code == 404


# --- My Account ---------------------------------------------------------------------------------


def test_my_account_shows_the_five_latest_orders_and_three_latest_reviews(
    shopper_client, shopper, view_a, products
):
    # given
    bulk_orders(view_a, shopper, 6)
    for number in range(4):
        write_review(
            view_a, f"r{number}", customer=shopper, sku=["MUG", "TEA"][number % 2],
            written_at=PLACED + dt.timedelta(days=number),
        )  # fmt: skip

    # when
    response = shopper_client.get(ACCOUNT_URL)

    # then
    assert texts(response, "h2") == [
        "Account Information",
        "Address Book Manage Addresses",
        "Recent Orders View All",
        "My Recent Reviews View All",
    ]
    assert numbers(response) == [f"B{n:05d}" for n in range(6, 1, -1)]
    hrefs = [e["attrs"]["href"] for e in elements(response, "a")]
    views = [h for h in hrefs if h.startswith("/sales/order/view/")]
    assert views == [order_url(o) for o in Order.objects.order_by("-placed_at")[:5]]
    assert HISTORY_URL in hrefs and REVIEWS_URL in hrefs
    assert texts(response, "li")[-3:] == [
        "Green Tea ★★★★☆4 of 5 stars",
        "Mug ★★★★☆4 of 5 stars",
        "Green Tea ★★★★☆4 of 5 stars",
    ]


def test_my_account_says_when_there_are_no_orders_and_hides_reviews(shopper_client):
    # when
    response = shopper_client.get(ACCOUNT_URL)

    # then
    assert texts(response, "h2") == [
        "Account Information",
        "Address Book Manage Addresses",
        "Recent Orders",
    ]
    assert texts(response, "p")[-2:] == ["You have placed no orders.", "Default Store View"]
