"""Back office: Customers > Segments (spec c §3, and the query language, live preview,
explanations and size history of issue 10).

The grid (Django's change list: ID, Segment, Status, Website, Customers) and Patron's segment
page: General Properties, the Conditions builder (``static/patron/segment-builder.js`` over a
textarea of JSON, so the page also works without JavaScript) with the same tree as query text
beside it and a live preview of what the draft matches, Matched Customers, History (a chart of
the segment's size drawn here as SVG) and Explain, with the buttons Back, Delete, Reset, Refresh
Segment Data, Save and Continue Edit and Save. The explanation page shows why a customer is in a
segment or not. Views parse and render; every change goes through
:mod:`patron.segments.services`, and the pages disappear with the segment permissions or when
"Enable Customer Segment Functionality" is No. The JSON endpoints the script calls (preview,
parse, print) are thin: they answer with what :mod:`patron.segments.preview` and
:mod:`patron.segments.query` say.
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.errors import NotFound, PatronError, Problem
from patron.core.locales import country_name
from patron.core.models import JobState
from patron.customers.models import Customer
from patron.scopes.models import Website
from patron.segments import preview, query, selectors, services
from patron.segments.admin_forms import (
    CONDITION_PATH,
    SegmentForm,
    describe_path,
    syntax_message,
)
from patron.segments.conditions import segment_conditions
from patron.segments.explain import Explained, explain_segment
from patron.segments.models import ApplyTo, Segment, SegmentMembership
from patron.segments.sections import explain_url
from patron.staff.services import staff_website_ids

PERMISSION = "segments.{action}_segment"
# The form's fields shown under Conditions rather than General Properties.
CONDITION_FIELDS = ("conditions", "query", "editor")
MATCHED_PAGE = 20
# The live preview's statement timeout: a slower draft answers "at least N (timed out)".
PREVIEW_TIMEOUT_MS = preview.DEFAULT_TIMEOUT_MS
ID_DIGITS = 18
HISTORY_DAYS = (30, 90, 365)
DEFAULT_HISTORY_DAYS = 90


def single_website() -> Website | None:
    """The only website in single-store mode (one website), else None."""
    websites = list(Website.objects.order_by("pk")[:2])
    return websites[0] if len(websites) == 1 else None


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("Status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", _("Active")), ("inactive", _("Inactive")))

    def queryset(self, request, queryset):
        if self.value() in ("active", "inactive"):
            return queryset.filter(is_active=self.value() == "active")
        return queryset


@admin.register(Segment, site=admin_site)
class SegmentAdmin(admin.ModelAdmin):
    """Customers > Segments: Django's change list, Patron's segment page, delete and refresh."""

    list_display = ["segment_id", "segment_name", "status", "website_names", "customers_count"]
    list_display_links = ["segment_id", "segment_name"]
    list_filter = [StatusFilter, "apply_to", "websites"]
    search_fields = ["name"]
    search_help_text = gettext_lazy("Search by segment name.")
    ordering = ["pk"]
    list_per_page = 50
    actions = None
    change_list_template = "admin/segments/segment/change_list.html"

    # --- Permissions: the model's, and none while segments are switched off ----------------

    def has_module_permission(self, request):
        return services.is_enabled() and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return services.is_enabled() and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return services.is_enabled() and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return services.is_enabled() and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return services.is_enabled() and super().has_delete_permission(request, obj)

    # --- Grid -------------------------------------------------------------------------------

    def get_queryset(self, request):
        return selectors.list_report_segments(website_ids=staff_website_ids(request.user))

    def get_list_display(self, request):
        if single_website() is not None:
            return [name for name in self.list_display if name != "website_names"]
        return self.list_display

    def get_list_filter(self, request):
        if single_website() is not None:
            return [name for name in self.list_filter if name != "websites"]
        return self.list_filter

    @admin.display(description=gettext_lazy("ID"), ordering="pk")
    def segment_id(self, segment):
        return segment.pk

    @admin.display(description=gettext_lazy("Segment"), ordering="name")
    def segment_name(self, segment):
        return segment.name

    @admin.display(description=gettext_lazy("Status"), ordering="is_active")
    def status(self, segment):
        return _("Active") if segment.is_active else _("Inactive")

    @admin.display(description=gettext_lazy("Website"))
    def website_names(self, segment):
        return ", ".join(website.name for website in segment.websites.all())

    @admin.display(description=gettext_lazy("Customers"), ordering="customers")
    def customers_count(self, segment):
        return segment.customers

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Segments"), **(extra_context or {})})

    # --- Segment page, delete, refresh ------------------------------------------------------

    def get_urls(self):
        def bound(view, name):
            def call(request, segment_id):
                return view(request, self, segment_id)

            return path(
                f"<int:segment_id>/{name}/",
                self.admin_site.admin_view(call),
                name=f"segments_segment_{name}",
            )

        routes = [
            bound(refresh_view, "refresh"),
            bound(preview_view, "preview"),
            bound(parse_view, "parse"),
            bound(print_view, "print"),
            bound(explain_view, "explain"),
        ]
        return [*routes, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return segment_page(request, self, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        segment = self.segment_for(request, object_id)
        return segment_page(request, self, segment)

    def delete_view(self, request, object_id, extra_context=None):
        return delete_page(request, self, self.segment_for(request, object_id))

    def segment_for(self, request, object_id) -> Segment:
        """The segment, if one of its websites is the staff member's; 404 otherwise."""
        try:
            segment = services.get_segment(object_id)
        except NotFound:
            raise Http404 from None
        ids = staff_website_ids(request.user)
        if ids is not None and not segment.websites.filter(pk__in=ids).exists():
            raise Http404
        return segment

    def url(self, name: str, *args) -> str:
        return reverse(
            f"admin:segments_segment_{name}", args=args, current_app=self.admin_site.name
        )


