from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from patron.admin_site import admin_site
from patron.core.models import Job


@admin.register(Job, site=admin_site)
class JobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "label", "kind", "state", "progress", "actor_label"]
    list_filter = ["state", "kind"]
    search_fields = ["label"]
    readonly_fields = [f.name for f in Job._meta.fields]

    @admin.display(description=_("progress"))
    def progress(self, job):
        if job.total:
            return f"{job.done} / {job.total} ({job.percent}%)"
        return str(job.done)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
