"""The customer edit page: the sections registered in ``customer_sections`` and the button bar
(Back, Delete Customer, Reset Password, Force Sign-In, Unlock, Create Order, Manage Shopping
Cart). Buttons act through the services and show only with their permission."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.core.registries import customer_actions, customer_sections
from patron.customers.models import Customer
from patron.staff.services import staff_website_ids


def customer_for_staff(request, customer_id: int) -> Customer:
    """The customer, if the staff member's websites include theirs; 404 otherwise (another
    website's customers do not exist for them)."""
    from patron.core.errors import NotFound
    from patron.customers.selectors import get_customer

    try:
        return get_customer(customer_id, website_ids=staff_website_ids(request.user))
    except NotFound:
        raise Http404 from None


def visible_sections(user):
    return [
        section
        for section in customer_sections
        if section.is_enabled()
        and (section.permission is None or user.has_perm(section.permission))
    ]


def _shop_links(customer: Customer) -> list[tuple[str, str]]:
    """Create Order and Manage Shopping Cart, when the shop's admin URL templates are set."""
    from patron.scopes.config import get_config

    links = []
    for path, label in (
        ("web/url/shop_admin_order_url", _("Create Order")),
        ("web/url/shop_admin_cart_url", _("Manage Shopping Cart")),
    ):
        template = get_config(path, website=customer.website)
        if template:
            # str.replace, not format(): a template is staff text and may hold other braces.
            url = template.replace("{customer_id}", str(customer.pk)).replace(
                "{email}", customer.email
            )
            links.append((label, url))
    return links


def edit_page(request, model_admin, customer_id: int):
    customer = customer_for_staff(request, customer_id)
    sections = visible_sections(request.user)
    if not sections:
        raise PermissionDenied
    code = request.GET.get("section") or sections[0].code
    section = next((s for s in sections if s.code == code), None)
    if section is None:
        raise Http404
    status = 200
    if request.method == "POST":
        if section.post is None:
            return HttpResponse(status=405)
        outcome = section.post(request, customer)
        if isinstance(outcome, HttpResponseBase):  # a redirect, or a file (a download)
            return outcome
        html, status = outcome, 400
    else:
        html = section.render(request, customer)
    from patron.accounts.services import is_locked

    user = request.user
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Customer._meta,
        "title": customer.name or customer.email,
        "customer": customer,
        "sections": sections,
        "section": section,
        "section_html": html,
        "locked": is_locked(customer),
        "can_delete": model_admin.has_delete_permission(request, customer),
        "can_reset_password": user.has_perm("customers.reset_customer_password"),
        "can_force_sign_in": user.has_perm("customers.force_sign_in_customer"),
        "can_unlock": user.has_perm("customers.unlock_customer"),
        "shop_links": _shop_links(customer),
        "extra_actions": [
            (action.label, action.url(customer.pk))
            for action in customer_actions
            if action.is_visible(request, customer)
        ],
    }
    return render(request, "admin/customers/customer/edit.html", context, status=status)


def _back(customer: Customer) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[customer.pk]))


def _run(request, customer, service, permission: str, done: str):
    if not request.user.has_perm(permission):
        raise PermissionDenied
    try:
        service(customer=customer, actor=Actor.staff(request.user))
    except PatronError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, done)
    return _back(customer)


@require_POST
def reset_password_view(request, model_admin, customer_id: int):
    from patron.accounts.services import staff_password_reset

    customer = customer_for_staff(request, customer_id)
    return _run(
        request, customer, staff_password_reset, "customers.reset_customer_password",
        _("The customer will receive an email with a link to reset the password."),
    )  # fmt: skip


@require_POST
def unlock_view(request, model_admin, customer_id: int):
    from patron.accounts.services import unlock_customer

    customer = customer_for_staff(request, customer_id)
    return _run(
        request, customer, unlock_customer, "customers.unlock_customer",
        _("The customer account was unlocked."),
    )  # fmt: skip


def force_sign_in_view(request, model_admin, customer_id: int):
    """Ask for confirmation, then end every session and token of the customer."""
    from patron.accounts.services import force_sign_in

    customer = customer_for_staff(request, customer_id)
    if not request.user.has_perm("customers.force_sign_in_customer"):
        raise PermissionDenied
    if request.method == "POST":
        return _run(
            request, customer, force_sign_in, "customers.force_sign_in_customer",
            _("The customer is signed out everywhere and must sign in again."),
        )  # fmt: skip
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Customer._meta,
        "title": _("Force Sign-In"),
        "customer": customer,
    }
    return render(request, "admin/customers/customer/force_sign_in_confirm.html", context)


# --- Files of custom attributes -----------------------------------------------------------------


def attribute_file_view(request, model_admin, customer_id: int, code: str):
    """A customer's file of a File or Image attribute, for staff who may view customers (of
    the customer's website; others get 404)."""
    from patron.customers.attribute_forms import file_attribute, file_response
    from patron.customers.models import AttributeEntity

    if not request.user.has_perm("customers.view_customer"):
        raise PermissionDenied
    customer = customer_for_staff(request, customer_id)
    return file_response(customer, file_attribute(AttributeEntity.CUSTOMER, code))


def address_attribute_file_view(request, model_admin, customer_id: int, address_id: int, code: str):
    """The file of a File or Image attribute of one of a customer's addresses, for staff who
    may view customers and their addresses."""
    from patron.customers.attribute_forms import file_attribute, file_response
    from patron.customers.models import AttributeEntity

    if not request.user.has_perms(["customers.view_customer", "customers.view_address"]):
        raise PermissionDenied
    customer = customer_for_staff(request, customer_id)
    address = customer.addresses.filter(pk=address_id).first()
    if address is None:
        raise Http404
    return file_response(address, file_attribute(AttributeEntity.ADDRESS, code))
