import pytest

from patron.testing.fixtures import (
    make_store_view,
    make_website,
    set_config,
)


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
