"""Products (PUT /api/v1/products/{sku}), the customer page's Orders and Shopping Cart sections,
and the read-only order list limited to the staff member's websites."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from patron.core.actors import SYSTEM
from patron.sales import services
from patron.sales.models import Category, Product
from patron.sales.tests.conftest import section_codes, section_url, staff_client
from patron.testing.fixtures import bearer, make_integration_token

ORDER_LIST_URL = "/admin/sales/order/"


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Catalogue", permissions=["sales.add_product"])
    return plain


@pytest.fixture
def categories(db):
    return [
        Category.objects.create(code="kitchen", name="Kitchen"),
        Category.objects.create(code="tea", name="Tea"),
    ]


@pytest.fixture
def mug(db):
    return services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM)


def put_product(client, sku, data, secret):
    headers = bearer(secret) if secret else {}
    return client.put(
        f"/api/v1/products/{sku}", data=json.dumps(data), content_type="application/json", **headers
    )


def order_for(view, number, *, customer=None, status="pending", email="guest@example.com"):
    order, _result = services.record_order(
        store_view=view,
        number=number,
        items=[{"sku": "MUG", "name": "Mug", "qty": Decimal(1), "price": Decimal("8.50")}],
        actor=SYSTEM,
        customer_id=getattr(customer, "pk", None),
        customer_email=email,
        status=status,
        currency="EUR",
        subtotal=Decimal("8.50"),
        grand_total=Decimal("8.50"),
        total_qty=Decimal(1),
        placed_at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    )
    return order


# --- Products -----------------------------------------------------------------------------------


def test_a_product_is_created_by_sku_with_its_categories(client, secret, categories):
    # given
    services.save_product_attribute(code="color", label="Color", type="text", actor=SYSTEM)

    # when
    response = put_product(
        client,
        "MUG-1",
        {
            "name": "Mug",
            "price": "8.50",
            "weight": "0.3",
            "attribute_set": "Default",
            "categories": ["kitchen", "tea"],
            "attributes": {"color": "blue"},
        },
        secret,
    )

    # then
    assert response.status_code == 200
    assert response.json() == {"sku": "MUG-1", "name": "Mug", "price": "8.50", "is_active": True}
    product = Product.objects.get()
    assert (product.sku, product.price, product.weight) == ("MUG-1", Decimal("8.5"), Decimal("0.3"))
    assert product.attributes == {"color": "blue"}
    assert sorted(product.categories.values_list("code", flat=True)) == ["kitchen", "tea"]


def test_sending_a_product_again_updates_it_by_sku(client, secret, categories):
    # given
    put_product(client, "MUG-1", {"name": "Mug", "price": "8.50", "categories": ["tea"]}, secret)

    # when
    response = put_product(
        client,
        "MUG-1",
        {"name": "Blue Mug", "price": "9.00", "is_active": False, "categories": ["kitchen"]},
        secret,
    )

    # then
    assert response.status_code == 200
    product = Product.objects.get()
    assert (product.name, product.price, product.is_active) == ("Blue Mug", Decimal(9), False)
    assert list(product.categories.values_list("code", flat=True)) == ["kitchen"]


def test_a_product_sent_without_categories_keeps_its_categories(client, secret, categories):
    # given
    put_product(client, "MUG-1", {"name": "Mug", "price": "8.50", "categories": ["tea"]}, secret)

    # when
    put_product(client, "MUG-1", {"name": "Mug", "price": "8.75"}, secret)

    # then
    product = Product.objects.get()
    assert product.price == Decimal("8.75")
    assert list(product.categories.values_list("code", flat=True)) == ["tea"]


def test_an_unknown_category_code_is_refused_and_nothing_is_written(client, secret, categories):
    # when
    response = put_product(
        client, "MUG-1", {"name": "Mug", "price": "8.50", "categories": ["tea", "ghost"]}, secret
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_category"
    assert response.json()["field"] == "categories"
    assert "ghost" in response.json()["message"]
    assert Product.objects.count() == 0


def test_an_unknown_category_leaves_an_existing_product_unchanged(client, secret, categories, mug):
    # when
    response = put_product(
        client, "MUG", {"name": "Renamed", "price": "1", "categories": ["ghost"]}, secret
    )

    # then
    assert response.status_code == 400
    mug.refresh_from_db()
    assert (mug.name, mug.price) == ("Mug", Decimal("8.50"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "price": "1"}, "name"),
        ({"name": "Mug", "price": "-1"}, "price"),
        ({"name": "Mug"}, "price"),
        ({"name": "Mug", "price": "1", "weight": "-0.5"}, "weight"),
    ],
    ids=["name_empty", "price_negative", "price_missing", "weight_negative"],
)
def test_an_invalid_product_is_refused_by_the_schema(client, secret, data, field):
    # when
    response = put_product(client, "MUG-1", data, secret)

    # then
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Product.objects.count() == 0


@pytest.mark.parametrize("granted", [[], ["sales.view_product"], ["sales.add_order"]])
def test_saving_a_product_needs_the_add_product_permission(client, db, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = put_product(client, "MUG-1", {"name": "Mug", "price": "1"}, plain)

    # then
    assert response.status_code == 403
    assert response.json()["params"] == {"permission": "sales.add_product"}
    assert Product.objects.count() == 0


# --- Orders and Shopping Cart sections ----------------------------------------------------------


def test_the_orders_section_shows_the_customers_orders_only(client, customer, view_a, mug):
    # given
    order_for(view_a, "100001", customer=customer, status="complete")
    order_for(view_a, "100002", email="someone@example.com")
    staff_client(client, "sales.view_order")

    # when
    response = client.get(section_url(customer, "orders"))

    # then
    assert response.status_code == 200
    assert response.context["section"].code == "orders"
    page = response.content.decode()
    assert "#100001" in page
    assert "Complete" in page
    assert "€8.50" in page
    assert "#100002" not in page


def test_the_orders_section_says_when_there_are_no_orders(client, customer):
    # given
    staff_client(client, "sales.view_order")

    # when
    response = client.get(section_url(customer, "orders"))

    # then
    assert response.status_code == 200
    assert "The customer has no orders yet." in response.content.decode()


def test_the_cart_section_shows_the_customers_cart(client, customer, view_a, mug):
    # given
    services.replace_cart(
        store_view=view_a,
        customer_id=customer.pk,
        items=[{"sku": "MUG", "name": "Big Mug", "qty": Decimal(3), "price": Decimal("8.50")}],
        actor=SYSTEM,
        currency="EUR",
        subtotal=Decimal("25.50"),
        grand_total=Decimal("25.50"),
    )
    staff_client(client, "sales.view_cart")

    # when
    response = client.get(section_url(customer, "cart"))

    # then
    assert response.status_code == 200
    assert response.context["section"].code == "cart"
    page = response.content.decode()
    assert "<td>MUG</td><td>Big Mug</td><td>3</td><td>€8.50</td>" in page
    assert "Grand total: €25.50" in page


def test_the_cart_section_says_when_the_cart_is_empty(client, customer, view_a, mug):
    # given
    services.replace_cart(
        store_view=view_a,
        visitor_id="v-123",
        items=[{"sku": "MUG", "qty": Decimal(1), "price": Decimal(1)}],
        actor=SYSTEM,
        currency="EUR",
        subtotal=Decimal(1),
        grand_total=Decimal(1),
    )
    staff_client(client, "sales.view_cart")

    # when
    response = client.get(section_url(customer, "cart"))

    # then
    assert response.status_code == 200
    assert "There are no items in the customer's cart." in response.content.decode()


@pytest.mark.parametrize(
    ("section", "permission"), [("orders", "sales.view_order"), ("cart", "sales.view_cart")]
)
def test_a_sales_section_is_hidden_without_its_permission(client, customer, section, permission):
    # given
    staff_client(client, username="without")
    hidden_nav = client.get(section_url(customer, "customer_view"))
    hidden = client.get(section_url(customer, section))
    staff_client(client, permission, username="holder")

    # when
    shown = client.get(section_url(customer, section))

    # then
    assert section not in section_codes(hidden_nav)
    assert hidden.status_code == 404
    assert shown.status_code == 200
    assert section in section_codes(shown)


# --- Order list ---------------------------------------------------------------------------------


def test_the_order_list_shows_only_the_staff_members_websites(
    client, view_a, view_b, website_b, mug
):
    # given
    order_for(view_a, "A-1")
    order_for(view_b, "B-1")
    staff_client(client, "sales.view_order", websites=[website_b])

    # when
    response = client.get(ORDER_LIST_URL)

    # then
    assert response.status_code == 200
    assert [o.number for o in response.context["cl"].result_list] == ["B-1"]


def test_the_order_list_shows_every_website_to_unrestricted_staff(client, view_a, view_b, mug):
    # given
    order_for(view_a, "A-1")
    order_for(view_b, "B-1")
    staff_client(client, "sales.view_order")

    # when
    response = client.get(ORDER_LIST_URL)

    # then
    assert response.status_code == 200
    assert sorted(o.number for o in response.context["cl"].result_list) == ["A-1", "B-1"]


def test_an_order_of_another_website_cannot_be_opened(client, view_a, website_b, mug):
    # given
    order = order_for(view_a, "A-1")
    staff_client(client, "sales.view_order", websites=[website_b])

    # when
    response = client.get(f"{ORDER_LIST_URL}{order.pk}/change/")

    # then
    assert response.status_code in (302, 404)
    assert "A-1" not in response.content.decode()


def test_the_order_list_needs_the_view_order_permission(client, view_a, mug):
    # given
    order_for(view_a, "A-1")
    staff_client(client)

    # when
    response = client.get(ORDER_LIST_URL)

    # then
    assert response.status_code == 403
