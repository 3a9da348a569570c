"""The segment query language, live preview and explanations in Chromium (issue 10's Done
means): a staff member types a query beside the condition builder and sees the live count and
a sample of the customers who match, reads a syntax error at its line and column, switches to
the builder and back without change, sees a draft's problem next to its condition before
saving, changes the tree in the builder and sees it as text, saves from the text, then opens
the explanation of a customer who is not in the segment and reads a condition's truth and the
value measured. axe-core runs on every page visited.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patron.core.actors import SYSTEM
from patron.customers.services import create_customer
from patron.segments import services
from patron.segments.models import Segment
from patron.segments.tests.conftest import make_product, place_order
from patron.testing.fixtures import default_store_view, default_website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AT_LEAST_ONE = "orders.count(status: complete) >= 1"
AT_LEAST_TWO = "orders.count(status: complete) >= 2"
TWO_ORDERS_TREE = {
    "type": "combine", "aggregator": "all", "value": True,
    "conditions": [
        {"type": "number_of_orders", "function": "total", "operator": "gte", "value": "2",
         "aggregator": "all", "conditions": [
             {"type": "order_status", "operator": "is", "value": "complete"},
         ]},
    ],
}  # fmt: skip


@pytest.fixture
def shop(transactional_db):
    """Grace has two complete orders, Ada one, Alan none; "Repeat buyers" has no condition."""
    website, view = default_website(), default_store_view()
    make_product("MUG")
    people = {}
    for first, orders in (("Ada", 1), ("Grace", 2), ("Alan", 0)):
        customer = create_customer(
            website=website, email=f"{first.lower()}@example.com", firstname=first,
            lastname="Example", actor=SYSTEM,
        )  # fmt: skip
        for days in range(orders):
            place_order(
                view, customer, grand_total="20.00",
                placed_at=timezone.now() - dt.timedelta(days=10 + days),
            )  # fmt: skip
        people[first.lower()] = customer
    segment = services.create_segment(
        name="Repeat buyers", websites=[website], apply_to="registered", actor=SYSTEM
    )
    return {"segment": segment, **people}


def query_box(page: Page):
    return page.get_by_label("Conditions as text")


def live_count(page: Page):
    return page.locator("#segment-preview-count")


def switch_to(page: Page, name: str) -> None:
    page.get_by_role("group", name="Edit the conditions with").get_by_role(
        "button", name=name, exact=True
    ).click()


def test_type_a_query_preview_switch_views_save_and_explain(
    admin_page: Page, shop, assert_accessible, broken_assets
):
    page = admin_page
    segment = shop["segment"]

    # given: the segment's page, with the builder shown first
    page.goto(f"/admin/segments/segment/{segment.pk}/change/")
    expect(page.get_by_role("region", name="Condition builder")).to_be_visible()
    expect(page.get_by_role("button", name="Builder", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    # with no condition the preview counts every customer
    expect(live_count(page)).to_have_text("3 customers match")
    assert_accessible(page)

    # when: the Text view, a query typed in
    switch_to(page, "Text")
    expect(query_box(page)).to_be_visible()
    expect(page.get_by_role("region", name="Condition builder")).to_be_hidden()
    query_box(page).fill(AT_LEAST_ONE)

    # then: the live count and a sample of the customers who match, in a live region
    preview = page.get_by_role("status").filter(has=live_count(page))
    expect(preview).to_have_attribute("aria-live", "polite")
    expect(live_count(page)).to_have_text("2 customers match")
    expect(page.locator("#segment-preview-sample tbody tr")).to_have_text(
        ["Ada Example ada@example.com", "Grace Example grace@example.com"], use_inner_text=True
    )
    assert_accessible(page)

    # when: a query that stops short
    query_box(page).fill(AT_LEAST_ONE.removesuffix(" 1"))

    # then: what was expected, at its line and column, under the text
    expect(page.locator("#query-error")).to_contain_text("Line 1, column 34:")
    expect(query_box(page)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)

    # when: corrected, then the builder
    query_box(page).fill(AT_LEAST_ONE)
    expect(live_count(page)).to_have_text("2 customers match")
    expect(query_box(page)).not_to_have_attribute("aria-invalid", "true")
    switch_to(page, "Builder")

    # then: the builder draws the query's tree
    expect(page.get_by_role("region", name="Condition builder")).to_be_visible()
    expect(query_box(page)).to_be_hidden()
    expect(page.locator("#sc-0-operator option:checked")).to_have_text("equals or greater than")
    expect(page.locator("#sc-0-value")).to_have_value("1")
    expect(page.locator("#sc-0-0-value option:checked")).to_have_text("Complete")
    assert_accessible(page)

    # when: back to the text without a change
    switch_to(page, "Text")

    # then: the same text
    expect(query_box(page)).to_have_value(AT_LEAST_ONE)

    # when: the builder again, a number that is not one typed in
    switch_to(page, "Builder")
    page.locator("#sc-0-value").fill("two")

    # then: the problem next to the condition, before any save, as saving would show it
    expect(page.locator("#sc-0-value")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#sc-0")).to_contain_text("Enter a number.")
    expect(page.get_by_role("status")).to_contain_text("Condition 1: value — Enter a number.")
    assert_accessible(page)

    # when: the number corrected
    page.locator("#sc-0-value").fill("2")

    # then: the preview follows the builder, and the text view prints the changed tree
    expect(live_count(page)).to_have_text("1 customer matches")
    expect(page.locator("#sc-0-value")).not_to_have_attribute("aria-invalid", "true")
    switch_to(page, "Text")
    expect(query_box(page)).to_have_value(AT_LEAST_TWO)

    # when: saved from the text view
    with page.expect_navigation():
        page.get_by_role("button", name="Save and Continue Edit").click()

    # then: the tree of the text is stored; the page opens again in the text view
    expect(page.locator(".messagelist")).to_have_text("You saved the segment.")
    assert Segment.objects.get(pk=segment.pk).conditions == TWO_ORDERS_TREE
    expect(query_box(page)).to_have_value(AT_LEAST_TWO)
    expect(live_count(page)).to_have_text("1 customer matches")
    assert_accessible(page)

    # when: Explain, for Ada (one order), picked by email
    page.get_by_label("Customer ID or email").fill("ada@example.com")
    with page.expect_navigation():
        page.locator("#explain").get_by_role("button", name="Explain").click()

    # then: the tree with each condition's truth in words and the value measured
    expect(page.get_by_role("heading", name="Explain Membership", level=1)).to_be_visible()
    expect(page.locator("#explain-verdict")).to_contain_text("The conditions do not hold")
    orders = page.locator("#why-1 > .segment-explained-line")
    expect(orders.locator(".segment-verdict")).to_have_text("✘ Not held")
    expect(orders.locator(".segment-explained-label")).to_have_text(
        "Number of Orders Total equals or greater than 2 ALL"
    )
    expect(orders.locator(".segment-measured")).to_have_text("— measured 1")
    status = page.locator("#why-1-1 > .segment-explained-line")
    expect(status.locator(".segment-verdict")).to_have_text("✔ Held")
    expect(status.locator(".segment-scoped")).to_have_text("per row")
    assert_accessible(page)

    assert broken_assets == []
