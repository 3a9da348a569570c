"""The shopper's account pages: My Account, Address Book, Account Information, Newsletter
Subscriptions, and the links emails point to. Views parse forms, call services and render."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patron.accounts import services as account_services
from patron.accounts import sessions
from patron.accounts.views import visible_dashboard_links
from patron.assistance.services import checkbox_texts
from patron.core.actors import Actor
from patron.core.errors import NotFound, PatronError
from patron.core.registries import dashboard_blocks
from patron.customers import attribute_forms, newsletter, selectors, services
from patron.customers.address_rules import region_choices
from patron.customers.models import (
    AttributeEntity,
    AttributeForm,
    ConsentSource,
    SubscriberStatus,
)
from patron.customers.validation import form_rules
from patron.dashboard.forms import AccountForm, AddressForm, NewsletterForm
from patron.scopes.config import get_config

ADDRESSES_PER_PAGE = 20


def customer_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.customer:
            # Encoded, so a page address with several parameters comes back whole.
            return redirect(
                f"{reverse('customer-login')}?{urlencode({'next': request.get_full_path()})}"
            )
        return view(request, *args, **kwargs)

    return never_cache(wrapper)


def _page(request, template, context, status=200):
    return render(
        request,
        template,
        {"dashboard_links": visible_dashboard_links(request), **context},
        status=status,
    )


def _customer_file_url(code: str) -> str:
    return reverse("customer-attribute-file", args=[code])


def _address_file_url(address):
    return lambda code: reverse("customer-address-attribute-file", args=[address.pk, code])


@customer_required
def account_view(request):
    customer = request.customer
    subscribed = customer.subscriptions.filter(
        store_view=request.store_view, status=SubscriberStatus.SUBSCRIBED
    ).exists()
    return _page(
        request,
        "dashboard/account.html",
        {
            "subscribed": subscribed,
            "default_billing": customer.default_billing,
            "default_shipping": customer.default_shipping,
            "attribute_values": attribute_forms.shown_values(
                attribute_forms.storefront_attributes(AttributeEntity.CUSTOMER),
                customer.custom_attributes,
                store_view=request.store_view,
                file_url=_customer_file_url,
            ),
            # Other apps' blocks (Recent Orders, ...), so this app imports none of them.
            "blocks": [
                block.render(request, customer)
                for block in dashboard_blocks
                if block.is_visible(request)
            ],
        },
    )


@customer_required
def address_book_view(request):
    customer = request.customer
    defaults = {customer.default_billing_id, customer.default_shipping_id} - {None}
    additional = selectors.list_addresses(customer).exclude(pk__in=defaults)
    page = Paginator(additional, ADDRESSES_PER_PAGE).get_page(request.GET.get("page"))
    return _page(
        request,
        "dashboard/address_book.html",
        {
            "page": page,
            "default_billing": customer.default_billing,
            "default_shipping": customer.default_shipping,
        },
    )


def _address_form(request, data=None, initial=None, country=None, address=None):
    website = request.store_view.store.website
    return AddressForm(
        data,
        (request.FILES or None) if data else None,
        initial=initial,
        rules=form_rules(website),
        show_vat=bool(
            get_config("customer/create_account/vat_frontend_visibility", website=website)
        ),
        # The country chosen in the submitted form first: after a failed save of a changed
        # country, the suggestions must be that country's regions.
        region_options=region_choices(
            (data or {}).get("country_id") or country or (initial or {}).get("country_id") or ""
        ),
        attributes=attribute_forms.storefront_attributes(
            AttributeEntity.ADDRESS, AttributeForm.ADDRESS_EDIT
        ),
        attribute_values=None if address is None else address.custom_attributes,
        store_view=request.store_view,
        file_url=None if address is None else _address_file_url(address),
    )


@customer_required
@require_http_methods(["GET", "POST"])
def address_new_view(request):
    customer = request.customer
    initial = {
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "country_id": _store_country(request),
    }
    form = _address_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_address(
                customer=customer,
                actor=sessions.shopper_actor(request),
                default_billing=form.cleaned_data["default_billing"],
                default_shipping=form.cleaned_data["default_shipping"],
                attribute_form=AttributeForm.ADDRESS_EDIT,
                **form.address_values(),
            )
        except PatronError as error:
            attribute_forms.add_errors(form, _street_errors(error))
        else:
            messages.success(request, _("You saved the address."))
            return redirect("customer-address-book")
    status = 400 if request.method == "POST" else 200
    return _page(
        request,
        "dashboard/address_form.html",
        {"form": form, "title": _("Add New Address")},
        status,
    )


def _store_country(request) -> str:
    return get_config("general/store_information/country_id", store_view=request.store_view) or ""


def _street_errors(error: PatronError) -> PatronError:
    """Point street problems at the first street input, which is what the form renders."""
    for problem in error.problems:
        if problem.field == "street":
            object.__setattr__(problem, "field", "street_1")
    if error.field == "street":
        error.field = "street_1"
    return error


@customer_required
@require_http_methods(["GET", "POST"])
def address_edit_view(request, address_id):
    customer = request.customer
    try:
        address = selectors.get_address(customer, address_id)
    except NotFound:
        raise Http404(_("This address does not exist.")) from None
    initial = {
        name: getattr(address, name)
        for name in ("prefix", "firstname", "middlename", "lastname", "suffix", "company", "telephone", "fax",
                     "country_id", "region", "city", "postcode", "vat_id")
    }  # fmt: skip
    for line, value in enumerate(address.street, start=1):
        initial[f"street_{line}"] = value
    initial["default_billing"] = customer.default_billing_id == address.pk
    initial["default_shipping"] = customer.default_shipping_id == address.pk
    form = _address_form(
        request, request.POST or None, initial=initial, country=address.country_id, address=address
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_address(
                address=address,
                actor=sessions.shopper_actor(request),
                default_billing=form.cleaned_data["default_billing"] or None,
                default_shipping=form.cleaned_data["default_shipping"] or None,
                attribute_form=AttributeForm.ADDRESS_EDIT,
                **form.address_values(),
            )
        except PatronError as error:
            attribute_forms.add_errors(form, _street_errors(error))
        else:
            messages.success(request, _("You saved the address."))
            return redirect("customer-address-book")
    status = 400 if request.method == "POST" else 200
    return _page(
        request,
        "dashboard/address_form.html",
        {"form": form, "title": _("Edit Address"), "address": address},
        status,
    )


@customer_required
@require_POST
def address_delete_view(request, address_id):
    customer = request.customer
    try:
        services.delete_address(
            address=selectors.get_address(customer, address_id),
            actor=sessions.shopper_actor(request),
        )
    except NotFound:
        raise Http404(_("This address does not exist.")) from None
    except PatronError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("You deleted the address."))
    return redirect("customer-address-book")


@require_GET
def regions_view(request):
    """The regions of a country, for the address form's region suggestions."""
    country = (request.GET.get("country") or "").upper()[:2]
    return JsonResponse({"regions": [{"code": c, "name": n} for c, n in region_choices(country)]})


