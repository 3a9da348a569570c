import pytest

from patron.testing.fixtures import (
    default_store_view,
    default_website,
    make_staff_user,
    make_store_view,
    make_website,
    reset_shared_state,
)


@pytest.fixture(autouse=True)
def _fresh_cache_and_prefix():
    reset_shared_state()
    yield
    reset_shared_state()


@pytest.fixture
def website_a(db):
    return default_website()


@pytest.fixture
def view_a(db):
    return default_store_view()


@pytest.fixture
def website_b(db):
    return make_website("second", name="Second Website")


@pytest.fixture
def view_b_de(website_b):
    return make_store_view(website_b, "second_de", "de", name="Second German", is_default=True)


@pytest.fixture
def view_b_fr(website_b, view_b_de):
    return make_store_view(website_b, "second_fr", "fr", name="Second French", sort_order=1)


@pytest.fixture
def superuser(db):
    return make_staff_user("root", superuser=True)
