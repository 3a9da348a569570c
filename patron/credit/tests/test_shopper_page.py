"""The shopper's Store Credit page at /storecredit/info/ (spec b §10-11, checks 27, 28, 35): the
current website's balance, its history with date and time when the website shows it, refunds to
store credit among the rows, and the page's link in the account navigation."""

import contextlib
import datetime as dt
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client

from patron.accounts.tests.factories import query_of
from patron.core.actors import SYSTEM
from patron.core.errors import PatronError
from patron.credit import services
from patron.credit.models import StoreCreditHistory
from patron.customers.tests.factories import make_customer, share_accounts
from patron.dashboard.tests.factories import LOGIN_URL, PASSWORD, nav_links, signed_in, texts
from patron.sales import services as sales_services
from patron.scopes import services as scope_services
from patron.testing.fixtures import make_store_view, set_config

URL = "/storecredit/info/"
HEADER = ["Action", "Balance Change", "Balance", "Date"]


@pytest.fixture
def shopper(view_a):
    return make_customer("ada@example.com", store_view=view_a, password=PASSWORD)


@pytest.fixture
def shopper_client(client, shopper) -> Client:
    return signed_in(client, shopper)


@pytest.fixture
def view_b(website_b):
    scope_services.save_website(website=website_b, base_currency="EUR")
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


def credit(customer, website, delta, comment=""):
    return services.update_balance(
        customer=customer, website=website, delta=Decimal(delta), actor=SYSTEM, comment=comment
    )


def balance_text(response) -> str:
    return texts(response, "p", "class", "store-credit-balance")[0]


