"""The store credit API (patron/credit/api.py): balances and history, staff updates, and the
checkout calls a shop makes, mapped to spec b's checkout checks (31–34: the storefront's "Use
Store Credit", its totals and "Remove", and guests) and refund checks (35, 36)."""

import json
from decimal import Decimal

import pytest
from django.core import mail

from patron.core.actors import SYSTEM
from patron.credit import services
from patron.credit.models import StoreCreditHistory
from patron.credit.tests.test_services import (
    balance,
    credit,
    make_cart,
    place_order,
    rows,
)
from patron.customers import services as customer_services
from patron.customers.tests.factories import make_customer, share_accounts
from patron.mail.models import OutboxMessage
from patron.sales import services as sales
from patron.sales.models import Cart
from patron.testing.fixtures import bearer, make_integration_token, set_config

VIEW = "credit.view_storecreditbalance"
UPDATE = "credit.change_storecreditbalance"
CHECKOUT = "credit.add_storecredithistory"
ALL = [VIEW, UPDATE, CHECKOUT, "sales.add_refund"]
REFUNDED = "2026-11-21T09:00:00+00:00"


@pytest.fixture
def mug(db):
    return sales.save_product(sku="MUG", name="Mug", price=Decimal("100.00"), actor=SYSTEM)


@pytest.fixture
def secret(db):
    _token, plain = make_integration_token("Shop", permissions=ALL)
    return plain


def call(client, method, url, secret, data=None, store="default"):
    headers = bearer(secret) if secret else {}
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    if data is not None:
        headers.update(data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, **headers)


def use_credit(client, secret, customer_id, amount=None, store="default"):
    data = {"customer_id": customer_id}
    if amount is not None:
        data["amount"] = amount
    return call(client, "put", "/api/v1/carts/store-credit", secret, data, store)


def spend(client, secret, customer_id, amount, number="100001", store="default"):
    data = {"customer_id": customer_id, "amount": amount}
    return call(client, "put", f"/api/v1/orders/{number}/store-credit", secret, data, store)


def revert(client, secret, number="100001"):
    return call(client, "delete", f"/api/v1/orders/{number}/store-credit", secret)


def refund_to_credit(client, secret, amount, number="100001", refund="900001", **extra):
    url = f"/api/v1/orders/{number}/refunds/{refund}/store-credit"
    return call(client, "put", url, secret, {"amount": amount, **extra})


def update(client, secret, customer, **data):
    url = f"/api/v1/customers/{customer.pk}/store-credit/updates"
    return call(client, "post", url, secret, data, store=None)


def problem(response):
    body = response.json()
    return response.status_code, body["code"]


# --- Who may call -------------------------------------------------------------------------------

OPERATIONS = [
    ("get", "/api/v1/customers/{id}/store-credit", None, VIEW, 200),
    ("post", "/api/v1/customers/{id}/store-credit/updates", {"delta": "10"}, UPDATE, 201),
    ("get", "/api/v1/store-credit/balance?customer_id={id}", None, VIEW, 200),
    ("put", "/api/v1/carts/store-credit", {"customer_id": "{id}"}, CHECKOUT, 200),
    (
        "put",
        "/api/v1/orders/100001/store-credit",
        {"customer_id": "{id}", "amount": "10"},
        CHECKOUT,
        201,
    ),
    ("delete", "/api/v1/orders/100000/store-credit", None, CHECKOUT, 201),
    ("put", "/api/v1/orders/100001/refunds/900001/store-credit", {"amount": "5"}, CHECKOUT, 201),
]


