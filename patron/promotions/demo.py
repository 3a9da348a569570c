"""Demo cart price rules, so a fresh ``make demo`` answers evaluations with something."""

from patron.core.registries import DemoStep, demo_steps

COMBINE = "cart_rule.combine"


def _tree(*conditions) -> dict:
    return {"type": COMBINE, "aggregator": "all", "value": True, "conditions": list(conditions)}


def _demo_rules() -> list[dict]:
    from patron.segments.models import Segment

    rules = [
        {
            "name": "Demo: 10% off carts of 100 or more",
            "customer_groups": [0, 1, 2, 3],
            "conditions": _tree({"type": "cart_rule.cart_attribute", "attribute": "subtotal",
                                 "operator": "gte", "value": "100"}),
            "action": "by_percent", "discount_amount": "10", "default_label": "10% off",
        },
        {
            "name": "Demo: 5 off with code WELCOME5",
            "customer_groups": [0, 1], "coupon_type": "specific", "coupon_code": "WELCOME5",
            "uses_per_customer": 1, "action": "cart_fixed", "discount_amount": "5",
            "default_label": "Welcome",
        },
    ]  # fmt: skip
    big_carts = Segment.objects.filter(name="Demo: cart of 50 or more").first()
    if big_carts is not None:
        rules.append({
            "name": "Demo: free shipping for the big-cart segment",
            "customer_groups": [0, 1, 2, 3],
            "conditions": _tree({"type": "cart_rule.customer_segment", "operator": "matches",
                                 "value": [big_carts.pk]}),
            "action": "by_percent", "discount_amount": "0", "free_shipping": "shipment",
            "default_label": "Free shipping", "priority": 5,
        })  # fmt: skip
    return rules


def _ensure_rules(rng) -> str:
    from patron.core.actors import SYSTEM
    from patron.customers.models import CustomerGroup
    from patron.promotions import services
    from patron.promotions.models import CartPriceRule
    from patron.scopes.models import Website

    websites = list(Website.objects.all())
    groups = set(CustomerGroup.objects.values_list("pk", flat=True))
    created = 0
    for definition in _demo_rules():
        if CartPriceRule.objects.filter(name=definition["name"]).exists():
            continue
        definition["customer_groups"] = [g for g in definition["customer_groups"] if g in groups]
        services.save_rule(actor=SYSTEM, websites=websites, **definition)
        created += 1
    return f"{created} demo cart price rules created"


def register_steps() -> None:
    demo_steps.register(
        DemoStep(code="promotions.demo", label="Cart price rules", order=140, run=_ensure_rules)
    )
