"""The customer edit page's own sections: Customer View, Account Information, Addresses,
Newsletter and Timeline. Other apps add theirs to ``customer_sections`` the same way."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.core.history import describe, kind_label
from patron.core.registries import CustomerSection, customer_sections, customer_view_blocks
from patron.customers import attributes, selectors, services
from patron.customers.attribute_forms import add_attribute_fields, add_errors, submitted_attributes
from patron.customers.models import (
    NOT_LOGGED_IN_ID,
    Address,
    AttributeEntity,
    ConsentSource,
    Customer,
    CustomerGroup,
    NewsletterSubscriber,
    SubscriberStatus,
)
from patron.scopes.models import StoreView, Website
from patron.staff.services import staff_website_ids

TIMELINE_PAGE = 50


def section_url(customer: Customer, code: str, **query) -> str:
    from urllib.parse import urlencode

    base = reverse("admin:customers_customer_change", args=[customer.pk])
    return f"{base}?{urlencode({'section': code, **query})}"


def _render(request, template: str, customer: Customer, **context) -> str:
    return render_to_string(
        f"admin/customers/customer/sections/{template}",
        {"customer": customer, "perms_user": request.user, **context},
        request=request,
    )


# --- Customer View ------------------------------------------------------------------------------


def render_customer_view(request, customer: Customer) -> str:
    from patron.accounts.services import is_locked

    return _render(
        request,
        "view.html",
        customer,
        locked=is_locked(customer),
        billing=customer.default_billing,
        blocks=[
            block.render(request, customer)
            for block in customer_view_blocks
            if block.is_enabled()
            and (block.permission is None or request.user.has_perm(block.permission))
        ],
    )


# --- Account Information ------------------------------------------------------------------------

ACCOUNT_FIELDS = [
    "website", "group", "disable_auto_group_change", "prefix", "firstname", "middlename",
    "lastname", "suffix", "email", "dob", "taxvat", "gender", "is_active", "allow_remote_assistance",
]  # fmt: skip


class AccountForm(forms.ModelForm):
    """Account Information: parses the values; the services decide whether they are allowed."""

    class Meta:
        model = Customer
        fields = ACCOUNT_FIELDS
        widgets = {"dob": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        website_ids = staff_website_ids(user)
        websites = Website.objects.order_by("sort_order", "name")
        self.fields["website"].queryset = (
            websites if website_ids is None else websites.filter(pk__in=website_ids)
        )
        self.fields["group"].queryset = CustomerGroup.objects.exclude(pk=NOT_LOGGED_IN_ID)
        self.fields["assistance_reason"] = forms.CharField(
            label=gettext_lazy("Reason for changing the assistance consent"),
            required=False,
            max_length=500,
            help_text=gettext_lazy("Required when you change Allow remote shopping assistance."),
        )
        if not user.has_perm("customers.change_remote_assistance"):
            self.fields["allow_remote_assistance"].disabled = True
            del self.fields["assistance_reason"]
        from patron.customers.validation import apply_field_rules, form_rules

        apply_field_rules(self, [form_rules(self.instance.website)], self.instance)
        customer = self.instance
        # Every custom attribute, whatever its forms (the back office shows them all).
        self.attribute_fields = add_attribute_fields(
            self,
            attributes.attributes_for_form(AttributeEntity.CUSTOMER, None),
            values=customer.custom_attributes,
            file_url=lambda code: reverse(
                "admin:customers_customer_attribute_file", args=[customer.pk, code]
            ),
        )
        if not user.has_perm("customers.change_customer"):
            for field in self.fields.values():
                field.disabled = True

    def _post_clean(self):
        # Model validation is the service's job (it normalizes first, e.g. the email's case).
        pass


def _account_form(request, customer: Customer, data=None) -> AccountForm:
    files = request.FILES if data is not None else None
    return AccountForm(
        data, files, instance=Customer.objects.get(pk=customer.pk), user=request.user
    )


def render_account(request, customer: Customer, form: AccountForm | None = None) -> str:
    form = form or _account_form(request, customer)
    return _render(
        request,
        "account.html",
        customer,
        form=form,
        can_change=request.user.has_perm("customers.change_customer"),
    )


def post_account(request, customer: Customer):
    if not request.user.has_perm("customers.change_customer"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    form = _account_form(request, customer, request.POST)
    if form.is_valid():
        data = {
            name: form.cleaned_data[name] for name in ACCOUNT_FIELDS if name in form.changed_data
        }
        own = {k: ("" if v is None and k not in ("dob", "gender") else v) for k, v in data.items()}
        website, group = own.pop("website", None), own.pop("group", None)
        if form.attribute_fields:
            own["custom_attributes"] = submitted_attributes(form)
        try:
            services.save_customer_account(
                customer=customer, actor=Actor.staff(request.user), website=website, group=group,
                consent_reason=form.cleaned_data.get("assistance_reason") or "", **own,
            )  # fmt: skip
        except PatronError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("You saved the customer."))
            if "save_and_continue" in request.POST:
                return HttpResponseRedirect(section_url(customer, "account"))
            return HttpResponseRedirect(reverse("admin:customers_customer_changelist"))
    return render_account(request, customer, form)


# --- Addresses ----------------------------------------------------------------------------------


def _address_form(request, customer: Customer, data=None, address: Address | None = None):
    from patron.customers.address_rules import region_choices
    from patron.customers.validation import form_rules
    from patron.dashboard.forms import AddressForm

    initial = {"firstname": customer.firstname, "lastname": customer.lastname}
    if address is not None:
        initial = {name: getattr(address, name) for name in services.ADDRESS_FIELDS}
        for line, value in enumerate(address.street, start=1):
            initial[f"street_{line}"] = value
        initial["default_billing"] = customer.default_billing_id == address.pk
        initial["default_shipping"] = customer.default_shipping_id == address.pk
    form = AddressForm(
        data,
        request.FILES if data is not None else None,
        initial=initial,
        rules=form_rules(customer.website),
        show_vat=True,  # staff always see the address VAT number, whatever the shop shows
        region_options=region_choices(
            (data or {}).get("country_id") or initial.get("country_id") or ""
        ),
        attributes=attributes.attributes_for_form(AttributeEntity.ADDRESS, None),
        attribute_values=None if address is None else address.custom_attributes,
        file_url=None if address is None else _address_file_url(customer, address),
    )
    form.fields["default_billing"].label = gettext_lazy("Default Billing Address")
    form.fields["default_shipping"].label = gettext_lazy("Default Shipping Address")
    return form


def _address_file_url(customer: Customer, address: Address):
    return lambda code: reverse(
        "admin:customers_customer_address_attribute_file", args=[customer.pk, address.pk, code]
    )


def _address_of(customer: Customer, address_id: str) -> Address | None:
    """The customer's address with this id, or None (also for an id that is not a number)."""
    if not str(address_id).isdigit():
        return None
    return customer.addresses.filter(pk=int(address_id)).first()