@pytest.mark.parametrize("caller", ["anonymous", "shopper", "without", "with"])
@pytest.mark.parametrize(
    ("method", "url", "data", "permission", "success"),
    OPERATIONS,
    ids=["customer", "update", "balance", "cart", "spend", "revert", "refund"],
)
def test_operations_need_their_permission(
    client, customer, view_a, mug, method, url, data, permission, success, caller
):
    # given
    credit(customer, "50")
    services.spend(
        customer=customer, website=customer.website, amount=5, order_number="100000", actor=SYSTEM
    )
    make_cart(view_a, customer)
    place_order(view_a, "100001", customer)
    secret = None
    if caller == "shopper":
        secret = customer_services.issue_customer_token(customer=customer)
    elif caller != "anonymous":
        _token, secret = make_integration_token(
            permissions=[permission] if caller == "with" else []
        )
    if data is not None:
        data = {k: customer.pk if v == "{id}" else v for k, v in data.items()}

    # when
    response = call(client, method, url.format(id=customer.pk), secret, data)

    # then
    expected = {"anonymous": 401, "shopper": 401, "without": 403, "with": success}[caller]
    assert response.status_code == expected
    if caller == "without":
        assert response.json()["params"] == {"permission": permission}
    if caller != "with":
        assert balance(customer) == Decimal(45)
        assert len(rows(customer)) == 2


def test_a_token_of_one_website_cannot_use_another_website(client, customer, view_b):
    # given
    _token, secret = make_integration_token(permissions=ALL, websites=[customer.website])

    # when
    response = call(
        client, "get", f"/api/v1/store-credit/balance?customer_id={customer.pk}", secret,
        store=view_b.code,
    )  # fmt: skip

    # then
    assert problem(response) == (403, "website_not_allowed")


# --- Balances and history -----------------------------------------------------------------------


def test_a_customer_has_a_balance_per_website_and_the_history_when_asked(
    client, secret, customer, website_a, website_b
):
    # given
    share_accounts("global")
    credit(customer, "50", website_a, comment="Welcome")
    credit(customer, "7.5", website_b)
    url = f"/api/v1/customers/{customer.pk}/store-credit"

    # when
    plain = call(client, "get", url, secret, store=None)
    with_history = call(client, "get", f"{url}?history=true&website=second", secret, store=None)

    # then
    assert plain.status_code == 200
    assert plain.json() == {
        "customer_id": customer.pk,
        "balances": [
            {"website": "base", "balance": "50.0000", "currency": "USD"},
            {"website": "second", "balance": "7.5000", "currency": "USD"},
        ],
        "history": None,
    }
    body = with_history.json()
    assert body["balances"] == [{"website": "second", "balance": "7.5000", "currency": "USD"}]
    [entry] = body["history"]
    assert {k: entry[k] for k in ("website", "action", "delta", "balance_after", "currency")} == {
        "website": "second",
        "action": "created",
        "delta": "7.5000",
        "balance_after": "7.5000",
        "currency": "USD",
    }
    assert (entry["actor_kind"], entry["notified"], entry["reference"]) == ("system", False, "")


def test_the_history_is_newest_first_and_limited(client, secret, customer):
    # given
    for amount in ("1", "2", "3"):
        credit(customer, amount)
    url = f"/api/v1/customers/{customer.pk}/store-credit?history=true&limit=2"

    # when
    response = call(client, "get", url, secret, store=None)

    # then
    assert [e["delta"] for e in response.json()["history"]] == ["3.0000", "2.0000"]


def test_a_website_scoped_token_sees_only_its_website(client, customer, website_a, website_b):
    # given
    share_accounts("global")
    credit(customer, "50", website_a)
    credit(customer, "8", website_b)
    _token, secret = make_integration_token(permissions=[VIEW], websites=[website_a])

    # when
    url = f"/api/v1/customers/{customer.pk}/store-credit?history=true"
    response = call(client, "get", url, secret, store=None)

    # then
    body = response.json()
    assert [b["website"] for b in body["balances"]] == ["base"]
    assert [e["website"] for e in body["history"]] == ["base"]


