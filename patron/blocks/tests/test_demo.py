"""The demo-data step: a block for everyone and, once the demo segments exist, one targeted at
"Demo: spent 100 or more"; running it again adds nothing."""

import random

from patron.blocks.models import ContentBlock
from patron.core.registries import demo_steps


def run(code: str):
    return demo_steps.get(code).run(random.Random(1))


def test_the_demo_blocks_are_made_once_after_the_demo_segments(db):
    # given
    run("segments.demo")

    # when
    run("blocks.demo")
    again = run("blocks.demo")

    # then
    blocks = {b.name: b for b in ContentBlock.objects.prefetch_related("segments")}
    assert sorted(blocks) == ["Demo: thank-you for loyal customers", "Demo: welcome banner"]
    assert [s.name for s in blocks["Demo: thank-you for loyal customers"].segments.all()] == [
        "Demo: spent 100 or more"
    ]
    assert list(blocks["Demo: welcome banner"].segments.all()) == []
    assert again == "0 demo dynamic blocks created"


def test_without_the_demo_segments_only_the_block_for_everyone_is_made(db):
    assert run("blocks.demo") == "1 demo dynamic blocks created"
    assert list(ContentBlock.objects.values_list("name", flat=True)) == ["Demo: welcome banner"]
