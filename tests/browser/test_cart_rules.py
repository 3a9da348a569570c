"""Cart price rules in Chromium (issue 12, spec c §11.2 and §6): a staff member adds a rule on
Marketing > Cart Price Rules with a specific coupon, a Customer Segment condition chosen in the
condition builder and a cart item condition for the actions, is shown the problem of a
condition next to it, saves, finds the rule in the grid, switches it to Auto coupons, generates
codes and deletes the rule after confirming. axe-core runs on every page visited.
"""

import json

import pytest
from playwright.sync_api import Page, expect

from patron.core.actors import SYSTEM
from patron.promotions.models import CartPriceRule
from patron.segments import services as segments
from patron.testing.fixtures import default_website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRID = "/admin/promotions/cartpricerule/"


@pytest.fixture
def big_spenders(transactional_db):
    return segments.create_segment(
        name="Big spenders", websites=[default_website()], actor=SYSTEM,
        conditions={"type": "combine", "aggregator": "all", "value": True, "conditions": []},
    )  # fmt: skip


def add_condition(page: Page, container_id: str, label: str) -> None:
    """Pick ``label`` in the container's "Condition to add" and press Add."""
    page.locator(f"#{container_id}-add").select_option(label=label)
    page.locator(f"#{container_id}").locator(".segment-add-button").last.click()


def save_and_continue(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save and Continue Edit").click()


def test_create_a_segment_rule_with_a_coupon_find_it_generate_codes_and_delete_it(
    admin_page: Page, big_spenders, assert_accessible, broken_assets
):
    page = admin_page
    website = default_website()

    # when: Marketing > Cart Price Rules, Add New Rule
    page.goto(GRID)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Add New Rule").click()

    # then: the sections and both builders, Coupon Code hidden while No Coupon
    for heading in ("Rule Information", "Conditions", "Actions", "Labels"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Condition builder", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Cart item condition builder")).to_be_visible()
    expect(page.get_by_label("Coupon Code")).to_be_hidden()
    expect(page.locator("#id_conditions")).to_be_hidden()
    assert_accessible(page)

    # when: the rule information, a specific coupon
    page.get_by_label("Rule Name").fill("Big spender deal")
    page.get_by_label("Websites").select_option(label=website.name)
    page.get_by_label("Customer Groups").select_option(label=["NOT LOGGED IN", "General"])
    page.locator("#id_coupon_type").select_option(label="Specific Coupon")
    expect(page.get_by_label("Coupon Code")).to_be_visible()
    page.get_by_label("Coupon Code").fill("BIG10")
    page.get_by_label("Discount Amount").fill("10")

    # when: Customer Segment added with the builder but no segment chosen, a SKU condition
    # for the items, saved
    add_condition(page, "cr", "Customer Segment")
    expect(page.locator("#cr-0-operator option:checked")).to_have_text("matches")
    add_condition(page, "ca", "SKU")
    page.locator("#ca-0-value").fill("MUG")
    assert_accessible(page)
    save_and_continue(page)

    # then: nothing saved, the problem next to the segment condition
    assert not CartPriceRule.objects.exists()
    expect(page.locator("#cr-0 .segment-node-error")).to_have_text("Choose at least one segment.")
    expect(page.locator("#cr-0-value")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Coupon Code")).to_have_value("BIG10")
    assert_accessible(page)

    # when: the segment chosen in the condition's list, saved
    page.locator("#cr-0-value").select_option(label=f"Big spenders (ID {big_spenders.pk})")
    save_and_continue(page)

    # then: saved as built
    expect(page.locator(".messagelist")).to_have_text("You saved the rule.")
    rule = CartPriceRule.objects.get()
    assert rule.conditions == {
        "type": "cart_rule.combine", "aggregator": "all", "value": True,
        "conditions": [{"type": "cart_rule.customer_segment", "operator": "matches",
                        "value": [big_spenders.pk]}],
    }  # fmt: skip
    assert rule.action_conditions["conditions"] == [
        {"type": "cart_rule.product_attribute", "attribute": "sku", "operator": "is",
         "value": "MUG"}
    ]  # fmt: skip
    assert rule.coupons.get().code == "BIG10"
    # the builder draws the saved tree again
    expect(page.locator("#cr-0-value option:checked")).to_have_text(
        f"Big spenders (ID {big_spenders.pk})"
    )
    assert json.loads(page.locator("#id_conditions").input_value()) == rule.conditions
    assert_accessible(page)

    # when: Back to the grid
    with page.expect_navigation():
        page.get_by_role("link", name="Back", exact=True).click()

    # then: the rule with its coupon code
    row = page.locator("#result_list tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td, th")).to_have_text(
        [str(rule.pk), "Big spender deal", "BIG10", "0", "Active", website.name, "-", "-"]
    )
    assert_accessible(page)

    # when: the rule switched to Auto coupons, then 3 codes generated
    with page.expect_navigation():
        page.get_by_role("link", name="Big spender deal").click()
    page.locator("#id_coupon_type").select_option(label="Auto")
    expect(page.get_by_label("Coupon Code")).to_be_hidden()
    save_and_continue(page)
    expect(page.get_by_role("heading", name="Manage Coupon Codes")).to_be_visible()
    page.get_by_label("Coupon Qty").fill("3")
    page.get_by_label("Code Length").fill("8")
    page.get_by_label("Code Prefix").fill("BIG-")
    with page.expect_navigation():
        page.get_by_role("button", name="Generate").click()

    # then: the codes listed, unused
    expect(page.locator(".messagelist")).to_have_text("3 coupon codes have been generated.")
    codes = page.locator("#coupon-codes tbody tr")
    expect(codes).to_have_count(3)
    expect(codes.locator("td:nth-child(2)")).to_have_text([r.code for r in rule.coupons.all()])
    assert_accessible(page)

    # when: Delete, confirmed
    with page.expect_navigation():
        page.get_by_role("link", name="Delete", exact=True).click()
    expect(page.locator("#removal-impact")).to_contain_text("Its 3 coupon codes are deleted")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Delete Rule").click()

    # then
    expect(page.locator(".messagelist")).to_have_text("You deleted the rule.")
    assert not CartPriceRule.objects.exists()
    assert broken_assets == []
