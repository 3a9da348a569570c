"""What the store credit tests share: a customer and a second website's store view."""

import pytest

from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import make_store_view


@pytest.fixture
def customer(view_a):
    return make_customer("ada@example.com", store_view=view_a)


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_de", "de", name="Zweite", is_default=True)
