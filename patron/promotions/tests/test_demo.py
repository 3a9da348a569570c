"""The demo's cart price rules: created once, and they answer an evaluation."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from patron.customers import demo as customer_demo
from patron.promotions import services
from patron.promotions.models import CartPriceRule
from patron.testing.fixtures import default_store_view


@pytest.fixture
def small_demo(monkeypatch):
    monkeypatch.setattr(customer_demo, "DEMO_CUSTOMERS", 20)


def test_the_demo_creates_its_rules_once_and_a_big_guest_cart_gets_ten_percent(db, small_demo):
    # given
    call_command("seed_demo", seed=7)
    rules = CartPriceRule.objects.count()

    # when
    call_command("seed_demo", seed=7)
    evaluation, *_ = services.evaluate_cart(
        store_view=default_store_view(), items=[{"sku": "DEMO-X", "qty": 1, "price": "120"}]
    )

    # then
    assert rules == 3
    assert CartPriceRule.objects.count() == rules
    assert evaluation.applied[0].label == "10% off"
    assert evaluation.lines[0].discount == Decimal("12.00")