def _staff_websites(request) -> list[Website]:
    websites = Website.objects.order_by("sort_order", "name")
    ids = staff_website_ids(request.user)
    if ids is not None:
        websites = websites.filter(pk__in=ids)
    return list(websites)


def builder_catalogue(apply_to: str) -> list[dict[str, Any]]:
    """What the condition builder offers for a segment that applies to ``apply_to``: every
    entry of every segment condition type available to it, in the catalogue's order."""
    entries: list[dict[str, Any]] = []
    for condition in segment_conditions():
        if condition.is_available(apply_to):
            entries.extend(condition.entries(apply_to=apply_to))
    return entries


def builder_strings() -> dict[str, Any]:
    """The builder's words, translated here so the script carries no text of its own.
    ``{name}`` in a phrase is where the control of that parameter goes."""
    return {
        "phrases": {
            "combine": _("If {aggregator} of these conditions are {value}:"),
            "customer_address": _("If Customer Addresses match {aggregator} of these Conditions:"),
            "order_address": _("If Order Addresses match {aggregator} of these Conditions:"),
            "product_list": _(
                "If Product is {operator} in the {source} with {aggregator} of these Conditions "
                "match:"
            ),
            "product_history": _(
                "If Product {operator} {source} and matches {aggregator} of these Conditions:"
            ),
            "sales_amount": _(
                "{function} Sales Amount {operator} {value} while {aggregator} of these "
                "Conditions match:"
            ),
            "number_of_orders": _(
                "{function} Number of Orders {operator} {value} while {aggregator} of these "
                "Conditions match:"
            ),
            "purchased_qty": _(
                "{function} Purchased Quantity {operator} {value} while {aggregator} of these "
                "Conditions match:"
            ),
            "up_to_date": _("Period {operator} {value} Days Up To Date"),
            "date_range": _("Date Range {operator} within {value}"),
        },
        "fields": {
            "aggregator": _("ALL or ANY"),
            "combine.value": _("TRUE or FALSE"),
            "operator": _("Operator"),
            "value": _("Value"),
            "field": _("Amount"),
            "source": _("Where"),
            "function": _("Total or Average"),
            "from": _("From"),
            "to": _("To"),
        },
        "condition": _("Condition: {label}"),
        "picker": _("Condition to add"),
        "choose": _("Choose the condition to add…"),
        "add": _("Add"),
        "addLabel": _("Add to {label}"),
        "remove": _("Remove"),
        "removeLabel": _("Remove condition: {label}"),
        "unknown": _("This condition is no longer offered ({type} {attribute}); remove it."),
        "invalidJson": _(
            "The conditions are not valid JSON; correct them in the text box below, or reset."
        ),
        "empty": _("With no conditions, the segment matches every customer."),
        "visitorNote": _("Conditions marked * are also evaluated for visitors."),
        "builder": _("Condition builder"),
        "previewCounting": _("Counting the customers who match…"),
        "previewFailed": _(
            "The preview is not available right now; the conditions can still be saved."
        ),
        "previewSample": _("Some of the customers who match"),
        "previewName": _("Name"),
        "previewEmail": _("Email"),
        "textFailed": _("The conditions could not be shown as text."),
    }


