"""Factories for the customers app's tests, built on the customers services."""

from typing import Any

from patron.core.actors import SYSTEM, Actor
from patron.customers import services
from patron.customers.models import Address, Customer
from patron.scopes.models import StoreView, Website
from patron.testing.fixtures import default_website, set_config

SHARE_SCOPE = "customer/account_share/scope"


def make_customer(
    email: str = "ada@example.com",
    *,
    website: Website | None = None,
    store_view: StoreView | None = None,
    firstname: str = "Ada",
    lastname: str = "Lovelace",
    actor: Actor = SYSTEM,
    **fields: Any,
) -> Customer:
    """Create a customer through ``create_customer``, on the store view's website when a view
    is given, else on ``website`` or the default website."""
    if website is None:
        website = store_view.store.website if store_view is not None else default_website()
    return services.create_customer(
        website=website,
        store_view=store_view,
        email=email,
        firstname=firstname,
        lastname=lastname,
        actor=actor,
        **fields,
    )


def address_data(**overrides: Any) -> dict[str, Any]:
    """Return a valid US address for the default name-and-address options."""
    return {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "street": ["12 Analytical Row"],
        "city": "Boston",
        "country_id": "US",
        "region": "Massachusetts",
        "region_code": "MA",
        "postcode": "02108",
        "telephone": "+1 617 555 0100",
        **overrides,
    }


def make_address(customer: Customer, *, actor: Actor = SYSTEM, **overrides: Any) -> Address:
    """Add an address to ``customer`` through ``add_address``."""
    defaults = {
        k: overrides.pop(k) for k in ("default_billing", "default_shipping") if k in overrides
    }
    return services.add_address(
        customer=customer, actor=actor, **defaults, **address_data(**overrides)
    )


def share_accounts(mode: str) -> None:
    """Set Share Customer Accounts to "global" or "website"."""
    set_config({SHARE_SCOPE: mode})


def shopper_headers(token: str, store_code: str | None) -> dict[str, str]:
    """Return test client keyword arguments for a shopper API call."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if store_code is not None:
        headers["HTTP_X_PATRON_STORE"] = store_code
    return headers
