import pytest

from patron.core import events
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import (
    make_staff_user,
    make_store_view,
)


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


@pytest.fixture
def customer(view_a):
    return make_customer("ada@example.com", store_view=view_a)


@pytest.fixture
def superuser(db):
    return make_staff_user("root", superuser=True)


@pytest.fixture
def emitted():
    """Collect the domain events dispatched during a test, as (name, payload) pairs."""
    received: list[tuple[str, dict]] = []

    @events.subscribe("*", dispatch_uid="customers-tests-recorder")
    def record(event):
        received.append((event.name, event.payload))

    yield received
    events.unsubscribe("*", dispatch_uid="customers-tests-recorder")
