"""Store credit in Chromium (issue 11's Done means): a staff member opens a customer, sees the
balance at the foot of Customer View, is refused an update that would take the balance below
zero (the error next to the amount), adds 50 with a comment and an email notification, and sees
the Balance History row; then the shopper signs in, follows Store Credit in the account
navigation and finds the balance and the history row. axe-core runs on every page visited.
"""

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Browser, Locator, Page, expect

from patron.core.actors import SYSTEM
from patron.credit.models import StoreCreditBalance
from patron.customers.services import create_customer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "Abcdefg1!"
ACCOUNT = "/customer/account/"
STORE_CREDIT = "/storecredit/info/"


@pytest.fixture
def shopper(default_store_view):
    return create_customer(
        website=default_store_view.store.website, store_view=default_store_view,
        email="ada@example.com", firstname="Ada", lastname="Lovelace", password=PASSWORD,
        actor=SYSTEM,
    )  # fmt: skip


def at(path: str, **expected: str) -> Callable[[str], bool]:
    """A URL test: ``path`` with these query values."""

    def matches(url: str) -> bool:
        parts = urlsplit(url)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return parts.path == path and all(query.get(k) == v for k, v in expected.items())

    return matches


def go(target: Locator, url: Callable[[str], bool]) -> None:
    """Click ``target`` and wait until the page it loads (after any redirect) is ``url``."""
    with target.page.expect_navigation(url=url):
        target.click()


def test_staff_update_the_balance_and_the_shopper_sees_it_in_the_dashboard(
    admin_page: Page, browser: Browser, live_server, shopper, assert_accessible, broken_assets
):
    page = admin_page
    change = f"/admin/customers/customer/{shopper.pk}/change/"
    tabs = page.get_by_role("navigation", name="Customer Information")
    section = page.locator("#content-main section")
    amount = page.locator("#id_delta")

    # when: a staff member opens the customer
    page.goto(change)

    # then: Customer View ends with the store credit balance
    expect(section.get_by_role("heading", name="Store Credit Balance")).to_be_visible()
    expect(page.locator("#customer-view-store-credit dd")).to_have_text(["$0.00"])
    assert_accessible(page)

    # when: Store Credit, and 30 taken off an empty balance
    go(tabs.get_by_role("link", name="Store Credit"), at(change, section="store_credit"))
    expect(tabs.get_by_role("link", name="Store Credit")).to_have_attribute("aria-current", "page")
    expect(page.locator("#store-credit-balances tbody td")).to_have_text(["$0.00"])
    expect(section).to_contain_text("The balance has not changed yet.")
    assert_accessible(page)
    amount.fill("-30")
    go(page.get_by_role("button", name="Update Balance"), at(change, section="store_credit"))

    # then: refused next to the amount, with the current balance
    error = "The store credit balance is $0.00; it cannot go below zero."
    expect(page.locator(".form-row.errors").filter(has=amount)).to_contain_text(error)
    expect(amount).to_have_value("-30")
    assert_accessible(page)
    assert not StoreCreditBalance.objects.filter(amount__gt=0).exists()

    # when: 50 added with a comment, the customer notified from their store view
    amount.fill("50")
    page.get_by_label("Comment").fill("Sorry for the late parcel.")
    page.get_by_label("Notify Customer by Email").check()
    expect(page.locator("#id_notify_from")).to_have_value(str(shopper.created_in_id))
    go(page.get_by_role("button", name="Update Balance"), at(change, section="store_credit"))

    # then: the new balance and its history row; one email went out
    expect(page.locator(".messagelist")).to_have_text("You updated the store credit balance.")
    expect(page.locator("#store-credit-balances tbody td")).to_have_text(["$50.00"])
    history = page.locator("#store-credit-history tbody tr")
    expect(history).to_have_count(1)
    expect(history.first.locator("td")).to_have_text(
        [re.compile(r"\S"), "Main Website", "Created", "+$50.00", "$50.00", "Yes",
         re.compile(r"Sorry for the late parcel\.\s+By staff member admin")]
    )  # fmt: skip
    assert_accessible(page)
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]

    # when: the shopper signs in (in another browser) and follows Store Credit
    shop = browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        shopper_page = shop.new_page()
        shopper_page.goto(ACCOUNT)
        shopper_page.wait_for_url(re.compile(r"/customer/account/login/"))
        assert_accessible(shopper_page)
        shopper_page.locator("#id_email").fill("ada@example.com")
        shopper_page.locator("#id_password").fill(PASSWORD)
        shopper_page.locator("main form[method=post] button[type=submit]").last.click()
        shopper_page.wait_for_url(re.compile(rf"{re.escape(ACCOUNT)}$"))
        assert_accessible(shopper_page)
        nav = shopper_page.locator(".account-nav a")
        expect(nav).to_have_count(9)
        go(nav.filter(has_text="Store Credit"), at(STORE_CREDIT))

        # then: the balance and the history row, with its date and time
        expect(shopper_page.locator(f".account-nav a[href='{STORE_CREDIT}']")).to_have_attribute(
            "aria-current", "page"
        )
        expect(shopper_page.locator("h1")).to_have_text("Store Credit")
        expect(shopper_page.locator(".store-credit-balance strong")).to_have_text("$50.00")
        rows = shopper_page.locator("table.store-credit-history tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("th, td")).to_have_text(
            ["Created", "+$50.00", "$50.00", re.compile(r"^\d+/\d+/\d{4} \S")]
        )
        assert_accessible(shopper_page)
    finally:
        shop.close()
    assert broken_assets == []