def test_the_checkout_balance_is_the_header_website_one(client, secret, customer, view_b):
    # given
    share_accounts("global")
    credit(customer, "30")

    # when
    own = call(client, "get", f"/api/v1/store-credit/balance?customer_id={customer.pk}", secret)
    other = call(
        client, "get", f"/api/v1/store-credit/balance?customer_id={customer.pk}", secret,
        store=view_b.code,
    )  # fmt: skip

    # then
    assert own.json() == {
        "customer_id": customer.pk, "website": "base", "balance": "30.0000", "currency": "USD"
    }  # fmt: skip
    assert other.json()["balance"] == "0.0000"
    assert other.json()["website"] == "second"


def test_the_checkout_balance_needs_the_store_header(client, secret, customer):
    # when
    response = call(
        client, "get", f"/api/v1/store-credit/balance?customer_id={customer.pk}", secret,
        store=None,
    )  # fmt: skip

    # then
    assert problem(response) == (400, "store_required")


def test_an_unknown_customer_is_not_found(client, secret, db):
    # when
    response = call(client, "get", "/api/v1/store-credit/balance?customer_id=999999", secret)

    # then
    assert problem(response) == (404, "customer_not_found")


# --- Staff updates ------------------------------------------------------------------------------


def test_a_staff_update_on_website_a_leaves_website_b_unchanged(
    client, secret, customer, website_a, website_b
):
    # given (check 29): balance 0 on A after earlier changes
    share_accounts("global")
    credit(customer, "20", website_a)
    credit(customer, "-20", website_a)

    # when
    response = update(client, secret, customer, delta="50", website="base", comment="Goodwill")

    # then
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("website", "action", "delta", "balance_after", "comment")} == {
        "website": "base",
        "action": "updated",
        "delta": "50.0000",
        "balance_after": "50.0000",
        "comment": "Goodwill",
    }
    assert body["actor_kind"] == "integration"
    assert (balance(customer, website_a), balance(customer, website_b)) == (50, 0)
    assert len(rows(customer)) == 3


def test_an_update_defaults_to_the_customer_website(client, secret, customer):
    # when
    response = update(client, secret, customer, delta="12.34")

    # then
    assert response.status_code == 201
    assert response.json()["action"] == "created"
    assert balance(customer) == Decimal("12.34")


def test_an_update_below_zero_is_refused_with_the_balance(client, secret, customer):
    # given
    credit(customer, "30")

    # when
    response = update(client, secret, customer, delta="-31")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "insufficient_store_credit",
        "message": "The store credit balance is $30.00; it cannot go below zero.",
        "field": "delta",
        "params": {"balance": "30.0000", "currency": "USD"},
    }
    assert balance(customer) == Decimal(30)
    assert len(rows(customer)) == 1


def test_a_zero_update_is_refused(client, secret, customer):
    # when
    response = update(client, secret, customer, delta="0")

    # then
    assert problem(response) == (400, "zero")
    assert not StoreCreditHistory.objects.exists()


def test_an_update_of_an_unknown_website_is_not_found(client, secret, customer):
    # when
    response = update(client, secret, customer, delta="5", website="nowhere")

    # then
    assert problem(response) == (404, "unknown_website")


