"""The benchmark generator's commerce facts (bench/facts.py), at a small scale."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from patron.sales.models import (
    Cart,
    CartItem,
    Category,
    Order,
    OrderItem,
    Product,
    ProductView,
    Refund,
    RefundItem,
    WishlistItem,
)

MODELS = {
    "sales_order": Order, "sales_orderitem": OrderItem, "sales_refund": Refund,
    "sales_refunditem": RefundItem, "sales_cart": Cart, "sales_cartitem": CartItem,
    "sales_wishlistitem": WishlistItem, "sales_productview": ProductView,
}  # fmt: skip


def generate_with_facts(seed: int = 3):
    from bench.generate import generate

    return generate(0.0001, seed=seed, out=lambda line: None, check_disk=False, facts=True)


def test_the_fact_columns_are_those_of_the_models():
    from bench import facts

    for table, columns in facts.TABLES.items():
        model = MODELS[table]
        assert model._meta.db_table == table
        assert sorted(columns) == sorted(f.column for f in model._meta.concrete_fields)


def test_generated_orders_belong_to_the_new_customers_and_add_up(db):
    # when
    result = generate_with_facts()

    # then: what generate reports is what the tables hold
    assert {table: model.objects.count() for table, model in MODELS.items()} == {
        table: result.facts[table] for table in MODELS
    }
    assert result.facts["sales_order"] == 300
    assert result.facts["sales_productview"] == 500
    assert Product.objects.count() >= 2_000
    assert Category.objects.filter(parent__parent__isnull=False).count() == 96
    orders = Order.objects.select_related("store_view__store", "customer").annotate(
        lines=Count("items"), items_total=Sum("items__row_total")
    )
    oldest = timezone.now() - dt.timedelta(days=731)
    for order in orders:
        assert 1 <= order.lines <= 4
        assert order.items_total == order.subtotal
        assert order.grand_total == order.subtotal - order.discount + order.shipping + order.tax
        assert order.status in {"complete", "processing", "pending", "canceled", "closed"}
        assert order.store_view.store.website_id == order.website_id
        assert oldest <= order.placed_at <= timezone.now()
        if order.customer is not None:
            assert result.first_id <= order.customer_id <= result.last_id
            assert order.customer.website_id == order.website_id
            assert order.customer.created_at <= order.placed_at
    guests = orders.filter(customer=None).count()
    assert 10 <= guests <= 60  # 10 % of 300


def test_refunds_carts_wish_lists_and_views_are_consistent(db):
    # when
    generate_with_facts()

    # then: every closed order is refunded once, in full; other refunds are of complete orders
    closed = Order.objects.filter(status="closed")
    assert closed.exists()
    for order in closed.prefetch_related("refunds"):
        (refund,) = order.refunds.all()
        assert refund.grand_total == order.grand_total
        assert refund.to_store_credit in (0, refund.grand_total)
        assert refund.refunded_at >= order.placed_at
    assert set(Refund.objects.values_list("order__status", flat=True)) <= {"closed", "complete"}
    for refund in Refund.objects.annotate(items_total=Sum("items__row_total")):
        assert refund.items_total <= refund.grand_total
    # carts: one per customer, visitor carts named by a visitor id, totals that add up
    customer_carts = Cart.objects.exclude(customer=None)
    assert customer_carts.count() == customer_carts.values("customer").distinct().count()
    assert Cart.objects.filter(customer=None).exclude(visitor_id="").count() == 2
    for cart in Cart.objects.all():
        assert cart.grand_total == cart.subtotal + cart.tax + cart.shipping
        assert cart.items.exists()
    # wish lists and views point at products, views at a customer or a visitor
    assert WishlistItem.objects.values("customer", "product").distinct().count() == (
        WishlistItem.objects.count()
    )
    assert not ProductView.objects.filter(customer=None, visitor_id="").exists()
    assert ProductView.objects.exclude(customer=None).exists()


def test_the_same_seed_gives_the_same_facts(db):
    # given
    first = generate_with_facts(seed=5)
    first_orders = Order.objects.order_by("pk").values_list("pk", flat=True)
    boundary = list(first_orders)[-1]

    # when: the same seed once more, on top
    second = generate_with_facts(seed=5)

    # then: the same orders and views, relative to each run's new customers
    def orders_of(run, ids):
        return [
            (
                o.status, o.currency, o.subtotal, o.grand_total, o.placed_at,
                None if o.customer_id is None else o.customer_id - run.first_id,
                o.store_view_id, o.billing_address,
            )
            for o in Order.objects.filter(ids).order_by("pk")
        ]  # fmt: skip

    from django.db.models import Q

    assert orders_of(first, Q(pk__lte=boundary)) == orders_of(second, Q(pk__gt=boundary))
    assert second.facts["sales_product"] == 0
    assert {k: v for k, v in first.facts.items() if k.startswith("sales_order")} == {
        k: v for k, v in second.facts.items() if k.startswith("sales_order")
    }


def test_the_disk_check_counts_the_facts(db, tmp_path, monkeypatch):
    # given: a database on a disk with 100 MiB free
    import bench.generate as generator

    monkeypatch.setattr(generator, "_database_path", lambda connection: str(tmp_path))
    monkeypatch.setattr(
        generator.shutil, "disk_usage", lambda path: SimpleNamespace(free=100 * 2**20)
    )
    before = Order.objects.count()
    needed = {"postgresql": "11.7", "sqlite": "8.7"}[connection.vendor]

    # when
    with pytest.raises(generator.NotEnoughDiskSpace) as error:
        generator.generate(1.0, seed=3, out=lambda line: None, facts=True)

    # then
    assert str(error.value) == (
        f"Not enough disk space for 1,000,000 customers and their commerce facts: about "
        f"{needed} GiB needed, 0.1 GiB free under {tmp_path}. Choose a smaller --scale or free "
        "some space."
    )
    assert Order.objects.count() == before
