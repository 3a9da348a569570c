"""The demo's store credit: made through the ledger, once."""

import pytest
from django.core.management import call_command
from django.db.models import Sum

from patron.credit.models import StoreCreditBalance, StoreCreditHistory
from patron.customers import demo as customer_demo


@pytest.fixture
def small_demo(monkeypatch):
    monkeypatch.setattr(customer_demo, "DEMO_CUSTOMERS", 40)


def test_the_demo_gives_store_credit_once_and_every_balance_matches_its_history(db, small_demo):
    # given
    call_command("seed_demo", seed=7)
    rows = StoreCreditHistory.objects.count()

    # when
    call_command("seed_demo", seed=7)

    # then
    assert StoreCreditBalance.objects.exists()
    assert StoreCreditHistory.objects.count() == rows
    for balance in StoreCreditBalance.objects.all():
        assert balance.amount == balance.history.aggregate(total=Sum("delta"))["total"]
