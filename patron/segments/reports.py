"""Reports > Customers > Segments (spec c §7): the segment grid with member counts, the detail
report of one segment or of the union or intersection of several, its website and group
filters, Refresh Segment Data and the CSV / Excel XML export.

The pages hang off the admin site through :func:`report_urls`. They read through
:mod:`patron.segments.selectors`; the only writes are the refresh job (the segment's own task)
and the staff action log entry of an export. The report has its own permission,
``segments.view_segment_report``, and is absent (404) while segments are disabled.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from patron.core.actors import Actor
from patron.core.locales import country_name
from patron.segments import selectors, services
from patron.segments.models import Segment
from patron.staff.services import staff_website_ids

PERMISSION = "segments.view_segment_report"
SESSION_KEY = "patron_segments_report_combined"
PAGE_SIZES = (20, 30, 50, 100, 200)
COLUMNS = (
    ("id", gettext_lazy("ID")),
    ("name", gettext_lazy("Name")),
    ("email", gettext_lazy("Email")),
    ("group", gettext_lazy("Group")),
    ("telephone", gettext_lazy("Phone")),
    ("postcode", gettext_lazy("ZIP")),
    ("country", gettext_lazy("Country")),
    ("region", gettext_lazy("State/Province")),
    ("created_at", gettext_lazy("Customer Since")),
)


def report_urls(site) -> list:
    """The report's URL patterns, added by the admin site's ``get_urls``."""

    def wrap(view):
        return site.admin_view(lambda request, **kwargs: view(request, site, **kwargs))

    return [
        path("reports/segments/", wrap(report_view), name="segments-report"),
        path("reports/segments/combined/", wrap(combined_view), name="segments-report-combined"),
        path(
            "reports/segments/combined/export/",
            wrap(combined_export_view),
            name="segments-report-combined-export",
        ),
        path(
            "reports/segments/<int:segment_id>/", wrap(detail_view), name="segments-report-detail"
        ),
        path(
            "reports/segments/<int:segment_id>/refresh/",
            wrap(refresh_view),
            name="segments-report-refresh",
        ),
        path(
            "reports/segments/<int:segment_id>/export/",
            wrap(export_view),
            name="segments-report-export",
        ),
    ]


# --- Shared helpers ---------------------------------------------------------------------------


def _guard(request) -> list[int] | None:
    """Refuse the report when segments are disabled (absent) or the staff member lacks its
    permission; return the websites the staff member may see (None: all)."""
    if not services.is_enabled():
        raise Http404("Customer segments are disabled.")
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    return staff_website_ids(request.user)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _page(request, rows, *, default_size: int = PAGE_SIZES[0]):
    size = _int(request.GET.get("page_size"))
    size = size if size in PAGE_SIZES else default_size
    return Paginator(rows, size).get_page(request.GET.get("page")), size


def _kept(**values) -> list[tuple[str, object]]:
    """The filters in use, as (name, value) pairs for links and hidden fields."""
    return [(key, value) for key, value in values.items() if value not in (None, "")]


def _query(**values) -> str:
    return urlencode(_kept(**values))


# --- The segments grid ------------------------------------------------------------------------


def _grid_filters(data) -> dict:
    status = data.get("status", "")
    return {
        "status": status if status in ("1", "0") else "",
        "website": _int(data.get("website")),
        "name": (data.get("name") or "").strip(),
    }


def _grid_segments(filters: dict, website_ids):
    is_active = {"1": True, "0": False}.get(filters["status"])
    return selectors.list_report_segments(
        is_active=is_active, website_id=filters["website"], name=filters["name"],
        website_ids=website_ids,
    )  # fmt: skip


def report_view(request, site):
    """The segment grid: ID, Segment, Status, Website and stored member count (check 38)."""
    website_ids = _guard(request)
    filters = _grid_filters(request.GET)
    page, size = _page(request, _grid_segments(filters, website_ids))
    filter_query = _query(**filters)
    context = {
        **site.each_context(request),
        "title": _("Customer Segment Report"),
        "filters": filters,
        "filter_query": filter_query,
        "filter_fields": _kept(**filters),
        "page_query": _query(**filters, page_size=size),
        "page": page,
        "page_size": size,
        "page_sizes": PAGE_SIZES,
        "websites": selectors.report_websites(website_ids=website_ids),
        "set_operations": selectors.SetOperation.choices,
    }
    return TemplateResponse(request, "admin/segments/report/grid.html", context)


# --- The detail report ------------------------------------------------------------------------


def _detail_filters(request, segment_ids, website_ids) -> dict:
    """The website and group chosen, kept only when the page offers them."""
    websites = list(selectors.report_websites(segment_ids=segment_ids, website_ids=website_ids))
    groups = list(selectors.report_groups())
    website = _int(request.GET.get("website") or request.POST.get("website"))
    group = _int(request.GET.get("group") or request.POST.get("group"))
    return {
        "website": website if website in {w.pk for w in websites} else None,
        "group": group if group in {g.pk for g in groups} else None,
        "websites": websites,
        "groups": groups,
    }


def _members(segments, set_operation, filters, website_ids):
    return selectors.list_segment_members(
        segment_ids=[s.pk for s in segments], set_operation=set_operation,
        website_id=filters["website"], group_id=filters["group"], website_ids=website_ids,
    )  # fmt: skip


def member_row(customer) -> list:
    """One customer as the detail grid and its export show it (the columns of ``COLUMNS``)."""
    billing = customer.default_billing
    return [
        customer.pk,
        customer.full_name,
        customer.email,
        customer.group.code,
        billing.telephone if billing else "",
        billing.postcode if billing else "",
        country_name(billing.country_id) if billing else "",
        billing.region if billing else "",
        timezone.localtime(customer.created_at),
    ]


def _detail_page(request, site, *, segments, set_operation, combined: bool, website_ids):
    filters = _detail_filters(request, [s.pk for s in segments], website_ids)
    page, size = _page(request, _members(segments, set_operation, filters, website_ids))
    names = ", ".join(s.name for s in segments)
    single = None if combined else segments[0]
    if combined:
        export_url = reverse("admin:segments-report-combined-export")
    else:
        export_url = reverse("admin:segments-report-export", args=[single.pk])
    context = {
        **site.each_context(request),
        "title": _("Customer Segment Report '%(name)s'") % {"name": names},
        "segments": segments,
        "segment": single,
        "combined": combined,
        "set_operation": set_operation,
        "set_label": selectors.SetOperation(set_operation).label,
        "set_operations": selectors.SetOperation.choices,
        "columns": [label for _code, label in COLUMNS],
        "rows": [member_row(customer) for customer in page.object_list],
        "page": page,
        "page_size": size,
        "page_sizes": PAGE_SIZES,
        "filters": filters,
        "filter_fields": _kept(website=filters["website"], group=filters["group"]),
        "page_query": _query(website=filters["website"], group=filters["group"], page_size=size),
        "export_url": export_url,
    }
    return TemplateResponse(request, "admin/segments/report/detail.html", context)


def _visible_segment(segment_id: int, website_ids) -> Segment:
    found = selectors.get_report_segments([segment_id], website_ids=website_ids)
    if not found:
        raise Http404("No such segment.")
    return found[0]


def detail_view(request, site, segment_id: int):
    """Customer Segment Report '<name>': the segment's current members (checks 40, 41)."""
    website_ids = _guard(request)
    segment = _visible_segment(segment_id, website_ids)
    return _detail_page(
        request, site, segments=[segment], set_operation=selectors.SetOperation.UNION,
        combined=False, website_ids=website_ids,
    )  # fmt: skip


