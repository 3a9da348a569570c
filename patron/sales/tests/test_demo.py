"""The demo data's catalogue, orders and carts: created once, consistent, not duplicated."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from patron.customers import demo as customer_demo
from patron.sales.models import Cart, Order, OrderItem, Product


@pytest.fixture
def small_demo(monkeypatch):
    monkeypatch.setattr(customer_demo, "DEMO_CUSTOMERS", 40)


def sales_counts():
    return (Product.objects.count(), Order.objects.count(), OrderItem.objects.count(),
            Cart.objects.count())  # fmt: skip


def test_seeding_twice_adds_no_second_catalogue_orders_or_carts(db, small_demo):
    # given
    call_command("seed_demo", seed=7)
    first = sales_counts()

    # when
    call_command("seed_demo", seed=7)

    # then
    assert sales_counts() == first
    assert first[0] == 15
    assert first[1] > 0 and first[3] > 0


def test_demo_orders_add_up(db, small_demo):
    # when
    call_command("seed_demo", seed=7)

    # then: each order's subtotal is the sum of its rows, and its customer is on its website
    for order in Order.objects.select_related("customer").annotate(rows=Sum("items__row_total")):
        assert order.rows == order.subtotal
        assert order.grand_total == order.subtotal + order.shipping
        assert order.customer.website_id == order.website_id
        assert order.total_qty == sum((i.qty for i in order.items.all()), Decimal(0))
