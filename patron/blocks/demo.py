"""Demo dynamic blocks: one for everyone and, when the demo segments exist, one for the members
of "Demo: spent 100 or more"."""

from patron.core.registries import DemoStep, demo_steps

TARGET_SEGMENT = "Demo: spent 100 or more"
FOR_EVERYONE = "Demo: welcome banner"
TARGETED = "Demo: thank-you for loyal customers"


def _ensure_blocks(rng) -> str:
    from patron.blocks import services
    from patron.blocks.models import BlockType, ContentBlock
    from patron.core.actors import SYSTEM
    from patron.segments.models import Segment

    created = 0
    if not ContentBlock.objects.filter(name=FOR_EVERYONE).exists():
        services.create_block(
            name=FOR_EVERYONE, type=BlockType.HEADER, all_store_views=True, sort_order=10,
            html="<p><strong>Welcome!</strong> Sign in to see your orders and store credit.</p>",
            actor=SYSTEM,
        )  # fmt: skip
        created += 1
    segment = Segment.objects.filter(name=TARGET_SEGMENT).first()
    if segment is not None and not ContentBlock.objects.filter(name=TARGETED).exists():
        services.create_block(
            name=TARGETED, type=BlockType.CONTENT, all_store_views=True, segments=[segment],
            sort_order=10, actor=SYSTEM,
            html="<p>Thank you for shopping with us: enjoy <em>free shipping</em> this month.</p>",
        )  # fmt: skip
        created += 1
    return f"{created} demo dynamic blocks created"


def register_steps() -> None:
    # After the demo segments (order 130), so the targeted block finds its segment.
    demo_steps.register(
        DemoStep(code="blocks.demo", label="Dynamic blocks", order=140, run=_ensure_blocks)
    )
