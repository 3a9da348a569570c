"""Refunds, wish lists, product reviews and product views the shop reports:
PUT /api/v1/orders/{number}/refunds/{refund_number}, PUT /api/v1/customers/{id}/wishlist,
PUT /api/v1/reviews/{review_id}, POST /api/v1/product-views, their services (each fact
idempotent by the shop's ids, with its event) and the customer page's Refunds, Wish List and
Product Reviews sections."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from patron.core import events
from patron.core.actors import SYSTEM
from patron.core.errors import Conflict
from patron.customers.tests.factories import make_customer
from patron.sales import services
from patron.sales.models import ProductView, Refund, RefundItem, Review, WishlistItem
from patron.sales.tests.conftest import section_codes, section_url, staff_client
from patron.testing.fixtures import bearer, make_integration_token

FACT_EVENTS = {"refundRecorded", "wishlistChanged", "reviewRecorded", "productViewed"}
REFUNDED = "2026-11-21T09:00:00+00:00"
WRITTEN = "2026-11-21T12:00:00+00:00"
VIEWED = "2026-11-21T15:30:00+00:00"
ALL_PERMISSIONS = [
    "sales.add_refund",
    "sales.change_wishlistitem",
    "sales.add_review",
    "sales.add_productview",
]


@pytest.fixture
def emitted():
    """The fact events dispatched during a test, as (name, payload) pairs."""
    received: list[tuple[str, dict]] = []

    @events.subscribe("*", dispatch_uid="sales-facts-tests-recorder")
    def record(event):
        if event.name in FACT_EVENTS:
            received.append((event.name, event.payload))

    yield received
    events.unsubscribe("*", dispatch_uid="sales-facts-tests-recorder")


@pytest.fixture(autouse=True)
def euro_websites(db):
    """The orders here are in euros; store credit is kept in the base currency, so refunds to
    store credit need euro websites."""
    from patron.scopes.models import Website

    Website.objects.update(base_currency="EUR")


@pytest.fixture
def products(db):
    return [
        services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM),
        services.save_product(sku="TEA", name="Green Tea", price=Decimal("4.00"), actor=SYSTEM),
        services.save_product(sku="POT", name="Tea Pot", price=Decimal("30.00"), actor=SYSTEM),
    ]


@pytest.fixture
def customer_b(view_b):
    return make_customer("bea@example.com", store_view=view_b, firstname="Bea")


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=ALL_PERMISSIONS)
    return plain


@pytest.fixture
def order(products, view_a, customer):
    return order_for(view_a, "100001", customer=customer)


def order_for(view, number, *, customer=None):
    order, _result = services.record_order(
        store_view=view,
        number=number,
        items=[
            {"sku": "MUG", "name": "Mug", "qty": Decimal(2), "price": Decimal("8.50")},
            {"sku": "TEA", "name": "Green Tea", "qty": Decimal(1), "price": Decimal("4.00")},
        ],
        actor=SYSTEM,
        customer_id=getattr(customer, "pk", None),
        customer_email="guest@example.com" if customer is None else customer.email,
        status="complete",
        currency="EUR",
        subtotal=Decimal("21.00"),
        grand_total=Decimal("21.00"),
        total_qty=Decimal(3),
        placed_at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    )
    return order


def send(client, method, url, data, secret, store="default"):
    headers = bearer(secret) if secret else {}
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", **headers
    )


def refund_payload(**overrides):
    data = {
        "grand_total": "12.50",
        "to_store_credit": "2.50",
        "refunded_at": REFUNDED,
        "items": [{"sku": "MUG", "qty": "1", "row_total": "8.50"}],
    }
    data.update(overrides)
    return data


def put_refund(client, data, secret, order="100001", number="900001", store="default"):
    return send(client, "put", f"/api/v1/orders/{order}/refunds/{number}", data, secret, store)


def put_wishlist(client, customer_id, items, secret):
    return send(client, "put", f"/api/v1/customers/{customer_id}/wishlist", items, secret, None)


def review_payload(**overrides):
    data = {
        "sku": "MUG",
        "nickname": " Ada ",
        "title": " Lovely mug ",
        "detail": " Holds a lot of tea. ",
        "rating": 5,
        "status": "pending",
        "written_at": WRITTEN,
    }
    data.update(overrides)
    return data


def put_review(client, data, secret, review_id="R-1", store="default"):
    return send(client, "put", f"/api/v1/reviews/{review_id}", data, secret, store)


def view_payload(**overrides):
    data = {"view_id": "V-1", "sku": "MUG", "visitor_id": "visitor-7", "viewed_at": VIEWED}
    data.update(overrides)
    return data


def post_view(client, data, secret, store="default"):
    return send(client, "post", "/api/v1/product-views", data, secret, store)


def wishlist_rows(customer):
    return sorted((w.product.sku, w.qty) for w in customer.wishlist.select_related("product"))


# --- Refunds ------------------------------------------------------------------------------------


def test_a_refund_is_recorded_with_its_items_and_one_refund_recorded_event(
    client, order, secret, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_refund(client, refund_payload(), secret)

    # then
    assert response.status_code == 201
    refund = Refund.objects.get()
    assert response.json() == {"id": refund.pk, "result": "created"}
    assert (refund.order, refund.number, refund.currency) == (order, "900001", "EUR")
    assert (refund.grand_total, refund.to_store_credit) == (Decimal("12.50"), Decimal("2.50"))
    assert refund.refunded_at == dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)
    assert [(i.sku, i.qty, i.row_total) for i in refund.items.all()] == [
        ("MUG", Decimal(1), Decimal("8.50"))
    ]
    assert len(emitted) == 1
    name, payload = emitted[0]
    assert name == "refundRecorded"
    assert payload["refund_id"] == refund.pk
    assert payload["order_id"] == order.pk
    assert payload["customer_id"] == order.customer_id
    assert payload["website_id"] == order.website_id
    assert (payload["grand_total"], payload["to_store_credit"]) == ("12.5000", "2.5000")


def test_the_same_refund_sent_again_is_unchanged_and_emits_nothing_more(
    client, order, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = put_refund(client, refund_payload(), secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        again = put_refund(client, refund_payload(grand_total="12.5000"), secret)

    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "result": "unchanged"}
    assert Refund.objects.count() == 1
    assert RefundItem.objects.count() == 1
    assert [name for name, _payload in emitted] == ["refundRecorded"]


@pytest.mark.parametrize(
    "change",
    [{"grand_total": "13.00"}, {"to_store_credit": "0"}],
    ids=["other_grand_total", "other_store_credit"],
)
def test_a_refund_sent_again_with_other_amounts_is_refused_and_kept_as_recorded(
    client, order, secret, change, django_capture_on_commit_callbacks, emitted
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        put_refund(client, refund_payload(), secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_refund(client, refund_payload(**change), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("refund_differs", "grand_total")
    refund = Refund.objects.get()
    assert (refund.grand_total, refund.to_store_credit) == (Decimal("12.50"), Decimal("2.50"))
    assert [name for name, _payload in emitted] == ["refundRecorded"]


def test_a_refund_sent_again_with_other_items_is_refused_and_kept_as_recorded(
    client, order, secret
):
    # given
    put_refund(client, refund_payload(), secret)

    # when: same totals, another quantity of the item
    response = put_refund(
        client, refund_payload(items=[{"sku": "MUG", "qty": "2", "row_total": "8.50"}]), secret
    )

    # then
    assert (response.status_code, response.json()["code"]) == (400, "refund_differs")
    assert list(Refund.objects.get().items.values_list("qty", flat=True)) == [Decimal("1")]


def test_a_fact_recorded_by_a_concurrent_request_answers_conflict(products, view_a, customer):
    # given: the row a concurrent request has just created
    from patron.sales.models import ProductView
    from patron.sales.services import _create_once

    values = {
        "website_id": view_a.store.website_id, "external_id": "V-1", "product": products[0],
        "customer": customer, "viewed_at": dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
    }  # fmt: skip
    ProductView.objects.create(**values)

    # when / then: the shop is told to send it again (its retry finds the row: "unchanged")
    with pytest.raises(Conflict) as refused:
        _create_once(ProductView, **values)
    assert refused.value.code == "concurrent_report"
    assert ProductView.objects.count() == 1


def test_the_same_refund_number_on_another_order_is_another_refund(client, order, secret, view_a):
    # given
    other = order_for(view_a, "100002")
    put_refund(client, refund_payload(), secret, order="100001")

    # when
    response = put_refund(client, refund_payload(), secret, order="100002")

    # then
    assert response.status_code == 201
    assert sorted(Refund.objects.values_list("order_id", "number")) == sorted(
        [(order.pk, "900001"), (other.pk, "900001")]
    )


def test_store_credit_beyond_the_refund_is_refused_naming_the_field(
    client, order, secret, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_refund(
            client, refund_payload(grand_total="10.00", to_store_credit="10.01"), secret
        )

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "too_much_store_credit",
        "to_store_credit",
    )
    assert Refund.objects.count() == 0
    assert emitted == []


def test_store_credit_equal_to_the_refund_is_accepted(client, order, secret):
    # when
    response = put_refund(
        client, refund_payload(grand_total="10.00", to_store_credit="10.00"), secret
    )

    # then
    assert response.status_code == 201
    assert Refund.objects.get().to_store_credit == Decimal(10)


def test_a_refunded_sku_that_is_not_an_item_of_the_order_is_refused_with_its_index(
    client, order, secret
):
    # given the product POT exists but was not ordered
    items = [
        {"sku": "MUG", "qty": "1", "row_total": "8.50"},
        {"sku": "POT", "qty": "1", "row_total": "30.00"},
    ]

    # when
    response = put_refund(client, refund_payload(items=items), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("not_in_order", "items[1].sku")
    assert Refund.objects.count() == 0
    assert RefundItem.objects.count() == 0


def test_every_refund_problem_is_reported_together(client, order, secret):
    # given
    data = refund_payload(grand_total="1.00", to_store_credit="2.00")
    data["items"] = [{"sku": "NOPE", "qty": "1", "row_total": "1.00"}]

    # when
    response = put_refund(client, data, secret)

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert sorted((e["code"], e["field"]) for e in body["errors"]) == [
        ("not_in_order", "items[0].sku"),
        ("too_much_store_credit", "to_store_credit"),
    ]
    assert Refund.objects.count() == 0


def test_a_refund_of_an_order_of_another_website_is_an_unknown_order(
    client, products, secret, view_b
):
    # given order 200001 exists, but on the second website
    order_for(view_b, "200001")

    # when
    response = put_refund(client, refund_payload(), secret, order="200001", store="default")

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_order", "order")
    assert Refund.objects.count() == 0


def test_a_refund_of_an_unknown_order_is_refused(client, products, secret):
    # when
    response = put_refund(client, refund_payload(), secret, order="404404")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_order"
    assert Refund.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grand_total": "-1"}, "grand_total"),
        ({"to_store_credit": "-0.01"}, "to_store_credit"),
        ({"refunded_at": None}, "refunded_at"),
        ({"items": [{"sku": "MUG", "qty": "0", "row_total": "1"}]}, "items.0.qty"),
        ({"items": [{"sku": "MUG", "qty": "1", "row_total": "-1"}]}, "items.0.row_total"),
        ({"grand_total": "1.00001"}, "grand_total"),
    ],
    ids=[
        "negative_total",
        "negative_credit",
        "no_date",
        "qty_zero",
        "negative_row",
        "five_places",
    ],
)
def test_an_invalid_refund_is_refused_by_the_schema(client, order, secret, change, field):
    # when
    response = put_refund(client, refund_payload(**change), secret)

    # then
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Refund.objects.count() == 0


@pytest.mark.parametrize("granted", [[], ["sales.view_refund"], ["sales.add_order"]])
def test_recording_a_refund_needs_the_add_refund_permission(client, order, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = put_refund(client, refund_payload(), plain)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["params"] == {"permission": "sales.add_refund"}
    assert Refund.objects.count() == 0


def test_a_token_limited_to_another_website_cannot_record_a_refund(client, order, website_b):
    # given
    _token, plain = make_integration_token(
        "B only", permissions=["sales.add_refund"], websites=[website_b]
    )

    # when
    response = put_refund(client, refund_payload(), plain)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "website_not_allowed"
    assert Refund.objects.count() == 0


def test_a_refund_without_the_store_header_is_refused(client, order, secret):
    # when
    response = put_refund(client, refund_payload(), secret, store=None)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "store_required"
    assert Refund.objects.count() == 0


# --- Wish lists ---------------------------------------------------------------------------------


def test_a_wish_list_is_set_with_one_wishlist_changed_event(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_wishlist(
            client,
            customer.pk,
            [
                {"sku": "MUG", "qty": "2", "added_at": "2026-11-20T10:00:00+00:00"},
                {"sku": "TEA", "added_at": "2026-11-21T10:00:00+00:00"},
            ],
            secret,
        )

    # then
    assert response.status_code == 200
    assert response.json() == {"changed": True, "skus": ["TEA", "MUG"]}
    assert wishlist_rows(customer) == [("MUG", Decimal(2)), ("TEA", Decimal(1))]
    assert len(emitted) == 1
    name, payload = emitted[0]
    assert name == "wishlistChanged"
    assert (payload["customer_id"], payload["website_id"], payload["items"]) == (
        customer.pk,
        customer.website_id,
        2,
    )


def test_the_same_wish_list_sent_again_is_unchanged_and_emits_nothing(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    items = [{"sku": "MUG", "qty": "2"}, {"sku": "TEA"}]
    put_wishlist(client, customer.pk, items, secret)
    rows_before = sorted(WishlistItem.objects.values_list("pk", "product__sku", "qty", "added_at"))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_wishlist(client, customer.pk, items, secret)

    # then
    assert response.status_code == 200
    assert response.json()["changed"] is False
    assert sorted(response.json()["skus"]) == ["MUG", "TEA"]
    after = sorted(WishlistItem.objects.values_list("pk", "product__sku", "qty", "added_at"))
    assert after == rows_before
    assert emitted == []


def test_a_wish_list_is_replaced_whole_keeping_the_items_still_wanted(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    put_wishlist(client, customer.pk, [{"sku": "MUG"}, {"sku": "TEA"}], secret)
    kept = WishlistItem.objects.get(product__sku="MUG")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_wishlist(client, customer.pk, [{"sku": "MUG"}, {"sku": "POT"}], secret)

    # then
    assert response.status_code == 200
    assert response.json()["changed"] is True
    assert sorted(response.json()["skus"]) == ["MUG", "POT"]
    assert wishlist_rows(customer) == [("MUG", Decimal(1)), ("POT", Decimal(1))]
    assert WishlistItem.objects.get(product__sku="MUG").pk == kept.pk
    assert [name for name, _payload in emitted] == ["wishlistChanged"]


def test_a_quantity_change_updates_the_item(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    put_wishlist(client, customer.pk, [{"sku": "MUG", "qty": "1"}], secret)
    item = WishlistItem.objects.get()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_wishlist(client, customer.pk, [{"sku": "MUG", "qty": "3"}], secret)

    # then
    assert response.json() == {"changed": True, "skus": ["MUG"]}
    item_after = WishlistItem.objects.get()
    assert (item_after.pk, item_after.qty, item_after.added_at) == (
        item.pk,
        Decimal(3),
        item.added_at,
    )
    assert [name for name, _payload in emitted] == ["wishlistChanged"]


def test_an_empty_list_clears_the_wish_list(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    put_wishlist(client, customer.pk, [{"sku": "MUG"}, {"sku": "TEA"}], secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_wishlist(client, customer.pk, [], secret)

    # then
    assert response.status_code == 200
    assert response.json() == {"changed": True, "skus": []}
    assert WishlistItem.objects.count() == 0
    assert [(name, p["items"]) for name, p in emitted] == [("wishlistChanged", 0)]


def test_an_unknown_sku_is_refused_and_the_wish_list_kept(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    put_wishlist(client, customer.pk, [{"sku": "MUG"}], secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_wishlist(client, customer.pk, [{"sku": "TEA"}, {"sku": "NOPE"}], secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "unknown_product",
        "items[1].sku",
    )
    assert wishlist_rows(customer) == [("MUG", Decimal(1))]
    assert emitted == []


def test_wish_lists_of_customers_are_kept_apart(client, customer, products, secret, view_a):
    # given
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    put_wishlist(client, other.pk, [{"sku": "POT"}], secret)

    # when
    put_wishlist(client, customer.pk, [{"sku": "MUG"}], secret)
    put_wishlist(client, customer.pk, [], secret)

    # then
    assert wishlist_rows(customer) == []
    assert wishlist_rows(other) == [("POT", Decimal(1))]


@pytest.mark.parametrize(
    ("item", "field"),
    [({"sku": "MUG", "qty": "0"}, "qty"), ({"sku": ""}, "sku"), ({"qty": "1"}, "sku")],
    ids=["qty_zero", "sku_empty", "sku_missing"],
)
def test_an_invalid_wish_list_item_is_refused_by_the_schema(
    client, customer, products, secret, item, field
):
    # when
    response = put_wishlist(client, customer.pk, [item], secret)

    # then
    assert response.status_code == 422
    assert any(e["field"].endswith(field) for e in response.json()["errors"])
    assert WishlistItem.objects.count() == 0


def test_an_unknown_customer_has_no_wish_list(client, products, secret):
    # when
    response = put_wishlist(client, 999999, [{"sku": "MUG"}], secret)

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "customer_not_found"
    assert WishlistItem.objects.count() == 0


@pytest.mark.parametrize("granted", [[], ["sales.view_wishlistitem"], ["sales.add_review"]])
def test_replacing_a_wish_list_needs_the_change_wishlistitem_permission(
    client, customer, products, granted
):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = put_wishlist(client, customer.pk, [{"sku": "MUG"}], plain)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["params"] == {"permission": "sales.change_wishlistitem"}
    assert WishlistItem.objects.count() == 0


def test_a_customer_of_another_website_is_invisible_to_a_website_limited_token(
    client, customer, customer_b, products, website_b
):
    # given
    _token, plain = make_integration_token(
        "B only", permissions=["sales.change_wishlistitem"], websites=[website_b]
    )

    # when
    refused = put_wishlist(client, customer.pk, [{"sku": "MUG"}], plain)
    allowed = put_wishlist(client, customer_b.pk, [{"sku": "MUG"}], plain)

    # then
    assert refused.status_code == 404
    assert refused.json()["code"] == "customer_not_found"
    assert wishlist_rows(customer) == []
    assert allowed.status_code == 200
    assert wishlist_rows(customer_b) == [("MUG", Decimal(1))]


# --- Product reviews ----------------------------------------------------------------------------


def test_a_review_is_recorded_with_one_review_recorded_event(
    client, customer, products, secret, view_a, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_review(client, review_payload(customer_id=customer.pk, rating=4), secret)

    # then
    assert response.status_code == 201
    review = Review.objects.get()
    assert response.json() == {"id": review.pk, "result": "created"}
    assert (review.website_id, review.store_view, review.external_id) == (
        view_a.store.website_id,
        view_a,
        "R-1",
    )
    assert (review.product.sku, review.customer, review.rating, review.status) == (
        "MUG",
        customer,
        4,
        "pending",
    )
    assert (review.nickname, review.title, review.detail) == (
        "Ada",
        "Lovely mug",
        "Holds a lot of tea.",
    )
    assert [
        (name, p["review_id"], p["customer_id"], p["status"], p["rating"]) for name, p in emitted
    ] == [("reviewRecorded", review.pk, customer.pk, "pending", 4)]


def test_a_guest_review_has_no_customer(client, products, secret):
    # when
    response = put_review(client, review_payload(), secret)

    # then
    assert response.status_code == 201
    assert Review.objects.get().customer is None


def test_the_same_review_sent_again_is_unchanged_and_emits_nothing_more(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    data = review_payload(customer_id=customer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        first = put_review(client, data, secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        again = put_review(client, data, secret)

    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "result": "unchanged"}
    assert Review.objects.count() == 1
    assert [name for name, _payload in emitted] == ["reviewRecorded"]


def test_an_approved_review_is_changed_in_place_with_one_more_event(
    client, customer, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = put_review(client, review_payload(customer_id=customer.pk), secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_review(
            client, review_payload(customer_id=customer.pk, status="approved"), secret
        )

    # then
    assert response.status_code == 200
    assert response.json() == {"id": first.json()["id"], "result": "changed"}
    assert Review.objects.get().status == "approved"
    assert [(name, p["status"]) for name, p in emitted] == [
        ("reviewRecorded", "pending"),
        ("reviewRecorded", "approved"),
    ]


def test_the_same_review_id_on_another_website_is_another_review(
    client, products, secret, view_a, view_b
):
    # given
    put_review(client, review_payload(), secret, store=view_a.code)

    # when
    response = put_review(client, review_payload(title="Other"), secret, store=view_b.code)

    # then
    assert response.status_code == 201
    assert sorted(Review.objects.values_list("website_id", "external_id", "title")) == sorted(
        [
            (view_a.store.website_id, "R-1", "Lovely mug"),
            (view_b.store.website_id, "R-1", "Other"),
        ]
    )


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(client, products, secret, rating, emitted):
    # when
    response = put_review(client, review_payload(rating=rating), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_rating", "rating")
    assert Review.objects.count() == 0
    assert emitted == []


@pytest.mark.parametrize("rating", [1, 5])
def test_the_rating_bounds_are_accepted(client, products, secret, rating):
    # when
    response = put_review(client, review_payload(rating=rating), secret)

    # then
    assert response.status_code == 201
    assert Review.objects.get().rating == rating


@pytest.mark.parametrize("status", ["pending", "approved", "not_approved"])
def test_each_review_status_is_accepted(client, products, secret, status):
    # when
    response = put_review(client, review_payload(status=status), secret)

    # then
    assert response.status_code == 201
    assert Review.objects.get().status == status


def test_an_unknown_review_status_is_refused(client, products, secret):
    # when
    response = put_review(client, review_payload(status="published"), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("invalid_status", "status")
    assert Review.objects.count() == 0


def test_a_review_of_an_unknown_product_is_refused_naming_the_sku(client, products, secret):
    # when
    response = put_review(client, review_payload(sku="NOPE"), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_product", "sku")
    assert Review.objects.count() == 0


def test_a_review_by_a_customer_of_another_website_is_refused(client, products, secret, customer_b):
    # when
    response = put_review(client, review_payload(customer_id=customer_b.pk), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "unknown_customer",
        "customer_id",
    )
    assert Review.objects.count() == 0


def test_every_review_problem_is_reported_together(client, products, secret):
    # when
    response = put_review(
        client, review_payload(sku="NOPE", rating=9, status="x", customer_id=999999), secret
    )

    # then
    assert response.status_code == 400
    assert sorted((e["code"], e["field"]) for e in response.json()["errors"]) == [
        ("invalid_rating", "rating"),
        ("invalid_status", "status"),
        ("unknown_customer", "customer_id"),
        ("unknown_product", "sku"),
    ]
    assert Review.objects.count() == 0


def test_a_refused_review_change_keeps_the_review_as_it_was(client, products, secret, emitted):
    # given
    put_review(client, review_payload(status="approved"), secret)

    # when
    response = put_review(client, review_payload(status="approved", rating=0), secret)

    # then
    assert response.status_code == 400
    review = Review.objects.get()
    assert (review.rating, review.status) == (5, "approved")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nickname": ""}, "nickname"),
        ({"title": ""}, "title"),
        ({"rating": "five"}, "rating"),
        ({"written_at": "yesterday"}, "written_at"),
        ({"sku": ""}, "sku"),
    ],
    ids=["nickname_empty", "title_empty", "rating_not_a_number", "bad_date", "sku_empty"],
)
def test_an_invalid_review_is_refused_by_the_schema(client, products, secret, change, field):
    # when
    response = put_review(client, review_payload(**change), secret)

    # then
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert Review.objects.count() == 0


@pytest.mark.parametrize("granted", [[], ["sales.view_review"], ["sales.add_productview"]])
def test_recording_a_review_needs_the_add_review_permission(client, products, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = put_review(client, review_payload(), plain)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["params"] == {"permission": "sales.add_review"}
    assert Review.objects.count() == 0


def test_a_token_limited_to_another_website_cannot_record_a_review(
    client, products, website_b, view_a
):
    # given
    _token, plain = make_integration_token(
        "B only", permissions=["sales.add_review"], websites=[website_b]
    )

    # when
    response = put_review(client, review_payload(), plain, store=view_a.code)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "website_not_allowed"
    assert Review.objects.count() == 0


# --- Product views ------------------------------------------------------------------------------


def test_a_customer_product_view_is_recorded_with_one_product_viewed_event(
    client, customer, products, secret, view_a, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post_view(client, view_payload(customer_id=customer.pk, visitor_id=""), secret)

    # then
    assert response.status_code == 201
    view = ProductView.objects.get()
    assert response.json() == {"id": view.pk, "result": "created"}
    assert (view.website_id, view.external_id, view.product.sku) == (
        view_a.store.website_id,
        "V-1",
        "MUG",
    )
    assert (view.customer, view.visitor_id) == (customer, "")
    assert view.viewed_at == dt.datetime(2026, 11, 21, 15, 30, tzinfo=dt.UTC)
    assert len(emitted) == 1
    name, payload = emitted[0]
    assert name == "productViewed"
    assert (payload["view_id"], payload["product_id"], payload["customer_id"]) == (
        view.pk,
        view.product_id,
        customer.pk,
    )
    assert (payload["visitor_id"], payload["website_id"]) == ("", view_a.store.website_id)


def test_a_visitor_product_view_keeps_the_stripped_visitor_id(
    client, products, secret, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post_view(client, view_payload(visitor_id="  visitor-7 "), secret)

    # then
    assert response.status_code == 201
    view = ProductView.objects.get()
    assert (view.customer, view.visitor_id) == (None, "visitor-7")
    assert [(name, p["visitor_id"], p["customer_id"]) for name, p in emitted] == [
        ("productViewed", "visitor-7", None)
    ]


def test_the_same_view_sent_again_is_unchanged_and_emits_nothing_more(
    client, products, secret, django_capture_on_commit_callbacks, emitted
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        first = post_view(client, view_payload(), secret)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        again = post_view(client, view_payload(), secret)

    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {"id": first.json()["id"], "result": "unchanged"}
    assert ProductView.objects.count() == 1
    assert [name for name, _payload in emitted] == ["productViewed"]


def test_the_same_view_id_on_another_website_is_another_view(
    client, products, secret, view_a, view_b
):
    # given
    post_view(client, view_payload(), secret, store=view_a.code)

    # when
    response = post_view(client, view_payload(), secret, store=view_b.code)

    # then
    assert response.status_code == 201
    assert sorted(ProductView.objects.values_list("website_id", flat=True)) == sorted(
        [view_a.store.website_id, view_b.store.website_id]
    )


@pytest.mark.parametrize(
    "viewer",
    [{"visitor_id": ""}, {"visitor_id": "   "}, {"visitor_id": "visitor-7", "customer": True}],
    ids=["no_viewer", "blank_visitor", "both"],
)
def test_a_view_needs_exactly_one_viewer(client, customer, products, secret, viewer, emitted):
    # given
    data = view_payload(visitor_id=viewer["visitor_id"])
    if viewer.get("customer"):
        data["customer_id"] = customer.pk

    # when
    response = post_view(client, data, secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "viewer_required",
        "customer_id",
    )
    assert ProductView.objects.count() == 0
    assert emitted == []


def test_a_view_of_an_unknown_product_is_refused_naming_the_sku(client, products, secret):
    # when
    response = post_view(client, view_payload(sku="NOPE"), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_product", "sku")
    assert ProductView.objects.count() == 0


def test_a_view_by_a_customer_of_another_website_is_refused(client, products, secret, customer_b):
    # when
    response = post_view(client, view_payload(customer_id=customer_b.pk, visitor_id=""), secret)

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (
        "unknown_customer",
        "customer_id",
    )
    assert ProductView.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"view_id": ""}, "view_id"), ({"sku": ""}, "sku"), ({"viewed_at": None}, "viewed_at")],
    ids=["view_id_empty", "sku_empty", "no_date"],
)
def test_an_invalid_view_is_refused_by_the_schema(client, products, secret, change, field):
    # when
    response = post_view(client, view_payload(**change), secret)

    # then
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert ProductView.objects.count() == 0


@pytest.mark.parametrize("granted", [[], ["sales.view_productview"], ["sales.add_review"]])
def test_recording_a_view_needs_the_add_productview_permission(client, products, granted):
    # given
    _token, plain = make_integration_token("Other", permissions=granted)

    # when
    response = post_view(client, view_payload(), plain)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["params"] == {"permission": "sales.add_productview"}
    assert ProductView.objects.count() == 0


def test_a_token_limited_to_another_website_cannot_record_a_view(
    client, products, website_b, view_a
):
    # given
    _token, plain = make_integration_token(
        "B only", permissions=["sales.add_productview"], websites=[website_b]
    )

    # when
    response = post_view(client, view_payload(), plain, store=view_a.code)

    # then
    assert response.status_code == 403
    assert response.json()["code"] == "website_not_allowed"
    assert ProductView.objects.count() == 0


# --- Customer page sections ---------------------------------------------------------------------


def test_the_refunds_section_shows_the_customers_refunds_only(client, order, view_a):
    # given
    services.record_refund(
        store_view=view_a,
        order_number=order.number,
        number="900001",
        items=[],
        grand_total=Decimal("12.50"),
        to_store_credit=Decimal("2.50"),
        refunded_at=dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC),
        actor=SYSTEM,
    )
    guest_order = order_for(view_a, "100002")
    services.record_refund(
        store_view=view_a,
        order_number=guest_order.number,
        number="900002",
        items=[],
        grand_total=Decimal(1),
        refunded_at=dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC),
        actor=SYSTEM,
    )
    staff_client(client, "sales.view_refund")

    # when
    response = client.get(section_url(order.customer, "refunds"))

    # then
    assert response.status_code == 200
    assert response.context["section"].code == "refunds"
    page = response.content.decode()
    assert "<td>#900001</td><td>#100001</td><td>€12.50</td><td>€2.50</td>" in page
    assert "#900002" not in page


def test_the_refunds_section_says_when_there_are_no_refunds(client, customer):
    # given
    staff_client(client, "sales.view_refund")

    # when
    response = client.get(section_url(customer, "refunds"))

    # then
    assert response.status_code == 200
    assert "The customer has no refunds." in response.content.decode()


def test_the_wishlist_section_shows_the_customers_wish_list_only(
    client, customer, products, view_a
):
    # given
    services.replace_wishlist(
        customer=customer, items=[{"sku": "TEA", "qty": Decimal(2)}], actor=SYSTEM
    )
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    services.replace_wishlist(customer=other, items=[{"sku": "POT"}], actor=SYSTEM)
    staff_client(client, "sales.view_wishlistitem")

    # when
    response = client.get(section_url(customer, "wishlist"))

    # then
    assert response.status_code == 200
    assert response.context["section"].code == "wishlist"
    page = response.content.decode()
    assert "<td>TEA</td><td>Green Tea</td><td>2</td>" in page
    assert "Tea Pot" not in page


def test_the_wishlist_section_says_when_the_wish_list_is_empty(client, customer):
    # given
    staff_client(client, "sales.view_wishlistitem")

    # when
    response = client.get(section_url(customer, "wishlist"))

    # then
    assert response.status_code == 200
    assert "The customer's wish list is empty." in response.content.decode()


def test_the_reviews_section_shows_the_customers_reviews_only(client, customer, products, view_a):
    # given
    written = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
    services.record_review(
        store_view=view_a, external_id="R-1", sku="POT", rating=4, title="Pours well",
        nickname="Ada", written_at=written, actor=SYSTEM, customer_id=customer.pk,
        status="approved",
    )  # fmt: skip
    services.record_review(
        store_view=view_a, external_id="R-2", sku="MUG", rating=1, title="Chipped",
        nickname="Guest", written_at=written, actor=SYSTEM,
    )  # fmt: skip
    staff_client(client, "sales.view_review")

    # when
    response = client.get(section_url(customer, "reviews"))

    # then
    assert response.status_code == 200
    assert response.context["section"].code == "reviews"
    page = response.content.decode()
    assert "<td>Tea Pot</td><td>4/5</td><td>Pours well</td><td>Approved</td>" in page
    assert "Chipped" not in page


def test_the_reviews_section_says_when_there_are_no_reviews(client, customer):
    # given
    staff_client(client, "sales.view_review")

    # when
    response = client.get(section_url(customer, "reviews"))

    # then
    assert response.status_code == 200
    assert "The customer has written no reviews." in response.content.decode()


@pytest.mark.parametrize(
    ("section", "permission"),
    [
        ("refunds", "sales.view_refund"),
        ("wishlist", "sales.view_wishlistitem"),
        ("reviews", "sales.view_review"),
    ],
)
def test_a_fact_section_is_hidden_without_its_permission(client, customer, section, permission):
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
