import pytest

from patron.testing.fixtures import (
    make_staff_user,
    make_store_view,
)


@pytest.fixture
def view_b_de(website_b):
    return make_store_view(website_b, "second_de", "de", name="Second German", is_default=True)


@pytest.fixture
def view_b_fr(website_b, view_b_de):
    return make_store_view(website_b, "second_fr", "fr", name="Second French", sort_order=1)


@pytest.fixture
def superuser(db):
    return make_staff_user("root", superuser=True)
