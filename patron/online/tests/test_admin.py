"""Customers > Now Online in the back office (spec a §5 "Columns")."""

import datetime as dt

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.utils import lookup_field
from django.utils import timezone
from django.utils.text import capfirst

from patron.accounts.tests.factories import make_shopper
from patron.customers.tests.factories import make_address
from patron.online.services import touch_online
from patron.testing.fixtures import make_staff_user

NOW_ONLINE_URL = "/admin/online/onlinesession/"
CART_ADD = "http://testserver/checkout/cart/add/"


def rows(response) -> list[list]:
    changelist = response.context["cl"]
    return [
        [lookup_field(name, row, changelist.model_admin)[2] for name in changelist.list_display]
        for row in changelist.result_list
    ]


def headers(response) -> list[str]:
    return [capfirst(str(header["text"])) for header in result_headers(response.context["cl"])]


def test_superuser_sees_customers_and_visitors_with_every_column(client, superuser, shopper):
    # given
    make_address(shopper, company="Analytical Engines Ltd", default_billing=True)
    earlier = timezone.now() - dt.timedelta(minutes=2)
    later = earlier + dt.timedelta(minutes=1)
    touch_online(customer=shopper, url=CART_ADD, now=earlier)
    touch_online(visitor_id="v-123", url=CART_ADD, now=later)
    client.force_login(superuser)

    # when
    response = client.get(NOW_ONLINE_URL)

    # then
    assert response.status_code == 200
    assert headers(response) == [
        "ID",
        "First name",
        "Last name",
        "Email",
        "Last activity",
        "Type",
        "Last URL",
        "Company",
    ]
    assert rows(response) == [
        [None, "", "", "", later, "visitor", CART_ADD, ""],
        [
            shopper.pk,
            "Ada",
            "Lovelace",
            "ada@example.com",
            earlier,
            "customer",
            CART_ADD,
            "Analytical Engines Ltd",
        ],
    ]


def test_activity_outside_the_interval_is_not_listed(client, superuser, shopper):
    # given
    touch_online(customer=shopper, url=CART_ADD, now=timezone.now() - dt.timedelta(minutes=16))
    client.force_login(superuser)

    # when
    response = client.get(NOW_ONLINE_URL)

    # then
    assert response.status_code == 200
    assert rows(response) == []


def test_search_finds_a_customer_by_email(client, superuser, shopper, view_a):
    # given
    grace = make_shopper("grace@example.com", store_view=view_a, firstname="Grace")
    touch_online(customer=shopper, url=CART_ADD)
    touch_online(customer=grace, url=CART_ADD)
    client.force_login(superuser)

    # when
    response = client.get(NOW_ONLINE_URL, {"q": "grace@"})

    # then
    assert [row[0] for row in rows(response)] == [grace.pk]


@pytest.mark.parametrize(
    ("caller", "status"),
    [("anonymous", 302), ("without_permission", 403), ("with_permission", 200)],
    ids=["anonymous_case", "without_permission_case", "with_permission_case"],
)
def test_the_page_needs_the_view_permission(client, shopper, caller, status):
    # given
    touch_online(customer=shopper, url=CART_ADD)
    if caller != "anonymous":
        granted = ["online.view_onlinesession"] if caller == "with_permission" else []
        client.force_login(make_staff_user("clerk", permissions=granted))

    # when
    response = client.get(NOW_ONLINE_URL)

    # then
    assert response.status_code == status
    if caller == "anonymous":
        assert response["Location"] == f"/admin/login/?next={NOW_ONLINE_URL}"
    if caller == "with_permission":
        assert [row[0] for row in rows(response)] == [shopper.pk]


def test_rows_cannot_be_added_changed_or_deleted(client, superuser, shopper):
    # given
    touch_online(customer=shopper, url=CART_ADD)
    client.force_login(superuser)

    # when
    add = client.get(f"{NOW_ONLINE_URL}add/")
    listing = client.get(NOW_ONLINE_URL)

    # then
    assert add.status_code == 403
    assert listing.context["cl"].model_admin.get_actions(listing.wsgi_request) == {}
    assert listing.context["cl"].list_display_links is None