def test_a_notified_update_sends_one_email_from_the_store_view(
    client, secret, customer, view_a, django_capture_on_commit_callbacks
):
    # given (check 30)
    set_config(
        {
            services.EMAIL_IDENTITY: "sales",
            "trans_email/ident_sales/name": "Sales",
            "trans_email/ident_sales/email": "sales@example.com",
        },
        store_view=view_a,
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = update(client, secret, customer, delta="5", notify_store_view="default")

    # then
    assert response.status_code == 201
    assert response.json()["notified"] is True
    message = OutboxMessage.objects.get()
    assert (message.template_code, message.sender) == (
        "customer_store_credit_update_email_template", "Sales <sales@example.com>"
    )  # fmt: skip
    assert len(mail.outbox) == 1


def test_an_update_without_notification_sends_no_email(
    client, secret, customer, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = update(client, secret, customer, delta="5")

    # then
    assert response.json()["notified"] is False
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


# --- Turned off (check 27, API side) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/api/v1/customers/{id}/store-credit", None),
        ("post", "/api/v1/customers/{id}/store-credit/updates", {"delta": "10"}),
        ("get", "/api/v1/store-credit/balance?customer_id={id}", None),
        ("put", "/api/v1/carts/store-credit", {"customer_id": "{id}"}),
        ("put", "/api/v1/orders/100001/store-credit", {"customer_id": "{id}", "amount": "10"}),
        ("put", "/api/v1/orders/100001/refunds/900001/store-credit", {"amount": "5"}),
    ],
    ids=["customer", "update", "balance", "cart", "spend", "refund"],
)
def test_store_credit_turned_off_is_refused(
    client, secret, customer, view_a, mug, method, url, data
):
    # given
    credit(customer, "50")
    make_cart(view_a, customer)
    place_order(view_a, "100001", customer)
    set_config({services.ENABLED: False})
    if data is not None:
        data = {k: customer.pk if v == "{id}" else v for k, v in data.items()}

    # when
    response = call(client, method, url.format(id=customer.pk), secret, data)

    # then
    assert problem(response) == (400, "store_credit_disabled")
    assert balance(customer) == Decimal(50)
    assert len(rows(customer)) == 1
    assert Cart.objects.get().store_credit_applied == 0


def test_a_cancelled_order_gets_its_credit_back_even_when_turned_off(client, secret, customer):
    # given: what an order took before store credit was turned off is still the customer's
    credit(customer, "50")
    spend(client, secret, customer.pk, "20")
    set_config({services.ENABLED: False})

    # when
    response = revert(client, secret)

    # then
    assert response.status_code == 201
    assert balance(customer) == Decimal(50)


# --- Checkout: apply to the cart (checks 31–33) --------------------------------------------------


def test_a_balance_below_the_total_pays_part_of_the_cart(client, secret, customer, view_a, mug):
    # given (check 31)
    credit(customer, "30")
    make_cart(view_a, customer, "100")

    # when
    response = use_credit(client, secret, customer.pk)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "customer_id": customer.pk,
        "applied": "30.0000",
        "grand_total": "100.0000",
        "remaining": "70.0000",
        "balance": "30.0000",
        "currency": "USD",
    }
    assert Cart.objects.get().store_credit_applied == Decimal(30)
    assert balance(customer) == Decimal(30)  # taken only when the order is placed


def test_a_balance_above_the_total_pays_the_whole_order(client, secret, customer, view_a, mug):
    # given (check 32)
    credit(customer, "150")
    make_cart(view_a, customer, "100")

    # when
    applied = use_credit(client, secret, customer.pk)
    placed = spend(client, secret, customer.pk, applied.json()["applied"])

    # then
    assert (applied.json()["applied"], applied.json()["remaining"]) == ("100.0000", "0.0000")
    assert placed.status_code == 201
    assert placed.json() == {
        "result": "created",
        "customer_id": customer.pk,
        "website": "base",
        "action": "used",
        "reference": "100001",
        "amount": "100.0000",
        "balance": "50.0000",
        "currency": "USD",
    }
    assert balance(customer) == Decimal(50)


def test_a_smaller_amount_can_be_applied(client, secret, customer, view_a, mug):
    # given
    credit(customer, "150")
    make_cart(view_a, customer, "100")

    # when
    response = use_credit(client, secret, customer.pk, "25.5")

    # then
    assert (response.json()["applied"], response.json()["remaining"]) == ("25.5000", "74.5000")


