"""The customer timeline's commerce entries (patron/sales/history.py): orders placed, status
changes and refunds, dated when they happened on the shop, and their summary line on the
customer page in the reader's language."""

import datetime as dt
from decimal import Decimal

import pytest

from patron.core.actors import SYSTEM, Actor, ActorKind
from patron.customers import services as customer_services
from patron.customers.models import TimelineEntry
from patron.sales import services
from patron.sales.history import SalesTimelineKind
from patron.sales.tests.conftest import section_url
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, set_config

PLACED = dt.datetime(2025, 1, 2, 10, tzinfo=dt.UTC)
REFUNDED = dt.datetime(2025, 1, 9, 8, 30, tzinfo=dt.UTC)
SALES_KINDS = list(SalesTimelineKind.values)
SHOP = Actor(ActorKind.INTEGRATION, 7, "Shop")


@pytest.fixture
def products(db):
    services.save_product(sku="MUG", name="Mug", price=Decimal("8.50"), actor=SYSTEM)
    services.save_product(sku="TEA", name="Green Tea", price=Decimal("4.00"), actor=SYSTEM)


def record(view, *, customer=None, status="pending", number="100001", **overrides):
    fields = {
        "customer_email": "guest@example.com",
        "status": status,
        "currency": "EUR",
        "subtotal": Decimal("21.00"),
        "shipping": Decimal("5.00"),
        "grand_total": Decimal("26.00"),
        "placed_at": PLACED,
        "items": [
            {"sku": "MUG", "qty": Decimal(2), "price": Decimal("8.50")},
            {"sku": "TEA", "qty": Decimal(1), "price": Decimal("4.00")},
        ],
    }
    fields.update(overrides)
    return services.record_order(
        store_view=view,
        number=number,
        actor=SHOP,
        customer_id=getattr(customer, "pk", None),
        **fields,
    )


def refund(view, *, number="R-1", order_number="100001"):
    return services.record_refund(
        store_view=view,
        order_number=order_number,
        number=number,
        items=[{"sku": "TEA", "qty": Decimal(1), "row_total": Decimal("4.00")}],
        grand_total=Decimal("4.00"),
        refunded_at=REFUNDED,
        actor=SHOP,
    )


def sales_entries(customer=None):
    entries = TimelineEntry.objects.filter(kind__in=SALES_KINDS)
    if customer is not None:
        entries = entries.filter(customer=customer)
    return list(entries.order_by("pk"))


def staff_reader(client, *, language=""):
    user = make_staff_user(
        "clerk", permissions=["customers.view_customer", "customers.view_timeline"]
    )
    if language:
        StaffProfile.objects.create(user=user, language=language)
    client.force_login(user)
    return user


# --- Entries written ----------------------------------------------------------------------------


def test_an_order_of_a_customer_is_placed_on_its_timeline_dated_when_placed(
    products, view_a, customer
):
    # when
    order, _result = record(view_a, customer=customer)

    # then
    [entry] = sales_entries(customer)
    assert entry.kind == "order_placed"
    assert entry.occurred_at == PLACED
    assert entry.params == {
        "order_id": order.pk,
        "number": "100001",
        "status": "pending",
        "grand_total": "26.0000",
        "currency": "EUR",
    }
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == ("integration", 7, "Shop")


def test_a_guest_order_writes_nothing(products, view_a, customer):
    # given
    entries_before = TimelineEntry.objects.count()

    # when
    record(view_a, customer_email=customer.email)

    # then
    assert TimelineEntry.objects.count() == entries_before


def test_a_resend_writes_nothing(products, view_a, customer):
    # given
    record(view_a, customer=customer)

    # when
    _order, result = record(view_a, customer=customer)

    # then
    assert result == "unchanged"
    assert [e.kind for e in sales_entries()] == ["order_placed"]


def test_a_status_change_writes_the_old_and_new_status(products, view_a, customer):
    # given
    order, _result = record(view_a, customer=customer)

    # when
    record(view_a, customer=customer, status="complete")

    # then
    placed, changed = sales_entries(customer)
    assert placed.kind == "order_placed"
    assert changed.kind == "order_status_changed"
    assert changed.params == {
        "order_id": order.pk,
        "number": "100001",
        "old": "pending",
        "new": "complete",
    }
    assert changed.actor_label == "Shop"


def test_a_change_that_keeps_the_status_writes_nothing(products, view_a, customer):
    # given
    record(view_a, customer=customer)

    # when
    _order, result = record(view_a, customer=customer, grand_total=Decimal("25.00"))

    # then
    assert result == "changed"
    assert [e.kind for e in sales_entries()] == ["order_placed"]


def test_a_status_change_of_a_guest_order_writes_nothing(products, view_a, customer):
    # given
    record(view_a)

    # when
    record(view_a, status="complete")

    # then
    assert sales_entries() == []


