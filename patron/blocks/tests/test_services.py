"""Creating, changing and deleting dynamic blocks: validation with every problem and its field,
the HTML sanitized when saved, and the domain event."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.blocks import services
from patron.blocks.models import BlockType, ContentBlock
from patron.blocks.tests.conftest import make_block, members_segment
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput, NotFound


def problems(error) -> list[tuple[str, str]]:
    return [(problem.field, problem.code) for problem in error.value.problems]


def test_a_block_is_saved_with_its_store_views_and_segments(view_a, ada):
    # given
    segment = members_segment(ada)

    # when
    block = services.create_block(
        name="  Spring sale  ", type="footer", store_views=[view_a.pk], segments=[segment.pk],
        html="<p>Spring</p>", sort_order=5, is_enabled=False, actor=SYSTEM,
    )  # fmt: skip

    # then
    block.refresh_from_db()
    assert (block.name, block.type, block.is_enabled, block.sort_order) == (
        "Spring sale", "footer", False, 5,
    )  # fmt: skip
    assert (block.all_store_views, list(block.store_views.all())) == (False, [view_a])
    assert list(block.segments.all()) == [segment]


def test_every_problem_is_reported_with_its_field_and_nothing_is_saved(db):
    # when
    with pytest.raises(InvalidInput) as error:
        services.create_block(
            name=" ", type="sidebar", store_views=[], segments=[987654], sort_order=-1,
            actor=SYSTEM,
        )  # fmt: skip

    # then
    assert problems(error) == [
        ("name", "required"),
        ("type", "unknown_type"),
        ("sort_order", "invalid_sort_order"),
        ("store_views", "store_view_required"),
        ("segments", "unknown_segments"),
    ]
    assert ContentBlock.objects.count() == 0


def test_an_unknown_store_view_is_named(db):
    with pytest.raises(InvalidInput) as error:
        services.create_block(
            name="B", type="header", store_views=[987654, "nowhere"], actor=SYSTEM
        )

    assert problems(error) == [("store_views", "unknown_store_views")]
    assert error.value.problems[0].params == {"ids": "nowhere, 987654"}


def test_all_store_views_and_some_store_views_together_are_refused(view_a):
    with pytest.raises(InvalidInput) as error:
        services.create_block(
            name="B", type="header", all_store_views=True, store_views=[view_a], actor=SYSTEM
        )

    assert problems(error) == [("store_views", "all_and_some_store_views")]


def test_script_tags_and_event_attributes_are_removed_when_saved(db):
    # when
    block = make_block(
        html='<p onclick="steal()">Hi<script>alert(1)</script>'
        '<img src="x.png" onerror="steal()" alt="x"><a href="javascript:steal()">go</a></p>'
    )

    # then
    block.refresh_from_db()
    assert (
        block.html
        == '<p>Hi<img src="x.png" alt="x"><a rel="noopener noreferrer nofollow">go</a></p>'
    )


@given(
    before=st.text(max_size=30),
    event=st.sampled_from(["onclick", "onload", "onerror", "onmouseover", "ONFOCUS"]),
    after=st.text(max_size=30),
)
def test_no_script_or_event_attribute_survives_saving(db, before, event, after):
    # given
    html = f'{before}<div {event}="x()"><script>{after}</script><b {event}="y()">{after}</b></div>'

    # when
    block = make_block(html=html)

    # then
    stored = ContentBlock.objects.get(pk=block.pk).html.lower()
    assert "<script" not in stored
    assert event.lower() + "=" not in stored


def test_an_update_changes_only_the_fields_given(view_a, ada):
    # given
    segment = members_segment(ada)
    block = make_block("Old", segments=[segment], sort_order=3)

    # when
    services.update_block(
        block=block, name="New", html="<p>New <script>x</script></p>", actor=SYSTEM
    )

    # then
    block.refresh_from_db()
    assert (block.name, block.html, block.sort_order, block.type) == (
        "New", "<p>New </p>", 3, BlockType.HEADER,
    )  # fmt: skip
    assert list(block.segments.all()) == [segment]
    assert block.all_store_views is True


def test_a_refused_update_changes_nothing(view_a):
    # given
    block = make_block("Kept", store_views=[view_a])

    # when
    with pytest.raises(InvalidInput) as error:
        services.update_block(block=block, name="", store_views=[], actor=SYSTEM)

    # then
    assert problems(error) == [("name", "required"), ("store_views", "store_view_required")]
    block.refresh_from_db()
    assert (block.name, list(block.store_views.all())) == ("Kept", [view_a])


def test_turning_all_store_views_on_drops_the_chosen_views(view_a):
    # given
    block = make_block("B", store_views=[view_a])

    # when
    services.update_block(block=block, all_store_views=True, actor=SYSTEM)

    # then
    block.refresh_from_db()
    assert (block.all_store_views, list(block.store_views.all())) == (True, [])


def test_emptying_the_segments_makes_the_block_for_everyone(view_a, ada, bob):
    # given
    block = make_block("B", segments=[members_segment(ada)])

    # when
    services.update_block(block=block, segments=[], actor=SYSTEM)

    # then
    assert [
        b.name for b in services.blocks_for(placement="header", store_view=view_a, customer=bob)
    ] == ["B"]


def test_a_deleted_block_is_gone(view_a, django_capture_on_commit_callbacks):
    # given
    block = make_block("B")

    # when
    with django_capture_on_commit_callbacks() as callbacks:
        services.delete_block(block=block, actor=SYSTEM)

    # then
    assert ContentBlock.objects.count() == 0
    assert services.blocks_for(placement="header", store_view=view_a) == []
    assert len(callbacks) == 2  # the event's dispatch and the cache's second drop
    with pytest.raises(NotFound) as error:
        services.get_block(block.pk)
    assert error.value.code == "block_not_found"


def test_changes_announce_the_content_block_changed_event(db, django_capture_on_commit_callbacks):
    from patron.core import events

    seen = []
    events.subscribe("contentBlockChanged", dispatch_uid="test-blocks")(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            block = make_block("B")
            services.update_block(block=block, is_enabled=False, actor=SYSTEM)
    finally:
        events.unsubscribe("contentBlockChanged", dispatch_uid="test-blocks")

    assert [(e.payload["block_id"], e.payload["change"]) for e in seen] == [
        (block.pk, "created"), (block.pk, "updated"),
    ]  # fmt: skip
