"""Back office System > Data Transfer > Import: the list of imports, the Import page (entity
type, behavior, allowed errors, website mapping, file; Check Data), each import's page with
what Check Data found (the problems by row and column, the counts to add, update and delete)
and its Import button. Everything needs ``transfer.import_customers``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.errors import PatronError
from patron.transfer import services
from patron.transfer.forms import ImportForm
from patron.transfer.models import Import


@admin.register(Import, site=admin_site)
class ImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "original_name", "entity", "behavior", "state", "actor_label"]
    list_filter = ["state", "entity"]
    ordering = ["-created_at"]

    def _allowed(self, request) -> bool:
        return request.user.has_perm(services.IMPORT_PERMISSION)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:import_id>/run/", wrap(self.run_view), name="transfer_import_run"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        """The Import page: choose the settings and the file, then Check Data."""
        if not self._allowed(request):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            actor = Actor.staff(request.user)
            try:
                run = services.create_import(
                    entity=form.cleaned_data["entity"], behavior=form.cleaned_data["behavior"],
                    allowed_errors=form.cleaned_data["allowed_errors"],
                    website_map=form.cleaned_data["website_map"],
                    upload=form.cleaned_data["file"], actor=actor,
                )  # fmt: skip
            except PatronError as error:
                form.add_error(None, str(error.message))
            else:
                services.request_check(run=run, actor=actor)
                return HttpResponseRedirect(reverse("admin:transfer_import_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/transfer/import/form.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """An import's page: Check Data's progress and findings, then Import."""
        if not self._allowed(request):
            raise PermissionDenied
        run = get_object_or_404(Import, pk=object_id)
        check_job = run.check_job
        context = {
            **self.admin_site.each_context(request),
            "title": str(run),
            "run": run,
            "opts": self.model._meta,
            "check_job": check_job,
            "import_job": run.import_job,
            "result": run.check_result,
            "passed": services.check_passed(run),
            "problems": run.problems.all()[:200],
            "busy": check_job is not None and not check_job.is_finished,
        }
        return TemplateResponse(request, "admin/transfer/import/detail.html", context)

    def run_view(self, request, import_id):
        """Import (POST): queue the import and show its job's progress."""
        if not self._allowed(request):
            raise PermissionDenied
        run = get_object_or_404(Import, pk=import_id)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:transfer_import_change", args=[run.pk]))
        try:
            job = services.request_import(run=run, actor=Actor.staff(request.user))
        except PatronError as error:
            messages.error(request, str(error.message))
            return HttpResponseRedirect(reverse("admin:transfer_import_change", args=[run.pk]))
        messages.success(request, _("The import was queued."))
        return HttpResponseRedirect(reverse("admin:job-progress", args=[job.pk]))
