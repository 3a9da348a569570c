"""The shopper's commerce pages at Magento's paths: My Orders and an order with its refunds,
My Wish List and My Product Reviews, plus My Account's Recent Orders and My Recent Reviews
blocks. Read-only: the shop owns orders, wish lists and reviews, Patron shows what it reported.

Views call one selector and hand the template rows whose amounts are already formatted, in the
order's currency and the store view's language.
"""

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from patron.accounts.views import visible_dashboard_links
from patron.core.errors import NotFound
from patron.core.locales import babel_locale, format_money
from patron.core.registries import DashboardBlock, DashboardLink, dashboard_blocks, dashboard_links
from patron.customers.address_format import render_address
from patron.dashboard.views import customer_required
from patron.sales import selectors
from patron.sales.models import Order, Review
from patron.sales.statuses import status_label

# Magento's list toolbar offers these page sizes; the first is the default.
PAGE_SIZES = (10, 20, 50)
RECENT_ORDERS = 5
RECENT_REVIEWS = 3
NAME_PARTS = ("prefix", "firstname", "middlename", "lastname", "suffix")


def _page(request, template, context):
    return render(
        request, template, {"dashboard_links": visible_dashboard_links(request), **context}
    )


def _paginate(request, items) -> tuple[Page, int]:
    """Return the requested page of ``items`` and its size (``?limit=``, one of PAGE_SIZES)."""
    try:
        limit = int(request.GET.get("limit", PAGE_SIZES[0]))
    except ValueError:
        limit = PAGE_SIZES[0]
    if limit not in PAGE_SIZES:
        limit = PAGE_SIZES[0]
    return Paginator(items, limit).get_page(request.GET.get("page")), limit


def _pager(page: Page, limit: int, label: str) -> dict[str, Any]:
    return {"page": page, "limit": limit, "sizes": PAGE_SIZES, "label": label}


def _language(request) -> str:
    return request.store_view.locale


def _money(request, amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, _language(request))


def _quantity(request, qty: Decimal) -> str:
    """A quantity without its trailing zeros (2, 1.5), grouped as the language writes numbers."""
    return format_decimal(qty, locale=babel_locale(_language(request)))


def _full_name(snapshot: dict) -> str:
    return " ".join(str(snapshot.get(part) or "").strip() for part in NAME_PARTS).strip()


def _order_row(request, order: Order) -> dict[str, Any]:
    return {
        "order": order,
        "ship_to": _full_name(order.shipping_address or {}),
        "total": _money(request, order.grand_total, order.currency),
        "status": status_label(order.status),
    }


def _address_html(request, snapshot: dict) -> SafeString:
    if not snapshot:
        return SafeString("")
    html = render_address(None, "html", store_view=request.store_view, values=snapshot)
    # Values are escaped and the result passed the address tag allow-list in render_address.
    return mark_safe(html)  # noqa: S308


def _stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def _review_row(review: Review) -> dict[str, Any]:
    return {
        "review": review,
        "stars": _stars(review.rating),
        "status": review.get_status_display(),
    }


@customer_required
@require_GET
def order_history_view(request):
    orders = selectors.list_customer_orders(
        request.customer, website=request.store_view.store.website
    )
    page, limit = _paginate(request, orders)
    return _page(
        request,
        "sales/shop/order_history.html",
        {
            "rows": [_order_row(request, order) for order in page.object_list],
            "pager": _pager(page, limit, _("Pages of orders")),
        },
    )