def test_removing_the_credit_restores_the_total(
    client, secret, customer, view_a, mug, django_capture_on_commit_callbacks
):
    # given (check 33)
    credit(customer, "30")
    make_cart(view_a, customer, "100")
    use_credit(client, secret, customer.pk)

    # when
    response = use_credit(client, secret, customer.pk, "0")

    # then
    assert (response.json()["applied"], response.json()["remaining"]) == ("0.0000", "100.0000")
    assert Cart.objects.get().store_credit_applied == 0
    assert balance(customer) == Decimal(30)
    assert len(rows(customer)) == 1


def test_without_a_cart_nothing_is_applied(client, secret, customer):
    # given
    credit(customer, "30")

    # when
    response = use_credit(client, secret, customer.pk)

    # then
    assert problem(response) == (404, "cart_not_found")


def test_a_cart_in_another_currency_is_refused(client, secret, customer, view_a, mug):
    # given
    credit(customer, "30")
    make_cart(view_a, customer, "100", currency="EUR")

    # when
    response = use_credit(client, secret, customer.pk)

    # then
    assert problem(response) == (400, "currency_mismatch")
    assert Cart.objects.get().store_credit_applied == 0


def test_a_negative_amount_is_refused(client, secret, customer, view_a, mug):
    # given
    credit(customer, "30")
    make_cart(view_a, customer, "100")

    # when
    response = use_credit(client, secret, customer.pk, "-1")

    # then
    assert problem(response) == (400, "negative_amount")


# --- Guests (check 34) ---------------------------------------------------------------------------


def test_guests_cannot_use_store_credit(client, secret, view_a, mug):
    # given: a visitor's cart
    sales.replace_cart(
        store_view=view_a, actor=SYSTEM, visitor_id="visitor-7", currency="USD",
        grand_total=Decimal(100), items=[{"sku": "MUG", "qty": Decimal(1), "price": Decimal(100)}],
    )  # fmt: skip

    # when
    responses = [
        call(client, "get", "/api/v1/store-credit/balance", secret),
        use_credit(client, secret, None),
        spend(client, secret, None, "10"),
    ]

    # then
    assert [problem(r) for r in responses] == [(400, "guest_not_allowed")] * 3
    assert Cart.objects.get().store_credit_applied == 0
    assert not StoreCreditHistory.objects.exists()


def test_a_guest_order_takes_no_refund_to_store_credit(client, secret, view_a, mug):
    # given
    place_order(view_a, "100001", None)

    # when
    response = refund_to_credit(client, secret, "10")

    # then
    assert problem(response) == (400, "guest_order")
    assert not StoreCreditHistory.objects.exists()


# --- Checkout: spend and revert -----------------------------------------------------------------


def test_spending_for_an_order_again_takes_nothing_more(client, secret, customer):
    # given
    credit(customer, "50")
    first = spend(client, secret, customer.pk, "20")

    # when
    again = spend(client, secret, customer.pk, "20.00")

    # then
    assert (first.status_code, first.json()["result"]) == (201, "created")
    assert (again.status_code, again.json()["result"]) == (200, "unchanged")
    assert again.json()["balance"] == "30.0000"
    assert rows(customer)[1:] == [("used", Decimal(-20), Decimal(30), "100001")]


def test_spending_more_than_the_balance_stops_the_order(client, secret, customer):
    # given
    credit(customer, "30")

    # when
    response = spend(client, secret, customer.pk, "30.01")

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "insufficient_store_credit"
    assert body["params"] == {"balance": "30.0000", "currency": "USD"}
    assert "$30.00" in body["message"]
    assert balance(customer) == Decimal(30)
    assert len(rows(customer)) == 1


def test_spending_again_with_another_amount_conflicts(client, secret, customer):
    # given
    credit(customer, "50")
    spend(client, secret, customer.pk, "20")

    # when
    response = spend(client, secret, customer.pk, "25")

    # then
    assert problem(response) == (409, "reference_differs")
    assert balance(customer) == Decimal(30)