@customer_required
@require_http_methods(["GET", "POST"])
def account_edit_view(request):
    customer = request.customer
    website = request.store_view.store.website
    rules = form_rules(website)
    fields = (
        "prefix",
        "firstname",
        "middlename",
        "lastname",
        "suffix",
        "dob",
        "taxvat",
        "gender",
        "allow_remote_assistance",
    )
    initial = {name: getattr(customer, name) for name in fields}
    initial["email"] = customer.email
    initial["change_email"] = request.GET.get("changeemail") == "1"
    initial["change_password"] = request.GET.get("changepass") == "1"
    form = AccountForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        rules=rules,
        assistance_texts=checkbox_texts(customer.website),
        attributes=attribute_forms.storefront_attributes(
            AttributeEntity.CUSTOMER, AttributeForm.ACCOUNT_EDIT
        ),
        attribute_values=customer.custom_attributes,
        store_view=request.store_view,
        file_url=_customer_file_url,
    )
    if request.method == "POST" and form.is_valid() and _save_account(request, form, customer):
        return redirect("customer-account")
    status = 400 if request.method == "POST" else 200
    return _page(
        request,
        "dashboard/account_edit.html",
        {
            "form": form,
            "pending_email": customer.pending_email,
        },
        status,
    )


def _save_account(request, form, customer) -> bool:
    data = form.cleaned_data
    actor = sessions.shopper_actor(request)
    profile = {name: data[name] for name in form.profile_fields if name in data}
    for name in ("prefix", "middlename", "suffix", "taxvat"):
        if name in profile and profile[name] is None:
            profile[name] = ""
    change_password = bool(data.get("change_password"))
    new_email = (
        data["email"]
        if data.get("change_email")
        and data.get("email")
        and data["email"].lower() != customer.email
        else None
    )
    try:
        # One transaction, so a refused step leaves nothing changed and sends no email (mail
        # goes out after commit). The email change goes first: it checks the current password,
        # which the password change replaces.
        with transaction.atomic():
            if new_email:
                account_services.request_email_change(
                    customer=customer,
                    new_email=new_email,
                    current_password=data.get("current_password") or "",
                    store_view=request.store_view,
                    with_password=change_password,
                    actor=actor,
                )
            if change_password:
                account_services.change_password(
                    customer=customer,
                    current_password=data.get("current_password") or "",
                    password=data.get("password") or "",
                    confirmation=data.get("password_confirmation") or "",
                    actor=actor,
                )
            consent = profile.pop("allow_remote_assistance", customer.allow_remote_assistance)
            if consent != customer.allow_remote_assistance:
                services.set_assistance_consent(customer=customer, allowed=consent, actor=actor)
            if form.attribute_fields:
                profile["custom_attributes"] = attribute_forms.submitted_attributes(form)
            services.update_customer(
                customer=customer, actor=actor, attribute_form=AttributeForm.ACCOUNT_EDIT, **profile
            )
    except PatronError as error:
        attribute_forms.add_errors(form, error)
        return False
    if change_password:
        sessions.refresh_fingerprint(request, customer)
        messages.success(request, _("You saved the new password."))
    if new_email:
        messages.info(
            request,
            _("We sent a link to %(email)s. Your email address changes when you open it.")
            % {"email": new_email},
        )
    messages.success(request, _("You saved the account information."))
    return True