def render_addresses(request, customer: Customer, form=None, editing=None) -> str:
    customer = Customer.objects.select_related("default_billing", "default_shipping").get(
        pk=customer.pk
    )
    target = request.GET.get("address")
    if form is None and target:
        editing = None if target == "new" else _address_of(customer, target)
        if target == "new" or editing is not None:
            form = _address_form(request, customer, address=editing)
    addresses = list(customer.addresses.order_by("pk"))
    defaults = {customer.default_billing_id, customer.default_shipping_id}
    addresses.sort(key=lambda address: address.pk not in defaults)
    user = request.user
    return _render(
        request,
        "addresses.html",
        customer,
        addresses=addresses,
        form=form,
        editing=editing,
        adding=form is not None and editing is None,
        can_add=user.has_perm("customers.add_address"),
        can_change=user.has_perm("customers.change_address"),
        can_delete=user.has_perm("customers.delete_address"),
    )


def post_addresses(request, customer: Customer):
    from django.core.exceptions import PermissionDenied

    operation = request.POST.get("operation")
    address = None
    if request.POST.get("address_id"):
        address = _address_of(customer, request.POST["address_id"])
        if address is None:
            messages.error(request, _("That address does not exist any more."))
            return HttpResponseRedirect(section_url(customer, "addresses"))
    needed = {
        "save": "customers.change_address" if address else "customers.add_address",
        "delete": "customers.delete_address",
        "default_billing": "customers.change_address",
        "default_shipping": "customers.change_address",
    }.get(operation)
    if needed is None or not request.user.has_perm(needed):
        raise PermissionDenied
    actor = Actor.staff(request.user)
    if operation == "save":
        form = _address_form(request, customer, request.POST, address=address)
        if form.is_valid():
            flags = {
                "default_billing": form.cleaned_data["default_billing"] or None,
                "default_shipping": form.cleaned_data["default_shipping"] or None,
            }
            try:
                if address is None:
                    services.add_address(
                        customer=customer, actor=actor,
                        **{k: bool(v) for k, v in flags.items()}, **form.address_values(),
                    )  # fmt: skip
                else:
                    services.update_address(
                        address=address, actor=actor, **flags, **form.address_values()
                    )
            except PatronError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("You saved the address."))
                return HttpResponseRedirect(section_url(customer, "addresses"))
        return render_addresses(request, customer, form=form, editing=address)
    try:
        if operation == "delete":
            services.delete_address(address=address, actor=actor)
            messages.success(request, _("You deleted the address."))
        else:
            services.set_default_address(
                address=address, actor=actor,
                billing=operation == "default_billing", shipping=operation == "default_shipping",
            )  # fmt: skip
            messages.success(request, _("The default address was changed."))
    except PatronError as error:
        messages.error(request, str(error.message))
    return HttpResponseRedirect(section_url(customer, "addresses"))


