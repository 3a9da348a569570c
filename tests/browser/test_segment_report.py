"""Reports > Customers > Segments in Chromium, as a signed-in superuser (spec c §7): the grid's
member counts and its Select Visible / Deselect All controls, one segment's detail report,
View Combined Report with Intersection then Union over two ticked segments, the Group filter,
and the CSV export of the combined report. axe-core runs on every page visited.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import SYSTEM
from patron.customers import services as customer_services
from patron.customers.models import CustomerGroup
from patron.segments import services
from patron.testing.fixtures import default_website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REPORT = "/admin/reports/segments/"
COMBINED = "/admin/reports/segments/combined/"


def emails_tree(*emails: str) -> dict:
    return {
        "type": "combine", "aggregator": "any", "value": True,
        "conditions": [
            {"type": "customer_attribute", "attribute": "email", "operator": "is", "value": e}
            for e in emails
        ],
    }  # fmt: skip


@pytest.fixture
def segments():
    """Ada and Linus (General) and Grace (Wholesale); "Ada and Grace" and "Grace and Linus"
    share Grace; "Nobody" has no member."""
    website = default_website()
    for first, last, group in (
        ("Ada", "Lovelace", "General"),
        ("Grace", "Hopper", "Wholesale"),
        ("Linus", "Torvalds", "General"),
    ):
        customer_services.create_customer(
            website=website, email=f"{first.lower()}@example.com", firstname=first,
            lastname=last, group=CustomerGroup.objects.get(code=group), actor=SYSTEM,
        )  # fmt: skip
    made = {}
    for name, emails in (
        ("Ada and Grace", ["ada@example.com", "grace@example.com"]),
        ("Grace and Linus", ["grace@example.com", "linus@example.com"]),
        ("Nobody", ["nobody@example.com"]),
    ):
        segment = services.create_segment(
            name=name, websites=[website], conditions=emails_tree(*emails), actor=SYSTEM
        )
        services.refresh_segment(segment=segment)
        made[name] = segment
    return made


def emails_shown(page: Page):
    return page.locator("#segment-members tbody tr td:nth-child(3)")


def ticked(page: Page):
    return page.locator("input[name=ids]:checked")


def test_combined_report_and_csv_export(admin_page, segments, assert_accessible):
    page = admin_page

    # when
    page.goto(REPORT)

    # then: each segment with its stored member count
    expect(page.locator("#segment-report-grid td[data-column=customers]")).to_have_text(
        ["2", "2", "0"]
    )
    assert_accessible(page)

    # when: the selection controls
    page.get_by_role("button", name="Select Visible", exact=True).click()
    expect(ticked(page)).to_have_count(3)
    expect(page.get_by_role("status")).to_have_text("Segments selected: 3")
    page.get_by_role("button", name="Deselect All", exact=True).click()
    expect(ticked(page)).to_have_count(0)

    # when: open one segment's report from the grid
    page.get_by_role("link", name="Ada and Grace", exact=True).click()
    page.wait_for_url(f"**{REPORT}{segments['Ada and Grace'].pk}/")

    # then
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customer Segment Report 'Ada and Grace'"
    )
    expect(emails_shown(page)).to_have_text(["ada@example.com", "grace@example.com"])
    expect(page.get_by_role("button", name="Refresh Segment Data")).to_be_visible()
    assert_accessible(page)

    # when: back, tick two segments, View Combined Report with Intersection
    page.get_by_role("link", name="Back", exact=True).click()
    page.wait_for_url(f"**{REPORT}")
    page.get_by_label("Select segment Ada and Grace").check()
    page.get_by_label("Select segment Grace and Linus").check()
    page.get_by_label("Actions").select_option(label="View Combined Report")
    page.get_by_label("Set", exact=True).select_option(label="Intersection")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.wait_for_url(f"**{COMBINED}")

    # then: only the customer in both
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customer Segment Report 'Ada and Grace, Grace and Linus'"
    )
    expect(emails_shown(page)).to_have_text(["grace@example.com"])
    assert_accessible(page)

    # when: switch the set to Union (the selection stays in the session)
    page.get_by_label("Set", exact=True).select_option(label="Union")
    page.get_by_role("button", name="Change Set", exact=True).click()
    page.wait_for_url(f"**{COMBINED}")

    # then: customers of either segment, each once
    expect(emails_shown(page)).to_have_text(
        ["ada@example.com", "grace@example.com", "linus@example.com"]
    )
    expect(page.locator(".patron-count")).to_have_text("3 records found")

    # when: the Group filter, which never offers NOT LOGGED IN
    group = page.get_by_label("Group", exact=True)
    expect(group.locator("option")).not_to_contain_text(["NOT LOGGED IN"])
    group.select_option(label="General")
    page.get_by_role("button", name="Apply Filters").click()
    page.wait_for_url(re.compile(r".*/combined/\?website=&group=\d+$"))

    # then
    expect(emails_shown(page)).to_have_text(["ada@example.com", "linus@example.com"])
    assert_accessible(page)

    # when: export the filtered combined report as CSV
    page.get_by_label("Export to").select_option(label="CSV")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export", exact=True).click()

    # then: the grid's columns and its rows
    assert info.value.failure() is None
    assert info.value.suggested_filename == "segments-union-customers.csv"
    with open(info.value.path(), "rb") as file:
        text = file.read().decode("utf-8").removeprefix("\ufeff")
    head, *rows = csv.reader(io.StringIO(text))
    assert head == [
        "ID", "Name", "Email", "Group", "Phone", "ZIP", "Country", "State/Province",
        "Customer Since",
    ]  # fmt: skip
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("Ada Lovelace", "ada@example.com", "General"),
        ("Linus Torvalds", "linus@example.com", "General"),
    ]
