"""Dynamic blocks in Chromium (issue 12, spec c §11.5 and check 42): a staff member adds a
block on Content > Dynamic Blocks for All Store Views, targeted at a segment, and saves it; a
signed-in shopper who is a member of the segment sees it on a shopper page, one who is not does
not. axe-core runs on every page visited.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from patron.core.actors import SYSTEM
from patron.customers.services import create_customer
from patron.segments import services as segments
from patron.testing.fixtures import default_website

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GRID = "/admin/blocks/contentblock/"
LOGIN = "/customer/account/login/"
PASSWORD = "Abcdefg1!"
BLOCK_TEXT = "Thank you for being a loyal customer"


def shopper(email: str, firstname: str):
    return create_customer(
        website=default_website(), email=email, firstname=firstname, lastname="Example",
        password=PASSWORD, actor=SYSTEM,
    )  # fmt: skip


@pytest.fixture
def loyal_segment(transactional_db):
    """The segment "Loyal" whose only stored member is Ada; Bob is a customer outside it."""
    ada = shopper("ada@example.com", "Ada")
    shopper("bob@example.com", "Bob")
    segment = segments.create_segment(
        name="Loyal", websites=[default_website()], actor=SYSTEM,
        conditions={
            "type": "combine", "aggregator": "all", "value": True,
            "conditions": [{"type": "customer_attribute", "attribute": "email", "operator": "is",
                            "value": ada.email}],
        },
    )  # fmt: skip
    segments.refresh_segment(segment=segment)
    return segment


def home_as(browser: Browser, base_url: str, email: str, assert_accessible) -> Page:
    """A new browser context signed in as the shopper ``email``, on the home page."""
    context = browser.new_context(base_url=base_url, locale="en-US")
    page = context.new_page()
    page.goto(LOGIN)
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/customer/account/**")
    page.goto("/")
    expect(page.locator("header.site-header")).to_be_visible()
    assert_accessible(page)
    return page


def test_a_targeted_block_reaches_only_the_segments_members(
    admin_page: Page, browser, live_server, loyal_segment, assert_accessible
):
    page = admin_page

    # given: the staff member opens Content > Dynamic Blocks and adds a block
    page.goto(GRID)
    expect(page.get_by_role("heading", name="Dynamic Blocks")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{GRID}add/")
    assert_accessible(page)

    # when: the fields of spec c §11.5, targeted at Loyal, and Save
    page.get_by_label("Store View").select_option(label="All Store Views")
    page.get_by_label("Dynamic Block Name").fill("Loyalty thanks")
    page.get_by_label("Dynamic Block Type").select_option(label="Content Area")
    page.get_by_label("Loyal").check()
    page.get_by_label("Content").fill(
        f'<p onclick="alert(1)">{BLOCK_TEXT}<script>alert(2)</script></p>'
    )
    page.locator("input[name=_save]").click()

    # then: the grid lists it with its segment
    page.wait_for_url(f"**{GRID}")
    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Loyalty thanks")
    expect(row).to_contain_text("Content Area")
    expect(row).to_contain_text("All Store Views")
    expect(row).to_contain_text("Loyal")
    assert_accessible(page)

    # when / then: Ada (in Loyal) sees it in the content area, without the script
    ada = home_as(browser, live_server.url, "ada@example.com", assert_accessible)
    block = ada.locator("main .content-blocks-content .content-block")
    expect(block).to_have_text(BLOCK_TEXT)
    assert "alert" not in block.inner_html()
    ada.context.close()

    # when / then: Bob (outside Loyal) does not
    bob = home_as(browser, live_server.url, "bob@example.com", assert_accessible)
    expect(bob.locator("main h1")).to_be_visible()
    expect(bob.locator(".content-block")).to_have_count(0)
    bob.context.close()
