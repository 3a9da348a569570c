"""Sales > Products, Categories and Orders: read-only lists of what the shop reported."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from patron.admin_site import admin_site
from patron.core.admin_helpers import ReadOnlyAdminMixin
from patron.sales.models import Category, Order, OrderItem, Product, ProductAttribute


@admin.register(Category, site=admin_site)
class CategoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(ProductAttribute, site=admin_site)
class ProductAttributeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "label", "type", "use_for_promo_rules"]
    list_filter = ["type", "use_for_promo_rules"]
    search_fields = ["code", "label"]


@admin.register(Product, site=admin_site)
class ProductAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sku", "name", "price", "attribute_set", "is_active", "updated_at"]
    list_filter = ["is_active", "attribute_set", "categories"]
    search_fields = ["sku", "name"]
    show_full_result_count = False


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    fields = ["sku", "name", "qty", "price", "row_total"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order, site=admin_site)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "placed_at",
        "customer_email",
        "store_view",
        "status",
        "grand_total",
        "currency",
    ]
    list_filter = ["status", "website", "store_view"]
    # Exact matches, served by indexes: a contains-search or a date drill-down scans every
    # order of a large shop (seconds at 3 million orders; docs/performance.md).
    search_fields = ["=number", "=customer_email"]
    search_help_text = _("Search by exact order number or customer email.")
    list_select_related = ["store_view"]
    inlines = [OrderItemInline]
    show_full_result_count = False

    def get_queryset(self, request):
        from patron.staff.services import staff_website_ids

        orders = super().get_queryset(request)
        website_ids = staff_website_ids(request.user)
        return orders if website_ids is None else orders.filter(website_id__in=website_ids)
