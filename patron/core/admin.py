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


def _back_url(job) -> str | None:
    """Where the job's page leads back to: the list or record the job worked on, as the app
    that owns the job's kind registered it."""
    from patron.core.registries import job_back_links

    for link in job_back_links:
        if job.kind.startswith(link.code):
            return link.url(job)
    return None


def job_progress_view(request, job_id):
    """A job's progress, refreshed every two seconds until it finishes; shown to the staff
    member who started it and to holders of core.view_job."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404
    from django.template.response import TemplateResponse

    from patron.core.errors import NotFound
    from patron.core.progress import get_job

    try:
        job = get_job(job_id)
    except NotFound:
        raise Http404 from None
    started_it = job.actor_kind == "staff" and job.actor_id == request.user.pk
    if not started_it and not request.user.has_perm("core.view_job"):
        raise PermissionDenied
    back_url = _back_url(job)
    context = {
        **admin_site.each_context(request),
        "title": job.label,
        "job": job,
        "back_url": back_url,
    }
    return TemplateResponse(request, "admin/core/job_progress.html", context)