def confirm_email_change_view(request):
    try:
        account_services.confirm_email_change(
            customer_id=int(request.GET.get("id") or 0), key=request.GET.get("key", "")
        )
    except ValueError:
        messages.error(request, _("This email change link is not valid or has expired."))
        return redirect("customer-account-edit")
    except PatronError as error:
        # Also the address taken by another account since the link was sent (a Conflict).
        messages.error(request, str(error.message))
        return redirect("customer-account-edit")
    messages.success(
        request, _("Your email address has been changed. Use it the next time you sign in.")
    )
    return redirect("customer-account")


@customer_required
@require_http_methods(["GET", "POST"])
def newsletter_view(request):
    customer = request.customer
    subscription = customer.subscriptions.filter(store_view=request.store_view).first()
    subscribed = subscription is not None and subscription.status == SubscriberStatus.SUBSCRIBED
    form = NewsletterForm(request.POST or None, initial={"subscribed": subscribed})
    if request.method == "POST" and form.is_valid():
        actor = sessions.shopper_actor(request)
        if form.cleaned_data["subscribed"] and not subscribed:
            result = newsletter.subscribe(
                store_view=request.store_view,
                customer=customer,
                actor=actor,
                source=ConsentSource.ACCOUNT,
            )
            if result.status == SubscriberStatus.NOT_ACTIVATED:
                messages.info(
                    request,
                    _(
                        "A confirmation request has been sent. Open the link in the email to start your subscription."
                    ),
                )
            else:
                messages.success(request, _("We have saved your subscription."))
        elif not form.cleaned_data["subscribed"] and subscribed:
            newsletter.unsubscribe(
                customer=customer,
                store_view=request.store_view,
                actor=actor,
                source=ConsentSource.ACCOUNT,
            )
            messages.success(request, _("We have removed your newsletter subscription."))
        return redirect("customer-newsletter")
    pending = subscription is not None and subscription.status == SubscriberStatus.NOT_ACTIVATED
    return _page(request, "dashboard/newsletter.html", {"form": form, "pending": pending})


def newsletter_confirm_view(request):
    try:
        newsletter.confirm(
            subscriber_id=int(request.GET.get("id") or 0),
            code=request.GET.get("code", ""),
            actor=Actor("system", None, "link"),
        )
    except (NotFound, ValueError):
        return render(request, "dashboard/newsletter_done.html", {"ok": False}, status=404)
    return render(request, "dashboard/newsletter_done.html", {"ok": True, "confirmed": True})


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without any form of ours
@require_http_methods(["GET", "POST"])
def newsletter_unsubscribe_view(request):
    token = request.GET.get("token", "")
    try:
        subscriber = newsletter.subscriber_from_token(token)
    except NotFound:
        return render(request, "dashboard/newsletter_done.html", {"ok": False}, status=404)
    if request.method == "POST":
        newsletter.unsubscribe_by_token(token=token)
        return render(request, "dashboard/newsletter_done.html", {"ok": True, "unsubscribed": True})
    return render(request, "dashboard/newsletter_unsubscribe.html", {"subscriber": subscriber})


# --- Files of custom attributes -----------------------------------------------------------------


@customer_required
@require_GET
def attribute_file_view(request, code):
    """The signed-in shopper's own file of a storefront attribute; 404 for any other."""
    attribute = attribute_forms.file_attribute(AttributeEntity.CUSTOMER, code)
    if not attribute.show_on_storefront:
        raise Http404
    return attribute_forms.file_response(request.customer, attribute)


@customer_required
@require_GET
def address_attribute_file_view(request, address_id, code):
    """The file of a storefront attribute of one of the signed-in shopper's addresses."""
    try:
        address = selectors.get_address(request.customer, address_id)
    except NotFound:
        raise Http404 from None
    attribute = attribute_forms.file_attribute(AttributeEntity.ADDRESS, code)
    if not attribute.show_on_storefront:
        raise Http404
    return attribute_forms.file_response(address, attribute)
