"""Back office: Customers > All Customers (a first list; the full grid is its own work),
Customer Groups and Tax Classes. Every save goes through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import PatronError
from patron.customers import services
from patron.customers.models import Address, Customer, CustomerGroup, NewsletterSubscriber, TaxClass

EDITABLE_CUSTOMER_FIELDS = [
    "prefix", "firstname", "middlename", "lastname", "suffix", "email", "dob", "taxvat",
    "gender", "is_active", "disable_auto_group_change", "allow_remote_assistance",
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


@admin.register(Customer, site=admin_site)
class CustomerAdmin(ServiceErrorsMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "name",
        "email",
        "group",
        "website",
        "created_in",
        "created_at",
        "is_active",
    ]
    list_display_links = ["id", "name"]
    list_filter = ["website", "group", "is_active", "created_in"]
    search_fields = ["email", "firstname", "lastname", "taxvat", "number"]
    list_select_related = ["group", "website", "created_in"]
    date_hierarchy = "created_at"
    inlines = [AddressInline]
    list_per_page = 50
    show_full_result_count = False
    actions = ["send_password_reset", "unlock_accounts", "force_sign_in"]

    @admin.action(
        description=gettext_lazy("Send a password reset link"), permissions=["reset_password"]
    )
    def send_password_reset(self, request, queryset):
        from patron.accounts.services import staff_password_reset

        self._run_each(
            request,
            queryset,
            staff_password_reset,
            lambda n: ngettext(
                "A reset link was sent to %(count)d customer.",
                "Reset links were sent to %(count)d customers.",
                n,
            ),
        )

    @admin.action(description=gettext_lazy("Unlock"), permissions=["unlock"])
    def unlock_accounts(self, request, queryset):
        from patron.accounts.services import unlock_customer

        self._run_each(
            request,
            queryset,
            unlock_customer,
            lambda n: ngettext(
                "%(count)d account was unlocked.", "%(count)d accounts were unlocked.", n
            ),
        )

    @admin.action(
        description=gettext_lazy("Force sign-in (end all sessions and tokens)"),
        permissions=["force_sign_in"],
    )
    def force_sign_in(self, request, queryset):
        from patron.accounts.services import force_sign_in

        self._run_each(
            request,
            queryset,
            force_sign_in,
            lambda n: ngettext(
                "%(count)d customer must sign in again.",
                "%(count)d customers must sign in again.",
                n,
            ),
        )

    def _run_each(self, request, queryset, service, done_message):
        done = 0
        for customer in queryset:
            try:
                service(customer=customer, actor=Actor.staff(request.user))
            except PatronError as error:
                messages.error(request, f"{customer.email}: {error.message}")
            else:
                done += 1
        if done:
            messages.success(request, done_message(done) % {"count": done})

    def has_reset_password_permission(self, request):
        return request.user.has_perm("customers.reset_customer_password")

    def has_unlock_permission(self, request):
        return request.user.has_perm("customers.unlock_customer")

    def has_force_sign_in_permission(self, request):
        return request.user.has_perm("customers.force_sign_in_customer")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CustomerAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "website",
                "created_in",
                "send_welcome_email",
                "group",
                *EDITABLE_CUSTOMER_FIELDS,
            ]
        return [
            "website",
            "group",
            *EDITABLE_CUSTOMER_FIELDS,
            "number",
            "created_in",
            "created_at",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["number", "created_in", "created_at", "updated_at"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        from patron.staff.services import staff_website_ids

        website_ids = staff_website_ids(request.user)
        return queryset if website_ids is None else queryset.filter(website_id__in=website_ids)

    @admin.display(description=gettext_lazy("name"), ordering="lastname")
    def name(self, customer):
        return customer.name

    def run_service(self, request, form, obj):
        data = form.cleaned_data
        actor = Actor.staff(request.user)
        fields = {name: data[name] for name in EDITABLE_CUSTOMER_FIELDS if name in data}
        fields = {
            k: ("" if v is None and k not in ("dob", "gender") else v) for k, v in fields.items()
        }
        if obj is None:
            email, firstname, lastname = (
                fields.pop("email"),
                fields.pop("firstname"),
                fields.pop("lastname"),
            )
            from patron.accounts.services import create_account_by_staff

            return create_account_by_staff(
                website=data["website"],
                welcome_store_view=data.get("created_in"),
                send_welcome_email=form.cleaned_data.get("send_welcome_email", True),
                group=data.get("group"),
                email=email,
                firstname=firstname,
                lastname=lastname,
                actor=actor,
                **fields,
            )
        original = Customer.objects.get(pk=obj.pk)
        changes = {k: v for k, v in fields.items() if getattr(original, k) != v}
        customer = original
        if changes:
            customer = services.update_customer(customer=original, actor=actor, **changes)
        if data["group"].pk != original.group_id:
            customer = services.change_group(customer=customer, group=data["group"], actor=actor)
        if data["website"].pk != original.website_id:
            customer = services.move_customer_to_website(
                customer=customer, website=data["website"], actor=actor
            )
        return customer

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