@customer_required
@require_GET
def order_view(request, order_id):
    try:
        order = selectors.get_customer_order(
            request.customer, order_id, website=request.store_view.store.website
        )
    except NotFound:
        raise Http404(_("This order does not exist.")) from None
    currency = order.currency
    items = list(order.items.all())
    names = {item.sku: item.name for item in items}
    discount = -abs(order.discount)
    return _page(
        request,
        "sales/shop/order_view.html",
        {
            "order": order,
            "status": status_label(order.status),
            "items": [
                {
                    "sku": item.sku,
                    "name": item.name,
                    "price": _money(request, item.price, currency),
                    "qty": _quantity(request, item.qty),
                    "subtotal": _money(request, item.row_total, currency),
                }
                for item in items
            ],
            "totals": [
                (_("Subtotal"), _money(request, order.subtotal, currency)),
                (_("Shipping & Handling"), _money(request, order.shipping, currency)),
                (_("Discount"), _money(request, discount, currency)),
                (_("Tax"), _money(request, order.tax, currency)),
            ],
            "grand_total": _money(request, order.grand_total, currency),
            "billing_address": _address_html(request, order.billing_address),
            "shipping_address": _address_html(request, order.shipping_address),
            "refunds": [
                {
                    "refund": refund,
                    "items": [
                        {
                            "sku": item.sku,
                            "name": names.get(item.sku, ""),
                            "qty": _quantity(request, item.qty),
                            "subtotal": _money(request, item.row_total, refund.currency),
                        }
                        for item in refund.items.all()
                    ],
                    "total": _money(request, refund.grand_total, refund.currency),
                    "to_store_credit": _money(request, refund.to_store_credit, refund.currency),
                }
                for refund in order.refunds.all()
            ],
        },
    )


@customer_required
@require_GET
def wishlist_view(request):
    page, limit = _paginate(request, selectors.list_wishlist(request.customer))
    currency = request.store_view.store.website.base_currency
    return _page(
        request,
        "sales/shop/wishlist.html",
        {
            "rows": [
                {
                    "item": item,
                    "price": _money(request, item.product.price, currency),
                    "qty": _quantity(request, item.qty),
                }
                for item in page.object_list
            ],
            "pager": _pager(page, limit, _("Pages of the wish list")),
        },
    )


@customer_required
@require_GET
def review_list_view(request):
    reviews = selectors.list_customer_reviews(
        request.customer, website=request.store_view.store.website
    )
    page, limit = _paginate(request, reviews)
    return _page(
        request,
        "sales/shop/review_list.html",
        {
            "rows": [_review_row(review) for review in page.object_list],
            "pager": _pager(page, limit, _("Pages of reviews")),
        },
    )


@customer_required
@require_GET
def review_view(request, review_id):
    try:
        review = selectors.get_customer_review(
            request.customer, review_id, website=request.store_view.store.website
        )
    except NotFound:
        raise Http404(_("This review does not exist.")) from None
    return _page(request, "sales/shop/review_view.html", {"row": _review_row(review)})


# --- My Account blocks and navigation -----------------------------------------------------------


def render_recent_orders(request, customer) -> str:
    """My Account's Recent Orders: the latest orders on this website, or a line saying none."""
    orders = selectors.list_customer_orders(customer, website=request.store_view.store.website)
    return render_to_string(
        "sales/shop/recent_orders.html",
        {"rows": [_order_row(request, order) for order in orders[:RECENT_ORDERS]]},
        request=request,
    )


def render_recent_reviews(request, customer) -> str:
    """My Account's My Recent Reviews; nothing at all for a customer who wrote none (Luma)."""
    reviews = selectors.list_customer_reviews(customer, website=request.store_view.store.website)
    rows = [_review_row(review) for review in reviews[:RECENT_REVIEWS]]
    if not rows:
        return ""
    return render_to_string("sales/shop/recent_reviews.html", {"rows": rows}, request=request)


def register_dashboard() -> None:
    """Add the pages to the account navigation, in Magento's order among the dashboard's own
    links (My Account 10, Address Book 50, Account Information 60, Newsletter 90), and the
    blocks to My Account."""
    for code, label, order, url_name in (
        ("orders", gettext_lazy("My Orders"), 20, "sales-order-history"),
        ("wishlist", gettext_lazy("My Wish List"), 40, "wishlist"),
        ("reviews", gettext_lazy("My Product Reviews"), 80, "review-customer"),
    ):
        dashboard_links.register(
            DashboardLink(code=code, label=label, order=order, url_name=url_name)
        )
    dashboard_blocks.register(DashboardBlock("recent_orders", 10, render_recent_orders))
    dashboard_blocks.register(DashboardBlock("recent_reviews", 20, render_recent_reviews))
