"""The customer page's Orders and Shopping Cart sections."""

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy

from patron.core.registries import CustomerSection, customer_sections

ORDERS_SHOWN = 50


def render_orders(request, customer) -> str:
    orders = list(customer.orders.select_related("store_view")[: ORDERS_SHOWN + 1])
    return render_to_string(
        "admin/sales/orders_section.html",
        {"orders": orders[:ORDERS_SHOWN], "more": len(orders) > ORDERS_SHOWN},
        request=request,
    )


def render_cart(request, customer) -> str:
    carts = customer.carts.select_related("store_view").prefetch_related("items")
    return render_to_string("admin/sales/cart_section.html", {"carts": carts}, request=request)


def register_sections() -> None:
    customer_sections.register(
        CustomerSection(
            "orders", gettext_lazy("Orders"), 50, render_orders, permission="sales.view_order"
        )
    )
    customer_sections.register(
        CustomerSection(
            "cart", gettext_lazy("Shopping Cart"), 55, render_cart, permission="sales.view_cart"
        )
    )
    register_more_sections()


def render_refunds(request, customer) -> str:
    from patron.sales.models import Refund

    refunds = Refund.objects.filter(order__customer=customer).select_related("order")[:50]
    return render_to_string(
        "admin/sales/refunds_section.html", {"refunds": refunds}, request=request
    )


def render_wishlist(request, customer) -> str:
    items = customer.wishlist.select_related("product")
    return render_to_string("admin/sales/wishlist_section.html", {"items": items}, request=request)


def render_reviews(request, customer) -> str:
    reviews = customer.reviews.select_related("product", "store_view")[:50]
    return render_to_string(
        "admin/sales/reviews_section.html", {"reviews": reviews}, request=request
    )


def register_more_sections() -> None:
    for code, label, order, render, permission in (
        ("refunds", gettext_lazy("Refunds"), 52, render_refunds, "sales.view_refund"),
        ("wishlist", gettext_lazy("Wish List"), 57, render_wishlist, "sales.view_wishlistitem"),
        ("reviews", gettext_lazy("Product Reviews"), 58, render_reviews, "sales.view_review"),
    ):
        customer_sections.register(
            CustomerSection(code, label, order, render, permission=permission)
        )
