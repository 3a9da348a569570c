"""Demo segments, so a fresh ``make demo`` shows the engine at work."""

from patron.core.registries import DemoStep, demo_steps

DEMO_SEGMENTS = (
    (
        "Demo: women with an address",
        "registered",
        {"type": "combine", "aggregator": "all", "value": True, "conditions": [
            {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": 2},
            {"type": "customer_address", "aggregator": "all", "conditions": []},
        ]},
    ),
    (
        "Demo: spent 100 or more",
        "registered",
        {"type": "combine", "aggregator": "all", "value": True, "conditions": [
            {"type": "sales_amount", "function": "total", "operator": "gte", "value": "100",
             "aggregator": "all", "conditions": []},
        ]},
    ),
    (
        "Demo: cart of 50 or more",
        "both",
        {"type": "combine", "aggregator": "all", "value": True, "conditions": [
            {"type": "cart_total", "field": "subtotal", "operator": "gte", "value": "50"},
        ]},
    ),
)  # fmt: skip


def _ensure_segments(rng) -> str:
    from patron.core.actors import SYSTEM
    from patron.scopes.models import Website
    from patron.segments import services
    from patron.segments.models import Segment

    websites = list(Website.objects.all())
    created = 0
    for name, apply_to, tree in DEMO_SEGMENTS:
        if Segment.objects.filter(name=name).exists():
            continue
        segment = services.create_segment(
            name=name, websites=websites, apply_to=apply_to, conditions=tree, actor=SYSTEM
        )
        services.refresh_segment(segment=segment)
        created += 1
    return f"{created} demo segments created"


def register_steps() -> None:
    demo_steps.register(
        DemoStep(code="segments.demo", label="Customer segments", order=130, run=_ensure_segments)
    )
