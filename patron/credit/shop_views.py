"""The shopper's Store Credit page (spec b §10-11) at Magento's ``/storecredit/info/``: the
balance on the current website and, when "Show Store Credit History to Customers" is Yes for
it, the balance history with date and time (refunds to store credit among them). The page and
its link in the account navigation exist only while store credit is enabled."""

from functools import wraps

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from patron.accounts.views import visible_dashboard_links
from patron.core.locales import format_money
from patron.core.registries import DashboardLink, dashboard_links
from patron.credit import services
from patron.dashboard.views import customer_required

# Magento's list toolbar offers these page sizes; the first is the default.
PAGE_SIZES = (10, 20, 50)


def _limit(request) -> int:
    try:
        limit = int(request.GET.get("limit", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return limit if limit in PAGE_SIZES else PAGE_SIZES[0]


def _history(request, website):
    """The requested page of the website's history, each row with its amounts formatted in the
    store view's language; and the pager's context."""
    language = request.store_view.locale
    limit = _limit(request)
    entries = services.history_of(request.customer, website)
    page = Paginator(entries, limit).get_page(request.GET.get("page"))
    rows = []
    for entry in page.object_list:
        currency = entry.balance.currency
        change = format_money(entry.delta, currency, language)
        rows.append(
            {
                "entry": entry,
                "change": f"+{change}" if entry.delta > 0 else change,
                "balance": format_money(entry.balance_after, currency, language),
            }
        )
    pager = {"page": page, "limit": limit, "sizes": PAGE_SIZES, "label": _("Pages of the history")}
    return rows, pager


def _require_enabled(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not services.is_enabled():
            raise Http404(_("Store credit is not available in this store."))
        return view(request, *args, **kwargs)

    return wrapper


@_require_enabled
@customer_required
@require_GET
def store_credit_view(request):
    website = request.store_view.store.website
    held = next(
        (b for b in services.balances_of(request.customer) if b.website_id == website.pk), None
    )
    amount, currency = (held.amount, held.currency) if held else (0, website.base_currency)
    context = {
        "balance": format_money(amount, currency, request.store_view.locale),
        "shows_history": services.shows_history(website),
    }
    if context["shows_history"]:
        context["rows"], context["pager"] = _history(request, website)
    return render(
        request,
        "credit/shop/store_credit.html",
        {"dashboard_links": visible_dashboard_links(request), **context},
    )


def register_dashboard() -> None:
    """Store Credit in the account navigation: after My Product Reviews (80) and before
    Newsletter Subscriptions (90), as Magento places it; hidden while store credit is off."""
    dashboard_links.register(
        DashboardLink(
            code="store_credit",
            label=gettext_lazy("Store Credit"),
            order=85,
            url_name="storecredit-info",
            is_visible=lambda request: services.is_enabled(),
        )
    )
