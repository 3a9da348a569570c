"""The customer page's Privacy section: the customer's data exports (who asked, when, their
state) with Request Data Export and, for exports staff asked for, Download; and, as a second
block, the erasure of the account (patron/privacy/erasure.py).

Exports the customer asked for are listed but not downloadable here: they go to the customer
(see ``exports.take_download``). Both buttons need ``privacy.add_dataexport``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.core.registries import CustomerSection, customer_sections
from patron.privacy import erasure_views, exports

CODE = "privacy"
PAGE_SIZE = 20


def _exports_block(request, customer) -> str:
    page = Paginator(exports.list_exports(customer), PAGE_SIZE).get_page(request.GET.get("page"))
    can_request = request.user.has_perm(exports.REQUEST_PERMISSION)
    for export in page.object_list:
        export.downloadable = (
            can_request and export.state == "ready" and not exports.is_for_customer(export)
        )
    return render_to_string(
        "admin/privacy/exports_block.html",
        {"customer": customer, "exports": page, "can_request": can_request, "section_code": CODE},
        request=request,
    )


def render_privacy(request, customer) -> str:
    return render_to_string(
        "admin/privacy/customer_section.html",
        {
            "customer": customer,
            "exports_html": _exports_block(request, customer),
            "erasure_html": erasure_views.staff_block(request, customer),
        },
        request=request,
    )


def _request_export(request, customer):
    if not request.user.has_perm(exports.REQUEST_PERMISSION):
        raise PermissionDenied
    exports.request_export(customer=customer, actor=Actor.staff(request.user))
    messages.success(
        request,
        _("The export is being prepared. Its Download button appears here when it is ready."),
    )
    return None


def _download_export(request, customer):
    from patron.privacy.views import file_response

    if not request.user.has_perm(exports.REQUEST_PERMISSION):
        raise PermissionDenied
    export = exports.get_export(request.POST.get("export", ""), customer=customer)
    return file_response(exports.take_download(export=export, actor=Actor.staff(request.user)))


# The section's form actions, by the submit button's "action" value. Each returns a response
# (a download) or None for "done: back to the section".
ACTIONS = {
    "request_export": _request_export,
    "download_export": _download_export,
    **erasure_views.STAFF_ACTIONS,
}


def post_privacy(request, customer):
    from patron.customers.sections import section_url

    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Choose an action."))
        return HttpResponseRedirect(section_url(customer, CODE))
    try:
        response = action(request, customer)
    except PatronError as error:
        messages.error(request, error.message)
        response = None
    return response or HttpResponseRedirect(section_url(customer, CODE))


def register_sections() -> None:
    customer_sections.register(
        CustomerSection(
            CODE,
            gettext_lazy("Privacy"),
            95,
            render_privacy,
            permission=exports.VIEW_PERMISSION,
            post=post_privacy,
        )
    )