# --- Newsletter ---------------------------------------------------------------------------------


def _newsletter_rows(customer: Customer):
    views = StoreView.objects.filter(store__website_id=customer.website_id).order_by("sort_order")
    subscriptions = {
        s.store_view_id: s
        for s in NewsletterSubscriber.objects.filter(customer=customer).select_related("store_view")
    }
    return [(view, subscriptions.get(view.pk)) for view in views]


def render_newsletter(request, customer: Customer) -> str:
    return _render(
        request,
        "newsletter.html",
        customer,
        rows=_newsletter_rows(customer),
        subscribed=SubscriberStatus.SUBSCRIBED,
        can_change=request.user.has_perm("customers.change_newslettersubscriber"),
    )


def post_newsletter(request, customer: Customer):
    from django.core.exceptions import PermissionDenied

    if not request.user.has_perm("customers.change_newslettersubscriber"):
        raise PermissionDenied
    wanted = set(request.POST.getlist("store_views"))
    actor = Actor.staff(request.user)
    try:
        for view, subscription in _newsletter_rows(customer):
            active = (
                subscription is not None and subscription.status != SubscriberStatus.UNSUBSCRIBED
            )
            if str(view.pk) in wanted and not active:
                services.subscribe_newsletter(
                    store_view=view,
                    actor=actor,
                    source=ConsentSource.BACK_OFFICE,
                    customer=customer,
                )
            elif str(view.pk) not in wanted and active:
                services.unsubscribe_newsletter(
                    customer=customer,
                    store_view=view,
                    actor=actor,
                    source=ConsentSource.BACK_OFFICE,
                )
    except PatronError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("You saved the newsletter subscriptions."))
    return HttpResponseRedirect(section_url(customer, "newsletter"))


# --- Timeline -----------------------------------------------------------------------------------


def render_timeline(request, customer: Customer, note_error: str = "", note: str = "") -> str:
    entries = selectors.list_timeline(customer)
    before = request.GET.get("before")
    if before and before.isdigit():
        entries = selectors.timeline_before(entries, int(before))
    page = list(entries[: TIMELINE_PAGE + 1])
    for entry in page:
        entry.kind_text = kind_label(entry.kind)
        entry.summary = describe(entry.kind, entry.params)
    return _render(
        request,
        "timeline.html",
        customer,
        entries=page[:TIMELINE_PAGE],
        older=page[TIMELINE_PAGE - 1].pk if len(page) > TIMELINE_PAGE else None,
        can_note=request.user.has_perm("customers.add_timeline_note"),
        note_error=note_error,
        note=note,
    )


def post_timeline(request, customer: Customer):
    from django.core.exceptions import PermissionDenied

    if not request.user.has_perm("customers.add_timeline_note"):
        raise PermissionDenied
    text = request.POST.get("note", "")
    try:
        services.add_timeline_note(customer=customer, text=text, actor=Actor.staff(request.user))
    except PatronError as error:
        return render_timeline(request, customer, note_error=str(error.message), note=text)
    messages.success(request, _("The note was added."))
    return HttpResponseRedirect(section_url(customer, "timeline"))


def register_sections() -> None:
    own = (
        ("customer_view", gettext_lazy("Customer View"), 10, render_customer_view, None, None),
        ("account", gettext_lazy("Account Information"), 20, render_account, None, post_account),
        ("addresses", gettext_lazy("Addresses"), 30, render_addresses,
         "customers.view_address", post_addresses),
        ("newsletter", gettext_lazy("Newsletter"), 40, render_newsletter,
         "customers.view_newslettersubscriber", post_newsletter),
        ("timeline", gettext_lazy("Timeline"), 90, render_timeline,
         "customers.view_timeline", post_timeline),
    )  # fmt: skip
    for code, label, order, render, permission, post in own:
        customer_sections.register(
            CustomerSection(code, label, order, render, permission=permission, post=post)
        )