def _matched(request, segment: Segment):
    """Matched Customers: the registered customers with a current membership, paged."""
    members = selectors.list_segment_members(
        segment_ids=[segment.pk], website_ids=staff_website_ids(request.user)
    )
    page = Paginator(members, MATCHED_PAGE).get_page(request.GET.get("page"))
    for customer in page.object_list:
        billing = customer.default_billing
        customer.phone = billing.telephone if billing else ""
        customer.zip = billing.postcode if billing else ""
        customer.country = country_name(billing.country_id) if billing else ""
        customer.state = billing.region if billing else ""
        customer.why_url = explain_url(segment.pk, customer.pk)
    return page


def segment_page(request, model_admin: SegmentAdmin, segment: Segment | None):
    """Add Segment (``segment`` None) or a segment's page; a POST saves it."""
    creating = segment is None
    if creating:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        can_change = True
    else:
        if not model_admin.has_view_permission(request, segment):
            raise PermissionDenied
        can_change = model_admin.has_change_permission(request, segment)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    websites = _staff_websites(request)
    form = SegmentForm(
        data,
        segment=segment,
        websites=websites,
        single_website=single_website(),
        read_only=not can_change,
    )
    condition_errors: dict[str, list[str]] = {}
    status = 200
    if data is not None:
        if form.is_valid():
            arguments = form.service_arguments()
            if not creating and "websites" in arguments:
                # Websites the staff member cannot see stay assigned.
                shown = {website.pk for website in websites}
                arguments["websites"] += [w for w in segment.websites.all() if w.pk not in shown]
            actor = Actor.staff(request.user)
            try:
                if creating:
                    saved = services.create_segment(actor=actor, **arguments)
                else:
                    saved = services.update_segment(segment=segment, actor=actor, **arguments)
            except PatronError as error:
                condition_errors = form.add_service_errors(error)
            else:
                messages.success(request, _("You saved the segment."))
                if "_continue" in request.POST:
                    return HttpResponseRedirect(model_admin.url("change", saved.pk))
                return HttpResponseRedirect(model_admin.url("changelist"))
        status = 400
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Segment._meta,
        "title": _("New Segment") if creating else segment.name,
        "segment": segment,
        "creating": creating,
        "form": form,
        "general_fields": [form[name] for name in form.fields if name not in CONDITION_FIELDS],
        "can_change": can_change,
        "can_delete": not creating and model_admin.has_delete_permission(request, segment),
        "list_url": model_admin.url("changelist"),
    }
    if not creating:
        shown = _segment_websites(request, segment)
        context |= {
            "delete_url": model_admin.url("delete", segment.pk),
            "refresh_url": model_admin.url("refresh", segment.pk),
            "explain_url": model_admin.url("explain", segment.pk),
            "catalogue": builder_catalogue(segment.apply_to),
            "builder_strings": builder_strings(),
            "builder_config": {
                "applyTo": segment.apply_to,
                "errors": condition_errors,
                "markVisitors": segment.apply_to == ApplyTo.BOTH,
                "editor": form.editor_value(),
                # Unbound, the text box holds the stored tree as text: no need to print it.
                "textMatches": not form.is_bound,
                "urls": {
                    name: model_admin.url(name, segment.pk)
                    for name in ("preview", "parse", "print")
                },
            },
            "condition_errors": [
                (path, describe_path(path), messages_)
                for path, messages_ in condition_errors.items()
            ],
            "matched": _matched(request, segment) if segment.stores_members else None,
            "history": _history(request, segment, shown) if segment.stores_members else None,
            "explain_websites": shown,
        }
    return render(request, "admin/segments/segment/edit.html", context, status=status)


def delete_page(request, model_admin: SegmentAdmin, segment: Segment):
    """Delete: first say how many memberships go (the customers stay), then OK."""
    if not model_admin.has_delete_permission(request, segment):
        raise PermissionDenied
    if request.method == "POST":
        services.delete_segment(segment=segment, actor=Actor.staff(request.user))
        messages.success(request, _("You deleted the segment."))
        return HttpResponseRedirect(model_admin.url("changelist"))
    members = SegmentMembership.objects.filter(segment=segment, left_at__isnull=True)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Segment._meta,
        "title": _("Delete Segment"),
        "segment": segment,
        "count": members.values("customer_id").distinct().count(),
        "list_url": model_admin.url("changelist"),
        "change_url": model_admin.url("change", segment.pk),
    }
    return render(request, "admin/segments/segment/delete_confirm.html", context)


