"""Orders the shop reports: PUT /api/v1/orders/{number} and ``record_order`` (idempotent by
website and number, every problem reported, guest orders linked by confirmed email)."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from patron.core import events
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.tests.factories import make_customer, share_accounts
from patron.sales import services
from patron.sales.models import Order, OrderItem, Product
from patron.testing.fixtures import bearer, make_integration_token, set_config

LINK = "customer/guest_orders/link_by_email"
PLACED = "2026-11-20T10:00:00+00:00"


@pytest.fixture
def emitted():
    """The order events dispatched during a test, as (name, payload) pairs."""
    received: list[tuple[str, dict]] = []

    @events.subscribe("*", dispatch_uid="sales-orders-tests-recorder")
    def record(event):
        if event.name.startswith("order"):
            received.append((event.name, event.payload))

    yield received
    events.unsubscribe("*", dispatch_uid="sales-orders-tests-recorder")


@pytest.fixture
def products(db):
    return [
        services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM),
        services.save_product(sku="TEA", name="Green Tea", price=Decimal("4.00"), actor=SYSTEM),
    ]


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=["sales.add_order"])
    return plain


def payload(**overrides):
    data = {
        "customer_email": "guest@example.com",
        "customer_name": "Grace Hopper",
        "status": "pending",
        "currency": "EUR",
        "subtotal": "21.00",
        "tax": "0",
        "shipping": "5.00",
        "discount": "0",
        "grand_total": "26.00",
        "placed_at": PLACED,
        "items": [
            {"sku": "MUG", "name": "Mug", "qty": "2", "price": "8.50"},
            {"sku": "TEA", "name": "Green Tea", "qty": "1", "price": "4.00"},
        ],
    }
    data.update(overrides)
    return data


def put_order(client, number, data, secret, store="default"):
    headers = bearer(secret) if secret else {}
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    return client.put(
        f"/api/v1/orders/{number}",
        data=json.dumps(data),
        content_type="application/json",
        **headers,
    )


def record(view, number="100001", items=None, **overrides):
    """Call ``record_order`` with the fields the API would pass."""
    fields = {
        "customer_email": "guest@example.com",
        "customer_name": "Grace Hopper",
        "status": "pending",
        "currency": "EUR",
        "subtotal": Decimal("21.00"),
        "grand_total": Decimal("26.00"),
        "shipping": Decimal("5.00"),
        "total_qty": Decimal("3"),
        "placed_at": dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    }
    fields.update(overrides)
    if items is None:
        items = [
            {"sku": "MUG", "name": "Mug", "qty": Decimal(2), "price": Decimal("8.50")},
            {"sku": "TEA", "name": "Green Tea", "qty": Decimal(1), "price": Decimal("4.00")},
        ]
    return services.record_order(
        store_view=view, number=number, items=items, actor=SYSTEM, **fields
    )


def item_rows(order):
    return [(i.sku, i.qty, i.price, i.row_total) for i in order.items.order_by("sku")]


# --- Recording and idempotency ------------------------------------------------------------------


def test_a_new_order_is_created_with_its_items_and_one_order_recorded_event(
    client, products, secret, view_a, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_order(client, "100001", payload(currency="eur"), secret)

    # then
    assert response.status_code == 201
    body = response.json()
    assert body["result"] == "created"
    assert body["number"] == "100001"
    assert body["customer_id"] is None
    assert body["currency"] == "EUR"
    order = Order.objects.get()
    assert order.store_view == view_a
    assert order.website_id == view_a.store.website_id
    assert order.total_qty == Decimal(3)
    assert order.customer_email == "guest@example.com"
    assert item_rows(order) == [
        ("MUG", Decimal(2), Decimal("8.50"), Decimal("17.00")),
        ("TEA", Decimal(1), Decimal("4.00"), Decimal("4.00")),
    ]
    assert {i.sku: i.product for i in order.items.all()} == {p.sku: p for p in products}
    assert [(name, p["number"], p["status"]) for name, p in emitted] == [
        ("orderRecorded", "100001", "pending")
    ]
    assert emitted[0][1]["order_id"] == order.pk


def test_the_same_order_twice_is_unchanged_keeps_one_row_and_emits_once(
    client, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = put_order(client, "100001", payload(), secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        again = put_order(client, "100001", payload(), secret)

    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["result"] == "unchanged"
    assert Order.objects.count() == 1
    assert OrderItem.objects.count() == 2
    assert [name for name, _payload in emitted] == ["orderRecorded"]


def test_a_status_change_is_changed_naming_the_field_with_one_order_changed_event(
    client, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    put_order(client, "100001", payload(), secret)
    items_before = list(OrderItem.objects.values_list("pk", flat=True))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_order(client, "100001", payload(status="complete"), secret)

    # then
    assert response.status_code == 200
    assert response.json()["result"] == "changed"
    assert response.json()["status"] == "complete"
    assert Order.objects.get().status == "complete"
    assert list(OrderItem.objects.values_list("pk", flat=True)) == items_before
    assert [(name, p["changed"], p["status"]) for name, p in emitted] == [
        ("orderChanged", ["status"], "complete")
    ]


def test_changed_items_replace_the_old_items(
    products, view_a, django_capture_on_commit_callbacks, emitted
):
    # given
    order, _result = record(view_a)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        again, result = record(
            view_a,
            items=[{"sku": "TEA", "qty": Decimal(3), "price": Decimal("4.00")}],
            total_qty=Decimal(3),
        )

    # then
    assert result == "changed"
    assert again.pk == order.pk
    assert item_rows(order) == [("TEA", Decimal(3), Decimal("4.00"), Decimal("12.00"))]
    assert order.items.get().name == "Green Tea"  # the product's name when none is sent
    assert OrderItem.objects.count() == 1
    assert [(name, p["changed"]) for name, p in emitted] == [("orderChanged", ["items"])]


def test_the_same_number_on_another_website_is_another_order(products, view_a, view_b):
    # given
    first, _created = record(view_a)

    # when
    second, result = record(view_b)

    # then
    assert result == "created"
    assert second.pk != first.pk
    assert sorted(Order.objects.values_list("website_id", flat=True)) == sorted(
        [view_a.store.website_id, view_b.store.website_id]
    )


def test_an_order_of_a_customer_is_linked_to_the_customer(client, products, secret, customer):
    # when
    response = put_order(client, "100001", payload(customer_id=customer.pk), secret)

    # then
    assert response.status_code == 201
    assert response.json()["customer_id"] == customer.pk
    assert list(customer.orders.values_list("number", flat=True)) == ["100001"]


# --- Refusals -----------------------------------------------------------------------------------


def test_an_unknown_currency_is_refused_naming_the_field(client, products, secret):
    # when
    response = put_order(client, "100001", payload(currency="XYZ"), secret)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_currency"
    assert response.json()["field"] == "currency"
    assert Order.objects.count() == 0


def test_an_unknown_customer_is_refused(client, products, secret):
    # when
    response = put_order(client, "100001", payload(customer_id=999999), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "unknown_customer",
        "customer_id",
    )
    assert Order.objects.count() == 0


def test_a_customer_of_another_website_is_refused_under_per_website_sharing(
    client, products, secret, view_b
):
    # given
    share_accounts("website")
    other = make_customer("bob@example.com", store_view=view_b)

    # when
    response = put_order(client, "100001", payload(customer_id=other.pk), secret)

    # then
    assert response.status_code == 400
    assert response.json()["field"] == "customer_id"
    assert response.json()["code"] == "unknown_customer"
    assert Order.objects.count() == 0


def test_a_customer_of_another_website_is_accepted_when_accounts_are_global(
    products, view_a, view_b
):
    # given
    share_accounts("global")
    other = make_customer("bob@example.com", store_view=view_b)

    # when
    order, result = record(view_a, customer_id=other.pk)

    # then
    assert result == "created"
    assert order.customer == other


def test_an_unknown_sku_is_refused_with_its_item_index(client, products, secret):
    # given
    data = payload()
    data["items"][1]["sku"] = "NOPE"

    # when
    response = put_order(client, "100001", data, secret)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_product"
    assert response.json()["field"] == "items[1].sku"
    assert Order.objects.count() == 0
    assert OrderItem.objects.count() == 0


def test_every_problem_is_reported_together_and_nothing_is_written(
    client, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    data = payload(currency="ABC", customer_id=999999)
    data["items"][0]["sku"] = "NOPE"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_order(client, "100001", data, secret)

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert sorted((e["code"], e["field"]) for e in body["errors"]) == [
        ("unknown_currency", "currency"),
        ("unknown_customer", "customer_id"),
        ("unknown_product", "items[0].sku"),
    ]
    assert Order.objects.count() == 0
    assert emitted == []


def test_a_refused_change_leaves_the_recorded_order_as_it_was(products, view_a):
    # given
    order, _created = record(view_a)

    # when
    with pytest.raises(InvalidInput) as error:
        record(view_a, status="complete", currency="ZZZ")

    # then
    assert error.value.code == "unknown_currency"
    order.refresh_from_db()
    assert order.status == "pending"
    assert order.currency == "EUR"


def test_a_missing_store_header_is_refused_with_store_required(client, products, secret):
    # when
    response = put_order(client, "100001", payload(), secret, store=None)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "store_required"
    assert Order.objects.count() == 0


def test_an_unknown_store_view_is_not_found(client, products, secret):
    # when
    response = put_order(client, "100001", payload(), secret, store="nowhere")

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_store"
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subtotal": "lots"}, "subtotal"),
        ({"grand_total": None}, "grand_total"),
        ({"items": [{"sku": "MUG", "qty": "0", "price": "8.50"}]}, "items.0.qty"),
        ({"items": [{"sku": "MUG", "qty": "-1", "price": "8.50"}]}, "items.0.qty"),
        ({"items": [{"sku": "MUG", "qty": "1", "price": "-8.50"}]}, "items.0.price"),
        ({"items": []}, "items"),
        ({"currency": "EURO"}, "currency"),
    ],
    ids=[
        "amount_not_a_number",
        "amount_missing",
        "qty_zero",
        "qty_negative",
        "price_negative",
        "no_items",
        "currency_too_long",
    ],
)
def test_an_invalid_payload_is_refused_by_the_schema(client, products, secret, change, field):
    # when
    response = put_order(client, "100001", payload(**change), secret)

    # then
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Order.objects.count() == 0


def test_an_amount_too_large_for_the_database_is_refused_by_the_schema(client, products, secret):
    # when
    response = put_order(client, "100001", payload(grand_total="123456789012345"), secret)

    # then
    assert response.status_code == 422
    assert Order.objects.count() == 0


# --- Permissions --------------------------------------------------------------------------------


@pytest.mark.parametrize("granted", [[], ["sales.view_order"], ["sales.change_cart"]])
def test_recording_an_order_needs_the_add_order_permission(client, products, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = put_order(client, "100001", payload(), plain)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["params"] == {"permission": "sales.add_order"}
    assert Order.objects.count() == 0


def test_an_anonymous_caller_is_not_authenticated(client, products):
    # when
    response = put_order(client, "100001", payload(), None)

    # then
    assert response.status_code == 401
    assert Order.objects.count() == 0


def test_a_token_limited_to_another_website_cannot_record_an_order(
    client, products, website_b, view_a
):
    # given
    _token, plain = make_integration_token(
        "B only", permissions=["sales.add_order"], websites=[website_b]
    )

    # when
    response = put_order(client, "100001", payload(), plain, store=view_a.code)

    # then
    assert response.status_code == 403
    assert Order.objects.count() == 0


# --- Guest orders linked by email ---------------------------------------------------------------


def test_a_guest_order_stays_a_guest_order_by_default(products, view_a, customer):
    # when
    order, _result = record(view_a, customer_email="ADA@example.com ")

    # then
    assert order.customer is None
    assert order.customer_email == "ada@example.com"
    assert customer.orders.count() == 0


def test_a_guest_order_is_not_linked_to_an_unconfirmed_customer(products, view_a, website_a):
    # given
    set_config({LINK: True}, website=website_a)
    unconfirmed = make_customer("ada@example.com", store_view=view_a, confirmation_required=True)
    assert not unconfirmed.is_confirmed

    # when
    order, _result = record(view_a, customer_email="ada@example.com")

    # then
    assert order.customer is None


def test_a_guest_order_is_linked_to_the_confirmed_customer_when_enabled(
    products, view_a, website_a, customer
):
    # given
    set_config({LINK: True}, website=website_a)
    assert customer.is_confirmed

    # when
    order, result = record(view_a, customer_email="Ada@Example.com")

    # then
    assert result == "created"
    assert order.customer == customer


def test_linking_on_another_website_does_not_link_guest_orders_here(
    products, view_a, website_b, customer
):
    # given
    set_config({LINK: True}, website=website_b)

    # when
    order, _result = record(view_a, customer_email="ada@example.com")

    # then
    assert order.customer is None


def test_a_guest_order_sent_again_after_linking_is_enabled_joins_the_account(
    products, view_a, website_a, customer
):
    # given
    order, _created = record(view_a, customer_email="ada@example.com")
    set_config({LINK: True}, website=website_a)

    # when
    again, result = record(view_a, customer_email="ada@example.com")

    # then
    assert result == "changed"
    assert again.pk == order.pk
    order.refresh_from_db()
    assert order.customer == customer


def test_products_used_by_orders_are_kept_as_recorded(products, view_a):
    # given
    order, _created = record(view_a)

    # when
    Product.objects.filter(sku="MUG").delete()

    # then
    mug = order.items.get(sku="MUG")
    assert mug.product is None
    assert (mug.name, mug.qty) == ("Mug", Decimal(2))


def test_the_api_refuses_more_than_four_decimal_places(client, products, secret):
    # when
    response = put_order(client, "100001", payload(subtotal="21.00005"), secret)

    # then
    assert response.status_code == 422
    assert not Order.objects.exists()


def test_a_direct_caller_sending_five_decimal_places_gets_unchanged_the_second_time(
    products, view_a
):
    # given: amounts as the database keeps them (4 places) compare equal to what was sent
    def send():
        return services.record_order(
            store_view=view_a, number="100001", actor=SYSTEM,
            items=[{"sku": "MUG", "qty": "1", "price": "8.500049"}],
            customer_email="guest@example.com", status="pending", currency="EUR",
            subtotal=Decimal("21.00005"), grand_total=Decimal("21.00005"), total_qty=Decimal(1),
            placed_at=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC),
        )  # fmt: skip

    send()

    # when
    _order, result = send()

    # then
    assert result == "unchanged"
