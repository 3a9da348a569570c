from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PatronAdminSite(admin.AdminSite):
    site_header = _("Patron back office")
    site_title = _("Patron")
    index_title = _("Customer management")

    def get_urls(self):
        from django.urls import path

        from patron.core.admin import job_progress_view
        from patron.scopes.admin import configuration_urls

        jobs = [
            path("jobs/<uuid:job_id>/", self.admin_view(job_progress_view), name="job-progress")
        ]
        return configuration_urls(self) + jobs + super().get_urls()


admin_site = PatronAdminSite(name="admin")
