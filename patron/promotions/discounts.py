"""Which cart price rules apply to a cart and what each takes off (spec c §11.1–11.2).

Rules are taken in priority order (the lowest number first, then the oldest). For each, the
scoping (website, customer group, dates, coupon and its limits) and the conditions decide
whether it applies; its action conditions pick the items it discounts; the action computes a
discount per item, never more than what earlier rules left of the item's row total. A rule with
"Discard Subsequent Rules" ends the processing of the items it discounted. The arithmetic is
Magento's: a percentage applies to what earlier rules left, "Discount Qty Step" rounds the
discounted quantity down to a multiple of the step, "Maximum Qty" caps it, and Buy X get Y
gives Y free of every X + Y.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel.numbers import get_currency_precision
from django.utils.translation import gettext as _

from patron.promotions import trees
from patron.promotions.conditions import CartFacts, Trace
from patron.promotions.models import Action, CartPriceRule, CouponType, FreeShipping

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass
class CouponCheck:
    """What the cart's coupon code turned out to be."""

    code: str
    coupon: object = None  # the Coupon row, when the code exists
    exhausted: bool = False  # its uses per coupon are used up
    used_up_by_customer: bool = False


@dataclass
class LineResult:
    sku: str
    qty: Decimal
    price: Decimal
    row_total: Decimal
    discount: Decimal = ZERO
    rule_ids: list[int] = field(default_factory=list)
    free_shipping: bool = False
    stopped_by: int | None = None


@dataclass
class AppliedRule:
    rule: CartPriceRule
    label: str
    discount: Decimal
    shipping_discount: Decimal
    free_shipping: str


@dataclass
class Refusal:
    """Why a rule did not apply: a stable ``code``, a message, and the conditions' trace."""

    code: str
    message: str
    trace: list[Trace] = field(default_factory=list)


@dataclass
class Evaluation:
    lines: list[LineResult]
    applied: list[AppliedRule]
    shipping_discount: Decimal
    free_shipping: str
    coupon_accepted: bool
    refusals: dict[int, Refusal]

    @property
    def subtotal(self) -> Decimal:
        return sum((line.row_total for line in self.lines), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO) + self.shipping_discount


@dataclass
class _State:
    lines: list[LineResult]
    shipping_left: Decimal
    shipping_stopped_by: int | None = None
    free_shipping: str = FreeShipping.NO


def evaluate(
    cart: CartFacts,
    rules: list[CartPriceRule],
    *,
    coupon: CouponCheck | None,
    usage: dict[int, int],
    now: dt.datetime,
    labels: dict[int, str],
    trace_rule_id: int | None = None,
) -> Evaluation:
    """Apply ``rules`` (already in priority order) to ``cart``. ``usage`` maps a rule id to how
    many times the cart's customer used it (for Uses per Customer); ``labels`` a rule id to its
    label on the cart's store view. The rule ``trace_rule_id`` is fully traced when refused."""
    state = _State(
        lines=[LineResult(i.sku, i.qty, i.price, _money(i.row_total, cart)) for i in cart.items],
        shipping_left=_money_down(cart.shipping_amount, cart),
    )
    today = now.astimezone(ZoneInfo(cart.website.time_zone or "UTC")).date()
    applied: list[AppliedRule] = []
    refusals: dict[int, Refusal] = {}
    coupon_accepted = False
    for rule in rules:
        refusal = _scope_refusal(rule, cart, today, coupon, usage)
        trace: list[Trace] | None = [] if rule.pk == trace_rule_id else None
        if refusal is None and not trees.holds(rule.conditions, cart, trace=trace):
            refusal = Refusal("conditions", _("The rule's conditions are not met."), trace or [])
        if refusal is None:
            result = _apply(rule, cart, state, labels.get(rule.pk, ""))
            if isinstance(result, Refusal):
                refusal = result
            else:
                applied.append(result)
                coupon_accepted = coupon_accepted or rule.coupon_type != CouponType.NONE
        if refusal is not None:
            refusals[rule.pk] = refusal
    return Evaluation(
        lines=state.lines,
        applied=applied,
        shipping_discount=_money_down(cart.shipping_amount, cart) - state.shipping_left,
        free_shipping=state.free_shipping,
        coupon_accepted=coupon_accepted,
        refusals=refusals,
    )


