import pytest

from patron.testing.fixtures import (
    default_store_view,
    make_store_view,
    make_website,
    reset_shared_state,
    set_config,
)


@pytest.fixture(autouse=True)
def _fresh_cache_and_prefix():
    reset_shared_state()
    yield
    reset_shared_state()


@pytest.fixture
def view_a(db):
    return default_store_view()


@pytest.fixture
def view_de(db):
    """A German store view with its own store name and support sender."""
    website = make_website("germany", name="Germany")
    view = make_store_view(website, "germany_de", "de", name="Deutsch", is_default=True)
    set_config(
        {
            "general/store_information/name": "Zweiter Laden",
            "trans_email/ident_support/name": "Kundendienst",
            "trans_email/ident_support/email": "hilfe@example.de",
        },
        store_view=view,
    )
    return view
