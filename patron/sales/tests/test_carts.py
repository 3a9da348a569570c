"""Active carts the shop reports: PUT /api/v1/carts and ``replace_cart`` (one cart per owner per
website, an empty cart removes it, a cart change counts the shopper as online)."""

import json
from decimal import Decimal

import pytest
from django.contrib.admin.utils import lookup_field
from django.db import IntegrityError, transaction

from patron.core import events
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.tests.factories import make_customer
from patron.online.models import OnlineKind
from patron.online.services import online_now
from patron.sales import services
from patron.sales.models import Cart, CartItem
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user

CART_URL = "/api/v1/carts"
PAGE = "http://shop.example.com/checkout/cart/"
NOW_ONLINE_URL = "/admin/online/onlinesession/"


@pytest.fixture
def emitted():
    """The cartChanged events dispatched during a test, as payloads."""
    received: list[dict] = []

    @events.subscribe("cartChanged", dispatch_uid="sales-carts-tests-recorder")
    def record(event):
        received.append(event.payload)

    yield received
    events.unsubscribe("cartChanged", dispatch_uid="sales-carts-tests-recorder")


@pytest.fixture
def products(db):
    return [
        services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM),
        services.save_product(sku="TEA", name="Green Tea", price=Decimal("4.00"), actor=SYSTEM),
    ]


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=["sales.change_cart"])
    return plain


def payload(**overrides):
    data = {
        "currency": "EUR",
        "subtotal": "17.00",
        "grand_total": "17.00",
        "url": PAGE,
        "items": [{"sku": "MUG", "qty": "2", "price": "8.50"}],
    }
    data.update(overrides)
    return data


def put_cart(client, data, secret, store="default"):
    headers = bearer(secret) if secret else {}
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    return client.put(CART_URL, data=json.dumps(data), content_type="application/json", **headers)


def replace(view, items=None, **kwargs):
    fields = {"currency": "EUR", "subtotal": Decimal(17), "grand_total": Decimal(17)}
    fields.update(kwargs)
    if items is None:
        items = [{"sku": "MUG", "qty": Decimal(2), "price": Decimal("8.50")}]
    return services.replace_cart(store_view=view, items=items, actor=SYSTEM, **fields)


def cart_items(cart):
    return [(i.sku, i.name, i.qty, i.price) for i in cart.items.order_by("sku")]


# --- Customer and visitor carts -----------------------------------------------------------------


