from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PatronAdminSite(admin.AdminSite):
    site_header = _("Patron back office")
    site_title = _("Patron")
    index_title = _("Customer management")

    def get_urls(self):
        from patron.scopes.admin import configuration_urls

        return configuration_urls(self) + super().get_urls()


admin_site = PatronAdminSite(name="admin")
