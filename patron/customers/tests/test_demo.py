"""``patron seed_demo``: idempotent, and never run on a database that is not a demo one."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from patron.core.models import DemoMarker
from patron.customers import demo
from patron.customers.models import Address, Customer, CustomerGroup, NewsletterSubscriber
from patron.customers.tests.factories import make_customer
from patron.scopes.models import StoreView, Website


@pytest.fixture
def small_demo(monkeypatch):
    monkeypatch.setattr(demo, "DEMO_CUSTOMERS", 40)


def counts():
    return {
        "websites": Website.objects.count(),
        "store_views": StoreView.objects.count(),
        "groups": CustomerGroup.objects.count(),
        "staff": User.objects.count(),
        "customers": Customer.objects.count(),
        "addresses": Address.objects.count(),
        "subscribers": NewsletterSubscriber.objects.count(),
    }


def test_seeding_twice_gives_the_same_data(db, small_demo):
    # given
    call_command("seed_demo", seed=7)
    first = counts()

    # when
    call_command("seed_demo", seed=7)

    # then
    assert counts() == first
    assert {k: v for k, v in first.items() if k != "subscribers"} == {
        "websites": 4,
        "store_views": 5,
        "groups": 5,
        "staff": 1,
        "customers": 41,
        "addresses": 41,
    }
    assert DemoMarker.objects.count() == 1
    assert sorted(Website.objects.values_list("code", flat=True)) == ["base", "br", "eu", "jp"]
    shopper = Customer.objects.get(email="shopper@example.com")
    assert shopper.addresses.count() == 1
    assert Customer.objects.filter(default_billing__isnull=True).count() == 0


def test_seeding_is_refused_on_a_database_with_real_customers(db, small_demo, view_a):
    # given
    make_customer("real@example.com", store_view=view_a)
    before = counts()

    # when
    with pytest.raises(CommandError) as error:
        call_command("seed_demo")

    # then
    assert str(error.value) == (
        "This database already holds data and is not a demo database; demo data is never "
        "loaded into it."
    )
    assert counts() == before
    assert DemoMarker.objects.count() == 0