def test_a_refund_of_a_customers_order_is_dated_when_refunded(products, view_a, customer):
    # given
    order, _result = record(view_a, customer=customer)

    # when
    refund(view_a)

    # then
    entry = sales_entries(customer)[-1]
    assert entry.kind == "refund_recorded"
    assert entry.occurred_at == REFUNDED
    assert entry.params == {
        "order_id": order.pk,
        "number": "100001",
        "refund": "R-1",
        "grand_total": "4.0000",
        "currency": "EUR",
    }


def test_a_refund_sent_again_writes_nothing_more(products, view_a, customer):
    # given
    record(view_a, customer=customer)
    refund(view_a)

    # when
    _refund, result = refund(view_a)

    # then
    assert result == "unchanged"
    assert [e.kind for e in sales_entries()] == ["order_placed", "refund_recorded"]


def test_a_refund_of_a_guest_order_writes_nothing(products, view_a, customer):
    # given
    record(view_a)

    # when
    refund(view_a)

    # then
    assert sales_entries() == []


def test_a_guest_order_linked_at_once_by_confirmed_email_is_placed_on_the_timeline(
    products, view_a, website_a, customer
):
    # given
    set_config({"customer/guest_orders/link_by_email": True}, website=website_a)

    # when
    record(view_a, customer_email=customer.email)

    # then
    assert [(e.kind, e.occurred_at) for e in sales_entries(customer)] == [("order_placed", PLACED)]


def test_a_guest_order_joined_to_the_customer_by_a_later_report_is_placed_once(
    products, view_a, customer
):
    # given
    record(view_a, customer_email=customer.email)

    # when: the resend names the customer and a new status
    _order, result = record(view_a, customer=customer, status="processing")

    # then
    assert result == "changed"
    [entry] = sales_entries(customer)
    assert (entry.kind, entry.occurred_at, entry.params["status"]) == (
        "order_placed",
        PLACED,
        "processing",
    )


def test_a_guest_order_linked_by_email_on_a_resend_is_placed_on_the_timeline(
    products, view_a, website_a, customer
):
    # given
    record(view_a, customer_email=customer.email)
    set_config({"customer/guest_orders/link_by_email": True}, website=website_a)

    # when
    record(view_a, customer_email=customer.email)

    # then
    assert [(e.kind, e.occurred_at) for e in sales_entries(customer)] == [("order_placed", PLACED)]


# --- The customer page --------------------------------------------------------------------------


def test_the_timeline_shows_the_summary_of_each_commerce_entry(client, products, view_a, customer):
    # given
    record(view_a, customer=customer)
    record(view_a, customer=customer, status="complete")
    refund(view_a)
    staff_reader(client)

    # when
    response = client.get(section_url(customer, "timeline"))

    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>Order placed</strong>" in page
    assert "<div>Order #100001, €26.00, Pending</div>" in page
    assert "<div>Order #100001: Pending → Complete</div>" in page
    assert "<div>Refund #R-1 of order #100001, €4.00</div>" in page


def test_the_summary_is_written_in_the_readers_language(client, products, view_a, customer):
    # given: recorded while English is active, read by a German-speaking clerk
    record(view_a, customer=customer)
    staff_reader(client, language="de")

    # when
    response = client.get(section_url(customer, "timeline"))

    # then
    assert response["Content-Language"] == "de"
    page = response.content.decode()
    assert "Bestellung #100001, 26,00\xa0€, Ausstehend" in page
    assert "€26.00" not in page


def test_an_order_placed_last_year_sorts_below_todays_entries(client, products, view_a, customer):
    # given: the account was created today, the order imported afterwards is from 2025
    record(view_a, customer=customer)
    customer_services.add_timeline_note(
        customer=customer, text="Called about the mug", actor=SYSTEM
    )
    staff_reader(client)

    # when
    response = client.get(section_url(customer, "timeline"))

    # then
    page = response.content.decode()
    assert page.index("Called about the mug") < page.index("Order #100001")
    assert page.index("Account created") < page.index("Order #100001")


def test_older_entries_reach_an_order_dated_before_the_newer_entries(
    client, products, view_a, customer
):
    # given: 50 notes today, then an imported order from 2025 (its pk is the newest)
    for number in range(50):
        customer_services.add_timeline_note(customer=customer, text=f"note {number}", actor=SYSTEM)
    record(view_a, customer=customer)
    staff_reader(client)
    first = client.get(section_url(customer, "timeline"))
    older = first.content.decode().split('href="?section=timeline&amp;before=')[1].split('"')[0]

    # when
    second = client.get(section_url(customer, "timeline") + f"&before={older}")

    # then
    pages = first.content.decode() + second.content.decode()
    assert "Order #100001, €26.00, Pending" in pages