@require_POST
def refresh_view(request, model_admin: SegmentAdmin, segment_id: int):
    """Refresh Segment Data: rebuild the stored membership as a job. With tasks run at once
    the job is over on return and the Matched Customers open; else its progress page does."""
    segment = model_admin.segment_for(request, segment_id)
    if not model_admin.has_change_permission(request, segment):
        raise PermissionDenied
    change_url = model_admin.url("change", segment.pk)
    if not segment.stores_members:
        messages.info(
            request,
            _("Segments for visitors only keep no stored members: there is nothing to refresh."),
        )
        return HttpResponseRedirect(change_url)
    job = services.request_refresh(segment=segment, actor=Actor.staff(request.user))
    job.refresh_from_db()
    if job.state == JobState.SUCCEEDED:
        messages.success(request, _("The Customer Segment data has been refreshed."))
        return HttpResponseRedirect(f"{change_url}#matched")
    if job.state != JobState.FAILED:
        messages.info(request, _("The refresh runs in the background; its progress is below."))
    return HttpResponseRedirect(reverse("admin:job-progress", args=[job.pk]))


# --- The JSON endpoints of the segment page's script --------------------------------------------


def _viewed_segment(request, model_admin: SegmentAdmin, segment_id: int) -> Segment:
    """The segment, for a staff member allowed to view segments (403) who sees it (404)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return model_admin.segment_for(request, segment_id)


def _segment_websites(request, segment: Segment) -> list[Website]:
    """The segment's websites the staff member sees, in the back office's order."""
    websites = segment.websites.order_by("sort_order", "name")
    ids = staff_website_ids(request.user)
    if ids is not None:
        websites = websites.filter(pk__in=ids)
    return list(websites)


def _json_object(request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _refused(message: str) -> JsonResponse:
    return JsonResponse({"message": message}, status=400)


def _not_an_object() -> JsonResponse:
    return _refused(_("Send a JSON object."))


def _syntax_answer(error: query.QuerySyntaxError) -> JsonResponse:
    """A query that cannot be read: each problem at its line and column."""
    problems = [
        {
            "line": problem.line,
            "column": problem.column,
            "message": str(problem.message),
            "text": syntax_message(problem),
        }
        for problem in error.query_problems
    ]
    return JsonResponse(
        {
            "message": _("Correct the query text to see the customers who match."),
            "syntax": problems,
        },
        status=400,
    )


def _problems_answer(error: PatronError) -> JsonResponse:
    """A tree that breaks the catalogue's rules: each problem at its path, in words too."""
    problems = error.problems or [Problem(error.code, str(error.message), field=error.field)]
    errors = []
    for problem in problems:
        path = problem.field or ""
        where = describe_path(path) if CONDITION_PATH.match(path) else ""
        errors.append({"path": path, "where": where, "message": str(problem.message)})
    return JsonResponse(
        {
            "message": _("Correct the conditions marked to see the customers who match."),
            "errors": errors,
        },
        status=400,
    )


def preview_message(result: preview.Preview) -> str:
    """Say how many customers match: "3 customers match", or "At least 10 customers match
    (timed out)" when the count ran out of time."""
    if result.complete:
        return ngettext("%(count)d customer matches", "%(count)d customers match", result.count) % {
            "count": result.count
        }
    return ngettext(
        "At least %(count)d customer matches (timed out)",
        "At least %(count)d customers match (timed out)",
        result.count,
    ) % {"count": result.count}


@require_POST
def preview_view(request, model_admin: SegmentAdmin, segment_id: int):
    """The live preview of a draft: ``{"conditions": tree}`` or ``{"text": query}`` in, the
    number of registered customers it matches on the segment's websites and a few of them
    out; the draft's problems (by path, or by line and column) with a 400."""
    segment = _viewed_segment(request, model_admin, segment_id)
    body = _json_object(request)
    if body is None:
        return _not_an_object()
    conditions = body.get("conditions")
    if "text" in body:
        try:
            conditions = query.parse_and_check(str(body["text"]), segment.apply_to)
        except query.QuerySyntaxError as error:
            return _syntax_answer(error)
    try:
        result = preview.preview(
            conditions=conditions,
            apply_to=segment.apply_to,
            websites=_segment_websites(request, segment),
            timeout_ms=PREVIEW_TIMEOUT_MS,
        )
    except PatronError as error:
        return _problems_answer(error)
    if segment.apply_to == ApplyTo.VISITORS:
        message = _("The conditions are valid. Segments for visitors only match no customer.")
    else:
        message = preview_message(result)
    return JsonResponse(
        {
            "count": result.count,
            "complete": result.complete,
            "message": message,
            "sample": [
                {
                    "id": customer.pk,
                    "name": customer.name or customer.email,
                    "email": customer.email,
                    "url": reverse("admin:customers_customer_change", args=[customer.pk]),
                }
                for customer in result.sample
            ],
        }
    )


