"""Reads of the commerce facts for the shopper's account pages: a customer's orders with their
items and refunds, wish list and product reviews.

Orders and reviews are read per website: a customer whose account is shared by every website
sees on each website only what was placed or written there, as in Magento.
"""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from patron.core.errors import NotFound
from patron.customers.models import Customer
from patron.sales.models import Order, Refund, Review, WishlistItem
from patron.scopes.models import Website


def list_customer_orders(customer: Customer, *, website: Website) -> QuerySet[Order]:
    """Return the customer's orders placed on ``website``, newest first."""
    return Order.objects.filter(customer=customer, website=website).order_by("-placed_at", "-pk")


def get_customer_order(customer: Customer, order_id: int, *, website: Website) -> Order:
    """Return one of the customer's orders on ``website`` with its items and its refunds (newest
    first, each with its items) loaded; raise ``NotFound`` (code ``order_not_found``) for an
    order of someone else or of another website, which must look the same as a missing one."""
    refunds = Refund.objects.prefetch_related("items").order_by("-refunded_at", "-pk")
    orders = list_customer_orders(customer, website=website).prefetch_related(
        "items", Prefetch("refunds", queryset=refunds)
    )
    try:
        return orders.get(pk=order_id)
    except Order.DoesNotExist:
        raise NotFound(
            _("There is no order %(id)s.") % {"id": order_id}, code="order_not_found"
        ) from None


def list_wishlist(customer: Customer) -> QuerySet[WishlistItem]:
    """Return the customer's wish list items with their products, the latest added first."""
    return customer.wishlist.select_related("product").order_by("-added_at", "-pk")


def list_customer_reviews(customer: Customer, *, website: Website) -> QuerySet[Review]:
    """Return the reviews the customer wrote on ``website`` with their products, newest first."""
    return (
        Review.objects.filter(customer=customer, website=website)
        .select_related("product")
        .order_by("-written_at", "-pk")
    )


def get_customer_review(customer: Customer, review_id: int, *, website: Website) -> Review:
    """Return one of the customer's reviews on ``website`` with its product; raise ``NotFound``
    (code ``review_not_found``) for anyone else's review or another website's."""
    try:
        return list_customer_reviews(customer, website=website).get(pk=review_id)
    except Review.DoesNotExist:
        raise NotFound(
            _("There is no review %(id)s.") % {"id": review_id}, code="review_not_found"
        ) from None


def product_attributes(*, promo_rules: bool | None = None):
    """The shop's product attributes; ``promo_rules`` keeps those flagged (or not) for price
    rule and segment conditions."""
    from patron.sales.models import ProductAttribute

    attributes = ProductAttribute.objects.all()
    if promo_rules is not None:
        attributes = attributes.filter(use_for_promo_rules=promo_rules)
    return attributes
