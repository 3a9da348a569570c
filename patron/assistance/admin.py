"""Back office: the "Log in as Customer" button (edit page and grid rows), its confirmation
page, and Customers > Login as Customer Log."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.accounts.services import absolute_url
from patron.admin_site import admin_site
from patron.assistance import services
from patron.assistance.models import AssistanceSession
from patron.core.actors import Actor
from patron.core.admin_helpers import ReadOnlyAdminMixin
from patron.core.errors import PatronError
from patron.core.registries import CustomerAction, customer_actions
from patron.customers.admin_edit import customer_for_staff


class StoreViewForm(forms.Form):
    store_view = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Store View to Log in"))

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store_view"].queryset = services.store_views_for(customer)


def login_as_view(request, customer_id: int):
    """Confirm (choosing the store view when configured so), then send the browser, in a new
    tab, to the storefront with a single-use secret."""
    customer = customer_for_staff(request, customer_id)
    may = request.user.has_perm(services.PERMISSION)
    if not may:
        raise PermissionDenied
    manual = services.store_view_is_chosen_by_staff()
    form = StoreViewForm(request.POST or None, customer=customer) if manual else None
    error = None
    try:
        services.check_can_assist(customer, may=may)
    except PatronError as refusal:
        error = refusal.message
    if request.method == "POST" and error is None and (form is None or form.is_valid()):
        try:
            session, secret = services.start_assistance(
                customer=customer,
                actor=Actor.staff(request.user),
                may=may,
                store_view=form.cleaned_data["store_view"] if form else None,
                staff_user=request.user,
            )
        except PatronError as refusal:
            error = refusal.message
        else:
            return HttpResponseRedirect(
                absolute_url(session.store_view, "assistance-start", f"secret={secret}")
            )
    context = {
        **admin_site.each_context(request),
        "title": _("Log in as Customer"),
        "customer": customer,
        "form": form,
        "error": error,
    }
    return render(request, "admin/assistance/login_as.html", context, status=403 if error else 200)


def _button_visible(request, customer) -> bool:
    return services.is_enabled() and request.user.has_perm(services.PERMISSION)


def register_button() -> None:
    customer_actions.register(
        CustomerAction(
            "login_as_customer",
            gettext_lazy("Log in as Customer"),
            10,
            lambda customer_id: reverse("admin:assistance-login-as", args=[customer_id]),
            is_visible=_button_visible,
            in_grid=True,
        )
    )


@admin.register(AssistanceSession, site=admin_site)
class AssistanceLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Customers > Login as Customer Log: one row per session, read-only."""

    list_display = [
        "started_at",
        "actor_label",
        "customer_email",
        "customer_id_column",
        "store_view",
        "duration_column",
        "actions_count",
        "ended_at",
    ]
    list_filter = ["started_at", "store_view", "actor_kind"]
    search_fields = ["customer_email", "customer_name", "actor_label"]
    date_hierarchy = "started_at"
    list_select_related = ["store_view"]
    actions = ["export_csv"]
    show_full_result_count = False

    def get_urls(self):
        login_as = path(
            "login-as/<int:customer_id>/",
            self.admin_site.admin_view(login_as_view),
            name="assistance-login-as",
        )
        return [login_as, *super().get_urls()]

    def get_queryset(self, request):
        # Sessions never opened (an unused link) are not part of the log.
        return super().get_queryset(request).filter(started_at__isnull=False)

    @admin.display(description=gettext_lazy("customer ID"), ordering="customer_id")
    def customer_id_column(self, session):
        return session.customer_id

    @admin.display(description=gettext_lazy("duration"))
    def duration_column(self, session):
        duration = session.duration
        if duration is None:
            return "—"
        minutes, seconds = divmod(int(duration.total_seconds()), 60)
        return f"{minutes}:{seconds:02d}"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(services.LOG_PERMISSION)

    def has_module_permission(self, request):
        return request.user.has_perm(services.LOG_PERMISSION)

    @admin.action(description=gettext_lazy("Export the selected sessions as CSV"))
    def export_csv(self, request, queryset):
        from patron.core.writers import csv_chunks
        from patron.staff.models import StaffActionKind
        from patron.staff.services import record_staff_action

        if not self.has_view_permission(request):
            raise PermissionDenied
        header = [
            _("Logged In"), _("Staff member"), _("Customer ID"), _("Customer Email"),
            _("Store View"), _("Ended"), _("Actions taken"),
        ]  # fmt: skip
        rows = (
            [s.started_at, s.actor_label, s.customer_id, s.customer_email, s.store_view.code,
             s.ended_at, s.actions_count]
            for s in queryset.select_related("store_view").iterator()
        )  # fmt: skip
        record_staff_action(
            actor=Actor.staff(request.user),
            action=StaffActionKind.EXPORT,
            target="login-as-customer-log.csv",
            count=queryset.count(),
        )
        response = StreamingHttpResponse(
            csv_chunks(header, rows, byte_order_mark=True), content_type="text/csv"
        )
        response["Content-Disposition"] = 'attachment; filename="login-as-customer-log.csv"'
        return response
