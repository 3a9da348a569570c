"""Custom customer attributes in Chromium (issue 7's Done means): a staff member creates a
Dropdown attribute on Stores > Attributes > Customer, with a label and option labels for the
default store view and for a German one, shown on Customer Registration, offered as a column
and a filter of the customers grid. A shopper (another browser) finds the field on the
registration form in each store view's labels and registers choosing an option; the staff
member adds the column to the customers grid, reads the option in the new customer's row and
filters by it. axe-core runs on every page visited.
"""

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from patron.core.actors import SYSTEM
from patron.customers.models import AttributeEntity, Customer, CustomerAttribute
from patron.customers.services import create_customer
from patron.testing.fixtures import default_website, make_store_view
from tests.browser.conftest import record_broken_assets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ATTRIBUTES = "/admin/customers/customerattribute/"
GRID = "/admin/customers/customer/"
CREATE = "/customer/account/create/"
CODE = "preferred_channel"
COLUMN = f"attr_{CODE}"
PASSWORD = "Secret-password-1"
# The resource types conftest.py's broken_assets watches.
# (admin label, default store view label, German label, position)
OPTIONS = [("Email", "By email", "Per E-Mail", "1"), ("Phone", "By phone", "Per Telefon", "2")]


@pytest.fixture
def german(default_store_view):
    """A German store view next to the default one, in the default store."""
    return make_store_view(default_website(), "de", "de", name="Deutsch")


@pytest.fixture
def grace():
    """A customer from before the attribute, who has no value for it."""
    return create_customer(
        website=default_website(), email="grace@example.com", firstname="Grace",
        lastname="Hopper", actor=SYSTEM,
    )  # fmt: skip


def at(path: str, **expected: str) -> Callable[[str], bool]:
    """A URL test: ``path`` with these query values (a repeated key's values joined by
    commas)."""

    def matches(url: str) -> bool:
        parts = urlsplit(url)
        query = {key: ",".join(values) for key, values in parse_qs(parts.query).items()}
        return parts.path == path and all(query.get(k) == v for k, v in expected.items())

    return matches


def go(target: Locator, url: Callable[[str], bool]) -> None:
    """Click ``target`` and wait until the page it loads (after any redirect) is ``url``."""
    with target.page.expect_navigation(url=url):
        target.click()


def open_panel(page: Page, summary: str) -> Locator:
    """Open the grid's toolbar panel (a <details>) whose summary reads ``summary``."""
    panel = page.locator("details.patron-panel").filter(
        has=page.locator("summary").get_by_text(summary, exact=True)
    )
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    expect(panel).to_have_attribute("open", "")
    return panel


