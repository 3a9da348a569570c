"""System > Data Transfer > Export in Chromium (issue 15): a staff member chooses Customer
Addresses, shows its attributes, filters by country, presses Continue, waits on the export's
job page and downloads the file in Magento's layout. axe-core runs on every page visited.
"""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import SYSTEM
from patron.customers.services import add_address, create_customer
from patron.testing.fixtures import default_website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGE = "/admin/transfer/export/"


def shopper(email: str, country: str, city: str, region: str, code: str, postcode: str):
    customer = create_customer(
        website=default_website(), email=email, firstname="Ada", lastname="Example", actor=SYSTEM
    )
    add_address(
        customer=customer, actor=SYSTEM, default_billing=True, firstname="Ada",
        lastname="Example", street=["1 Main Street"], city=city, country_id=country,
        region=region, region_code=code, postcode=postcode, telephone="+1 617 555 0100",
    )  # fmt: skip
    return customer


@pytest.fixture
def customers(transactional_db):
    shopper("boston@example.com", "US", "Boston", "Massachusetts", "MA", "02108")
    shopper("berlin@example.com", "DE", "Berlin", "", "", "10115")


def test_export_addresses_filtered_by_country(admin_page: Page, customers, assert_accessible):
    page = admin_page
    # given: the Export page
    page.goto(PAGE)
    expect(page.get_by_role("heading", name="Export", level=1)).to_be_visible()
    assert_accessible(page)

    # when: Customer Addresses is chosen, its attributes shown, and the country filter set
    page.get_by_label("Entity Type").select_option(label="Customer Addresses")
    page.get_by_role("button", name="Show Attributes").click()
    row = page.get_by_role("row").filter(has=page.locator("code", has_text="address.country_id"))
    row.get_by_role("textbox").fill("DE")
    page.get_by_label("Export File Format").select_option(label="CSV")
    page.get_by_role("button", name="Continue").click()

    # then: the export's job page, finished, offers the download
    expect(page.get_by_role("status")).to_contain_text("Succeeded")
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    assert info.value.failure() is None
    assert info.value.suggested_filename.startswith("customer_address_")
    with open(info.value.path(), "rb") as file:
        rows = list(csv.DictReader(io.StringIO(file.read().decode("utf-8"), newline="")))
    assert [(row["_email"], row["city"], row["country_id"]) for row in rows] == [
        ("berlin@example.com", "Berlin", "DE")
    ]
