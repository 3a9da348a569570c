"""Who sees which dynamic block (spec c §11.5, check 42, and §6 for guests and registered
customers): ``blocks_for`` and ``visible_blocks`` in :mod:`patron.blocks.services`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.blocks import services
from patron.blocks.models import BlockType
from patron.blocks.tests.conftest import (
    big_cart_segment,
    guest_with_big_cart,
    make_block,
    members_segment,
    names,
)
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.segments import services as segments
from patron.testing.fixtures import set_config

HEADER = BlockType.HEADER


def header(view, **shopper):
    return names(services.blocks_for(placement=HEADER, store_view=view, **shopper))


def test_a_block_without_segments_is_shown_to_everyone(view_a, ada):
    # given
    make_block("For everyone")

    # when / then: a customer, a guest known by visitor id, an anonymous guest
    assert header(view_a, customer=ada) == ["For everyone"]
    assert header(view_a, visitor_id="v-1") == ["For everyone"]
    assert header(view_a) == ["For everyone"]


def test_a_registered_customer_sees_a_block_of_a_segment_they_are_stored_in(view_a, ada, bob):
    # given: check 42, Ada is a stored member of S, Bob is not
    segment = members_segment(ada)
    make_block("For S", segments=[segment])

    # when / then
    assert header(view_a, customer=ada) == ["For S"]
    assert header(view_a, customer=bob) == []
    assert header(view_a) == []


def test_a_guest_sees_a_block_of_a_segment_their_visitor_memberships_hold(view_a):
    # given: a visitors segment of carts of 100 or more; one guest has such a cart
    segment = big_cart_segment()
    make_block("Big spenders", segments=[segment])
    visitor = guest_with_big_cart(view_a)

    # when / then
    assert header(view_a, visitor_id=visitor) == ["Big spenders"]
    assert header(view_a, visitor_id="v-empty-cart") == []


def test_a_customer_is_judged_by_stored_memberships_not_by_a_visitor_id(view_a, bob):
    # given: the visitor id's cart matches the visitors segment, Bob is in no segment
    segment = big_cart_segment()
    make_block("Big spenders", segments=[segment])
    visitor = guest_with_big_cart(view_a)

    # when / then: registered customers skip visitor segments (spec c §5)
    assert header(view_a, customer=bob, visitor_id=visitor) == []


def test_a_block_shows_to_members_of_any_of_its_segments(view_a, ada, bob):
    # given
    first, second = members_segment(ada, name="First"), members_segment(bob, name="Second")
    make_block("For both", segments=[first, second])

    # when / then
    assert header(view_a, customer=ada) == ["For both"]
    assert header(view_a, customer=bob) == ["For both"]


def test_a_block_whose_only_segment_was_deleted_is_shown_to_everyone(view_a, ada, bob):
    # given: check 42
    segment = members_segment(ada)
    make_block("Was for S", segments=[segment])
    assert header(view_a, customer=bob) == []

    # when
    segments.delete_segment(segment=segment, actor=SYSTEM)

    # then
    assert header(view_a, customer=bob) == ["Was for S"]
    assert header(view_a) == ["Was for S"]


def test_a_block_keeps_its_remaining_segment_when_one_is_deleted(view_a, ada, bob):
    # given
    kept, deleted = members_segment(ada, name="Kept"), members_segment(bob, name="Deleted")
    make_block("Targeted", segments=[kept, deleted])

    # when
    segments.delete_segment(segment=deleted, actor=SYSTEM)

    # then: still targeted at Kept, so Bob no longer sees it
    assert header(view_a, customer=ada) == ["Targeted"]
    assert header(view_a, customer=bob) == []


def test_members_of_an_inactive_segment_do_not_count(view_a, ada):
    # given: Ada is a stored member of S, then S is made inactive
    segment = members_segment(ada)
    make_block("For S", segments=[segment])
    segments.update_segment(segment=segment, is_active=False, actor=SYSTEM)

    # when / then: hidden from Ada, and not shown to everyone either
    assert header(view_a, customer=ada) == []
    assert header(view_a) == []


def test_a_visitor_membership_cached_before_a_segment_was_deactivated_does_not_count(view_a):
    # given: the guest's memberships are cached while the segment is active
    segment = big_cart_segment()
    make_block("Big spenders", segments=[segment])
    visitor = guest_with_big_cart(view_a)
    website = view_a.store.website
    assert segments.visitor_segment_ids(website=website, visitor_id=visitor) == [segment.pk]

    # when
    segments.update_segment(segment=segment, is_active=False, actor=SYSTEM)

    # then
    assert header(view_a, visitor_id=visitor) == []


def test_targeted_blocks_are_hidden_while_segments_are_turned_off(view_a, ada):
    # given
    segment = members_segment(ada)
    make_block("For S", segments=[segment], sort_order=1)
    make_block("For everyone", sort_order=2)

    # when
    set_config({"customer/segments/enabled": False})

    # then: members of S see only the block for everyone
    assert header(view_a, customer=ada) == ["For everyone"]
    assert header(view_a) == ["For everyone"]


def test_a_block_shows_only_on_its_store_views(view_a, view_b):
    # given
    make_block("Only A", store_views=[view_a], sort_order=1)
    make_block("Everywhere", all_store_views=True, sort_order=2)

    # when / then
    assert header(view_a) == ["Only A", "Everywhere"]
    assert header(view_b) == ["Everywhere"]


def test_a_membership_on_another_website_does_not_count(view_b, ada, website_b):
    # given: Ada is a member of S on the default website only; S is also on website b
    segment = members_segment(ada, websites=[view_b.store.website, ada.website])
    make_block("For S", segments=[segment])

    # when / then
    assert header(view_b, customer=ada) == []


def test_a_disabled_block_is_never_shown(view_a, ada):
    # given
    segment = members_segment(ada)
    make_block("Off for everyone", is_enabled=False)
    make_block("Off for S", is_enabled=False, segments=[segment])

    # when / then
    assert header(view_a, customer=ada) == []
    assert header(view_a) == []


def test_blocks_come_by_placement_in_sort_order(view_a):
    # given
    make_block("Second", sort_order=20)
    make_block("First", sort_order=10)
    make_block("Footer", type=BlockType.FOOTER)

    # when
    found = services.visible_blocks(store_view=view_a)

    # then
    assert {placement: names(blocks) for placement, blocks in found.items()} == {
        "content": [], "footer": ["Footer"], "header": ["First", "Second"], "left": [],
        "right": [],
    }  # fmt: skip


def test_an_unknown_placement_is_refused(view_a):
    with pytest.raises(InvalidInput) as error:
        services.blocks_for(placement="sidebar", store_view=view_a)

    assert (error.value.code, error.value.field) == ("unknown_placement", "placement")


def test_a_customer_page_costs_two_queries_with_targeted_blocks(view_a, ada):
    # given
    segment = members_segment(ada)
    make_block("For S", segments=[segment])
    make_block("Footer", type=BlockType.FOOTER)
    services.visible_blocks(store_view=view_a)  # fills the cached list of placements in use

    # when
    with CaptureQueriesContext(connection) as queries:
        found = services.visible_blocks(store_view=view_a, customer=ada)

    # then: the memberships and the blocks
    assert (names(found["header"]), names(found["footer"])) == (["For S"], ["Footer"])
    assert len(queries) == 2


def test_placements_without_blocks_cost_no_query(view_a, ada):
    # given
    make_block("Footer", type=BlockType.FOOTER)
    services.visible_blocks(store_view=view_a)

    # when
    with CaptureQueriesContext(connection) as queries:
        found = services.visible_blocks(store_view=view_a, customer=ada, placements=["header"])

    # then
    assert found == {"header": []}
    assert len(queries) == 0


def test_untargeted_blocks_do_not_read_the_shoppers_segments(view_a, ada):
    # given
    make_block("For everyone")
    services.visible_blocks(store_view=view_a)

    # when
    with CaptureQueriesContext(connection) as queries:
        found = services.visible_blocks(store_view=view_a, customer=ada)

    # then: the blocks only
    assert names(found["header"]) == ["For everyone"]
    assert len(queries) == 1


def test_a_new_block_is_seen_at_once_after_the_placements_were_cached(view_a):
    # given: the placements in use are cached while there is none
    assert header(view_a) == []

    # when
    make_block("New")

    # then
    assert header(view_a) == ["New"]
