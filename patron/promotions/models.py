from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 4}


def empty_tree() -> dict:
    return {"type": "cart_rule.combine", "aggregator": "all", "value": True, "conditions": []}


class CouponType(models.TextChoices):
    NONE = "none", _("No Coupon")
    SPECIFIC = "specific", _("Specific Coupon")
    AUTO = "auto", _("Auto")


class Action(models.TextChoices):
    BY_PERCENT = "by_percent", _("Percent of product price discount")
    BY_FIXED = "by_fixed", _("Fixed amount discount")
    CART_FIXED = "cart_fixed", _("Fixed amount discount for whole cart")
    BUY_X_GET_Y = "buy_x_get_y", _("Buy X get Y free (discount amount is Y)")


class FreeShipping(models.TextChoices):
    NO = "no", _("No")
    MATCHING_ITEMS = "items", _("For matching items only")
    SHIPMENT = "shipment", _("For shipment with matching items")


class CartPriceRule(models.Model):
    """A discount the shop's checkout applies to a cart when the rule's scoping (websites,
    customer groups, dates, coupon) and its conditions hold (spec c §11.2).

    ``conditions`` is a tree over the cart; ``action_conditions`` a tree over one cart item that
    picks the items the discount applies to (empty: every item)."""

    name = models.CharField(_("rule name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    websites = models.ManyToManyField(
        "scopes.Website", related_name="cart_price_rules", verbose_name=_("websites")
    )
    customer_groups = models.ManyToManyField(
        "customers.CustomerGroup", related_name="cart_price_rules",
        verbose_name=_("customer groups"),
    )  # fmt: skip
    coupon_type = models.CharField(
        _("coupon"), max_length=16, choices=CouponType.choices, default=CouponType.NONE
    )
    uses_per_coupon = models.PositiveIntegerField(_("uses per coupon"), null=True, blank=True)
    uses_per_customer = models.PositiveIntegerField(_("uses per customer"), null=True, blank=True)
    from_date = models.DateField(_("from"), null=True, blank=True)
    to_date = models.DateField(_("to"), null=True, blank=True)
    priority = models.PositiveIntegerField(_("priority"), default=0)
    conditions = models.JSONField(_("conditions"), default=empty_tree)
    action_conditions = models.JSONField(_("apply the rule only to cart items"), default=empty_tree)
    action = models.CharField(
        _("apply"), max_length=16, choices=Action.choices, default=Action.BY_PERCENT
    )
    discount_amount = models.DecimalField(_("discount amount"), **MONEY)
    max_qty = models.DecimalField(
        _("maximum qty discount is applied to"), max_digits=12, decimal_places=4,
        null=True, blank=True,
    )  # fmt: skip
    discount_step = models.PositiveIntegerField(_("discount qty step (buy X)"), default=0)
    apply_to_shipping = models.BooleanField(_("apply to shipping amount"), default=False)
    discard_subsequent_rules = models.BooleanField(_("discard subsequent rules"), default=False)
    free_shipping = models.CharField(
        _("free shipping"), max_length=16, choices=FreeShipping.choices, default=FreeShipping.NO
    )
    default_label = models.CharField(
        _("default rule label for all store views"), max_length=255, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart price rule")
        verbose_name_plural = _("cart price rules")
        ordering = ["priority", "pk"]
        indexes = [models.Index(fields=["is_active", "priority"], name="promo_rule_active_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discount_amount__gte=0), name="promo_rule_discount_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(from_date__isnull=True)
                | models.Q(to_date__isnull=True)
                | models.Q(from_date__lte=models.F("to_date")),
                name="promo_rule_from_lte_to",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleLabel(models.Model):
    """The rule's label on one store view, shown as "Discount (label)"."""

    rule = models.ForeignKey(CartPriceRule, on_delete=models.CASCADE, related_name="labels")
    store_view = models.ForeignKey("scopes.StoreView", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("label"), max_length=255)

    class Meta:
        verbose_name = _("rule label")
        verbose_name_plural = _("rule labels")
        constraints = [
            models.UniqueConstraint(fields=["rule", "store_view"], name="promo_label_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Coupon(models.Model):
    """A code that unlocks a coupon rule: the rule's specific code (``is_primary``) or one of
    its generated codes. Codes are unique without regard to case, as shoppers type them."""

    rule = models.ForeignKey(CartPriceRule, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(_("coupon code"), max_length=64)
    is_primary = models.BooleanField(_("specific code"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="promo_coupon_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code


class RuleUsage(models.Model):
    """One order's use of a rule (and of its coupon), kept in step with the orders the shop
    records: the limits per coupon and per customer count these rows."""

    rule = models.ForeignKey(CartPriceRule, on_delete=models.CASCADE, related_name="usages")
    coupon = models.ForeignKey(
        Coupon, on_delete=models.CASCADE, null=True, blank=True, related_name="usages"
    )
    order = models.ForeignKey("sales.Order", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    used_at = models.DateTimeField(_("used at"))

    class Meta:
        verbose_name = _("rule usage")
        verbose_name_plural = _("rule usages")
        constraints = [
            models.UniqueConstraint(fields=["rule", "order"], name="promo_usage_once_per_order")
        ]
        indexes = [
            models.Index(fields=["rule", "customer"], name="promo_usage_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} / {self.order_id}"
