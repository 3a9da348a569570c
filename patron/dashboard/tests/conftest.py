"""Fixtures of the dashboard tests: a shopper with a password, signed in through the sign-in
page, and on-commit work (mail delivery) run as a real commit would."""

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core import mail
from django.test import Client

from patron.core.actors import SYSTEM
from patron.customers.models import Customer
from patron.customers.services import create_customer
from patron.dashboard.tests.factories import LOGIN_URL, PASSWORD
from patron.testing.fixtures import default_store_view, reset_shared_state


@pytest.fixture(autouse=True)
def _fresh_cache_and_outbox():
    # The configuration snapshot, rate-limit counters and sign-in throttles live in the
    # shared locmem cache, which reset_shared_state clears.
    reset_shared_state()
    mail.outbox = []
    yield
    reset_shared_state()


@pytest.fixture
def view(db):
    return default_store_view()


@pytest.fixture
def shopper(view) -> Customer:
    return create_customer(
        website=view.store.website,
        store_view=view,
        email="ada@example.com",
        firstname="Ada",
        lastname="Lovelace",
        password=PASSWORD,
        actor=SYSTEM,
    )


@pytest.fixture
def shopper_client(client: Client, shopper: Customer) -> Client:
    """Return the test client signed in as ``shopper`` through the sign-in page."""
    response = client.post(LOGIN_URL, {"email": shopper.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], AbstractContextManager]:
    """Return a context manager that runs the on-commit work of its block (mail delivery) as
    a real commit would; tests run inside a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def website_a(view):
    return view.store.website
