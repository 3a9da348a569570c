"""Login as Customer in Chromium: a staff member opens the store as a consenting customer in a
new tab, sees the banner, adds an address for them, ends the session, then finds the session
and its change in the log while still signed in to the back office. axe-core runs on every
page state visited."""

import re

import pytest
from playwright.sync_api import Page, expect

from patron.assistance.models import AssistanceAction, AssistanceSession
from patron.core.actors import SYSTEM
from patron.customers.models import Customer
from patron.customers.services import create_customer
from patron.scopes.services import save_config

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def consenting_customer(default_store_view, live_server, settings):
    settings.PATRON_PUBLIC_URL = live_server.url
    save_config(
        scope="default",
        scope_id=0,
        values={"login_as_customer/general/enabled": True},
        actor=SYSTEM,
    )
    return create_customer(
        website=default_store_view.store.website, store_view=default_store_view,
        email="ada@example.com", firstname="Ada", lastname="Lovelace",
        password="Abcdefg1!", allow_remote_assistance=True, actor=SYSTEM,
    )  # fmt: skip


def test_staff_assist_a_customer_and_find_it_in_the_log(
    admin_page: Page, consenting_customer, assert_accessible
):
    page = admin_page
    customer = consenting_customer

    # given: the customer page offers the button
    page.goto(f"/admin/customers/customer/{customer.pk}/change/")
    page.get_by_role("link", name="Log in as Customer").click()
    expect(page.get_by_role("button", name="OK")).to_be_visible()
    assert_accessible(page)

    # when: confirmed, the store opens in a new tab as the customer
    with page.context.expect_page() as new_tab:
        page.get_by_role("button", name="OK").click()
    shop = new_tab.value
    shop.wait_for_url(re.compile(r".*/customer/account/$"))

    # then: the banner names the customer and the staff member
    banner = shop.get_by_role("region", name="Login as Customer")
    expect(banner).to_contain_text("Ada Lovelace")
    expect(banner).to_contain_text("admin")
    assert_accessible(shop)

    # when: an address is added for the customer
    shop.goto("/customer/address/new/")
    expect(banner).to_be_visible()
    shop.locator("#id_telephone").fill("+1 617 555 0100")
    shop.locator("#id_street_1").fill("12 Analytical Row")
    shop.locator("#id_country_id").select_option("US")
    shop.locator("#id_region").fill("Massachusetts")
    shop.locator("#id_city").fill("Boston")
    shop.locator("#id_postcode").fill("02108")
    assert_accessible(shop)
    shop.locator("main form[method=post] button[type=submit]").last.click()
    shop.wait_for_url(re.compile(r".*/customer/address/$"))

    # then: the address is the customer's
    assert Customer.objects.get(pk=customer.pk).addresses.get().city == "Boston"

    # when: the session is ended from the banner
    shop.get_by_role("button", name="End the session").click()

    # then: no banner, and the store no longer knows the customer
    expect(shop.get_by_role("heading", name="The session has ended")).to_be_visible()
    expect(shop.get_by_role("region", name="Login as Customer")).to_have_count(0)
    assert_accessible(shop)
    shop.goto("/customer/account/")
    shop.wait_for_url(re.compile(r".*/customer/account/login/.*"))

    # and: the log has the session with its one change, and staff are still signed in
    session = AssistanceSession.objects.get()
    assert (session.customer_id, session.actor_label, session.actions_count) == (
        customer.pk,
        "admin",
        1,
    )
    assert session.ended_at is not None
    assert AssistanceAction.objects.get().path.endswith("/customer/address/new/")
    page.goto("/admin/assistance/assistancesession/")
    expect(page.locator("#result_list")).to_contain_text("ada@example.com")
    expect(page.get_by_text("Welcome,")).to_be_visible()
    assert_accessible(page)