def test_a_customer_cart_is_created_with_its_items(
    client, products, secret, customer, view_a, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_cart(client, payload(customer_id=customer.pk, currency="eur"), secret)

    # then
    assert response.status_code == 200
    assert response.json() == {"exists": True, "items": 1}
    cart = Cart.objects.get()
    assert (cart.customer, cart.visitor_id, cart.store_view) == (customer, "", view_a)
    assert cart.currency == "EUR"
    assert cart.grand_total == Decimal(17)
    assert cart_items(cart) == [("MUG", "Mug", Decimal(2), Decimal("8.50"))]
    assert cart.items.get().product == products[0]
    assert [(p["cart_id"], p["customer_id"], p["visitor_id"], p["items"]) for p in emitted] == [
        (cart.pk, customer.pk, "", 1)
    ]


def test_a_visitor_cart_is_kept_by_the_shops_visitor_id(
    client, products, secret, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_cart(client, payload(visitor_id=" v-123 "), secret)

    # then
    assert response.status_code == 200
    cart = Cart.objects.get()
    assert (cart.customer, cart.visitor_id) == (None, "v-123")
    assert [(p["customer_id"], p["items"]) for p in emitted] == [(None, 1)]


@pytest.mark.parametrize(
    "owner", [{}, {"customer_id": "customer", "visitor_id": "v-123"}], ids=["neither", "both"]
)
def test_a_cart_needs_exactly_one_owner(client, products, secret, customer, owner):
    # given
    data = payload(**{k: customer.pk if v == "customer" else v for k, v in owner.items()})

    # when
    response = put_cart(client, data, secret)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "owner_required"
    assert response.json()["field"] == "customer_id"
    assert Cart.objects.count() == 0


def test_a_blank_visitor_id_is_no_owner(products, view_a):
    # when
    with pytest.raises(InvalidInput) as error:
        replace(view_a, visitor_id="   ")

    # then
    assert error.value.code == "owner_required"
    assert Cart.objects.count() == 0


def test_sending_a_cart_again_replaces_its_items_in_the_same_cart(
    products, customer, view_a, django_capture_on_commit_callbacks, emitted
):
    # given
    first = replace(view_a, customer_id=customer.pk)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        second = replace(
            view_a,
            customer_id=customer.pk,
            items=[
                {"sku": "TEA", "name": "Sencha", "qty": Decimal(3), "price": Decimal(4)},
                {"sku": "MUG", "qty": Decimal(1), "price": Decimal("8.50")},
            ],
            grand_total=Decimal("20.50"),
        )

    # then
    assert second.pk == first.pk
    assert Cart.objects.count() == 1
    assert cart_items(second) == [
        ("MUG", "Mug", Decimal(1), Decimal("8.50")),
        ("TEA", "Sencha", Decimal(3), Decimal(4)),
    ]
    assert CartItem.objects.count() == 2
    second.refresh_from_db()
    assert second.grand_total == Decimal("20.50")
    assert [p["items"] for p in emitted] == [2]


def test_an_empty_cart_removes_the_cart(
    client, products, secret, customer, django_capture_on_commit_callbacks, emitted
):
    # given
    put_cart(client, payload(customer_id=customer.pk), secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_cart(client, payload(customer_id=customer.pk, items=[]), secret)

    # then
    assert response.status_code == 200
    assert response.json() == {"exists": False, "items": 0}
    assert Cart.objects.count() == 0
    assert CartItem.objects.count() == 0
    assert [(p["cart_id"], p["customer_id"], p["items"]) for p in emitted] == [
        (None, customer.pk, 0)
    ]


def test_an_empty_cart_for_a_shopper_without_a_cart_changes_nothing(
    products, view_a, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cart = replace(view_a, visitor_id="v-123", items=[])

    # then
    assert cart is None
    assert Cart.objects.count() == 0
    assert emitted == []


def test_a_customer_has_one_cart_per_website(products, customer, view_a, view_b):
    # given
    from patron.customers.tests.factories import share_accounts

    share_accounts("global")
    replace(view_a, customer_id=customer.pk)
    replace(view_a, customer_id=customer.pk)

    # when
    other = replace(view_b, customer_id=customer.pk)

    # then
    assert Cart.objects.filter(customer=customer).count() == 2
    assert other.website_id == view_b.store.website_id


def test_visitor_and_customer_carts_do_not_mix(products, customer, view_a):
    # when
    visitor = replace(view_a, visitor_id="v-123")
    own = replace(view_a, customer_id=customer.pk)
    again = replace(view_a, visitor_id="v-123")

    # then
    assert again.pk == visitor.pk
    assert own.pk != visitor.pk
    assert Cart.objects.count() == 2


def test_the_database_refuses_a_second_cart_for_the_same_visitor(products, view_a):
    # given
    cart = replace(view_a, visitor_id="v-123")

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Cart.objects.create(
            website_id=cart.website_id,
            store_view=view_a,
            visitor_id="v-123",
            currency="EUR",
            subtotal=0,
            grand_total=0,
        )


# --- Refusals -----------------------------------------------------------------------------------


def test_unknown_currency_customer_and_sku_are_reported_together(
    client, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    data = payload(customer_id=999999, currency="QQQ")
    data["items"].append({"sku": "NOPE", "qty": "1", "price": "1"})

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_cart(client, data, secret)

    # then
    assert response.status_code == 400
    assert sorted((e["code"], e["field"]) for e in response.json()["errors"]) == [
        ("unknown_currency", "currency"),
        ("unknown_customer", "customer_id"),
        ("unknown_product", "items[1].sku"),
    ]
    assert Cart.objects.count() == 0
    assert emitted == []
    assert list(online_now()) == []


def test_a_customer_of_another_website_has_no_cart_here(products, view_a, view_b):
    # given
    other = make_customer("bob@example.com", store_view=view_b)

    # when
    with pytest.raises(InvalidInput) as error:
        replace(view_a, customer_id=other.pk)

    # then
    assert (error.value.code, error.value.field) == ("unknown_customer", "customer_id")
    assert Cart.objects.count() == 0


def test_a_refused_replacement_keeps_the_cart_as_it_was(products, customer, view_a):
    # given
    cart = replace(view_a, customer_id=customer.pk)

    # when
    with pytest.raises(InvalidInput):
        replace(
            view_a,
            customer_id=customer.pk,
            items=[{"sku": "NOPE", "qty": Decimal(1), "price": Decimal(1)}],
        )

    # then
    assert cart_items(cart) == [("MUG", "Mug", Decimal(2), Decimal("8.50"))]


@pytest.mark.parametrize(
    ("store", "status", "code"), [(None, 400, "store_required"), ("nowhere", 404, "unknown_store")]
)
def test_the_store_view_header_is_required_and_must_exist(
    client, products, secret, customer, store, status, code
):
    # when
    response = put_cart(client, payload(customer_id=customer.pk), secret, store=store)

    # then
    assert response.status_code == status
    assert response.json()["code"] == code
    assert Cart.objects.count() == 0


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"sku": "MUG", "qty": "0", "price": "1"}, "items.0.qty"),
        ({"sku": "MUG", "qty": "-2", "price": "1"}, "items.0.qty"),
        ({"sku": "MUG", "qty": "1", "price": "-1"}, "items.0.price"),
        ({"sku": "", "qty": "1", "price": "1"}, "items.0.sku"),
    ],
    ids=["qty_zero", "qty_negative", "price_negative", "sku_empty"],
)
def test_an_invalid_item_is_refused_by_the_schema(client, products, secret, customer, item, field):
    # when
    response = put_cart(client, payload(customer_id=customer.pk, items=[item]), secret)

    # then
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Cart.objects.count() == 0


@pytest.mark.parametrize("granted", [[], ["sales.view_cart"], ["sales.add_order"]])
def test_replacing_a_cart_needs_the_change_cart_permission(client, products, customer, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = put_cart(client, payload(customer_id=customer.pk), plain)

    # then
    assert response.status_code == 403
    assert response.json()["params"] == {"permission": "sales.change_cart"}
    assert Cart.objects.count() == 0


# --- Now Online ---------------------------------------------------------------------------------


def test_a_cart_change_puts_the_customer_in_now_online_with_the_url(
    client, products, secret, customer, view_a, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        put_cart(client, payload(customer_id=customer.pk), secret)

    # then
    online = list(online_now())
    assert [(s.kind, s.customer, s.last_url, s.store_view) for s in online] == [
        (OnlineKind.CUSTOMER, customer, PAGE, view_a)
    ]


def test_a_refused_cart_change_does_not_touch_now_online(
    client, products, secret, customer, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        put_cart(client, payload(customer_id=customer.pk, currency="QQQ"), secret)

    # then
    assert list(online_now()) == []


def test_a_guest_who_adds_to_cart_appears_in_now_online_as_a_visitor_without_id_or_email(
    client, products, secret, django_capture_on_commit_callbacks
):
    # given (spec a-32)
    with django_capture_on_commit_callbacks(execute=True):
        put_cart(client, payload(visitor_id="v-123"), secret)
    client.force_login(make_staff_user("root", superuser=True))

    # when
    response = client.get(NOW_ONLINE_URL)

    # then
    assert response.status_code == 200
    changelist = response.context["cl"]
    rows = [
        {
            name: lookup_field(name, row, changelist.model_admin)[2]
            for name in changelist.list_display
        }
        for row in changelist.result_list
    ]
    assert len(rows) == 1
    assert rows[0]["kind"] == OnlineKind.VISITOR
    assert changelist.result_list[0].get_kind_display() == "Visitor"
    assert (rows[0]["customer_id_column"], rows[0]["email"]) == (None, "")
    assert rows[0]["last_url"] == PAGE


def test_the_cart_changed_event_names_the_visitor_as_stored(
    products, view_a, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        cart = replace(view_a, visitor_id=" v-123 ")

    # then
    assert [p["visitor_id"] for p in emitted] == [cart.visitor_id]