def _combined_selection(request, website_ids):
    """The segments and set of View Combined Report, kept in the session; None when absent."""
    kept = request.session.get(SESSION_KEY) or {}
    segments = selectors.get_report_segments(kept.get("ids") or [], website_ids=website_ids)
    set_operation = kept.get("set")
    if not segments or set_operation not in selectors.SetOperation.values:
        return None
    return segments, set_operation


def combined_view(request, site):
    """View Combined Report: a POST (the grid's mass action, or the set switcher) keeps the
    ticked segments and the set in the session; a GET shows their union or intersection
    (check 39) with the detail grid's filters."""
    website_ids = _guard(request)
    if request.method == "POST":
        return _choose_combination(request, website_ids)
    selection = _combined_selection(request, website_ids)
    if selection is None:
        messages.error(request, _("Select the segments of the combined report."))
        return HttpResponseRedirect(reverse("admin:segments-report"))
    segments, set_operation = selection
    return _detail_page(
        request, site, segments=segments, set_operation=set_operation, combined=True,
        website_ids=website_ids,
    )  # fmt: skip


def _choose_combination(request, website_ids):
    back = reverse("admin:segments-report")
    set_operation = request.POST.get("set", "")
    if set_operation not in selectors.SetOperation.values:
        messages.error(request, _("Choose Union or Intersection."))
        return HttpResponseRedirect(back)
    if request.POST.get("select_all") == "1":
        rows = _grid_segments(_grid_filters(request.POST), website_ids)
        ids = list(rows.values_list("pk", flat=True))
    else:
        ids = [i for i in (_int(v) for v in request.POST.getlist("ids")) if i is not None]
    segments = selectors.get_report_segments(ids, website_ids=website_ids)
    if not segments:
        messages.error(request, _("Select at least one segment."))
        return HttpResponseRedirect(back)
    request.session[SESSION_KEY] = {"ids": [s.pk for s in segments], "set": set_operation}
    return HttpResponseRedirect(reverse("admin:segments-report-combined"))


