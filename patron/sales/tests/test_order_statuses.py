"""Order statuses (patron/sales/statuses.py): the setting sales/order_statuses/list (one ``code``
or ``code = Label`` a line), ``record_order`` refusing a status not in it, and ``status_label``."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.sales import services
from patron.sales.models import Order
from patron.sales.statuses import (
    ORDER_STATUSES,
    order_statuses,
    parse_status_list,
    status_label,
    validate_status_list,
)
from patron.testing.fixtures import bearer, make_integration_token, set_config

MAGENTO_CODES = [
    "pending",
    "pending_payment",
    "payment_review",
    "processing",
    "holded",
    "complete",
    "closed",
    "canceled",
    "fraud",
]


@pytest.fixture
def mug(db):
    return services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM)


def record(view, status, number="100001"):
    return services.record_order(
        store_view=view,
        number=number,
        items=[{"sku": "MUG", "qty": Decimal(1), "price": Decimal("8.50")}],
        actor=SYSTEM,
        customer_email="guest@example.com",
        status=status,
        currency="EUR",
        subtotal=Decimal("8.50"),
        grand_total=Decimal("8.50"),
        placed_at=dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC),
    )


# --- The list -----------------------------------------------------------------------------------


def test_the_default_list_is_magentos_statuses_in_order(db):
    # when
    statuses = order_statuses()

    # then
    assert list(statuses) == MAGENTO_CODES
    assert (statuses["holded"], statuses["fraud"]) == ("On Hold", "Suspected Fraud")


def test_a_line_is_a_code_or_a_code_with_its_label():
    # when
    statuses = parse_status_list(
        "  complete  \n\nawaiting_pickup = Awaiting Pickup\nready_2=Ready to ship\nbackorder\n"
    )

    # then
    assert statuses == {
        "complete": "Complete",
        "awaiting_pickup": "Awaiting Pickup",
        "ready_2": "Ready to ship",
        "backorder": "backorder",
    }


@pytest.mark.parametrize(
    "bad_line",
    [
        "Complete",
        "awaiting pickup",
        "2nd_try",
        "shipped =",
        "= Shipped",
        "shipped-late",
        "a" * 33,
    ],
    ids=[
        "upper_case_case",
        "space_in_code_case",
        "starts_with_digit_case",
        "empty_label_case",
        "no_code_case",
        "dash_case",
        "code_too_long_case",
    ],
)
def test_the_validator_refuses_a_bad_line_naming_its_number(bad_line):
    # given: the bad line is the fourth, after a blank one
    text = f"pending\n\ncomplete = Done\n{bad_line}\nclosed"

    # when
    with pytest.raises(ValidationError) as error:
        validate_status_list(text)

    # then
    assert error.value.code == "invalid_status_line"
    assert error.value.params == {"line": 4}
    assert error.value.messages[0].startswith("Line 4: write a status code")


def test_a_code_of_32_characters_is_accepted():
    # when
    statuses = parse_status_list("a" * 32)

    # then
    assert list(statuses) == ["a" * 32]


@pytest.mark.parametrize("text", ["", "\n  \n"], ids=["empty_case", "blank_lines_case"])
def test_an_empty_list_is_refused(text):
    # when
    with pytest.raises(ValidationError) as error:
        validate_status_list(text)

    # then
    assert error.value.code == "required"


def test_saving_a_bad_list_is_refused_and_keeps_the_statuses(db):
    # when
    with pytest.raises(InvalidInput) as error:
        set_config({ORDER_STATUSES: "pending\nOn Hold"})

    # then
    assert error.value.code == "invalid_status_line"
    assert error.value.field == ORDER_STATUSES
    assert "Line 2:" in str(error.value.message)
    assert list(order_statuses()) == MAGENTO_CODES


# --- Orders refused or accepted -----------------------------------------------------------------


def test_an_order_with_a_status_not_in_the_list_is_refused_naming_the_field(view_a, mug):
    # when
    with pytest.raises(InvalidInput) as error:
        record(view_a, "shipped")

    # then
    assert (error.value.code, error.value.field) == ("unknown_status", "status")
    assert str(error.value.message) == (
        "shipped is not an order status of this store (known: " + ", ".join(MAGENTO_CODES) + ")."
    )
    assert not Order.objects.exists()


def test_the_api_refuses_an_unknown_status_with_its_code(client, view_a, mug):
    # given
    _token, secret = make_integration_token("Shop", permissions=["sales.add_order"])
    data = {
        "customer_email": "guest@example.com", "status": "Complete", "currency": "EUR",
        "subtotal": "8.50", "grand_total": "8.50", "placed_at": "2026-11-20T10:00:00+00:00",
        "items": [{"sku": "MUG", "qty": "1", "price": "8.50"}],
    }  # fmt: skip

    # when
    response = client.put(
        "/api/v1/orders/100001",
        data=json.dumps(data),
        content_type="application/json",
        HTTP_X_PATRON_STORE=view_a.code,
        **bearer(secret),
    )

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_status", "status")
    assert not Order.objects.exists()


def test_a_custom_status_is_accepted_once_configured(view_a, mug):
    # given
    with pytest.raises(InvalidInput):
        record(view_a, "awaiting_pickup")
    set_config({ORDER_STATUSES: "pending\nawaiting_pickup = Awaiting Pickup"})

    # when
    _order, result = record(view_a, "awaiting_pickup")

    # then
    assert result == "created"
    assert Order.objects.get().status == "awaiting_pickup"


def test_a_magento_status_left_out_of_the_list_is_refused(view_a, mug):
    # given
    set_config({ORDER_STATUSES: "pending\nshipped = Shipped"})

    # when
    with pytest.raises(InvalidInput) as error:
        record(view_a, "complete")

    # then
    assert error.value.code == "unknown_status"
    assert str(error.value.message).endswith("(known: pending, shipped).")
    assert not Order.objects.exists()


def test_a_change_to_a_status_not_in_the_list_leaves_the_order_as_it_was(view_a, mug):
    # given
    record(view_a, "pending")

    # when
    with pytest.raises(InvalidInput):
        record(view_a, "lost")

    # then
    assert Order.objects.get().status == "pending"


# --- Labels -------------------------------------------------------------------------------------


def test_a_magento_status_is_labelled_by_its_code(db):
    # then
    assert [status_label(code) for code in ("complete", "holded", "pending_payment")] == [
        "Complete",
        "On Hold",
        "Pending Payment",
    ]


def test_a_custom_status_shows_its_configured_label(db):
    # given
    set_config({ORDER_STATUSES: "pending\nawaiting_pickup = Awaiting Pickup\nbackorder"})

    # then
    assert status_label("awaiting_pickup") == "Awaiting Pickup"
    assert status_label("backorder") == "backorder"


def test_a_status_since_removed_from_the_list_shows_its_code(db):
    # given
    set_config({ORDER_STATUSES: "pending"})

    # then
    assert status_label("awaiting_pickup") == "awaiting_pickup"


def test_a_magento_status_label_is_translated_and_a_custom_one_is_not(db):
    # given: "Pending" has a German translation in patron/locale/de ("Complete" has none yet)
    set_config({ORDER_STATUSES: "pending\nawaiting_pickup = Awaiting Pickup"})

    # when
    with translation.override("de"):
        labels = (status_label("pending"), status_label("awaiting_pickup"))

    # then
    assert labels == ("Ausstehend", "Awaiting Pickup")
