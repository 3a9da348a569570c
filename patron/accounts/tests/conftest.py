from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core import mail

from patron.accounts.tests.factories import make_shopper
from patron.core import events
from patron.testing.fixtures import (
    make_store_view,
    reset_shared_state,
)

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "patron.accounts.hashers.MagentoPasswordHasher",
]


@pytest.fixture(autouse=True)
def _fresh_cache_and_prefix():
    # The configuration snapshot, the rate-limit counters and the CAPTCHA challenges live in
    # the shared locmem cache.
    reset_shared_state()
    mail.outbox = []
    yield
    reset_shared_state()


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)


@pytest.fixture
def shopper(view_a):
    return make_shopper("ada@example.com", store_view=view_a)


@pytest.fixture
def committed(django_capture_on_commit_callbacks) -> Callable[[], AbstractContextManager]:
    """Return a context manager that runs the on-commit work of its block (mail delivery,
    domain events) as a real commit would; tests run inside a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def emitted():
    """Collect the domain events dispatched during a test, as (name, payload) pairs."""
    received: list[tuple[str, dict]] = []

    @events.subscribe("*", dispatch_uid="accounts-tests-recorder")
    def record(event):
        received.append((event.name, event.payload))

    yield received
    events.unsubscribe("*", dispatch_uid="accounts-tests-recorder")


@pytest.fixture
def production_hashers(settings):
    """Use the production hasher list (test mode puts a fast MD5 hasher first)."""
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    return PRODUCTION_HASHERS