def test_staff_create_a_dropdown_the_shopper_registers_with_it_and_the_grid_shows_it(
    admin_page: Page,
    browser: Browser,
    live_server,
    default_store_view,
    german,
    grace,
    assert_accessible,
    broken_assets,
):
    page = admin_page

    # when: Customer Attributes from the back-office index, then Add New Attribute
    assert_accessible(page)
    index = page.locator("#content-main")
    go(index.get_by_role("link", name="Customer attributes", exact=True), at(ATTRIBUTES))
    expect(page.locator("#content h1")).to_have_text("Customer Attributes")
    assert_accessible(page)
    go(page.get_by_role("link", name="Add New Attribute"), at(f"{ATTRIBUTES}add/"))

    # then: a new attribute's page; the options table only for the choice types
    expect(page.locator("#content h1")).to_have_text("New Attribute")
    options_table = page.locator("table.patron-options")
    expect(options_table).to_be_hidden()
    assert_accessible(page)

    # when: a Dropdown, on the registration form, a grid column and a grid filter
    page.get_by_label("Default Label").fill("Preferred Channel")
    page.get_by_label("Attribute Code").fill(CODE)
    page.get_by_label("Input Type").select_option(label="Dropdown")
    page.get_by_label("Add to Column Options").select_option(label="Yes")
    page.get_by_label("Use in Filter Options").select_option(label="Yes")
    page.get_by_role("checkbox", name="Customer Registration").check()

    # then: the options table appears, with a column per store view
    expect(options_table).to_be_visible()
    expect(options_table.locator("thead th")).to_have_text(
        ["Admin", "Default Store View", "Deutsch", "Position", "Is Default", "Delete"]
    )

    # when: a label per store view, and two options labelled in both
    page.locator(f"#id_store_label_{default_store_view.pk}").fill("How should we reach you?")
    page.locator(f"#id_store_label_{german.pk}").fill("Wie sollen wir Sie erreichen?")
    for number, (admin, default, deutsch, position) in enumerate(OPTIONS, start=1):
        page.get_by_label(f"Option {number}: Admin", exact=True).fill(admin)
        page.get_by_label(f"Option {number}: Default Store View", exact=True).fill(default)
        page.get_by_label(f"Option {number}: Deutsch", exact=True).fill(deutsch)
        page.get_by_label(f"Option {number}: Position", exact=True).fill(position)
    assert_accessible(page)
    go(page.get_by_role("button", name="Save Attribute"), at(ATTRIBUTES))

    # then: saved, listed, and stored as typed
    expect(page.locator(".messagelist")).to_have_text("You saved the attribute.")
    listed = page.locator("#result_list tbody tr").filter(has_text=CODE)
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Preferred Channel")
    expect(listed).to_contain_text("Dropdown")
    assert_accessible(page)
    attribute = CustomerAttribute.objects.get(entity=AttributeEntity.CUSTOMER, code=CODE)
    assert (attribute.input_type, attribute.label, attribute.forms) == (
        "select", "Preferred Channel", ["customer_account_create"],
    )  # fmt: skip
    assert (attribute.in_grid, attribute.filterable_in_grid, attribute.show_on_storefront) == (
        True, True, True,
    )  # fmt: skip
    assert attribute.labels == {
        str(default_store_view.pk): "How should we reach you?",
        str(german.pk): "Wie sollen wir Sie erreichen?",
    }
    email, phone = attribute.options.order_by("sort_order")
    assert [(o.label, o.labels, o.sort_order) for o in (email, phone)] == [
        (admin, {str(default_store_view.pk): default, str(german.pk): deutsch}, int(position))
        for admin, default, deutsch, position in OPTIONS
    ]

    # given: another customer who chose Email (through the service, as the API would)
    linus = create_customer(
        website=default_website(), email="linus@example.com", firstname="Linus",
        lastname="Torvalds", custom_attributes={CODE: email.pk}, actor=SYSTEM,
    )  # fmt: skip

    # when: a shopper, in another browser, opens the registration form
    shop = browser.new_context(base_url=live_server.url, locale="en-US")
    try:
        shopper_page = shop.new_page()
        shop_assets = record_broken_assets(shopper_page)
        shopper_page.goto(CREATE)

        # then: the field in the default store view's labels
        channel = shopper_page.locator(f"#id_{COLUMN}")
        expect(shopper_page.locator("html")).to_have_attribute("lang", "en")
        expect(shopper_page.get_by_label("How should we reach you?")).to_be_visible()
        expect(channel.locator("option")).to_have_text(["—", "By email", "By phone"])
        assert_accessible(shopper_page)

        # when: the German store view
        shopper_page.goto(f"/{german.code}{CREATE}")

        # then: the German labels
        expect(shopper_page.locator("html")).to_have_attribute("lang", "de")
        expect(shopper_page.get_by_label("Wie sollen wir Sie erreichen?")).to_be_visible()
        expect(channel.locator("option")).to_have_text(["—", "Per E-Mail", "Per Telefon"])
        assert_accessible(shopper_page)

        # when: registers there, choosing Per Telefon
        shopper_page.locator("#id_firstname").fill("Ada")
        shopper_page.locator("#id_lastname").fill("Lovelace")
        shopper_page.locator("#id_email").fill("ada@example.com")
        shopper_page.locator("#id_password").fill(PASSWORD)
        shopper_page.locator("#id_password_confirmation").fill(PASSWORD)
        channel.select_option(label="Per Telefon")
        go(
            shopper_page.locator("main form button[type=submit]"),
            at(f"/{german.code}/customer/account/"),
        )

        # then: signed in, the option stored
        expect(shopper_page.locator("html")).to_have_attribute("lang", "de")
        assert_accessible(shopper_page)
        assert shop_assets == []
    finally:
        shop.close()
    ada = Customer.objects.get(email="ada@example.com")
    assert ada.custom_attributes == {CODE: phone.pk}

    # when: the staff member opens the customers grid
    page.goto(GRID)
    rows = page.locator("#customer-grid tbody tr")
    expect(page.locator(".patron-count")).to_have_text("3 records found")
    expect(page.locator(f"#customer-grid thead th a[href*='sort={COLUMN}']")).to_have_count(0)
    assert_accessible(page)

    # when: Columns, tick Preferred Channel, Apply Columns
    columns = open_panel(page, "Columns")
    choice = columns.get_by_label("Preferred Channel", exact=True)
    expect(choice).not_to_be_checked()
    assert_accessible(page)
    choice.check()
    go(columns.get_by_role("button", name="Apply Columns"), at(GRID))

    # then: the column, with each customer's option by its admin label
    expect(page.locator("#customer-grid thead th a").last).to_have_text("Preferred Channel")
    expect(page.locator(f"#row-{ada.pk} td[data-column={COLUMN}]")).to_have_text("Phone")
    expect(page.locator(f"#row-{linus.pk} td[data-column={COLUMN}]")).to_have_text("Email")
    expect(page.locator(f"#row-{grace.pk} td[data-column={COLUMN}]")).to_have_text("")
    assert_accessible(page)
    chosen = parse_qs(urlsplit(page.url).query)["columns"]
    assert chosen[-1] == COLUMN

    # when: Filters, Preferred Channel Phone, Apply Filters
    filters = open_panel(page, "Filters")
    assert_accessible(page)
    filters.get_by_label("Preferred Channel", exact=True).select_option(label="Phone")
    go(
        filters.get_by_role("button", name="Apply Filters"),
        at(GRID, **{f"f_{COLUMN}": str(phone.pk)}),
    )

    # then: only Ada, the column kept
    expect(page.locator(".patron-count")).to_have_text("1 record found")
    expect(rows).to_have_count(1)
    expect(page.locator(f"#row-{ada.pk} td[data-column={COLUMN}]")).to_have_text("Phone")
    expect(page.locator(".patron-active-filters .patron-chip")).to_have_text(
        ["Preferred Channel: Phone"]
    )
    assert_accessible(page)
    assert broken_assets == []
