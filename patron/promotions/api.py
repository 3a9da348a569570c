"""Cart price rules for integrations and shops (spec c §11.2, §6): definitions, coupon codes, the
condition catalogue, and the evaluation a checkout asks for.

Permissions are the model permissions `promotions.view_cartpricerule` (also to evaluate a
cart), `add_cartpricerule`, `change_cartpricerule` (also for coupon codes) and
`delete_cartpricerule`. A website-limited caller sees the rules assigned to one of its
websites, changes only rules whose websites are all its own, and evaluates carts only on its
websites.
"""

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from patron.audiences.services import header_value, request_audience_ids
from patron.core.api import ERRORS, Principal, require_permission, staff_auth, store_view_of
from patron.core.errors import Forbidden, NotFound
from patron.promotions import selectors, services
from patron.promotions.conditions import ITEM, ROOT, catalogue
from patron.promotions.models import CartPriceRule
from patron.promotions.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    AppliedOut,
    CartLineOut,
    ConditionTraceOut,
    CouponDeleteIn,
    CouponOut,
    CouponPageOut,
    CouponResultOut,
    CouponsDeletedOut,
    EvaluateIn,
    EvaluationOut,
    GeneratedOut,
    GenerateIn,
    RuleExplanationOut,
    RuleIn,
    RuleOut,
    RulePageOut,
    RulePatch,
)
from patron.segments.api import chosen_websites, website_by_ref

router = Router(tags=["Cart price rules"], auth=staff_auth)

VIEW = "promotions.view_cartpricerule"
ADD = "promotions.add_cartpricerule"
CHANGE = "promotions.change_cartpricerule"
DELETE = "promotions.delete_cartpricerule"


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    return (page - 1) * page_size, page * page_size


def _visible_rule(principal: Principal, rule_id: int) -> CartPriceRule:
    rule = selectors.rules(website_ids=principal.website_ids).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(
            _("There is no cart price rule %(id)s.") % {"id": rule_id}, code="rule_not_found"
        )
    return rule


def _writable_rule(principal: Principal, rule_id: int) -> CartPriceRule:
    rule = _visible_rule(principal, rule_id)
    if any(not principal.can_see_website(w.pk) for w in rule.websites.all()):
        raise Forbidden(
            _("This rule is also assigned to websites you may not manage."),
            code="website_not_allowed",
        )
    return rule


def _out(rule: CartPriceRule) -> RuleOut:
    values = services.current_values(rule)
    websites = sorted(rule.websites.all(), key=lambda w: w.pk)
    return RuleOut(
        **{k: v for k, v in values.items() if k not in ("websites", "customer_groups")},
        id=rule.pk, websites=[w.code for w in websites], website_ids=[w.pk for w in websites],
        customer_groups=sorted(values["customer_groups"]),
        times_used=selectors.times_used(rule), created_at=rule.created_at,
        updated_at=rule.updated_at,
    )  # fmt: skip


@router.get("/cart-rules", response={200: RulePageOut, **ERRORS}, url_name="cart-rules")
def list_rules(
    request,
    website: str | None = Query(None, description="Only rules of this website (id or code)."),
    is_active: bool | None = None,
    coupon_code: str = Query("", description="Only the rule this code belongs to."),
    name: str = Query("", description="Rule names containing this text."),
    page: int = 1,
    page_size: int = Query(DEFAULT_PAGE_SIZE, description="1 to 200."),
):
    """List the rules the caller may see, in priority order."""
    principal = require_permission(request, VIEW)
    rules = selectors.rules(
        website_ids=principal.website_ids,
        website_id=website_by_ref(principal, website).pk if website else None,
        is_active=is_active, coupon_code=coupon_code, name=name,
    )  # fmt: skip
    start, end = _page_bounds(page, page_size)
    return RulePageOut(
        results=[_out(rule) for rule in rules[start:end]],
        count=rules.count(), page=page, page_size=page_size,
    )  # fmt: skip


