"""The back-office customers grid and customer edit page in Chromium, as a signed-in superuser.

The grid: sort by a column (aria-sort and row order), filter by group in the Filters panel,
untick and reorder columns in the column chooser, save the view and switch between it and the
Default View; export the filtered rows as CSV and Excel XML; quick-edit a row (and see a
duplicate email refused inline); assign a group to two ticked rows (a cancelled confirmation
first). The edit page: open a customer from the grid, walk through every section, Save and
Continue Edit, add a timeline note. axe-core runs on every distinct page state.

Every click that loads a page goes through ``go``, which waits for that navigation (a form
posted back to its own URL included), so no step reads a page that is still loading.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, Response, expect

from patron.core.actors import SYSTEM
from patron.core.writers import neutralize_formula
from patron.customers import services
from patron.customers.models import Customer, CustomerGroup, GridView
from patron.testing.fixtures import default_website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRID = "/admin/customers/customer/"
# (first name, last name, group, phone of the default billing address), in id order
PEOPLE = [
    ("Ada", "Lovelace", "General", "+1 617 555 0101"),
    ("Grace", "Hopper", "Wholesale", "+1 617 555 0102"),
    ("Alan", "Turing", "Wholesale", "+1 617 555 0103"),
    ("Edsger", "Dijkstra", "Retailer", "+1 617 555 0104"),
    ("Barbara", "Liskov", "General", "+1 617 555 0105"),
]
IN_ID_ORDER = [f"{first} {last}" for first, last, _group, _phone in PEOPLE]
DEFAULT_HEADERS = [
    "ID", "Name", "Email", "Group", "Phone", "ZIP", "Country", "State/Province",
    "Customer Since", "Web Site", "Confirmed Email", "Account Created In", "Date of Birth",
    "Tax VAT Number", "Gender",
]  # fmt: skip
# The chooser after unticking Gender and moving Email up one place.
CHOSEN_COLUMNS = [
    "id", "email", "name", "group", "telephone", "postcode", "country", "region", "created_at",
    "website", "confirmed", "created_in", "dob", "taxvat",
]  # fmt: skip
CHOSEN_HEADERS = ["ID", "Email", "Name", *DEFAULT_HEADERS[3:-1]]
SPREADSHEET = {"ss": "urn:schemas-microsoft-com:office:spreadsheet"}


@pytest.fixture
def customers() -> dict[str, Customer]:
    """The PEOPLE on the default website, by first name, each with a default billing address
    (Phone and ZIP live there)."""
    made = {}
    for first, last, group, phone in PEOPLE:
        customer = services.create_customer(
            website=default_website(), email=f"{first.lower()}@example.com", firstname=first,
            lastname=last, group=CustomerGroup.objects.get(code=group), actor=SYSTEM,
        )  # fmt: skip
        services.add_address(
            customer=customer, actor=SYSTEM, firstname=first, lastname=last,
            street=["12 Analytical Row"], city="Boston", country_id="US",
            region="Massachusetts", region_code="MA", postcode="02108", telephone=phone,
        )  # fmt: skip
        made[first] = Customer.objects.get(pk=customer.pk)
    return made


# --- helpers ------------------------------------------------------------------------------------


def go(target: Locator, url: Callable[[str], bool]) -> Response | None:
    """Click ``target`` and wait until the page it loads (after any redirect) is ``url``."""
    with target.page.expect_navigation(url=url) as navigation:
        target.click()
    return navigation.value


def at(path: str, *, bare: bool = False, **expected: str | re.Pattern) -> Callable[[str], bool]:
    """A URL test: ``path`` with these query values (a repeated key's values joined by commas,
    as the column chooser's ticked boxes arrive); with ``bare``, no query at all."""

    def matches(url: str) -> bool:
        parts = urlsplit(url)
        query = {key: ",".join(values) for key, values in parse_qs(parts.query).items()}
        if parts.path != path or (bare and parts.query):
            return False
        return all(
            key in query
            and (want.fullmatch(query[key]) if isinstance(want, re.Pattern) else query[key] == want)
            for key, want in expected.items()
        )

    return matches


def on_grid(*, bare: bool = False, **expected: str | re.Pattern) -> Callable[[str], bool]:
    return at(GRID, bare=bare, **expected)


def without_edit(url: str) -> bool:
    return on_grid()(url) and "edit" not in parse_qs(urlsplit(url).query)


def group_id(code: str) -> str:
    return str(CustomerGroup.objects.get(code=code).pk)


def names(page: Page) -> Locator:
    return page.locator("#customer-grid tbody td[data-column=name]")


def header(page: Page, label: str) -> Locator:
    return page.locator("#customer-grid thead th").filter(
        has=page.get_by_role("link", name=label, exact=True)
    )


def expect_headers(page: Page, labels: list[str]) -> None:
    """The sortable headers read ``labels`` in order (a sorted column adds its arrow)."""
    expect(page.locator("#customer-grid thead th a")).to_have_text(
        [re.compile(rf"^{re.escape(label)}( [▲▼])?$") for label in labels]
    )


def row_of(page: Page, customer: Customer) -> Locator:
    return page.locator(f"#row-{customer.pk}")


def cell(page: Page, customer: Customer, column: str) -> Locator:
    return row_of(page, customer).locator(f"td[data-column={column}]")


def open_panel(page: Page, summary: str) -> Locator:
    """Open the toolbar panel (a <details>) whose summary reads ``summary``."""
    panel = page.locator("details.patron-panel").filter(
        has=page.locator("summary").get_by_text(summary, exact=True)
    )
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    expect(panel).to_have_attribute("open", "")
    return panel


def download(page: Page, button: str) -> tuple[str, bytes]:
    with page.expect_download() as info:
        page.get_by_role("button", name=button, exact=True).click()
    assert info.value.failure() is None
    with open(info.value.path(), "rb") as file:
        return info.value.suggested_filename, file.read()


# --- the grid -----------------------------------------------------------------------------------


def test_sort_filter_columns_and_saved_views(admin_page, customers, assert_accessible):
    page = admin_page
    grace, alan = customers["Grace"], customers["Alan"]
    wholesale = group_id("Wholesale")

    # when
    page.goto(GRID)

    # then: every customer in id order under the default columns
    expect(page.locator(".patron-count")).to_have_text("5 records found")
    expect(names(page)).to_have_text(IN_ID_ORDER)
    expect_headers(page, DEFAULT_HEADERS)
    expect(header(page, "ID")).to_have_attribute("aria-sort", "ascending")
    expect(header(page, "Name")).to_have_attribute("aria-sort", "none")
    assert_accessible(page)

    # when: click the Name header
    go(header(page, "Name").get_by_role("link"), on_grid(sort="name", direction="asc"))

    # then
    expect(header(page, "Name")).to_have_attribute("aria-sort", "ascending")
    expect(header(page, "ID")).to_have_attribute("aria-sort", "none")
    expect(names(page)).to_have_text(sorted(IN_ID_ORDER))

    # when: again
    go(header(page, "Name").get_by_role("link"), on_grid(sort="name", direction="desc"))

    # then
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    expect(names(page)).to_have_text(sorted(IN_ID_ORDER, reverse=True))

    # when: Filters, Group Wholesale, Apply Filters
    filters = open_panel(page, "Filters")
    assert_accessible(page)
    filters.get_by_label("Group", exact=True).select_option(label="Wholesale")
    go(
        filters.get_by_role("button", name="Apply Filters"),
        on_grid(f_group=wholesale, sort="name", direction="desc"),
    )

    # then: the two wholesale customers, still sorted
    expect(page.locator(".patron-count")).to_have_text("2 records found")
    expect(names(page)).to_have_text(["Grace Hopper", "Alan Turing"])
    expect(page.locator(".patron-active-filters .patron-chip")).to_have_text(["Group: Wholesale"])
    assert_accessible(page)

    # when: Columns, untick Gender, move Email above Name
    columns = open_panel(page, "Columns")
    columns.get_by_label("Gender", exact=True).uncheck()
    columns.get_by_role("button", name="Move Email up").click()

    # then: the list shows the new order before it is applied
    expect(columns.locator("li[data-code]").nth(1)).to_have_attribute("data-code", "email")
    expect(columns.locator("li[data-code]").nth(2)).to_have_attribute("data-code", "name")
    expect(columns.get_by_role("button", name="Move Email up")).to_be_focused()
    assert_accessible(page)

    # when
    go(
        columns.get_by_role("button", name="Apply Columns"),
        on_grid(columns=",".join(CHOSEN_COLUMNS), f_group=wholesale),
    )

    # then: filter and sort kept
    expect_headers(page, CHOSEN_HEADERS)
    expect(page.locator("#customer-grid td[data-column=gender]")).to_have_count(0)
    expect(names(page)).to_have_text(["Grace Hopper", "Alan Turing"])
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")

    # when: Default View panel, Save Current View as
    views = open_panel(page, "Default View")
    views.get_by_label("Save Current View as").fill("Wholesale by name")
    assert_accessible(page)
    go(
        views.get_by_role("button", name="Save", exact=True),
        on_grid(active_view=re.compile(r"\d+")),
    )

    # then
    expect(page.locator(".messagelist")).to_have_text("The view Wholesale by name was saved.")
    expect(page.locator("details.patron-panel > summary")).to_have_text(
        ["Filters", "Columns", "View: Wholesale by name"]
    )
    saved = GridView.objects.get(name="Wholesale by name").state
    assert (saved["filters"], saved["columns"], saved["sort"], saved["direction"]) == (
        {"group": wholesale},
        CHOSEN_COLUMNS,
        "name",
        "desc",
    )

    # when: switch to the Default View
    views = open_panel(page, "View: Wholesale by name")
    go(views.get_by_role("link", name="Default View"), on_grid(bare=True))

    # then: everyone, default columns, id order
    expect(page.locator(".patron-count")).to_have_text("5 records found")
    expect_headers(page, DEFAULT_HEADERS)
    expect(names(page)).to_have_text(IN_ID_ORDER)
    expect(page.locator(".patron-active-filters")).to_have_count(0)

    # when: switch to the saved view
    views = open_panel(page, "Default View")
    go(views.get_by_role("link", name="Wholesale by name"), on_grid(f_group=wholesale))

    # then: its filter, columns and sort are back
    expect(page.locator(".patron-count")).to_have_text("2 records found")
    expect_headers(page, CHOSEN_HEADERS)
    expect(names(page)).to_have_text(["Grace Hopper", "Alan Turing"])
    expect(header(page, "Name")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("#customer-grid tbody tr")).to_have_count(2)
    expect(row_of(page, grace)).to_be_visible()
    expect(row_of(page, alan)).to_be_visible()
    views = open_panel(page, "View: Wholesale by name")
    expect(views.get_by_role("link", name="Wholesale by name")).to_have_attribute(
        "aria-current", "true"
    )
    assert_accessible(page)


def test_export_quick_edit_and_mass_action(admin_page, customers, assert_accessible):
    page = admin_page
    ada, grace, alan = customers["Ada"], customers["Grace"], customers["Alan"]
    edsger, barbara = customers["Edsger"], customers["Barbara"]

    # given: a filter active, nothing ticked
    page.goto(f"{GRID}?f_group={group_id('Wholesale')}")
    expect(page.locator(".patron-count")).to_have_text("2 records found")
    expect(page.locator("input[name=ids]:checked")).to_have_count(0)

    # when
    filename, body = download(page, "Export CSV")

    # then: exactly the filtered rows (every column, names rather than ids)
    assert filename == "customers.csv"
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    head, *rows = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    assert head[:5] == ["ID", "Name", "Email", "Group", "Phone"]
    assert sorted(row[:5] for row in rows) == [
        [str(grace.pk), "Grace Hopper", "grace@example.com", "Wholesale",
         grace.default_billing.telephone],
        [str(alan.pk), "Alan Turing", "alan@example.com", "Wholesale",
         alan.default_billing.telephone],
    ]  # fmt: skip

    # when
    filename, body = download(page, "Export Excel XML")

    # then: the same rows (Excel XML writes "+1 617…" so that it is not run as a formula)
    assert filename == "customers.xml"
    workbook = ET.fromstring(body)  # noqa: S314 - our own export
    sheet = [
        [data.text or "" for data in row.iterfind("ss:Cell/ss:Data", SPREADSHEET)]
        for row in workbook.iterfind("ss:Worksheet/ss:Table/ss:Row", SPREADSHEET)
    ]
    assert sheet[0] == head
    assert sorted(sheet[1:]) == sorted([neutralize_formula(value) for value in row] for row in rows)

    # when: Quick edit in Ada's row
    page.goto(GRID)
    row = row_of(page, ada)
    go(row.get_by_role("link", name=f"Quick edit customer {ada.pk}"), on_grid(edit=str(ada.pk)))

    # then: her row turns into fields; the others stay text
    expect(row).to_have_class(re.compile(r"\bpatron-editing\b"))
    expect(row.get_by_label("Phone")).to_have_value(ada.default_billing.telephone)
    expect(row.get_by_label("Group")).to_have_value(group_id("General"))
    expect(row_of(page, grace).locator("input:not([type=checkbox]), select")).to_have_count(0)
    assert_accessible(page)

    # when
    row.get_by_label("Phone").fill("+1 617 555 0199")
    row.get_by_label("Group").select_option(label="Retailer")
    go(row.get_by_role("button", name="Save"), without_edit)

    # then: the row shows the saved values (the US phone written as the country rules do)
    expect(page.locator(".messagelist")).to_have_text("Customer ada@example.com was saved.")
    expect(row.locator("input:not([type=checkbox]), select")).to_have_count(0)
    expect(cell(page, ada, "telephone")).to_have_text("+1 617-555-0199")
    expect(cell(page, ada, "group")).to_have_text("Retailer")
    saved = Customer.objects.select_related("group", "default_billing").get(pk=ada.pk)
    assert (saved.group.code, saved.default_billing.telephone) == ("Retailer", "+1 617-555-0199")

    # when: Grace's email
    go(row.get_by_role("link", name=f"Quick edit customer {ada.pk}"), on_grid(edit=str(ada.pk)))
    row.get_by_label("Email").fill("grace@example.com")
    response = go(row.get_by_role("button", name="Save"), at(f"{GRID}grid/{ada.pk}/quick-edit/"))

    # then: refused inline, the row still open with the value typed
    refusal = "A customer with the email grace@example.com already exists."
    assert response is not None and response.status == 400
    expect(page.locator(".errornote[role=alert]")).to_contain_text(refusal)
    expect(row.get_by_label("Email")).to_have_value("grace@example.com")
    expect(row.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(cell(page, ada, "email").locator(".patron-field-error")).to_have_text(refusal)
    assert_accessible(page)
    assert Customer.objects.get(pk=ada.pk).email == "ada@example.com"

    # when: tick Edsger and Barbara, Assign a Customer Group, Wholesale, Apply
    page.goto(GRID)
    group_choice = page.get_by_label("Group for Assign a Customer Group")
    expect(group_choice).to_be_hidden()

    def assign_wholesale_to_edsger_and_barbara() -> None:
        page.get_by_label(f"Select customer {edsger.pk}", exact=True).check()
        page.get_by_label(f"Select customer {barbara.pk}", exact=True).check()
        page.get_by_label("Actions", exact=True).select_option(label="Assign a Customer Group")
        expect(group_choice).to_be_visible()
        group_choice.select_option(label="Wholesale")
        go(page.get_by_role("button", name="Apply", exact=True), at(f"{GRID}grid/action/"))

    assign_wholesale_to_edsger_and_barbara()

    # then: a confirmation page
    expect(page.locator("#content-main")).to_contain_text(
        "Move 2 customers to the group Wholesale?"
    )
    assert_accessible(page)

    # when: Cancel
    go(page.get_by_role("link", name="Cancel"), on_grid())

    # then: nothing changed
    expect(cell(page, edsger, "group")).to_have_text("Retailer")
    expect(cell(page, barbara, "group")).to_have_text("General")
    assert Customer.objects.get(pk=edsger.pk).group.code == "Retailer"
    assert Customer.objects.get(pk=barbara.pk).group.code == "General"

    # when: again, and OK
    assign_wholesale_to_edsger_and_barbara()
    go(page.get_by_role("button", name="OK"), on_grid())

    # then: both moved, no one else
    expect(page.locator(".messagelist")).to_have_text("Assign a Customer Group: 2 customers done.")
    expect(cell(page, edsger, "group")).to_have_text("Wholesale")
    expect(cell(page, barbara, "group")).to_have_text("Wholesale")
    expect(cell(page, ada, "group")).to_have_text("Retailer")
    assert dict(Customer.objects.values_list("pk", "group__code")) == {
        ada.pk: "Retailer", grace.pk: "Wholesale", alan.pk: "Wholesale",
        edsger.pk: "Wholesale", barbara.pk: "Wholesale",
    }  # fmt: skip


# --- the edit page ------------------------------------------------------------------------------


def test_edit_page_sections_save_and_timeline_note(admin_page, customers, assert_accessible):
    page = admin_page
    grace = customers["Grace"]
    change = f"/admin/customers/customer/{grace.pk}/change/"
    tabs = page.get_by_role("navigation", name="Customer Information")
    section = page.locator("#content-main section")

    # when: Edit in Grace's row
    page.goto(GRID)
    edit = row_of(page, grace).get_by_role("link", name=f"Edit customer {grace.pk}", exact=True)
    go(edit, at(change, bare=True))

    # then: the Customer View section
    expect(tabs.get_by_role("link")).to_have_text(
        [
            "Customer View", "Account Information", "Addresses", "Newsletter", "Orders",
            "Refunds", "Shopping Cart", "Wish List", "Product Reviews", "Store Credit", "Segments",
            "Consent", "Timeline", "Privacy",
        ]
    )  # fmt: skip
    expect(tabs.get_by_role("link", name="Customer View")).to_have_attribute("aria-current", "page")
    expect(section.get_by_role("heading", level=2).first).to_have_text("Personal Information")
    expect(section).to_contain_text("grace@example.com")
    assert_accessible(page)

    def open_section(label: str, code: str, heading: str) -> None:
        go(tabs.get_by_role("link", name=label), at(change, section=code))
        expect(tabs.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
        expect(section.get_by_role("heading", level=2).first).to_have_text(heading)
        assert_accessible(page)

    # when: Account Information, a new last name, Save and Continue Edit
    open_section("Account Information", "account", "Account Information")
    expect(page.locator("#id_lastname")).to_have_value("Hopper")
    page.locator("#id_lastname").fill("Murray Hopper")
    go(page.get_by_role("button", name="Save and Continue Edit"), at(change, section="account"))

    # then: saved, still on Account Information
    expect(page.locator(".messagelist")).to_have_text("You saved the customer.")
    expect(page.locator("#id_lastname")).to_have_value("Murray Hopper")
    expect(tabs.get_by_role("link", name="Account Information")).to_have_attribute(
        "aria-current", "page"
    )
    assert_accessible(page)
    assert Customer.objects.get(pk=grace.pk).lastname == "Murray Hopper"

    # when / then: the other sections
    open_section("Addresses", "addresses", "Addresses")
    expect(section.locator("address")).to_have_count(1)
    expect(section).to_contain_text("Default Billing Address")
    open_section("Newsletter", "newsletter", "Newsletter Information")
    expect(section.get_by_role("checkbox")).to_have_count(1)
    # The commerce-facts sections, empty for this customer
    for label, code, empty in [
        ("Orders", "orders", "The customer has no orders yet."),
        ("Refunds", "refunds", "The customer has no refunds."),
        ("Shopping Cart", "cart", "There are no items in the customer's cart."),
        ("Wish List", "wishlist", "The customer's wish list is empty."),
        ("Product Reviews", "reviews", "The customer has written no reviews."),
    ]:
        open_section(label, code, label)
        expect(section).to_contain_text(empty)
    open_section("Timeline", "timeline", "Timeline")
    entries = section.locator("ol.patron-timeline > li")
    before = entries.count()

    # when: add a note
    section.get_by_label("Add a note").fill("Called about the invoice.")
    go(section.get_by_role("button", name="Add Note"), at(change, section="timeline"))

    # then: the note heads the timeline
    expect(page.locator(".messagelist")).to_have_text("The note was added.")
    expect(entries).to_have_count(before + 1)
    expect(entries.first.locator(".patron-note")).to_have_text("Called about the invoice.")
    expect(section.get_by_label("Add a note")).to_have_value("")
    assert_accessible(page)

    # when: Back
    go(page.get_by_role("link", name="Back", exact=True), on_grid())

    # then: the grid shows the new name
    expect(cell(page, grace, "name")).to_have_text("Grace Murray Hopper")
