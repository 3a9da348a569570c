from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from patron.admin_site import admin_site
from patron.core.admin_helpers import ReadOnlyAdminMixin
from patron.online import services
from patron.online.models import OnlineSession


@admin.register(OnlineSession, site=admin_site)
class NowOnlineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Customers > Now Online: everyone with activity inside the Online Minutes Interval."""

    list_display = [
        "customer_id_column",
        "firstname",
        "lastname",
        "email",
        "last_activity_at",
        "kind",
        "last_url",
        "company",
    ]
    list_filter = ["kind", "store_view"]
    search_fields = [
        "customer__email",
        "customer__firstname",
        "customer__lastname",
        "visitor_id",
        "last_url",
    ]
    list_select_related = ["customer__default_billing"]
    list_display_links = None
    actions = None

    def get_queryset(self, request):
        return services.online_now().select_related("customer__default_billing")

    # The attribute "customer_id" would be headed "Customer id"; the spec's column is "ID".
    @admin.display(description=_("ID"), ordering="customer_id")
    def customer_id_column(self, row):
        return row.customer_id

    @admin.display(description=_("first name"))
    def firstname(self, row):
        return row.customer.firstname if row.customer else ""

    @admin.display(description=_("last name"))
    def lastname(self, row):
        return row.customer.lastname if row.customer else ""

    @admin.display(description=_("email"))
    def email(self, row):
        return row.customer.email if row.customer else ""

    @admin.display(description=_("company"))
    def company(self, row):
        billing = row.customer.default_billing if row.customer else None
        return billing.company if billing else ""