def test_an_order_of_another_customer_cannot_be_paid_with_this_credit(
    client, secret, customer, view_a, mug
):
    # given
    other = make_customer("bea@example.com", store_view=view_a)
    place_order(view_a, "100001", other)
    credit(customer, "50")

    # when
    response = spend(client, secret, customer.pk, "20")

    # then
    assert problem(response) == (409, "order_of_another_customer")
    assert balance(customer) == Decimal(50)


def test_an_order_number_spent_by_another_customer_is_refused(client, secret, customer, view_a):
    # given
    other = make_customer("bea@example.com", store_view=view_a)
    credit(other, "50")
    credit(customer, "50")
    spend(client, secret, other.pk, "20")

    # when
    response = spend(client, secret, customer.pk, "20")

    # then
    assert problem(response) == (409, "order_of_another_customer")
    assert balance(customer) == Decimal(50)


def test_a_too_long_order_number_is_refused(client, secret, customer):
    # given
    credit(customer, "50")

    # when
    response = spend(client, secret, customer.pk, "5", number="9" * 65)

    # then
    assert problem(response) == (400, "invalid_reference")
    assert balance(customer) == Decimal(50)


def test_a_cancelled_order_gets_its_credit_back_once(client, secret, customer):
    # given
    credit(customer, "50")
    spend(client, secret, customer.pk, "20")

    # when
    first = revert(client, secret)
    again = revert(client, secret)

    # then
    assert (first.status_code, first.json()["result"]) == (201, "created")
    assert (again.status_code, again.json()["result"]) == (200, "unchanged")
    assert first.json()["amount"] == "20.0000"
    assert balance(customer) == Decimal(50)
    assert [row[0] for row in rows(customer)] == ["created", "used", "reverted"]


def test_reverting_an_order_without_credit_is_not_found(client, secret, customer):
    # when
    response = revert(client, secret, "424242")

    # then
    assert problem(response) == (404, "nothing_to_revert")


# --- Refunds to store credit (checks 35, 36) -----------------------------------------------------


def test_a_refund_is_credited_once(client, secret, customer, view_a, mug):
    # given
    place_order(view_a, "100001", customer)

    # when
    first = refund_to_credit(client, secret, "40", comment="Broken handle")
    again = refund_to_credit(client, secret, "40")
    other = refund_to_credit(client, secret, "41")

    # then
    assert (first.status_code, first.json()["result"]) == (201, "created")
    assert first.json()["reference"] == "100001/900001"
    assert (again.status_code, again.json()["result"]) == (200, "unchanged")
    assert problem(other) == (409, "reference_differs")
    assert balance(customer) == Decimal(40)
    assert StoreCreditHistory.objects.get().comment == "Broken handle"


def test_a_refund_to_store_credit_is_not_more_than_the_refund(
    client, secret, customer, view_a, mug
):
    # given: the refund fact is reported first, for 30
    place_order(view_a, "100001", customer)
    sales.record_refund(
        store_view=view_a, order_number="100001", number="900001", items=[], actor=SYSTEM,
        grand_total=Decimal(30), refunded_at=REFUNDED,
    )  # fmt: skip

    # when
    response = refund_to_credit(client, secret, "30.01")

    # then
    assert problem(response) == (400, "too_much_store_credit")
    assert not StoreCreditHistory.objects.exists()


def test_an_order_in_another_currency_takes_the_amount_the_shop_converted(
    client, secret, customer, view_a, mug
):
    # given: a 100 EUR order on a website whose balances are in USD
    place_order(view_a, "100001", customer, currency="EUR")

    # when
    response = refund_to_credit(client, secret, "108.50")

    # then
    assert response.status_code == 201
    assert (response.json()["amount"], response.json()["currency"]) == ("108.5000", "USD")
    assert balance(customer) == Decimal("108.50")


