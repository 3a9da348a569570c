"""Back office: Customers > Segments (spec c §3).

The grid (Django's change list: ID, Segment, Status, Website, Customers) and Patron's segment
page: General Properties, the Conditions builder (``static/patron/segment-builder.js`` over a
textarea of JSON, so the page also works without JavaScript) and Matched Customers, with the
buttons Back, Delete, Reset, Refresh Segment Data, Save and Continue Edit and Save. Views parse
and render; every change goes through :mod:`patron.segments.services`, and the pages disappear
with the segment permissions or when "Enable Customer Segment Functionality" is No.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.errors import NotFound, PatronError
from patron.core.locales import country_name
from patron.core.models import JobState
from patron.scopes.models import Website
from patron.segments import selectors, services
from patron.segments.admin_forms import SegmentForm, describe_path
from patron.segments.conditions import segment_conditions
from patron.segments.models import ApplyTo, Segment, SegmentMembership
from patron.staff.services import staff_website_ids

PERMISSION = "segments.{action}_segment"
MATCHED_PAGE = 20


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
        def refresh(request, segment_id):
            return refresh_view(request, self, segment_id)

        route = path(
            "<int:segment_id>/refresh/",
            self.admin_site.admin_view(refresh),
            name="segments_segment_refresh",
        )
        return [route, *super().get_urls()]

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
        "general_fields": [form[name] for name in form.fields if name != "conditions"],
        "can_change": can_change,
        "can_delete": not creating and model_admin.has_delete_permission(request, segment),
        "list_url": model_admin.url("changelist"),
    }
    if not creating:
        context |= {
            "delete_url": model_admin.url("delete", segment.pk),
            "refresh_url": model_admin.url("refresh", segment.pk),
            "catalogue": builder_catalogue(segment.apply_to),
            "builder_strings": builder_strings(),
            "builder_config": {
                "applyTo": segment.apply_to,
                "errors": condition_errors,
                "markVisitors": segment.apply_to == ApplyTo.BOTH,
            },
            "condition_errors": [
                (path, describe_path(path), messages_)
                for path, messages_ in condition_errors.items()
            ],
            "matched": _matched(request, segment) if segment.stores_members else None,
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
