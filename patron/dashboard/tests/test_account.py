"""My Account (spec b §13) and the account navigation (§12): contact information, newsletter
status and default addresses through the address templates; every page needs a signed-in
shopper."""

import pytest

from patron.accounts.tests.factories import query_of
from patron.core.actors import SYSTEM
from patron.customers import newsletter
from patron.customers.models import ConsentSource
from patron.customers.tests.factories import make_address
from patron.dashboard.tests.factories import (
    ACCOUNT_URL,
    BOOK_URL,
    EDIT_URL,
    LOGIN_URL,
    NEW_ADDRESS_URL,
    NEWSLETTER_URL,
    nav_links,
    texts,
)
from patron.testing.fixtures import set_config

NAVIGATION = [
    ("My Account", ACCOUNT_URL),
    ("My Orders", "/sales/order/history/"),
    ("My Wish List", "/wishlist/"),
    ("Address Book", BOOK_URL),
    ("Account Information", EDIT_URL),
    ("My Product Reviews", "/review/customer/"),
    ("Store Credit", "/storecredit/info/"),
    ("Newsletter Subscriptions", NEWSLETTER_URL),
    ("Privacy", "/customer/privacy/"),
]


def test_shows_contact_information_and_newsletter_status(shopper_client):
    # when
    response = shopper_client.get(ACCOUNT_URL)

    # then
    assert response.status_code == 200
    assert texts(response, "h1") == ["My Account"]
    assert texts(response, "h3") == [
        "Contact Information",
        "Newsletters",
        "Default Billing Address",
        "Default Shipping Address",
    ]
    assert texts(response, "p")[:6] == [
        "Ada Lovelace\nada@example.com",
        "Edit · Change Password",
        "You aren't subscribed to our newsletter.",
        "Edit",
        "You have not set a default billing address.",
        "You have not set a default shipping address.",
    ]


def test_shows_a_subscription_on_the_current_store_view(shopper_client, shopper, view):
    # given
    newsletter.subscribe(
        store_view=view, customer=shopper, actor=SYSTEM, source=ConsentSource.BACK_OFFICE
    )

    # when
    response = shopper_client.get(ACCOUNT_URL)

    # then
    assert "You are subscribed to our newsletter." in texts(response, "p")


def test_shows_default_addresses_through_the_html_address_template(shopper_client, shopper, view):
    # given
    set_config(
        {"customer/address_templates/html": "{{var firstname}} {{var lastname}}<br>{{var city}}"},
        store_view=view,
    )
    billing = make_address(shopper, city="Boston", default_billing=True)
    shipping = make_address(shopper, city="Cambridge", default_shipping=True)

    # when
    response = shopper_client.get(ACCOUNT_URL)

    # then
    assert texts(response, "address") == ["Ada Lovelace\nBoston", "Ada Lovelace\nCambridge"]
    html = response.content.decode()
    assert f'href="/customer/address/{billing.pk}/edit/"' in html
    assert f'href="/customer/address/{shipping.pk}/edit/"' in html


@pytest.mark.parametrize(
    "path",
    [
        ACCOUNT_URL,
        EDIT_URL,
        f"{EDIT_URL}?changepass=1&changeemail=1",
        BOOK_URL,
        f"{BOOK_URL}?page=2",
        NEW_ADDRESS_URL,
        NEWSLETTER_URL,
    ],
)
def test_a_guest_is_sent_to_sign_in_and_back(client, view, path):
    # when
    response = client.get(path)

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?")
    assert query_of(response["Location"]) == {"next": path}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_a_guest_cannot_delete_an_address(client, shopper):
    # given
    first = make_address(shopper)
    extra = make_address(shopper, city="Cambridge")

    # when
    response = client.post(f"/customer/address/{extra.pk}/delete/")

    # then
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?")
    assert list(shopper.addresses.order_by("pk")) == [first, extra]


@pytest.mark.parametrize("current", range(len(NAVIGATION)))
def test_navigation_lists_the_sections_and_marks_the_current_page(shopper_client, current):
    # when
    response = shopper_client.get(NAVIGATION[current][1])

    # then
    assert nav_links(response) == [
        (label, url, index == current) for index, (label, url) in enumerate(NAVIGATION)
    ]


def test_navigation_marks_no_page_on_the_address_form(shopper_client):
    # when
    response = shopper_client.get(NEW_ADDRESS_URL)

    # then
    assert nav_links(response) == [(label, url, False) for label, url in NAVIGATION]
