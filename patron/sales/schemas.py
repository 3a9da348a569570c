"""What a shop sends: the shapes of the commerce facts, shared by the API and the bulk
history import so that both accept and refuse exactly the same input. Times carry their UTC
offset (ISO 8601), so a fact is never dated in a guessed time zone."""

from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import AwareDatetime


def Money(default=...):
    """An amount that fits the database's DECIMAL(14, 4)."""
    return Field(default if default is ... else Decimal(default), max_digits=14, decimal_places=4)


class ProductIn(Schema):
    name: str = Field(..., min_length=1, max_length=255)
    price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    weight: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=4)
    attribute_set: str = ""
    categories: list[str] | None = Field(None, description="Category codes.")
    attributes: dict[str, Any] = Field(default_factory=dict)
    is_active: bool = True


class ProductAttributeIn(Schema):
    label: str = Field(..., min_length=1, max_length=255)
    type: str = Field("text", description="text, number, boolean, select, multiselect or date")
    options: list[str] = Field(default_factory=list, description="For select and multiselect.")
    use_for_promo_rules: bool = Field(
        False, description="Offered in price rule and segment product conditions."
    )


class ProductAttributeOut(Schema):
    code: str
    label: str
    type: str
    options: list[str]
    use_for_promo_rules: bool


class ProductOut(Schema):
    sku: str
    name: str
    price: Decimal
    is_active: bool


class ItemIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    name: str = ""
    qty: Decimal = Field(..., gt=0, max_digits=12, decimal_places=4)
    price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)


class OrderItemIn(ItemIn):
    row_total: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=4)


class OrderIn(Schema):
    customer_id: int | None = Field(None, description="The Patron customer; None for a guest.")
    customer_email: str = Field(..., min_length=3, max_length=254)
    customer_name: str = ""
    status: str = Field(..., min_length=1, max_length=32)
    currency: str = Field(..., min_length=3, max_length=3)
    subtotal: Decimal = Money()
    tax: Decimal = Money(0)
    shipping: Decimal = Money(0)
    discount: Decimal = Money(0)
    grand_total: Decimal = Money()
    coupon_code: str = ""
    applied_rule_ids: list[int] = Field(default_factory=list)
    billing_address: dict[str, Any] = Field(default_factory=dict)
    shipping_address: dict[str, Any] = Field(default_factory=dict)
    placed_at: AwareDatetime
    items: list[OrderItemIn] = Field(..., min_length=1)


class OrderOut(Schema):
    number: str
    result: str = Field(..., description="created, changed or unchanged")
    customer_id: int | None
    status: str
    grand_total: Decimal
    currency: str


class CartIn(Schema):
    customer_id: int | None = None
    visitor_id: str = Field("", max_length=128)
    url: str = Field("", max_length=2000, description="The page the shopper is on (Now Online).")
    currency: str = Field(..., min_length=3, max_length=3)
    subtotal: Decimal = Money(0)
    tax: Decimal = Money(0)
    shipping: Decimal = Money(0)
    grand_total: Decimal = Money(0)
    store_credit_applied: Decimal = Money(0)
    gift_card_applied: Decimal = Money(0)
    billing_address: dict[str, Any] = Field(default_factory=dict)
    shipping_address: dict[str, Any] = Field(default_factory=dict)
    items: list[ItemIn] = Field(default_factory=list, description="Empty: the cart is gone.")


class CartOut(Schema):
    exists: bool
    items: int


class RefundItemIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Decimal = Field(..., gt=0, max_digits=12, decimal_places=4)
    row_total: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)


class RefundIn(Schema):
    grand_total: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    to_store_credit: Decimal = Field(
        Decimal(0),
        ge=0,
        max_digits=14,
        decimal_places=4,
        description="The part credited to the customer's store credit; only for orders in the "
        "website's base currency (store credit is kept in it).",
    )
    refunded_at: AwareDatetime
    items: list[RefundItemIn] = Field(default_factory=list)


class ResultOut(Schema):
    id: int
    result: str = Field(..., description="created, changed or unchanged")


class WishlistItemIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=4)
    added_at: AwareDatetime | None = None


class WishlistOut(Schema):
    changed: bool
    skus: list[str]


class ReviewIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    customer_id: int | None = None
    nickname: str = Field(..., min_length=1, max_length=128)
    title: str = Field(..., min_length=1, max_length=255)
    detail: str = Field("", max_length=10000)
    rating: int
    status: str = "pending"
    written_at: AwareDatetime


class ProductViewIn(Schema):
    view_id: str = Field(..., min_length=1, max_length=64, description="The shop's id of the view.")
    sku: str = Field(..., min_length=1, max_length=64)
    customer_id: int | None = None
    visitor_id: str = Field("", max_length=128)
    viewed_at: AwareDatetime