# --- Export -----------------------------------------------------------------------------------


def _export(request, *, segments, set_operation, website_ids, back: str, name: str):
    """Stream the detail grid's rows (its filters applied) as CSV or Excel XML and log it."""
    from patron.core.writers import EXPORT_FORMATS, csv_chunks, excel_xml_chunks
    from patron.staff.models import StaffActionKind
    from patron.staff.services import record_staff_action

    file_format = request.POST.get("format", "")
    if file_format not in EXPORT_FORMATS:
        messages.error(request, _("Choose CSV or Excel XML."))
        return HttpResponseRedirect(back)
    filters = _detail_filters(request, [s.pk for s in segments], website_ids)
    customers = _members(segments, set_operation, filters, website_ids)
    content_type, extension = EXPORT_FORMATS[file_format]
    filename = f"{name}.{extension}"
    header = [str(label) for _code, label in COLUMNS]
    values = (member_row(customer) for customer in customers.iterator(chunk_size=2000))
    if file_format == "csv":
        chunks = csv_chunks(header, values, byte_order_mark=True)
    else:
        chunks = excel_xml_chunks(header, values, sheet_name=str(_("Customer Segment Report")))
    record_staff_action(
        actor=Actor.staff(request.user), action=StaffActionKind.EXPORT, target=filename,
        count=customers.count(),
        details={
            "format": file_format, "report": "segments", "segments": [s.pk for s in segments],
            "set": set_operation,
            "filters": {"website": filters["website"], "group": filters["group"]},
        },
    )  # fmt: skip
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def export_view(request, site, segment_id: int):
    """Export one segment's detail grid (check 40)."""
    website_ids = _guard(request)
    segment = _visible_segment(segment_id, website_ids)
    return _export(
        request, segments=[segment], set_operation=selectors.SetOperation.UNION,
        website_ids=website_ids, name=f"segment-{segment.pk}-customers",
        back=reverse("admin:segments-report-detail", args=[segment.pk]),
    )  # fmt: skip


@require_POST
def combined_export_view(request, site):
    """Export the combined report's detail grid (check 40)."""
    website_ids = _guard(request)
    selection = _combined_selection(request, website_ids)
    if selection is None:
        messages.error(request, _("Select the segments of the combined report."))
        return HttpResponseRedirect(reverse("admin:segments-report"))
    segments, set_operation = selection
    return _export(
        request, segments=segments, set_operation=set_operation, website_ids=website_ids,
        name=f"segments-{set_operation}-customers",
        back=reverse("admin:segments-report-combined"),
    )  # fmt: skip


# --- Refresh Segment Data ---------------------------------------------------------------------


@require_POST
def refresh_view(request, site, segment_id: int):
    """Refresh Segment Data: rebuild the segment's membership as a background job and show its
    progress (spec c §5)."""
    website_ids = _guard(request)
    segment = _visible_segment(segment_id, website_ids)
    with transaction.atomic():
        job = services.request_refresh(segment=segment, actor=Actor.staff(request.user))
    messages.info(request, _("The segment data is being refreshed; its progress is below."))
    return HttpResponseRedirect(reverse("admin:job-progress", args=[job.pk]))