# --- Scoping ----------------------------------------------------------------------------------


def _scope_refusal(rule, cart, today, coupon, usage) -> Refusal | None:
    if not rule.is_active:
        return Refusal("inactive", _("The rule is inactive."))
    if cart.website.pk not in {w.pk for w in rule.websites.all()}:
        return Refusal("website", _("The rule is not assigned to this website."))
    if cart.group_id not in {g.pk for g in rule.customer_groups.all()}:
        return Refusal("customer_group", _("The rule does not include the shopper's group."))
    if rule.from_date and today < rule.from_date:
        return Refusal("not_started", _("The rule starts on %(day)s.") % {"day": rule.from_date})
    if rule.to_date and today > rule.to_date:
        return Refusal("ended", _("The rule ended on %(day)s.") % {"day": rule.to_date})
    if rule.coupon_type != CouponType.NONE:
        refusal = _coupon_refusal(rule, coupon)
        if refusal:
            return refusal
    if (
        rule.uses_per_customer
        and cart.customer is not None
        and usage.get(rule.pk, 0) >= rule.uses_per_customer
    ):
        return Refusal(
            "customer_limit",
            _("The shopper has used this rule %(n)d times, its limit per customer.")
            % {"n": usage.get(rule.pk, 0)},
        )
    return None


def _coupon_refusal(rule, coupon: CouponCheck | None) -> Refusal | None:
    if coupon is None or not coupon.code:
        return Refusal("coupon_missing", _("The rule needs a coupon code and the cart has none."))
    if coupon.coupon is None or coupon.coupon.rule_id != rule.pk:
        return Refusal("coupon_other", _("The cart's coupon code is not one of this rule's."))
    if coupon.exhausted:
        return Refusal("coupon_limit", _("The coupon code has been used as often as allowed."))
    if coupon.used_up_by_customer:
        return Refusal(
            "coupon_customer_limit",
            _("The shopper has used this coupon code as often as allowed per customer."),
        )
    return None


# --- Actions ----------------------------------------------------------------------------------


def _apply(rule, cart, state: _State, label: str) -> AppliedRule | Refusal:
    indexes = [
        i
        for i, (line, item) in enumerate(zip(state.lines, cart.items, strict=True))
        if line.stopped_by is None and trees.holds(rule.action_conditions, cart, item)
    ]
    if not indexes:
        stopped = {line.stopped_by for line in state.lines if line.stopped_by is not None}
        if stopped:
            return Refusal(
                "discarded",
                _("Rule %(ids)s discarded the rules after it for the matching items.")
                % {"ids": ", ".join(str(i) for i in sorted(stopped))},
            )
        return Refusal("no_items", _("No cart item matches the rule's action conditions."))
    amounts = _item_discounts(rule, cart, state, indexes)
    for i, amount in amounts.items():
        line = state.lines[i]
        line.discount += amount
        line.rule_ids.append(rule.pk)
    shipping = _shipping_discount(rule, cart, state, sum(amounts.values(), ZERO))
    state.shipping_left -= shipping
    if rule.free_shipping == FreeShipping.MATCHING_ITEMS:
        for i in indexes:
            state.lines[i].free_shipping = True
        if state.free_shipping == FreeShipping.NO:
            state.free_shipping = FreeShipping.MATCHING_ITEMS
    elif rule.free_shipping == FreeShipping.SHIPMENT:
        state.free_shipping = FreeShipping.SHIPMENT
    if rule.discard_subsequent_rules:
        for i in indexes:
            state.lines[i].stopped_by = rule.pk
        if rule.apply_to_shipping:
            state.shipping_stopped_by = rule.pk
    return AppliedRule(
        rule=rule, label=label, discount=sum(amounts.values(), ZERO),
        shipping_discount=shipping, free_shipping=rule.free_shipping,
    )  # fmt: skip


