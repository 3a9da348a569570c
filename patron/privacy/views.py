"""Shopper pages of the data export: the account's Privacy page (ask for a copy of one's data,
download it once it is ready) and the single-use link the ready email carries.

The link's page only shows a Download button; the download itself is a POST, so a mail
scanner that opens every link in a message cannot use up the one download.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from patron.accounts.sessions import shopper_actor
from patron.accounts.views import visible_dashboard_links
from patron.core.actors import Actor, ActorKind
from patron.core.errors import Conflict, NotFound, PatronError
from patron.core.registries import DashboardLink, dashboard_links
from patron.dashboard.views import customer_required
from patron.privacy import erasure_views, exports

UNAVAILABLE_TEMPLATE = "privacy/shop/export_unavailable.html"


def file_response(download: exports.Download) -> FileResponse:
    """The ZIP as an attachment; closing the response (once sent) deletes the stored file."""
    response = FileResponse(
        download.file,
        as_attachment=True,
        filename=download.filename,
        content_type="application/zip",
    )
    response["Cache-Control"] = "no-store"
    return response


def _gone(request, error: PatronError):
    return render(request, UNAVAILABLE_TEMPLATE, {"message": error.message}, status=410)


# --- The account's Privacy page -----------------------------------------------------------------


def _request_export(request):
    exports.request_export(
        customer=request.customer, actor=shopper_actor(request), store_view=request.store_view
    )
    messages.success(
        request,
        _("We are preparing a copy of your data. We will email you a link when it is ready."),
    )


# Form actions of the page, by the submit button's "action" value.
PAGE_ACTIONS = {"request_export": _request_export, **erasure_views.SHOPPER_ACTIONS}


@customer_required
@require_http_methods(["GET", "POST"])
def privacy_view(request):
    if request.method == "POST":
        action = PAGE_ACTIONS.get(request.POST.get("action", ""))
        if action is None:
            return HttpResponseRedirect(reverse("customer-privacy"))
        try:
            action(request)
        except PatronError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(reverse("customer-privacy"))
    own = exports.list_exports(request.customer, requested_by_customer=True)
    return render(
        request,
        "privacy/shop/privacy.html",
        {
            "dashboard_links": visible_dashboard_links(request),
            "exports": list(own[:10]),
            "erasure_html": erasure_views.shopper_block(request),
        },
    )


@customer_required
@require_POST
def export_download_view(request, export_id):
    """The signed-in customer downloads one of their own ready exports."""
    try:
        export = exports.get_export(
            export_id, customer=request.customer, requested_by_customer=True
        )
        download = exports.take_download(export=export, actor=shopper_actor(request))
    except NotFound:
        raise Http404 from None
    except Conflict as error:
        if error.code == "export_gone":
            return _gone(request, error)
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("customer-privacy"))
    except PatronError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(reverse("customer-privacy"))
    return file_response(download)


# --- The emailed link ---------------------------------------------------------------------------


def _link_actor(request, export) -> Actor:
    if getattr(request, "assistance", None) is not None:
        return shopper_actor(request)  # staff logged in as a customer: refused by the service
    if export.customer is not None:
        return Actor.customer(export.customer)
    return Actor(ActorKind.CUSTOMER)


@never_cache
@require_http_methods(["GET", "POST"])
def link_download_view(request):
    """The single-use link: a page with a Download button (GET), the file (POST); 410 Gone
    once downloaded or expired, 404 for a link Patron never sent."""
    data = request.POST if request.method == "POST" else request.GET
    export_id, token = data.get("id", ""), data.get("token", "")
    try:
        export = exports.find_by_token(export_id=export_id, token=token)
        exports.check_available(export)
        if request.method == "POST":
            return file_response(
                exports.take_download(export=export, actor=_link_actor(request, export))
            )
    except NotFound as error:
        return render(request, UNAVAILABLE_TEMPLATE, {"message": error.message}, status=404)
    except Conflict as error:
        return _gone(request, error)
    except PatronError as error:
        return render(
            request, UNAVAILABLE_TEMPLATE, {"message": error.message}, status=error.status
        )
    return render(
        request,
        "privacy/shop/export_download.html",
        {"export": export, "export_id": export_id, "token": token},
    )


def register_dashboard() -> None:
    """Privacy in the account navigation, last, after Newsletter Subscriptions (90)."""
    dashboard_links.register(
        DashboardLink(
            code="privacy", label=gettext_lazy("Privacy"), order=95, url_name="customer-privacy"
        )
    )
