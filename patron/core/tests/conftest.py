import pytest

from patron.testing.fixtures import (
    make_store_view,
)


@pytest.fixture
def view_b_de(website_b):
    return make_store_view(website_b, "second_de", "de", name="Second German", is_default=True)
