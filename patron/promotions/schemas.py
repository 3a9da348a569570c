"""The shapes of the cart price rules API: definitions in and out, coupon codes, and the
evaluation a shop's checkout asks for. Each carries an example for the OpenAPI document."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from patron.promotions.models import Action, CouponType, FreeShipping

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

EXAMPLE_CONDITIONS: dict[str, Any] = {
    "type": "cart_rule.combine",
    "aggregator": "all",
    "value": True,
    "conditions": [
        {"type": "cart_rule.cart_attribute", "attribute": "subtotal", "operator": "gte",
         "value": "100"},
        {"type": "cart_rule.customer_segment", "operator": "matches", "value": [3]},
    ],
}  # fmt: skip
EXAMPLE_ACTION_CONDITIONS: dict[str, Any] = {
    "type": "cart_rule.combine",
    "aggregator": "all",
    "value": True,
    "conditions": [
        {"type": "cart_rule.product_attribute", "attribute": "category", "operator": "is",
         "value": "shoes"},
    ],
}  # fmt: skip
EXAMPLE_RULE_IN: dict[str, Any] = {
    "name": "10% off shoes for loyal customers",
    "description": "Spring campaign.",
    "is_active": True,
    "websites": ["base"],
    "customer_groups": [1, 2],
    "coupon_type": "specific",
    "coupon_code": "SPRING10",
    "uses_per_coupon": 1000,
    "uses_per_customer": 1,
    "from_date": "2026-03-01",
    "to_date": "2026-05-31",
    "priority": 1,
    "conditions": EXAMPLE_CONDITIONS,
    "action_conditions": EXAMPLE_ACTION_CONDITIONS,
    "action": "by_percent",
    "discount_amount": "10",
    "discard_subsequent_rules": True,
    "free_shipping": "no",
    "default_label": "Spring sale",
    "labels": {"2": "Frühlingsrabatt"},
}
CONDITIONS_HELP = (
    "A condition tree whose root is a `cart_rule.combine` node. `GET /api/v1/cart-rules/"
    "condition-types` lists the types, their parameters and where each may stand. Problems are "
    "answered at their path, e.g. `conditions.conditions[1].value`."
)


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class RuleIn(Schema):
    """A whole definition: the body of `POST /cart-rules` (and, partly, of `PATCH`)."""

    model_config = _examples(EXAMPLE_RULE_IN)

    name: str = Field(..., description="Rule Name (at most 255 characters).")
    description: str = ""
    is_active: bool = True
    websites: list[int | str] = Field(..., description="Website ids or codes; at least one.")
    customer_groups: list[int] = Field(
        ..., description="Customer group ids; 0 is NOT LOGGED IN (guests). At least one."
    )
    coupon_type: CouponType = CouponType.NONE
    coupon_code: str = Field("", description="The code of a `specific` coupon rule.")
    uses_per_coupon: int | None = Field(None, ge=0, description="Blank or 0: unlimited.")
    uses_per_customer: int | None = Field(
        None, ge=0, description="Registered customers only; blank or 0: unlimited."
    )
    from_date: dt.date | None = Field(None, description="First day, in the website's time zone.")
    to_date: dt.date | None = Field(None, description="Last day, in the website's time zone.")
    priority: int = Field(0, ge=0, description="Rules are applied from the lowest number.")
    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)
    action_conditions: dict[str, Any] | None = Field(
        None,
        description="Apply the rule only to cart items matching this tree of item conditions "
        "(`cart_rule.item_attribute`, `cart_rule.product_attribute`); empty: every item.",
    )
    action: Action = Action.BY_PERCENT
    discount_amount: Decimal = Field(
        ..., ge=0, description="Percent, amount, or Y (free units) for `buy_x_get_y`."
    )
    max_qty: Decimal | None = Field(None, ge=0, description="Maximum Qty Discount is Applied To.")
    discount_step: int = Field(0, ge=0, description="Discount Qty Step; X for `buy_x_get_y`.")
    apply_to_shipping: bool = False
    discard_subsequent_rules: bool = False
    free_shipping: FreeShipping = FreeShipping.NO
    default_label: str = ""
    labels: dict[int, str] = Field(default_factory=dict, description="Store view id → label.")


class RulePatch(Schema):
    """Only the fields sent change."""

    model_config = _examples({"is_active": False}, {"priority": 5, "to_date": "2026-06-30"})

    name: str | None = None
    description: str | None = None
    is_active: bool | None = None
    websites: list[int | str] | None = None
    customer_groups: list[int] | None = None
    coupon_type: CouponType | None = None
    coupon_code: str | None = None
    uses_per_coupon: int | None = Field(None, ge=0)
    uses_per_customer: int | None = Field(None, ge=0)
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    priority: int | None = Field(None, ge=0)
    conditions: dict[str, Any] | None = None
    action_conditions: dict[str, Any] | None = None
    action: Action | None = None
    discount_amount: Decimal | None = Field(None, ge=0)
    max_qty: Decimal | None = Field(None, ge=0)
    discount_step: int | None = Field(None, ge=0)
    apply_to_shipping: bool | None = None
    discard_subsequent_rules: bool | None = None
    free_shipping: FreeShipping | None = None
    default_label: str | None = None
    labels: dict[int, str] | None = None


class RuleOut(Schema):
    id: int
    name: str
    description: str
    is_active: bool
    websites: list[str]
    website_ids: list[int]
    customer_groups: list[int]
    coupon_type: str
    coupon_code: str
    uses_per_coupon: int | None
    uses_per_customer: int | None
    from_date: dt.date | None
    to_date: dt.date | None
    priority: int
    conditions: dict[str, Any]
    action_conditions: dict[str, Any]
    action: str
    discount_amount: Decimal
    max_qty: Decimal | None
    discount_step: int
    apply_to_shipping: bool
    discard_subsequent_rules: bool
    free_shipping: str
    default_label: str
    labels: dict[int, str]
    times_used: int
    created_at: dt.datetime
    updated_at: dt.datetime


class RulePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[RuleOut]


class GenerateIn(Schema):
    model_config = _examples({"quantity": 100, "length": 10, "prefix": "SPR-", "dash_every": 5})

    quantity: int = Field(..., ge=1, description="How many codes (at most 100,000).")
    length: int = Field(12, description="Characters of the random part (4–32).")
    format: str = Field("alphanumeric", description="`alphanumeric`, `alphabetical`, `numeric`.")
    prefix: str = ""
    suffix: str = ""
    dash_every: int = Field(0, ge=0, description="Put a dash every N characters; 0: none.")


class GeneratedOut(Schema):
    created: int
    codes: list[str]


class CouponOut(Schema):
    id: int
    code: str
    is_primary: bool
    times_used: int
    created_at: dt.datetime


class CouponPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[CouponOut]


class CouponDeleteIn(Schema):
    ids: list[int]


class CouponsDeletedOut(Schema):
    deleted: int


# --- Evaluation -------------------------------------------------------------------------------

EXAMPLE_EVALUATE_IN: dict[str, Any] = {
    "customer_id": 42,
    "items": [
        {"sku": "SHOE-RED-42", "qty": 2, "price": "59.90"},
        {"sku": "SOCKS-3", "qty": 1},
    ],
    "shipping_address": {"country_id": "DE", "region": "Berlin", "postcode": "10115"},
    "shipping_method": "flatrate_flatrate",
    "shipping_amount": "4.90",
    "coupon_code": "SPRING10",
}
EXAMPLE_GUEST_IN: dict[str, Any] = {
    "visitor_id": "v-5c1d2e",
    "items": [{"sku": "SHOE-RED-42", "qty": 1}],
    "explain_rule_id": 7,
}


class CartItemIn(Schema):
    sku: str
    qty: Decimal = Field(..., description="Quantity in the cart (above 0).")
    price: Decimal | None = Field(
        None, description="Unit price in the cart; the catalogue price when left out."
    )


class CartAddressIn(Schema):
    country_id: str = ""
    region: str = ""
    region_code: str = ""
    postcode: str = ""


class EvaluateIn(Schema):
    """A cart as the checkout has it. The store view comes from the `X-Patron-Store` header."""

    model_config = _examples(EXAMPLE_EVALUATE_IN, EXAMPLE_GUEST_IN)

    customer_id: int | None = Field(None, description="A registered shopper (their group).")
    visitor_id: str = Field("", description="A guest (their segment memberships).")
    items: list[CartItemIn]
    shipping_address: CartAddressIn | None = None
    shipping_method: str = ""
    payment_method: str = ""
    shipping_amount: Decimal = Decimal(0)
    subtotal_incl_tax: Decimal | None = None
    currency: str = Field("", description="ISO 4217; the website's base currency if blank.")
    coupon_code: str = ""
    explain_rule_id: int | None = Field(
        None, description="Also answer why this rule did or did not apply."
    )
    audience_membership: str = Field(
        "",
        description="The signed audience list the shopper's browser carried (the audience "
        "header or cookie), when the checkout does not forward the header itself.",
    )


class CartLineOut(Schema):
    sku: str
    qty: Decimal
    price: Decimal
    row_total: Decimal
    discount: Decimal
    rule_ids: list[int]
    free_shipping: bool


class AppliedOut(Schema):
    rule_id: int
    name: str
    label: str
    discount: Decimal
    shipping_discount: Decimal
    free_shipping: str


class CouponResultOut(Schema):
    code: str
    accepted: bool
    message: str


class ConditionTraceOut(Schema):
    path: str
    condition: str
    result: bool
    actual: Any = None


class RuleExplanationOut(Schema):
    rule_id: int
    applied: bool
    code: str = ""
    message: str = ""
    conditions: list[ConditionTraceOut] = []


class EvaluationOut(Schema):
    """Example: a 10% rule on shoes and free shipping.

    ```json
    {"applied_rules": [{"rule_id": 7, "name": "10% off shoes", "label": "Spring sale",
      "discount": "11.98", "shipping_discount": "0.00", "free_shipping": "no"}],
     "items": [{"sku": "SHOE-RED-42", "qty": "2", "price": "59.90", "row_total": "119.80",
      "discount": "11.98", "rule_ids": [7], "free_shipping": false}],
     "discount_total": "11.98", "shipping_discount": "0.00", "free_shipping": "no",
     "applied_rule_ids": [7], "labels": ["Spring sale"],
     "coupon": {"code": "SPRING10", "accepted": true, "message": ""}}
    ```
    """

    currency: str
    applied_rules: list[AppliedOut]
    applied_rule_ids: list[int]
    labels: list[str]
    items: list[CartLineOut]
    subtotal: Decimal
    discount_total: Decimal
    shipping_discount: Decimal
    free_shipping: str = Field(..., description="`no`, `items` (matching items) or `shipment`.")
    coupon: CouponResultOut | None = None
    explanation: RuleExplanationOut | None = None