@require_POST
def parse_view(request, model_admin: SegmentAdmin, segment_id: int):
    """Query text to the condition tree: ``{"text": query}`` in, ``{"conditions": tree}``
    out, or the syntax problems with a 400."""
    _viewed_segment(request, model_admin, segment_id)
    body = _json_object(request)
    if body is None or not isinstance(body.get("text"), str):
        return _not_an_object() if body is None else _refused(_("Send the query as text."))
    try:
        tree = query.parse(body["text"])
    except query.QuerySyntaxError as error:
        return _syntax_answer(error)
    return JsonResponse({"conditions": tree})


@require_POST
def print_view(request, model_admin: SegmentAdmin, segment_id: int):
    """The condition tree as query text: ``{"conditions": tree}`` in, ``{"text": query}``
    out. A valid tree is printed as it will be saved; a draft that is not valid yet (a value
    still empty) as it is, when it can be; otherwise its problems come back with a 400."""
    segment = _viewed_segment(request, model_admin, segment_id)
    body = _json_object(request)
    if body is None:
        return _not_an_object()
    conditions = body.get("conditions")
    try:
        tree = services.check_conditions(conditions, apply_to=segment.apply_to)
    except PatronError as error:
        try:
            text = query.to_text(conditions)
        except (KeyError, TypeError, ValueError, AttributeError):
            return _problems_answer(error)
    else:
        text = query.to_text(tree)
    return JsonResponse({"text": text})


# --- Explain ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExplainedRow:
    """One node of an explanation as the page lists it, with its place in the tree."""

    explained: Explained
    path: str
    number: str
    children: list["ExplainedRow"]

    @property
    def anchor(self) -> str:
        return "-".join(["why", *filter(None, self.number.split("."))]) if self.number else "why"


def _rows(explained: Explained, path: str = "conditions", number: str = "") -> ExplainedRow:
    children = [
        _rows(child, f"{path}.conditions[{index}]", f"{number}.{index + 1}".lstrip("."))
        for index, child in enumerate(explained.children)
    ]
    return ExplainedRow(explained, path, number, children)


def _find_customer(request, wanted: str, websites: list[Website]) -> Customer | None:
    """The customer with the id or email ``wanted`` among those the staff member sees; for an
    email used on several websites, the account on the first of ``websites`` that has one."""
    customers = Customer.objects.select_related("website")
    ids = staff_website_ids(request.user)
    if ids is not None:
        customers = customers.filter(website_id__in=ids)
    if wanted.isdigit():
        # More digits than an id can have finds nobody (and would overflow the column).
        return customers.filter(pk=int(wanted)).first() if len(wanted) <= ID_DIGITS else None
    found = list(customers.filter(email__iexact=wanted).order_by("pk"))
    for website in websites:
        for customer in found:
            if customer.website_id == website.pk:
                return customer
    return found[0] if found else None


@require_GET
def explain_view(request, model_admin: SegmentAdmin, segment_id: int):
    """Why a customer is in the segment or not: the condition tree with each node's truth for
    the customer on a website and the value measured; ``?customer=`` takes an id or an email,
    ``?website=`` one of the segment's websites (by default the customer's own)."""
    segment = _viewed_segment(request, model_admin, segment_id)
    websites = _segment_websites(request, segment)
    wanted = (request.GET.get("customer") or "").strip()
    chosen = (request.GET.get("website") or "").strip()
    website = customer = explanation = membership = None
    looked_at = True
    problem, status = "", 200
    if chosen:
        website = next((w for w in websites if str(w.pk) == chosen), None)
        if website is None:
            problem, status = _("Choose one of the segment's websites."), 400
    if wanted and not problem:
        customer = _find_customer(request, wanted, [website] if website else websites)
        if customer is None:
            problem, status = _("No customer has this ID or email."), 404
    if customer is not None:
        if website is None:
            website = next((w for w in websites if w.pk == customer.website_id), websites[0])
        explanation = _rows(explain_segment(segment, customer=customer, website=website))
        looked_at = services.customers_of_website(website).filter(pk=customer.pk).exists()
        membership = SegmentMembership.objects.filter(
            segment=segment, customer=customer, website=website, left_at__isnull=True
        ).first()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Segment._meta,
        "title": _("Explain Membership"),
        "segment": segment,
        "list_url": model_admin.url("changelist"),
        "change_url": model_admin.url("change", segment.pk),
        "websites": websites,
        "wanted": wanted,
        "chosen_website": website,
        "problem": problem,
        "customer": customer,
        "explanation": explanation,
        "membership": membership,
        "looked_at": looked_at,
    }
    return render(request, "admin/segments/segment/explain.html", context, status=status)


