"""What a shop sends Patron as it happens: products, orders and carts (one call each, idempotent
by the shop's own identifier), and what staff read back."""

from ninja import Router, Status

from patron.core.api import ERRORS, require_permission, staff_auth, store_view_of
from patron.sales import services
from patron.sales.schemas import (
    CartIn,
    CartOut,
    OrderIn,
    OrderOut,
    ProductAttributeIn,
    ProductAttributeOut,
    ProductIn,
    ProductOut,
    ProductViewIn,
    RefundIn,
    ResultOut,
    ReviewIn,
    WishlistItemIn,
    WishlistOut,
)

router = Router(tags=["Commerce facts"], auth=staff_auth)


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


@router.put(
    "/product-attributes/{code}",
    response={200: ProductAttributeOut, **ERRORS},
    url_name="product-attribute-save",
)
def save_product_attribute(request, code: str, payload: ProductAttributeIn):
    """Define a product attribute, or change it, by code. Product values under
    `attributes` must be of a defined attribute and fit its type."""
    principal = require_permission(request, "sales.add_productattribute")
    return services.save_product_attribute(code=code, actor=principal.actor, **payload.dict())


@router.get(
    "/product-attributes", response={200: list[ProductAttributeOut], **ERRORS},
    url_name="product-attributes",
)  # fmt: skip
def list_product_attributes(request, promo_rules: bool | None = None):
    """The product attributes; `promo_rules=true` lists those flagged for rule conditions."""
    from patron.sales.selectors import product_attributes

    require_permission(request, "sales.view_productattribute")
    return list(product_attributes(promo_rules=promo_rules))


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
        actor=principal.actor, **data,
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