@router.post("/cart-rules", response={201: RuleOut, **ERRORS}, url_name="cart-rule-create")
def create_rule(request, payload: RuleIn):
    """Create a rule. Every problem is answered at once, each at its field or condition path."""
    principal = require_permission(request, ADD)
    values = payload.dict()
    values["websites"] = chosen_websites(principal, payload.websites)
    values["labels"] = payload.labels
    rule = services.save_rule(actor=principal.actor, **values)
    return Status(201, _out(rule))


@router.get(
    "/cart-rules/condition-types", response={200: list[dict], **ERRORS}, url_name="cart-rule-types"
)
def condition_types(request, scope: str = Query(ROOT, description="`root` or `item`.")):
    """The condition types a builder offers at the cart level (`root`) or for one cart item
    (`item`: product containers' children and the action conditions), with their fields."""
    require_permission(request, VIEW)
    return catalogue(ITEM if scope == ITEM else ROOT)


@router.get("/cart-rules/{int:rule_id}", response={200: RuleOut, **ERRORS}, url_name="cart-rule")
def get_rule(request, rule_id: int):
    principal = require_permission(request, VIEW)
    return _out(_visible_rule(principal, rule_id))


@router.patch(
    "/cart-rules/{int:rule_id}", response={200: RuleOut, **ERRORS}, url_name="cart-rule-update"
)
def update_rule(request, rule_id: int, payload: RulePatch):
    """Change the fields sent (a null `conditions` clears the conditions)."""
    principal = require_permission(request, CHANGE)
    rule = _writable_rule(principal, rule_id)
    changes: dict[str, Any] = {
        k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None
    }
    for nullable in ("conditions", "action_conditions", "uses_per_coupon", "uses_per_customer",
                     "from_date", "to_date", "max_qty"):  # fmt: skip
        if nullable in payload.model_fields_set:
            changes[nullable] = getattr(payload, nullable)
    if "websites" in changes:
        changes["websites"] = chosen_websites(principal, changes["websites"])
    return _out(services.save_rule(actor=principal.actor, rule=rule, **changes))


@router.delete(
    "/cart-rules/{int:rule_id}", response={204: None, **ERRORS}, url_name="cart-rule-delete"
)
def delete_rule(request, rule_id: int):
    """Delete a rule with its coupon codes; recorded orders keep the rule ids they applied."""
    principal = require_permission(request, DELETE)
    services.delete_rule(rule=_writable_rule(principal, rule_id), actor=principal.actor)
    return Status(204, None)


# --- Coupon codes -------------------------------------------------------------------------------


@router.get(
    "/cart-rules/{int:rule_id}/coupons",
    response={200: CouponPageOut, **ERRORS},
    url_name="cart-rule-coupons",
)
def list_coupons(request, rule_id: int, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE):
    """The rule's codes (the specific code and the generated ones) with how often each was
    used."""
    principal = require_permission(request, VIEW)
    rule = _visible_rule(principal, rule_id)
    coupons = rule.coupons.annotate(used=Count("usages")).order_by("pk")
    start, end = _page_bounds(page, page_size)
    return CouponPageOut(
        results=[
            CouponOut(id=c.pk, code=c.code, is_primary=c.is_primary, times_used=c.used,
                      created_at=c.created_at)
            for c in coupons[start:end]
        ],
        count=coupons.count(), page=page, page_size=page_size,
    )  # fmt: skip


@router.post(
    "/cart-rules/{int:rule_id}/coupons/generate",
    response={201: GeneratedOut, **ERRORS},
    url_name="cart-rule-generate",
)
def generate(request, rule_id: int, payload: GenerateIn):
    """Manage Coupon Codes > Generate: add random codes to a rule with the Auto coupon."""
    principal = require_permission(request, CHANGE)
    rule = _writable_rule(principal, rule_id)
    codes = services.generate_coupons(rule=rule, actor=principal.actor, **payload.dict())
    return Status(201, GeneratedOut(created=len(codes), codes=codes))


