"""What the dynamic blocks tests share: blocks made through the services, segments with stored
members (registered customers) and with visitor members (a guest's cart)."""

from decimal import Decimal
from typing import Any

import pytest

from patron.blocks import services
from patron.blocks.models import BlockType
from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer
from patron.dashboard.tests.factories import PASSWORD
from patron.segments import services as segments
from patron.segments.tests.conftest import cart_total, combine, emails_tree, make_product, set_cart
from patron.testing.fixtures import default_website, make_store_view

GUEST_CART = [{"sku": "MUG", "qty": 1, "price": "150"}]


def make_block(name: str = "Block", **fields: Any):
    """Create a block through ``create_block``: a header block for All Store Views unless told."""
    fields.setdefault("type", BlockType.HEADER)
    if "store_views" not in fields:
        fields.setdefault("all_store_views", True)
    fields.setdefault("html", f"<p>{name}</p>")
    return services.create_block(name=name, actor=SYSTEM, **fields)


def members_segment(*customers, name: str = "Members", **fields: Any):
    """An active segment on the default website whose stored members are ``customers``."""
    fields.setdefault("websites", [default_website()])
    segment = segments.create_segment(
        name=name, conditions=emails_tree(*(c.email for c in customers)), actor=SYSTEM, **fields
    )
    segments.refresh_segment(segment=segment)
    return segment


def big_cart_segment(name: str = "Big carts", **fields: Any):
    """A segment for visitors whose cart subtotal is 100 or more."""
    fields.setdefault("websites", [default_website()])
    fields.setdefault("apply_to", "visitors")
    return segments.create_segment(
        name=name, conditions=combine(cart_total("gte", 100)), actor=SYSTEM, **fields
    )


def guest_with_big_cart(store_view, visitor_id: str = "v-big") -> str:
    make_product("MUG", price=Decimal("150"))
    set_cart(store_view, visitor_id=visitor_id, items=GUEST_CART)
    return visitor_id


def names(blocks) -> list[str]:
    return [block.name for block in blocks]


@pytest.fixture
def ada(view_a):
    return make_customer("ada@example.com", store_view=view_a, password=PASSWORD)


@pytest.fixture
def bob(view_a):
    return make_customer("bob@example.com", store_view=view_a, firstname="Bob", password=PASSWORD)


@pytest.fixture
def view_b(website_b):
    return make_store_view(website_b, "second_en", "en", name="Second English", is_default=True)
