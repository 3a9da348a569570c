"""Reads of cart price rules that the API and the back office share."""

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from patron.promotions.models import CartPriceRule, RuleUsage


def rules(
    *,
    website_ids: list[int] | None = None,
    website_id: int | None = None,
    is_active: bool | None = None,
    coupon_code: str = "",
    name: str = "",
) -> QuerySet[CartPriceRule]:
    """Rules in priority order; ``website_ids`` (a limited caller's) keeps those assigned to one
    of them."""
    found = CartPriceRule.objects.all()
    if website_ids is not None:
        found = found.filter(websites__in=website_ids)
    if website_id is not None:
        found = found.filter(websites=website_id)
    if is_active is not None:
        found = found.filter(is_active=is_active)
    if coupon_code.strip():
        found = found.filter(
            pk__in=CartPriceRule.coupons.rel.related_model.objects.annotate(lower=Lower("code"))
            .filter(lower=coupon_code.strip().lower())
            .values("rule_id")
        )
    if name.strip():
        found = found.filter(Q(name__icontains=name.strip()))
    return (
        found.distinct()
        .prefetch_related("websites", "customer_groups", "labels")
        .order_by("priority", "pk")
    )


def times_used(rule: CartPriceRule) -> int:
    """How many recorded orders applied the rule."""
    return RuleUsage.objects.filter(rule=rule).count()