# --- History ------------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 240
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 56, 16, 16, 36
AXIS_STEPS = 4


@dataclass(frozen=True)
class ChartPoint:
    day: dt.date
    members: int
    x: float
    y: float


@dataclass(frozen=True)
class SizeChart:
    """A line chart of a segment's size, laid out for an SVG of ``width`` x ``height``."""

    points: list[ChartPoint]
    y_ticks: list[tuple[int, float]]
    x_ticks: list[tuple[dt.date, float, str]]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    right: int = CHART_WIDTH - CHART_RIGHT
    top: int = CHART_TOP
    bottom: int = CHART_HEIGHT - CHART_BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:g},{point.y:g}" for point in self.points)

    @property
    def highest(self) -> int:
        return max(point.members for point in self.points)


def _axis_top(highest: int, steps: int = AXIS_STEPS) -> int:
    """The top of the value axis: ``steps`` times the smallest 1, 2 or 5 times a power of ten
    that reaches ``highest`` (so each of the ``steps`` ticks is a round number)."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if factor * magnitude * steps >= highest:
                return factor * magnitude * steps
        magnitude *= 10


def size_chart(history: list[tuple[dt.date, int]]) -> SizeChart:
    """Lay out ``history`` (day, members) as a line from the first day (left) to the last."""
    top = _axis_top(max(members for _day, members in history))
    width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    last = max(len(history) - 1, 1)

    def y_of(value: int) -> float:
        return round(CHART_TOP + height * (1 - value / top), 1)

    points = [
        ChartPoint(day, members, round(CHART_LEFT + width * index / last, 1), y_of(members))
        for index, (day, members) in enumerate(history)
    ]
    ticks = [top * step // AXIS_STEPS for step in range(AXIS_STEPS + 1)]
    y_ticks = [(tick, y_of(tick)) for tick in ticks]
    # The first, middle and last days; the end labels lean inwards to stay inside the chart.
    shown = sorted({0, len(points) // 2, len(points) - 1})
    anchors = {0: "start", len(points) - 1: "end"}
    x_ticks = [
        (points[index].day, points[index].x, anchors.get(index, "middle")) for index in shown
    ]
    return SizeChart(points=points, y_ticks=y_ticks, x_ticks=x_ticks)


def _history(request, segment: Segment, websites: list[Website]) -> dict[str, Any]:
    """The History tab: the chosen period (``?history_days=``), website (``?history_website=``)
    and the chart of the members at the end of each of its days."""
    days = request.GET.get("history_days", "")
    days = int(days) if days.isdigit() and int(days) in HISTORY_DAYS else DEFAULT_HISTORY_DAYS
    chosen = request.GET.get("history_website", "")
    website = next((w for w in websites if str(w.pk) == chosen), None)
    if website is not None:
        website_ids = [website.pk]
    elif staff_website_ids(request.user) is None:
        website_ids = None
    else:
        website_ids = [w.pk for w in websites]
    chart = size_chart(selectors.size_history(segment, days=days, website_ids=website_ids))
    first, last = chart.points[0], chart.points[-1]
    return {
        "days": days,
        "choices": [
            (choice, ngettext("Last %(days)d day", "Last %(days)d days", choice) % {"days": choice})
            for choice in HISTORY_DAYS
        ],
        "websites": websites,
        "website": website,
        "chart": chart,
        "title": ngettext(
            "Members of %(segment)s over the last %(days)d day",
            "Members of %(segment)s over the last %(days)d days",
            days,
        )
        % {"segment": segment.name, "days": days},
        "description": _(
            "Members: %(first)d on %(first_day)s, %(last)d on %(last_day)s; highest: %(highest)d."
        )
        % {
            "first": first.members,
            "first_day": date_format(first.day),
            "last": last.members,
            "last_day": date_format(last.day),
            "highest": chart.highest,
        },
    }
