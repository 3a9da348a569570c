"""Back office: Customers > All Customers (a first list; the full grid is its own work),
Customer Groups and Tax Classes. Every save goes through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import PatronError
from patron.customers import services
from patron.customers.models import Address, Customer, CustomerGroup, NewsletterSubscriber, TaxClass

# Not the assistance consent: staff change it on the customer page, with a reason.
EDITABLE_CUSTOMER_FIELDS = [
    "prefix", "firstname", "middlename", "lastname", "suffix", "email", "dob", "taxvat",
    "gender", "is_active", "disable_auto_group_change",
]  # fmt: skip


class ServiceErrorsMixin:
    """Run the service inside form validation, so its errors land on the form's fields."""

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        admin_instance = self

        class ServiceForm(form_class):
            def _post_clean(self):
                # No model validation here: the service validates after normalizing (Django's
                # check constraints would refuse "Ada@Example.com" before it is lower-cased, and
                # report a taken email without its field and outside its sharing scope).
                if self.errors:
                    return
                try:
                    self.instance = admin_instance.run_service(request, self, obj)
                except PatronError as error:
                    add_errors_to_form(self, error)

        return ServiceForm

    def save_model(self, request, obj, form, change):
        """The service already saved in form validation."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ["formatted", "is_default_billing", "is_default_shipping"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("address"))
    def formatted(self, address):
        from django.utils.safestring import mark_safe

        from patron.customers.address_format import render_address

        # The renderer escapes every value and allows only its tag list, so its HTML is safe.
        return mark_safe(render_address(address, "html", store_view=address.customer.created_in))  # noqa: S308

    @admin.display(description=gettext_lazy("default billing"), boolean=True)
    def is_default_billing(self, address):
        return address.customer.default_billing_id == address.pk

    @admin.display(description=gettext_lazy("default shipping"), boolean=True)
    def is_default_shipping(self, address):
        return address.customer.default_shipping_id == address.pk


def _default_website():
    from patron.scopes.models import Website

    return Website.objects.filter(is_default=True).first() or Website.objects.first()


class CustomerAddForm(forms.ModelForm):
    """Add New Customer: staff-created accounts have no password until the customer sets one
    through the link in the welcome email."""

    send_welcome_email = forms.BooleanField(
        label=gettext_lazy("Send the welcome email"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "The customer gets a link to choose a password, in the language of the store view below."
        ),
    )

    class Meta:
        model = Customer
        fields = ["website", "created_in", "group", *EDITABLE_CUSTOMER_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "created_in" in self.fields:
            self.fields["created_in"].label = gettext_lazy("Send Welcome Email From")
        from patron.customers.services import default_group_id
        from patron.scopes.config import get_config

        self.fields["group"].initial = default_group_id(None, _default_website())
        self.fields["disable_auto_group_change"].initial = bool(
            get_config("customer/create_account/viv_disable_auto_group_assign_default")
        )


@admin.register(Customer, site=admin_site)
class CustomerAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    """All Customers: Django's admin supplies the add form and the delete confirmation; the grid
    (admin_grid) and the edit page (admin_edit) are Patron's own pages."""

    def get_urls(self):
        from django.urls import path

        from patron.customers import admin_edit, admin_grid

        def page(view, name, route):
            wrapped = self.admin_site.admin_view(lambda request, **kw: view(request, self, **kw))
            return path(route, wrapped, name=f"customers_customer_{name}")

        return [
            page(admin_grid.quick_edit_view, "quick_edit", "grid/<int:customer_id>/quick-edit/"),
            page(admin_grid.mass_action_view, "mass_action", "grid/action/"),
            page(admin_grid.export_view, "export", "grid/export/"),
            page(admin_grid.views_view, "grid_views", "grid/views/"),
            page(
                admin_edit.reset_password_view,
                "reset_password",
                "<int:customer_id>/reset-password/",
            ),
            page(admin_edit.unlock_view, "unlock", "<int:customer_id>/unlock/"),
            page(
                admin_edit.force_sign_in_view, "force_sign_in", "<int:customer_id>/force-sign-in/"
            ),
            page(
                admin_edit.attribute_file_view,
                "attribute_file",
                "<int:customer_id>/attribute-file/<str:code>/",
            ),
            page(
                admin_edit.address_attribute_file_view,
                "address_attribute_file",
                "<int:customer_id>/address/<int:address_id>/attribute-file/<str:code>/",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        from patron.customers.admin_grid import grid_page

        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return grid_page(request, self)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from patron.customers.admin_edit import edit_page

        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        try:
            customer_id = int(object_id)
        except ValueError:
            raise Http404 from None
        return edit_page(request, self, customer_id)

    def response_add(self, request, obj, post_url_continue=None):
        # After the first save the full edit page opens (Magento's Save and Continue Edit).
        messages.success(request, gettext("You saved the customer."))
        return HttpResponseRedirect(
            reverse(
                "admin:customers_customer_change", args=[obj.pk], current_app=self.admin_site.name
            )
        )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CustomerAddForm
        return super().get_form(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Staff limited to some websites create customers only there.
        from patron.scopes.models import StoreView, Website
        from patron.staff.services import staff_website_ids

        website_ids = staff_website_ids(request.user)
        if website_ids is not None and db_field.name == "website":
            kwargs["queryset"] = Website.objects.filter(pk__in=website_ids)
        elif website_ids is not None and db_field.name == "created_in":
            kwargs["queryset"] = StoreView.objects.filter(store__website_id__in=website_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        from patron.customers.validation import OPTIONAL_CUSTOMER_FIELDS, form_rules
        from patron.scopes.models import Website

        # The website is chosen in this form, so a field shows when any website shows it; the
        # service then applies the chosen website's rules.
        rules = [form_rules(website) for website in Website.objects.all()]
        hidden = {
            name
            for name in OPTIONAL_CUSTOMER_FIELDS
            if not any(r.rule(name).visible for r in rules)
        }
        fields = ["website", "created_in", "send_welcome_email", "group", *EDITABLE_CUSTOMER_FIELDS]
        return [name for name in fields if name not in hidden]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        from patron.staff.services import staff_website_ids

        website_ids = staff_website_ids(request.user)
        return queryset if website_ids is None else queryset.filter(website_id__in=website_ids)

    def run_service(self, request, form, obj):
        """Add New Customer (edits go through the edit page's Account Information section)."""
        from patron.accounts.services import create_account_by_staff
        from patron.staff.services import staff_website_ids

        data = form.cleaned_data
        website_ids = staff_website_ids(request.user)
        if website_ids is not None and data["website"].pk not in website_ids:
            # The form offers only the allowed websites; this guards a forged submission.
            raise PermissionDenied
        fields = {name: data[name] for name in EDITABLE_CUSTOMER_FIELDS if name in data}
        fields = {
            k: ("" if v is None and k not in ("dob", "gender") else v) for k, v in fields.items()
        }
        return create_account_by_staff(
            website=data["website"],
            welcome_store_view=data.get("created_in"),
            send_welcome_email=data.get("send_welcome_email", True),
            group=data.get("group"),
            email=fields.pop("email"),
            firstname=fields.pop("firstname"),
            lastname=fields.pop("lastname"),
            actor=Actor.staff(request.user),
            **fields,
        )

    def delete_model(self, request, obj):
        services.delete_customer(customer=obj, actor=Actor.staff(request.user))

    def delete_queryset(self, request, queryset):
        for customer in queryset:
            services.delete_customer(customer=customer, actor=Actor.staff(request.user))


@admin.register(CustomerGroup, site=admin_site)
class CustomerGroupAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ["id", "code", "tax_class", "customer_count"]
    list_filter = ["tax_class"]
    search_fields = ["code"]
    fields = ["code", "tax_class", "excluded_websites"]
    filter_horizontal = ["excluded_websites"]
    actions = None

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("tax_class")
            .annotate(customer_total=Count("customers"))
        )

    @admin.display(description=gettext_lazy("customers"), ordering="customer_total")
    def customer_count(self, group):
        return group.customer_total

    def run_service(self, request, form, obj):
        data = form.cleaned_data
        actor = Actor.staff(request.user)
        if obj is None:
            return services.create_group(
                code=data["code"],
                tax_class=data["tax_class"],
                excluded_websites=data["excluded_websites"],
                actor=actor,
            )
        return services.update_group(
            group=CustomerGroup.objects.get(pk=obj.pk),
            code=data["code"],
            tax_class=data["tax_class"],
            excluded_websites=data["excluded_websites"],
            actor=actor,
        )

    def save_related(self, request, form, formsets, change):
        """The service saved the excluded websites too."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _sees_all_websites(request.user)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and _sees_all_websites(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _sees_all_websites(request.user)

    def get_deleted_objects(self, objs, request):
        # The group's customers move to their default group (the service), so Customer.group's
        # PROTECT must not block the deletion page.
        deleted, model_count, perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, perms_needed, []

    def delete_view(self, request, object_id, extra_context=None):
        group = self.get_object(request, unquote(object_id)) if request.method == "POST" else None
        if group is not None and self.has_delete_permission(request, group):
            try:
                services.check_group_deletable(group)
            except PatronError as error:
                # Refuse before Django logs the deletion and announces it as done.
                messages.error(request, str(error.message))
                return HttpResponseRedirect(
                    reverse(
                        "admin:customers_customergroup_change",
                        args=[group.pk],
                        current_app=self.admin_site.name,
                    )
                )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        try:
            moved = services.delete_group(group=obj, actor=Actor.staff(request.user))
        except PatronError as error:
            messages.error(request, str(error.message))
            return
        messages.info(
            request,
            ngettext(
                "%(count)d customer was moved to their store's default group.",
                "%(count)d customers were moved to their store's default group.",
                moved,
            )
            % {"count": moved},
        )


def _sees_all_websites(user) -> bool:
    from patron.staff.services import staff_website_ids

    return staff_website_ids(user) is None


@admin.register(TaxClass, site=admin_site)
class TaxClassAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = ["id", "name", "kind"]
    list_filter = ["kind"]
    fields = ["name", "kind"]
    actions = None

    def run_service(self, request, form, obj):
        data = form.cleaned_data
        return services.save_tax_class(
            name=data["name"], kind=data["kind"], tax_class=TaxClass.objects.get(pk=obj.pk) if obj else None,
            actor=Actor.staff(request.user),
        )  # fmt: skip

    def delete_model(self, request, obj):
        try:
            services.delete_tax_class(tax_class=obj, actor=Actor.staff(request.user))
        except PatronError as error:
            messages.error(request, str(error.message))


@admin.register(NewsletterSubscriber, site=admin_site)
class NewsletterSubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "store_view", "status", "customer", "consent_at", "consent_source"]
    list_filter = ["status", "store_view", "consent_source"]
    search_fields = ["email"]
    list_select_related = ["store_view", "customer"]
    readonly_fields = [
        "customer",
        "email",
        "store_view",
        "status",
        "consent_at",
        "consent_source",
        "status_changed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Stores > Attributes > Customer and Customer Address are in their own module; importing it here
# registers them when Django's admin autodiscovers this one.
from patron.customers import admin_attributes  # noqa: E402, F401