class _Rows(HTMLParser):
    """The text of each cell of each row of the page's history table, header row included."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self._inside, self._cell = False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("class") == "store-credit-history":
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False
        elif tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def history(response) -> list[list[str]]:
    """The history table's rows (header first), each cell's text; [] without the table."""
    parser = _Rows()
    parser.feed(response.content.decode())
    return parser.rows


# --- Navigation and the switch ------------------------------------------------------------------


def test_the_link_sits_between_my_product_reviews_and_newsletter(shopper_client):
    # when
    response = shopper_client.get(URL)

    # then
    links = nav_links(response)
    labels = [label for label, _url, _current in links]
    assert response.status_code == 200
    assert labels[labels.index("My Product Reviews") + 1 :] == [
        "Store Credit", "Newsletter Subscriptions", "Privacy",
    ]  # fmt: skip
    assert ("Store Credit", URL, True) in links
    assert texts(response, "h1") == ["Store Credit"]


def test_with_store_credit_disabled_the_link_is_gone_and_the_page_is_not_found(shopper_client):
    # given
    set_config({services.ENABLED: False})

    # when
    account = shopper_client.get("/customer/account/")
    page = shopper_client.get(URL)

    # then: check 27
    assert "Store Credit" not in [label for label, _url, _current in nav_links(account)]
    assert page.status_code == 404


def test_a_guest_is_sent_to_sign_in_and_back(client, view_a):
    # when
    response = client.get(URL)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?")
    assert query_of(response["Location"]) == {"next": URL}


def test_the_page_only_answers_get(shopper_client):
    # when
    response = shopper_client.post(URL)

    # then
    assert response.status_code == 405


# --- Balance ------------------------------------------------------------------------------------


def test_a_customer_without_credit_sees_a_zero_balance(shopper_client):
    # when
    response = shopper_client.get(URL)

    # then
    assert balance_text(response) == "Your current balance is: $0.00"
    assert history(response) == []
    assert "There is no balance history." in response.content.decode()


def test_only_the_current_websites_balance_and_history_show(client, shopper, view_a, view_b):
    # given: shared accounts and credit on both websites
    share_accounts("global")
    credit(shopper, view_a.store.website, "50", "A")
    credit(shopper, view_b.store.website, "7.5", "B")

    # when
    on_a = signed_in(client, shopper).get(URL)
    on_b = signed_in(Client(), shopper, prefix="/second_en").get(f"/second_en{URL}")

    # then: spec b §7, each in its website's base currency
    assert balance_text(on_a) == "Your current balance is: $50.00"
    assert [row[:3] for row in history(on_a)[1:]] == [["Created", "+$50.00", "$50.00"]]
    assert balance_text(on_b) == "Your current balance is: €7.50"
    assert [row[:3] for row in history(on_b)[1:]] == [["Created", "+€7.50", "€7.50"]]


def test_amounts_follow_the_store_views_language(client, shopper, view_a):
    # given
    make_store_view(view_a.store.website, "de", "de", store=view_a.store, name="Deutsch")
    credit(shopper, view_a.store.website, "1234.5")
    signed_in(client, shopper, prefix="/de")

    # when
    response = client.get(f"/de{URL}")

    # then
    html = response.content.decode()
    assert "<strong>1.234,50\xa0$</strong>" in html
    assert "<td>+1.234,50\xa0$</td>" in html


# --- History ------------------------------------------------------------------------------------


def test_the_history_lists_each_change_with_date_and_time_newest_first(
    shopper_client, shopper, view_a
):
    # given: in Tokyo's time zone
    website = view_a.store.website
    scope_services.save_website(website=website, time_zone="Asia/Tokyo")
    scope_services.invalidate_caches()
    first = credit(shopper, website, "50")
    services.spend(customer=shopper, website=website, amount=Decimal("20"),
                   order_number="100001", actor=SYSTEM)  # fmt: skip
    StoreCreditHistory.objects.filter(pk=first.pk).update(
        created_at=dt.datetime(2026, 11, 20, 20, 5, tzinfo=dt.UTC)
    )

    # when
    response = shopper_client.get(URL)

    # then
    rows = history(response)
    assert rows[0] == HEADER
    assert [row[:3] for row in rows[1:]] == [
        ["Used", "-$20.00", "$30.00"],
        ["Created", "+$50.00", "$50.00"],
    ]
    assert rows[2][3] == "11/21/2026 5:05 a.m."
    assert '<time datetime="2026-11-21T05:05:00+09:00">' in response.content.decode()


def test_with_history_hidden_for_the_website_only_the_balance_shows(
    shopper_client, shopper, view_a
):
    # given
    credit(shopper, view_a.store.website, "50")
    set_config({services.SHOW_HISTORY: False}, website=view_a.store.website)

    # when
    response = shopper_client.get(URL)

    # then: check 28
    assert balance_text(response) == "Your current balance is: $50.00"
    assert history(response) == []
    assert "Balance History" not in response.content.decode()


def test_a_refund_to_store_credit_shows_as_a_refunded_row(shopper_client, shopper, view_a):
    # given: an order of the shopper refunded partly to store credit
    sales_services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM)
    placed = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    sales_services.record_order(
        store_view=view_a, number="100001", customer_id=shopper.pk,
        customer_email=shopper.email, customer_name="Ada Lovelace", status="complete",
        currency="USD", subtotal=Decimal("17"), grand_total=Decimal("17"),
        total_qty=Decimal(2), placed_at=placed, actor=SYSTEM,
        items=[{"sku": "MUG", "name": "Mug", "qty": Decimal(2), "price": Decimal("8.50")}],
    )  # fmt: skip
    sales_services.record_refund(
        store_view=view_a, order_number="100001", number="CM-1",
        items=[{"sku": "MUG", "qty": 1, "row_total": "8.50"}], grand_total=Decimal("8.50"),
        to_store_credit=Decimal("8.50"), refunded_at=placed + dt.timedelta(days=1),
        actor=SYSTEM,
    )  # fmt: skip

    # when
    response = shopper_client.get(URL)

    # then: check 35
    assert balance_text(response) == "Your current balance is: $8.50"
    assert [row[:3] for row in history(response)[1:]] == [["Refunded", "+$8.50", "$8.50"]]
    assert history(response)[1][3]


def test_a_refund_in_another_currency_is_not_credited_one_to_one(shopper, view_a):
    # given: a euro order on a dollar website
    sales_services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM)
    placed = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    sales_services.record_order(
        store_view=view_a, number="100001", customer_id=shopper.pk,
        customer_email=shopper.email, customer_name="Ada Lovelace", status="complete",
        currency="EUR", subtotal=Decimal("17"), grand_total=Decimal("17"),
        total_qty=Decimal(2), placed_at=placed, actor=SYSTEM,
        items=[{"sku": "MUG", "name": "Mug", "qty": Decimal(2), "price": Decimal("8.50")}],
    )  # fmt: skip

    # when: €8.50 refunded to store credit (refused or converted would both be right)
    with contextlib.suppress(PatronError):
        sales_services.record_refund(
            store_view=view_a, order_number="100001", number="CM-1",
            items=[{"sku": "MUG", "qty": 1, "row_total": "8.50"}], grand_total=Decimal("8.50"),
            to_store_credit=Decimal("8.50"), refunded_at=placed, actor=SYSTEM,
        )  # fmt: skip

    # then: not $8.50
    assert services.balance_of(shopper, view_a.store.website) != Decimal("8.50")


def test_the_history_is_paginated_ten_a_page(shopper_client, shopper, view_a):
    # given: 12 changes
    for _number in range(12):
        credit(shopper, view_a.store.website, "1")

    # when
    first = shopper_client.get(URL)
    second = shopper_client.get(f"{URL}?page=2&limit=10")
    twenty = shopper_client.get(f"{URL}?limit=20")

    # then
    assert [row[2] for row in history(first)[1:]] == [f"${n}.00" for n in range(12, 2, -1)]
    assert [row[2] for row in history(second)[1:]] == ["$2.00", "$1.00"]
    assert len(history(twenty)) == 13
    assert "Items 1 to 10 of 12 total" in first.content.decode()
