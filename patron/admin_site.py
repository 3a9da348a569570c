from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PatronAdminSite(admin.AdminSite):
    site_header = _("Patron back office")
    site_title = _("Patron")
    index_title = _("Customer management")

    def has_permission(self, request):
        from patron.staff import two_factor

        if not super().has_permission(request):
            return False
        return not two_factor.is_required() or two_factor.is_verified(request.user)

    def login(self, request, extra_context=None):
        from patron.staff.views import login_view

        return login_view(request, self)

    def get_urls(self):
        from django.urls import path

        from patron.core.admin import job_progress_view
        from patron.scopes.admin import configuration_urls
        from patron.segments.reports import report_urls
        from patron.staff import views as staff_views
        from patron.transfer.exports.views import export_urls

        def own(view):
            return lambda request: view(request, self)

        jobs = [
            path("jobs/<uuid:job_id>/", self.admin_view(job_progress_view), name="job-progress")
        ]
        sign_in = [
            path("two-factor/", own(staff_views.verify_view), name="two-factor-verify"),
            path("two-factor/setup/", own(staff_views.setup_view), name="two-factor-setup"),
        ]
        return (
            sign_in + configuration_urls(self) + jobs + report_urls(self) + export_urls(self)
            + super().get_urls()
        )  # fmt: skip


admin_site = PatronAdminSite(name="admin")
