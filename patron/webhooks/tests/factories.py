"""Factories for the webhooks tests, built on the services."""

from collections.abc import Iterable
from typing import Any

from patron.core.actors import SYSTEM
from patron.customers.models import Address, Customer
from patron.customers.services import add_address, create_customer
from patron.scopes.models import Website
from patron.testing.fixtures import default_website
from patron.webhooks import services
from patron.webhooks.models import Subscription

ADDRESS = {
    "firstname": "Ada",
    "lastname": "Lovelace",
    "street": ["12 Analytical Row"],
    "city": "Boston",
    "country_id": "US",
    "region": "Massachusetts",
    "region_code": "MA",
    "postcode": "02108",
    "telephone": "+1 617 555 0100",
}


def make_subscription(
    target_url: str,
    *,
    events: Iterable[str] = ("accountCreated",),
    name: str = "CRM receiver",
    websites: Iterable[Website] = (),
) -> Subscription:
    """Create a subscription through ``create_subscription``."""
    return services.create_subscription(
        name=name, target_url=target_url, events=events, websites=websites, actor=SYSTEM
    )


def make_customer(
    email: str = "ada@example.com", *, website: Website | None = None, **fields: Any
) -> Customer:
    """Create a customer through ``create_customer`` (default website unless given)."""
    return create_customer(
        website=website or default_website(),
        email=email,
        firstname=fields.pop("firstname", "Ada"),
        lastname=fields.pop("lastname", "Lovelace"),
        actor=SYSTEM,
        **fields,
    )


def make_address(customer: Customer) -> Address:
    """Add the ``ADDRESS`` to ``customer`` through ``add_address``."""
    return add_address(customer=customer, actor=SYSTEM, **ADDRESS)
