"""What a shop sends Patron as it happens: products, orders and carts (one call each, idempotent
by the shop's own identifier), and what staff read back."""

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Schema, Status

from patron.core.api import ERRORS, require_permission, staff_auth, store_view_of
from patron.sales import services

router = Router(tags=["Commerce facts"], auth=staff_auth)


def Money(default=...):
    """An amount that fits the database's DECIMAL(14, 4)."""
    return Field(default if default is ... else Decimal(default), max_digits=14, decimal_places=4)


def _answer(result: str, body):
    """201 for a fact recorded for the first time, 200 for a change or a harmless resend."""
    return Status(201 if result == "created" else 200, body)


def _store_view_for_write(request, principal):
    """The store view of the header, if the caller may act on its website."""
    from django.utils.translation import gettext as _

    from patron.core.errors import Forbidden

    store_view = store_view_of(request)
    if not principal.can_see_website(store_view.store.website_id):
        raise Forbidden(_("You may not report facts for this website."), code="website_not_allowed")
    return store_view


RECORD_PERMISSION = "sales.add_order"


class ProductIn(Schema):
    name: str = Field(..., min_length=1, max_length=255)
    price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    weight: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=4)
    attribute_set: str = ""
    categories: list[str] | None = Field(None, description="Category codes.")
    attributes: dict[str, Any] = Field(default_factory=dict)
    is_active: bool = True


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
    placed_at: dt.datetime
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


@router.put("/products/{sku}", response={200: ProductOut, **ERRORS}, url_name="product-save")
def save_product(request, sku: str, payload: ProductIn):
    """Create or update a product of the light catalogue, by SKU."""
    principal = require_permission(request, "sales.add_product")
    return services.save_product(sku=sku, actor=principal.actor, **payload.dict())


@router.put(
    "/orders/{number}", response={200: OrderOut, 201: OrderOut, **ERRORS}, url_name="order-record"
)
def record_order(request, number: str, payload: OrderIn):
    """Record an order placed on the store view of the `X-Patron-Store` header, or its change
    (a new status, amounts or items). Sending the same order again changes nothing (200,
    `unchanged`); a new order answers 201."""
    principal = require_permission(request, RECORD_PERMISSION)
    data = payload.dict()
    items = data.pop("items")
    order, result = services.record_order(
        store_view=_store_view_for_write(request, principal), number=number, items=items,
        actor=principal.actor,
        total_qty=sum((item["qty"] for item in items), Decimal(0)), **data,
    )  # fmt: skip
    body = OrderOut(
        number=order.number, result=result, customer_id=order.customer_id, status=order.status,
        grand_total=order.grand_total, currency=order.currency,
    )  # fmt: skip
    return _answer(result, body)


@router.put("/carts", response={200: CartOut, **ERRORS}, url_name="cart-replace")
def replace_cart(request, payload: CartIn):
    """Set the active cart of a customer (`customer_id`) or a visitor (`visitor_id`, the shop's
    own id) on the store view of the `X-Patron-Store` header; the shopper counts as online."""
    principal = require_permission(request, "sales.change_cart")
    data = payload.dict()
    items = data.pop("items")
    cart = services.replace_cart(
        store_view=_store_view_for_write(request, principal),
        items=items,
        actor=principal.actor,
        **data,
    )
    return CartOut(exists=cart is not None, items=len(items) if cart else 0)


class RefundItemIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Decimal = Field(..., gt=0, max_digits=12, decimal_places=4)
    row_total: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)


class RefundIn(Schema):
    grand_total: Decimal = Field(..., ge=0, max_digits=14, decimal_places=4)
    to_store_credit: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=4)
    refunded_at: dt.datetime
    items: list[RefundItemIn] = Field(default_factory=list)


class ResultOut(Schema):
    id: int
    result: str = Field(..., description="created, changed or unchanged")


@router.put(
    "/orders/{number}/refunds/{refund_number}",
    response={200: ResultOut, 201: ResultOut, **ERRORS},
    url_name="refund-record",
)
def record_refund(request, number: str, refund_number: str, payload: RefundIn):
    """Record a refund (credit memo) of an order, once: a resend answers `unchanged`; a resend
    with other amounts is refused (a refund is final)."""
    principal = require_permission(request, "sales.add_refund")
    refund, result = services.record_refund(
        store_view=_store_view_for_write(request, principal), order_number=number,
        number=refund_number, actor=principal.actor, **payload.dict(),
    )  # fmt: skip
    return _answer(result, ResultOut(id=refund.pk, result=result))


class WishlistItemIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    qty: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=4)
    added_at: dt.datetime | None = None


class WishlistOut(Schema):
    changed: bool
    skus: list[str]


@router.put(
    "/customers/{int:customer_id}/wishlist",
    response={200: WishlistOut, **ERRORS},
    url_name="wishlist-replace",
)
def replace_wishlist(request, customer_id: int, items: list[WishlistItemIn]):
    """Set the customer's wish list to these products (an empty list clears it)."""
    from patron.customers.api import _visible_customer

    principal = require_permission(request, "sales.change_wishlistitem")
    customer = _visible_customer(request, customer_id)
    wishlist, changed = services.replace_wishlist(
        customer=customer, items=[item.dict() for item in items], actor=principal.actor
    )
    return WishlistOut(changed=changed, skus=[item.product.sku for item in wishlist])


class ReviewIn(Schema):
    sku: str = Field(..., min_length=1, max_length=64)
    customer_id: int | None = None
    nickname: str = Field(..., min_length=1, max_length=128)
    title: str = Field(..., min_length=1, max_length=255)
    detail: str = Field("", max_length=10000)
    rating: int
    status: str = "pending"
    written_at: dt.datetime


@router.put(
    "/reviews/{review_id}", response={200: ResultOut, 201: ResultOut, **ERRORS}, url_name="review"
)
def record_review(request, review_id: str, payload: ReviewIn):
    """Record a product review written on the shop, or its change (e.g. approved)."""
    principal = require_permission(request, "sales.add_review")
    review, result = services.record_review(
        store_view=_store_view_for_write(request, principal), external_id=review_id,
        actor=principal.actor, **payload.dict(),
    )  # fmt: skip
    return _answer(result, ResultOut(id=review.pk, result=result))


class ProductViewIn(Schema):
    view_id: str = Field(..., min_length=1, max_length=64, description="The shop's id of the view.")
    sku: str = Field(..., min_length=1, max_length=64)
    customer_id: int | None = None
    visitor_id: str = Field("", max_length=128)
    viewed_at: dt.datetime


@router.post(
    "/product-views", response={200: ResultOut, 201: ResultOut, **ERRORS}, url_name="product-view"
)
def record_product_view(request, payload: ProductViewIn):
    """Record that a customer or a visitor viewed a product; a resend of the same `view_id`
    changes nothing."""
    principal = require_permission(request, "sales.add_productview")
    data = payload.dict()
    view, result = services.record_product_view(
        store_view=_store_view_for_write(request, principal), external_id=data.pop("view_id"),
        actor=principal.actor, **data,
    )  # fmt: skip
    return _answer(result, ResultOut(id=view.pk, result=result))
