"""The shopper's commerce pages in Chromium: sign in, My Account's Recent Orders, My Orders with
its page-size form (no script needed), an order with a refund, My Wish List, My Product Reviews
and a review, in English on the default store view and in German on a ``de`` store view, with
axe-core on every page.

Like test_dashboard.py, the German run finds elements by id, role and link target rather than
by English text, since the German catalogue may lag behind the templates.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import SYSTEM
from patron.customers.services import create_customer
from patron.sales import services
from patron.sales.models import Order, Review
from patron.scopes.models import Website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = [pytest.param("en", id="english_default_view"), pytest.param("de", id="german_de_view")]
PASSWORD = "Abcdefg1!"
PLACED = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
# The refunded order's grand total, as each language writes euros.
REFUNDED_TOTAL = {"en": "€26.00", "de": "26,00\xa0€"}


@pytest.fixture
def shopper(store):
    """A shopper with 12 orders (the newest refunded), a wish list and two reviews."""
    view, _prefix, _language = store
    # Euro orders with a refund to store credit: store credit is kept in the base currency.
    Website.objects.filter(pk=view.store.website_id).update(base_currency="EUR")
    customer = create_customer(
        website=view.store.website, store_view=view, email="ada@example.com",
        firstname="Ada", lastname="Lovelace", password=PASSWORD, actor=SYSTEM,
    )  # fmt: skip
    for sku, name, price in [("MUG", "Mug", "8.50"), ("TEA", "Green Tea", "4.00")]:
        services.save_product(sku=sku, name=name, price=Decimal(price), actor=SYSTEM)
    address = {
        "firstname": "Ada", "lastname": "Lovelace", "street": ["12 Analytical Row"],
        "city": "Boston", "postcode": "02108", "country_id": "US",
    }  # fmt: skip
    for number in range(1, 13):
        services.record_order(
            store_view=view, number=f"1000{number:02d}", customer_id=customer.pk,
            customer_email=customer.email, status="complete", currency="EUR",
            subtotal=Decimal("21.00"), shipping=Decimal("5.00"), grand_total=Decimal("26.00"),
            total_qty=Decimal(3), billing_address=address, shipping_address=address,
            placed_at=PLACED + dt.timedelta(days=number), actor=SYSTEM,
            items=[
                {"sku": "MUG", "name": "Mug", "qty": Decimal(2), "price": Decimal("8.50")},
                {"sku": "TEA", "name": "Green Tea", "qty": Decimal(1), "price": Decimal("4.00")},
            ],
        )  # fmt: skip
    services.record_refund(
        store_view=view, order_number="100012", number="CM-1",
        items=[{"sku": "TEA", "qty": 1, "row_total": "4.00"}], grand_total=Decimal("4.00"),
        to_store_credit=Decimal("4.00"), refunded_at=PLACED + dt.timedelta(days=14),
        actor=SYSTEM,
    )  # fmt: skip
    services.replace_wishlist(
        customer=customer, items=[{"sku": "MUG", "qty": 2}, {"sku": "TEA"}], actor=SYSTEM
    )
    for external_id, sku, rating in [("r1", "MUG", 5), ("r2", "TEA", 3)]:
        services.record_review(
            store_view=view, external_id=external_id, sku=sku, rating=rating,
            title=f"About {sku}", nickname="Ada", written_at=PLACED, customer_id=customer.pk,
            actor=SYSTEM,
        )  # fmt: skip
    return customer


def expect_page(page: Page, path: str, language: str, assert_accessible) -> None:
    page.wait_for_url(re.compile(rf"^[^?]*{re.escape(path)}(\?.*)?$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)


@pytest.mark.parametrize("store", LANGUAGES, indirect=True)
def test_orders_refunds_wish_list_and_reviews(
    page, store, shopper, assert_accessible, broken_assets
):
    _view, prefix, language = store
    account = f"{prefix}/customer/account/"
    history = f"{prefix}/sales/order/history/"
    wishlist = f"{prefix}/wishlist/"
    reviews = f"{prefix}/review/customer/"
    refunded = Order.objects.get(number="100012")
    order_view = f"{prefix}/sales/order/view/{refunded.pk}/"
    newest_review = f"{reviews}view/{Review.objects.get(external_id='r2').pk}/"

    # when: a guest opens My Orders
    page.goto(history)

    # then: asked to sign in first, and brought back after
    expect_page(page, f"{prefix}/customer/account/login/", language, assert_accessible)
    page.locator("#id_email").fill("ada@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form[method=post] button[type=submit]").last.click()
    expect_page(page, history, language, assert_accessible)

    # then: the newest ten orders, with the account navigation's eight links
    expect(page.locator(f".account-nav a[href='{history}']")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.locator(".account-nav a")).to_have_count(9)
    expect(page.locator("main tbody tr")).to_have_count(10)
    expect(page.locator("main tbody tr").first.locator("th")).to_have_text("100012")
    expect(page.locator("main tbody tr").first.locator("td").nth(2)).to_have_text(
        REFUNDED_TOTAL[language]
    )

    # when: twenty a page, through the page-size form
    page.locator("#limit").select_option("20")
    page.locator("main form[method=get] button[type=submit]").click()

    # then
    page.wait_for_url(re.compile(r"[?&]limit=20"))
    expect(page.locator("main tbody tr")).to_have_count(12)
    assert_accessible(page)

    # when: My Account
    page.locator(f".account-nav a[href='{account}']").click()

    # then: Recent Orders lists five, My Recent Reviews two
    expect_page(page, account, language, assert_accessible)
    expect(page.locator("#recent-orders-heading ~ table tbody tr")).to_have_count(5)
    expect(page.locator(".recent-reviews li")).to_have_count(2)

    # when: the refunded order, from Recent Orders
    page.locator(f"main a[href='{order_view}']").click()

    # then: its items, totals and refund
    expect_page(page, order_view, language, assert_accessible)
    expect(page.locator("h1")).to_contain_text("100012")
    expect(page.locator("table.order-items tbody tr")).to_have_count(2)
    expect(page.locator("#refunds-heading")).to_be_visible()
    expect(page.locator("table.refund-items tbody tr")).to_have_count(1)
    expect(page.locator("main address")).to_have_count(2)

    # when: My Wish List
    page.locator(f".account-nav a[href='{wishlist}']").click()

    # then
    expect_page(page, wishlist, language, assert_accessible)
    expect(page.locator("main tbody tr")).to_have_count(2)

    # when: My Product Reviews, then a review
    page.locator(f".account-nav a[href='{reviews}']").click()
    expect_page(page, reviews, language, assert_accessible)
    expect(page.locator("main tbody tr")).to_have_count(2)
    page.locator(f"main a[href='{newest_review}']").click()

    # then
    expect_page(page, newest_review, language, assert_accessible)
    expect(page.locator("main h2")).to_have_text("Green Tea")
    assert broken_assets == []