@router.post(
    "/cart-rules/{int:rule_id}/coupons/delete",
    response={200: CouponsDeletedOut, **ERRORS},
    url_name="cart-rule-coupons-delete",
)
def delete_coupons(request, rule_id: int, payload: CouponDeleteIn):
    """Delete generated codes (the specific code changes with the rule)."""
    principal = require_permission(request, CHANGE)
    rule = _writable_rule(principal, rule_id)
    deleted = services.delete_coupons(rule=rule, coupon_ids=payload.ids, actor=principal.actor)
    return CouponsDeletedOut(deleted=deleted)


# --- Evaluation ---------------------------------------------------------------------------------


@router.post(
    "/cart-rules/evaluate", response={200: EvaluationOut, **ERRORS}, url_name="cart-rules-evaluate"
)
def evaluate(request, payload: EvaluateIn):
    """Which rules apply to a cart, in priority order, with the discount of each item and in
    total, free shipping, the labels to show on the store view of the `X-Patron-Store` header,
    and what became of the coupon code. The shopper's audiences come from their stored
    memberships and from the signed list in the audience header (or `audience_membership`). With `explain_rule_id`, also why that rule did or did
    not apply (each condition with its truth and the value compared). Nothing is recorded:
    coupon uses are counted when the order arrives (`coupon_code`, `applied_rule_ids`)."""
    principal = require_permission(request, VIEW)
    store_view = store_view_of(request)
    if not principal.can_see_website(store_view.store.website_id):
        raise Forbidden(_("You may not use rules of this website."), code="website_not_allowed")
    evaluation, cart, coupon, explained = services.evaluate_cart(
        store_view=store_view,
        items=[item.dict() for item in payload.items],
        customer_id=payload.customer_id, visitor_id=payload.visitor_id,
        shipping_address=payload.shipping_address.dict() if payload.shipping_address else None,
        shipping_method=payload.shipping_method, payment_method=payload.payment_method,
        shipping_amount=payload.shipping_amount, subtotal_incl_tax=payload.subtotal_incl_tax,
        currency=payload.currency, coupon_code=payload.coupon_code,
        explain_rule_id=payload.explain_rule_id,
        audience_ids=request_audience_ids(payload.audience_membership or header_value(request)),
    )  # fmt: skip
    return EvaluationOut(
        currency=cart.currency,
        applied_rules=[
            AppliedOut(rule_id=a.rule.pk, name=a.rule.name, label=a.label, discount=a.discount,
                       shipping_discount=a.shipping_discount, free_shipping=a.free_shipping)
            for a in evaluation.applied
        ],
        applied_rule_ids=[a.rule.pk for a in evaluation.applied],
        labels=[a.label for a in evaluation.applied if a.label],
        items=[CartLineOut(**{k: getattr(line, k) for k in CartLineOut.model_fields})
               for line in evaluation.lines],
        subtotal=evaluation.subtotal, discount_total=evaluation.discount_total,
        shipping_discount=evaluation.shipping_discount, free_shipping=evaluation.free_shipping,
        coupon=_coupon_result(evaluation, coupon) if coupon.code else None,
        explanation=_explanation(evaluation, explained) if explained else None,
    )  # fmt: skip


def _coupon_result(evaluation, coupon) -> CouponResultOut:
    if evaluation.coupon_accepted:
        return CouponResultOut(code=coupon.code, accepted=True, message="")
    message = _("The coupon code isn't valid. Verify the code and try again.")
    if coupon.coupon is not None:
        refusal = evaluation.refusals.get(coupon.coupon.rule_id)
        if refusal is not None:
            message = refusal.message
    return CouponResultOut(code=coupon.code, accepted=False, message=message)


def _explanation(evaluation, rule) -> RuleExplanationOut:
    refusal = evaluation.refusals.get(rule.pk)
    if refusal is None:
        return RuleExplanationOut(rule_id=rule.pk, applied=True)
    return RuleExplanationOut(
        rule_id=rule.pk, applied=False, code=refusal.code, message=refusal.message,
        conditions=[
            ConditionTraceOut(path=t.path, condition=t.text, result=t.result, actual=t.actual)
            for t in refusal.trace
        ],
    )  # fmt: skip