def _discounted_qty(rule, qty: Decimal) -> Decimal:
    if rule.max_qty:
        qty = min(qty, rule.max_qty)
    if rule.discount_step and rule.action in (Action.BY_PERCENT, Action.BY_FIXED):
        qty = (qty / rule.discount_step).to_integral_value(ROUND_DOWN) * rule.discount_step
    return qty


def _item_discounts(rule, cart, state: _State, indexes: list[int]) -> dict[int, Decimal]:
    if rule.action == Action.CART_FIXED:
        return _spread(rule.discount_amount, cart, state, indexes)
    amounts = {}
    for i in indexes:
        line = state.lines[i]
        left = line.row_total - line.discount
        qty = _discounted_qty(rule, line.qty)
        if rule.action == Action.BY_PERCENT:
            share = min(rule.discount_amount, HUNDRED) / HUNDRED
            wanted = (qty * line.price - line.discount) * share
        elif rule.action == Action.BY_FIXED:
            wanted = qty * rule.discount_amount
        else:
            wanted = _free_qty(rule, qty) * line.price
        amounts[i] = _money(max(ZERO, min(wanted, left)), cart)
    return amounts


def _free_qty(rule, qty: Decimal) -> Decimal:
    """Buy X get Y: of every X + Y units, Y are free; a last incomplete period gives the units
    beyond X."""
    x, y = Decimal(rule.discount_step), rule.discount_amount.to_integral_value(ROUND_DOWN)
    if x < 1 or y < 1:
        return ZERO
    periods = (qty / (x + y)).to_integral_value(ROUND_DOWN)
    rest = qty - periods * (x + y)
    return periods * y + max(ZERO, rest - x)


def _spread(amount: Decimal, cart, state: _State, indexes: list[int]) -> dict[int, Decimal]:
    """A fixed amount for the whole cart, shared among the items in proportion to what is left
    of their row totals: each share rounded down to the currency's unit, then the units still
    to give go one by one to the largest remainders, so the shares add up to the amount exactly
    and none exceeds what is left of its item."""
    lefts = {i: state.lines[i].row_total - state.lines[i].discount for i in indexes}
    base = sum(lefts.values(), ZERO)
    total = _money_down(min(amount, base), cart)
    if not base or not total:
        return dict.fromkeys(indexes, ZERO)
    exact = {i: total * lefts[i] / base for i in indexes}
    amounts = {i: min(_money_down(exact[i], cart), lefts[i]) for i in indexes}
    unit = _unit(cart)
    # In a tie the later item comes first, so equal rows leave the extra unit to the last one.
    by_remainder = sorted(indexes, key=lambda i: (exact[i] - amounts[i], i), reverse=True)
    short = total - sum(amounts.values(), ZERO)
    while short >= unit:
        given = False
        for i in by_remainder:
            if short >= unit and amounts[i] + unit <= lefts[i]:
                amounts[i] += unit
                short -= unit
                given = True
        if not given:
            break
    return amounts


def _shipping_discount(rule, cart, state: _State, items_discount: Decimal) -> Decimal:
    if not rule.apply_to_shipping or state.shipping_stopped_by is not None:
        return ZERO
    left = state.shipping_left
    if rule.action == Action.BY_PERCENT:
        wanted = left * min(rule.discount_amount, HUNDRED) / HUNDRED
    elif rule.action == Action.BY_FIXED:
        wanted = rule.discount_amount
    elif rule.action == Action.CART_FIXED:
        wanted = rule.discount_amount - items_discount
    else:
        wanted = ZERO
    return _money(max(ZERO, min(wanted, left)), cart)


def _unit(cart: CartFacts) -> Decimal:
    return Decimal(1).scaleb(-get_currency_precision(cart.currency))


def _money(amount: Decimal, cart: CartFacts) -> Decimal:
    return amount.quantize(_unit(cart), rounding=ROUND_HALF_UP)


def _money_down(amount: Decimal, cart: CartFacts) -> Decimal:
    return amount.quantize(_unit(cart), rounding=ROUND_DOWN)
