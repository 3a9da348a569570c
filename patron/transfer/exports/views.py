"""Back office System > Data Transfer > Export: choose the entity, the file format and the
attribute filters, Continue to the export's job page, then Download the file. Every page
needs ``customers.export_customers``; the download also needs to be the staff member's own
export (or ``core.view_job``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.api import Principal
from patron.core.errors import Conflict, InvalidInput, NotFound
from patron.staff.services import staff_website_ids
from patron.transfer.exports import filters, services


def export_urls(site) -> list:
    """The export pages' URL patterns, added by the admin site's ``get_urls``."""

    def wrap(view):
        return site.admin_view(lambda request, **kwargs: view(request, site, **kwargs))

    return [
        path("transfer/export/", wrap(export_view), name="transfer-export"),
        path("transfer/export/<uuid:job_id>/", wrap(job_view), name="transfer-export-job"),
        path(
            "transfer/export/<uuid:job_id>/download/",
            wrap(download_view),
            name="transfer-export-download",
        ),
    ]


def _principal(request) -> Principal:
    if not request.user.has_perm(services.EXPORT_PERMISSION):
        raise PermissionDenied
    user = request.user
    return Principal(
        actor=Actor.staff(user), permissions=None, website_ids=staff_website_ids(user), user=user
    )


def _conditions(data, fields) -> list[dict[str, str]]:
    """The filled-in rows of the filter table as conditions (a row counts when it has a value
    or an operator that needs none)."""
    chosen = []
    for number, field in enumerate(fields):
        operator = data.get(f"op-{number}", "")
        value = (data.get(f"value-{number}") or "").strip()
        if value or operator in ("empty", "not_empty"):
            chosen.append({"code": field.code, "operator": operator or "eq", "value": value})
    return chosen


def export_view(request, site):
    """The Export page: entity and format, the entity's attributes with an operator and a
    value each, Continue."""
    principal = _principal(request)
    data = request.POST if request.method == "POST" else request.GET
    entity = data.get("entity") if data.get("entity") in services.ENTITIES else "customer"
    file_format = data.get("format") if data.get("format") in services.FORMATS else "csv"
    fields = list(filters.filter_fields(entity).values())
    error = None
    if request.method == "POST" and "continue" in request.POST:
        try:
            job = services.request_export(
                entity=entity, file_format=file_format,
                conditions=_conditions(request.POST, fields), actor=principal.actor,
                website_ids=principal.website_ids,
            )  # fmt: skip
        except InvalidInput as problem:
            error = problem.message
        else:
            messages.success(request, _("The export was queued. Download it here when it is done."))
            return HttpResponseRedirect(reverse("admin:transfer-export-job", args=[job.pk]))
    # "Show Attributes" after changing the entity starts the new entity's filters empty.
    kept = data if request.method == "GET" or "continue" in request.POST else {}
    rows = [
        {
            "number": number,
            "field": field,
            "operators": [(code, filters.OPERATORS[code]) for code in field.operators],
            "operator": kept.get(f"op-{number}", ""),
            "value": kept.get(f"value-{number}", ""),
        }
        for number, field in enumerate(fields)
    ]
    context = {
        **site.each_context(request),
        "title": _("Export"),
        "entities": list(services.ENTITIES.items()),
        "formats": list(services.FORMATS.items()),
        "entity": entity,
        "file_format": file_format,
        "rows": rows,
        "error": error,
    }
    status = 400 if error else 200
    return TemplateResponse(request, "admin/transfer/export/form.html", context, status=status)


def job_view(request, site, job_id):
    """An export's progress, refreshed every two seconds until it finishes; Download then."""
    try:
        job = services.get_export(job_id, principal=_principal(request))
    except NotFound:
        raise Http404 from None
    context = {**site.each_context(request), "title": job.label, "job": job}
    return TemplateResponse(request, "admin/transfer/export/job.html", context)


def download_view(request, site, job_id):
    """The export's file; 410 Gone, on the export's page with the reason, once it expired."""
    try:
        job = services.get_export(job_id, principal=_principal(request))
        file, name, content_type = services.open_export(job)
    except NotFound:
        raise Http404 from None
    except Conflict as error:
        if error.code != services.EXPORT_EXPIRED:
            raise
        context = {
            **site.each_context(request), "title": job.label, "job": job, "gone": error.message,
        }  # fmt: skip
        return TemplateResponse(request, "admin/transfer/export/job.html", context, status=410)
    return FileResponse(file, as_attachment=True, filename=name, content_type=content_type)
