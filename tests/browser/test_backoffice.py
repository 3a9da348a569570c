"""The back-office customers grid and edit page in Chromium, signed in as a superuser.

The grid: filter by group, sort by a column (aria-sort and row order), choose and reorder
columns, save a view and switch between it and the Default View; quick-edit a row (and see a
duplicate email refused inline); assign a group to two ticked rows (confirmed, and cancelled);
export the filtered rows as CSV and Excel XML. The edit page: open a customer from the grid,
walk through every section, Save and Continue Edit, add a timeline note. axe-core runs on
every distinct page state.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from patron.core.actors import SYSTEM
from patron.customers import services
from patron.customers.models import Customer, CustomerGroup
from patron.testing.fixtures import default_website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRID = "/admin/customers/customer/"
# (first name, last name, group code, telephone of the default billing address)
PEOPLE = [
    ("Ada", "Lovelace", "General", "+1 617 555 0101"),
    ("Grace", "Hopper", "Wholesale", "+1 617 555 0102"),
    ("Alan", "Turing", "Wholesale", "+1 617 555 0103"),
    ("Edsger", "Dijkstra", "Retailer", "+1 617 555 0104"),
    ("Barbara", "Liskov", "General", "+1 617 555 0105"),
]
DEFAULT_HEADERS = [
    "ID", "Name", "Email", "Group", "Phone", "ZIP", "Country", "State/Province",
    "Customer Since", "Web Site", "Confirmed Email", "Account Created In", "Date of Birth",
    "Tax VAT Number", "Gender",
]  # fmt: skip
XML_NS = {"ss": "urn:schemas-microsoft-com:office:spreadsheet"}


def email_of(firstname: str) -> str:
    return f"{firstname.lower()}@example.com"


@pytest.fixture
def customers() -> dict[str, Customer]:
    """Five customers on the default website, each with a default billing address, in the
    order of PEOPLE (so ids follow it)."""
    website = default_website()
    made = {}
    for firstname, lastname, group, telephone in PEOPLE:
        customer = services.create_customer(
            website=website, email=email_of(firstname), firstname=firstname,
            lastname=lastname, group=CustomerGroup.objects.get(code=group), actor=SYSTEM,
        )  # fmt: skip
        services.add_address(
            customer=customer, actor=SYSTEM, firstname=firstname, lastname=lastname,
            street=["12 Analytical Row"], city="Boston", country_id="US",
            region="Massachusetts", region_code="MA", postcode="02108", telephone=telephone,
        )  # fmt: skip
        made[firstname] = customer
    return made


# --- helpers --------------------------------------------------------------------------------------


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def on_grid(**expected: str | re.Pattern):
    """A wait_for_url predicate: the grid page with these query values (a repeated key's
    values joined by commas, as the column chooser's ticked boxes arrive)."""

    def matches(url: str) -> bool:
        parts = urlsplit(url)
        query = {key: ",".join(values) for key, values in parse_qs(parts.query).items()}
        return parts.path == GRID and all(
            key in query
            and (value.fullmatch(query[key]) if isinstance(value, re.Pattern) else query[key] == value)
            for key, value in expected.items()
        )

    return matches


def grid_table(page: Page) -> Locator:
    return page.locator("#customer-grid")


def names(page: Page) -> Locator:
    return grid_table(page).locator("tbody td[data-column=name]")


def expect_headers(page: Page, labels: list[str]) -> None:
    """The column headers (their sort links) read ``labels`` in order; a sorted column's
    arrow is allowed."""
    expect(grid_table(page).locator("thead th a")).to_have_text(
        [re.compile(rf"^{re.escape(label)}( [▲▼])?$") for label in labels]
    )


def header(page: Page, label: str) -> Locator:
    return grid_table(page).locator("thead th").filter(
        has=page.get_by_role("link", name=re.compile(rf"^{re.escape(label)}\b"))
    )


def row_of(page: Page, customer: Customer) -> Locator:
    return page.locator(f"#row-{customer.pk}")


def cell(page: Page, customer: Customer, column: str) -> Locator:
    return row_of(page, customer).locator(f"td[data-column={column}]")


def open_panel(page: Page, summary: str) -> Locator:
    panel = page.locator("details.patron-panel").filter(
        has=page.locator("summary", has_text=summary)
    )
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    expect(panel).to_have_attribute("open", "")
    return panel


def group_pk(code: str) -> str:
    return str(CustomerGroup.objects.get(code=code).pk)


def download(page: Page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button, exact=True).click()
    got = info.value
    assert got.failure() is None
    with open(got.path(), "rb") as handle:
        return got.suggested_filename, handle.read()


# --- the grid -------------------------------------------------------------------------------------


def test_filter_sort_columns_and_saved_view(admin_page, customers, assert_accessible):
    page = admin_page
    ada, grace, alan = customers["Ada"], customers["Grace"], customers["Alan"]

    # when
    page.goto(GRID)

    # then: every customer in id order, the default columns
    expect(page.locator(".patron-count")).to_have_text("5 records found")
    expect(names(page)).to_have_text([f"{f} {last}" for f, last, _g, _t in PEOPLE])
    expect_headers(page, DEFAULT_HEADERS)
    expect(header(page, "ID")).to_have_attribute("aria-sort", "ascending")
    expect(header(page, "Name")).to_have_attribute("aria-sort", "none")
    assert_accessible(page)

    # when: sort by Name
    header(page, "Name").get_by_role("link").click()
    page.wait_for_url(on_grid(sort="name", direction="asc"))

    # then
    expect(header(page, "Name")).to_have_attribute("aria-sort", "ascending")
    expect(header(page, "ID")).to_have_attribute("aria-sort", "none")
    expect(names(page)).to_have_text(
        ["Ada Lovelace", "Alan Turing", "Barbara Liskov", "Edsger Dijkstra", "Grace Hopper"]
    )
    assert_accessible(page)

    # when: again, descending
    header(page, "Name").get_by_role("link").click()
    page.wait_for_url(on_grid(sort="name", direction="desc"))

    # then
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    expect(names(page)).to_have_text(
        ["Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Alan Turing", "Ada Lovelace"]
    )

    # when: Filters, Group = Wholesale, Apply Filters
    filters = open_panel(page, "Filters")
    assert_accessible(page)
    filters.get_by_label("Group", exact=True).select_option(label="Wholesale")
    filters.get_by_role("button", name="Apply Filters").click()
    page.wait_for_url(on_grid(f_group=group_pk("Wholesale"), sort="name", direction="desc"))

    # then: the two wholesale customers, still sorted by name descending
    expect(page.locator(".patron-count")).to_have_text("2 records found")
    expect(names(page)).to_have_text(["Grace Hopper", "Alan Turing"])
    expect(page.locator(".patron-active-filters .patron-chip")).to_have_text(["Group: Wholesale"])
    expect(row_of(page, ada)).to_have_count(0)
    assert_accessible(page)

    # when: Columns, untick Gender, move Email up (above Name), Apply Columns
    columns = open_panel(page, "Columns")
    columns.get_by_label("Gender", exact=True).uncheck()
    columns.get_by_role("button", name="Move Email up").click()
    expect(columns.locator("li[data-code]").nth(1)).to_have_attribute("data-code", "email")
    assert_accessible(page)
    columns.get_by_role("button", name="Apply Columns").click()
    chosen = [h for h in DEFAULT_HEADERS if h != "Gender"]
    chosen[1:3] = ["Email", "Name"]
    page.wait_for_url(on_grid(columns=",".join(
        ["id", "email", "name", "group", "telephone", "postcode", "country", "region",
         "created_at", "website", "confirmed", "created_in", "dob", "taxvat"]
    )))  # fmt: skip

    # then: the new order, the filter and sort kept
    expect_headers(page, chosen)
    expect(grid_table(page).locator("td[data-column=gender]")).to_have_count(0)
    expect(names(page)).to_have_text(["Grace Hopper", "Alan Turing"])
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    assert_accessible(page)

    # when: Default View panel, Save Current View as "Wholesale by name"
    views = open_panel(page, "Default View")
    views.get_by_label("Save Current View as").fill("Wholesale by name")
    assert_accessible(page)
    views.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(on_grid(active_view=re.compile(r"\d+")))

    # then
    expect(page.locator(".messages")).to_contain_text("The view Wholesale by name was saved.")
    expect(page.locator("details.patron-panel summary").last).to_have_text(
        "View: Wholesale by name"
    )
    assert_accessible(page)

    # when: back to the Default View
    views = open_panel(page, "View: Wholesale by name")
    views.get_by_role("link", name="Default View").click()
    page.wait_for_url(lambda url: urlsplit(url).path == GRID and not urlsplit(url).query)

    # then: every customer, default columns, id order
    expect(page.locator(".patron-count")).to_have_text("5 records found")
    expect_headers(page, DEFAULT_HEADERS)
    expect(names(page)).to_have_text([f"{f} {last}" for f, last, _g, _t in PEOPLE])
    expect(page.locator(".patron-active-filters")).to_have_count(0)

    # when: the saved view
    views = open_panel(page, "Default View")
    views.get_by_role("link", name="Wholesale by name").click()
    page.wait_for_url(on_grid(f_group=group_pk("Wholesale")))

    # then: its filter, columns and sort are back
    expect(page.locator(".patron-count")).to_have_text("2 records found")
    expect_headers(page, chosen)
    expect(names(page)).to_have_text(["Grace Hopper", "Alan Turing"])
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    expect(row_of(page, grace)).to_have_count(1)
    expect(row_of(page, alan)).to_have_count(1)
    views = open_panel(page, "View: Wholesale by name")
    expect(views.get_by_role("link", name="Wholesale by name")).to_have_attribute(
        "aria-current", "true"
    )
    assert_accessible(page)