def test_long_order_and_credit_memo_numbers_make_one_reference(
    client, secret, customer, view_a, mug
):
    # given: "<order>/<credit memo>" takes 66 characters, more than either number may have
    place_order(view_a, "1" * 60, customer)

    # when
    response = refund_to_credit(client, secret, "5", number="1" * 60, refund="90001")

    # then
    assert response.status_code == 201
    assert StoreCreditHistory.objects.get().reference == f"{'1' * 60}/90001"


def test_a_too_long_credit_memo_number_is_refused(client, secret, customer, view_a, mug):
    # given
    place_order(view_a, "100001", customer)

    # when
    response = refund_to_credit(client, secret, "5", number="100001", refund="9" * 65)

    # then
    assert problem(response) == (400, "invalid_reference")
    assert response.json()["field"] == "refund_number"
    assert not StoreCreditHistory.objects.exists()


def test_a_refund_of_an_unknown_order_is_not_found(client, secret, customer):
    # when
    response = refund_to_credit(client, secret, "5", number="404")

    # then
    assert problem(response) == (404, "unknown_order")


def test_a_refund_fact_and_the_store_credit_call_credit_once(client, secret, customer, view_a, mug):
    # given
    place_order(view_a, "100001", customer)
    refund_to_credit(client, secret, "25")

    # when: the shop then reports the refund fact with the same store credit part
    response = call(
        client, "put", "/api/v1/orders/100001/refunds/900001", secret,
        {"grand_total": "40", "to_store_credit": "25", "refunded_at": REFUNDED, "items": []},
    )  # fmt: skip

    # then
    assert response.status_code == 201
    assert balance(customer) == Decimal(25)
    assert len(rows(customer)) == 1


def test_a_refund_fact_to_store_credit_raises_the_order_website_balance(
    client, secret, customer, view_a, mug
):
    # given (check 35)
    place_order(view_a, "100001", customer)
    credit(customer, "5")

    # when
    response = call(
        client, "put", "/api/v1/orders/100001/refunds/900001", secret,
        {"grand_total": "40", "to_store_credit": "40", "refunded_at": REFUNDED, "items": []},
    )  # fmt: skip

    # then
    assert response.status_code == 201
    assert balance(customer) == Decimal(45)
    assert rows(customer)[-1] == ("refunded", Decimal(40), Decimal(45), "100001/900001")
    history = call(
        client, "get", f"/api/v1/customers/{customer.pk}/store-credit?history=true", secret
    ).json()["history"]
    assert (history[0]["action"], history[0]["delta"]) == ("refunded", "40.0000")


def test_store_credit_used_on_an_order_returns_automatically(client, secret, customer, view_a, mug):
    # given (check 36): 30 of a 100 order paid with store credit
    set_config({services.REFUND_AUTOMATICALLY: True})
    credit(customer, "30")
    make_cart(view_a, customer, "100")
    use_credit(client, secret, customer.pk)
    spend(client, secret, customer.pk, "30")
    place_order(view_a, "100001", customer)
    assert balance(customer) == 0

    # when: the shop reports a full refund to the payment method, nothing ticked
    response = call(
        client, "put", "/api/v1/orders/100001/refunds/900001", secret,
        {"grand_total": "100", "refunded_at": REFUNDED, "items": []},
    )  # fmt: skip

    # then
    assert response.status_code == 201
    assert balance(customer) == Decimal(30)
    assert rows(customer)[-1] == ("refunded", Decimal(30), Decimal(30), "100001/900001")


def test_the_operations_are_in_the_openapi_document(client, db):
    # when
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    # then
    assert {
        "/api/v1/customers/{customer_id}/store-credit": {"get"},
        "/api/v1/customers/{customer_id}/store-credit/updates": {"post"},
        "/api/v1/store-credit/balance": {"get"},
        "/api/v1/carts/store-credit": {"put"},
        "/api/v1/orders/{number}/store-credit": {"put", "delete"},
        "/api/v1/orders/{number}/refunds/{refund_number}/store-credit": {"put"},
    } == {path: set(paths[path]) for path in paths if "store-credit" in path}
