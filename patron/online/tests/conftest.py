import pytest
from django.core.cache import cache

from patron.accounts.tests.factories import make_shopper
from patron.testing.fixtures import default_store_view, make_staff_user, reset_shared_state


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Touches, the flush counter and the configuration snapshot all live in the shared cache;
    # a record left by one test would be flushed into the next.
    reset_shared_state()
    cache.clear()
    yield
    cache.clear()
    reset_shared_state()


@pytest.fixture
def view_a(db):
    return default_store_view()


@pytest.fixture
def shopper(view_a):
    return make_shopper("ada@example.com", store_view=view_a)


@pytest.fixture
def other_shopper(view_a):
    return make_shopper(
        "grace@example.com", store_view=view_a, firstname="Grace", lastname="Hopper"
    )


@pytest.fixture
def superuser(db):
    return make_staff_user("root", superuser=True)
