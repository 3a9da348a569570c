"""Back office: Marketing > Cart Price Rules (spec c §11.1, §11.2, §6).

The grid (Django's change list: ID, Rule, Coupon Code, Priority, Status, Web Site, Start, End,
searched by rule name or coupon code and filtered by status, website and the start and end
dates) and Patron's rule page: Rule Information, Conditions and Actions, each tree edited with
the condition builder (``static/patron/segment-builder.js`` over a textarea of JSON, so the
page also works without JavaScript), Labels, and for a rule with the Auto coupon Manage Coupon
Codes (generate, the codes with their use, delete, CSV export). Buttons: Back, Delete (with a
confirmation page), Save and Continue Edit, Save. Views parse and render; every change goes
through :mod:`patron.promotions.services`. A staff member limited to some websites sees the
rules assigned to one of them and changes only those whose websites are all theirs.
"""

import csv
import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect, QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.errors import NotFound, PatronError
from patron.promotions import selectors, services
from patron.promotions.admin_forms import (
    ACTIONS,
    RULE_INFORMATION,
    TREES,
    CouponGenerateForm,
    RuleForm,
    describe_path,
)
from patron.promotions.conditions import ITEM, ROOT, catalogue
from patron.promotions.models import CartPriceRule, Coupon, CouponType, empty_tree
from patron.scopes.models import StoreView, Website
from patron.staff.services import staff_website_ids

COUPON_PAGE = 50
EXPORT_CHUNK = 2_000


def _staff_websites(request) -> list[Website]:
    websites = Website.objects.order_by("sort_order", "name")
    ids = staff_website_ids(request.user)
    if ids is not None:
        websites = websites.filter(pk__in=ids)
    return list(websites)


def _staff_store_views(request) -> list[StoreView]:
    views = StoreView.objects.select_related("store__website").order_by(
        "store__website__sort_order", "store__website_id", "store__sort_order", "store_id",
        "sort_order", "pk",
    )  # fmt: skip
    ids = staff_website_ids(request.user)
    if ids is not None:
        views = views.filter(store__website_id__in=ids)
    return list(views)


# --- Grid filters -------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("Status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", _("Active")), ("inactive", _("Inactive")))

    def queryset(self, request, queryset):
        if self.value() in ("active", "inactive"):
            return queryset.filter(is_active=self.value() == "active")
        return queryset


class WebsiteFilter(admin.SimpleListFilter):
    """Web Site: the websites the staff member sees."""

    title = gettext_lazy("Web Site")
    parameter_name = "website"

    def lookups(self, request, model_admin):
        return [(str(website.pk), website.name) for website in _staff_websites(request)]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(websites=int(value))
        return queryset


class DateRangeFilter(admin.FieldListFilter):
    """A date field between two days, both optional (``<field>__gte`` and ``<field>__lte``),
    chosen with two date boxes; an unreadable day is ignored."""

    template = "admin/promotions/cartpricerule/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.lookup_gte = f"{field_path}__gte"
        self.lookup_lte = f"{field_path}__lte"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = {"from_date": _("Start"), "to_date": _("End")}.get(field_path, self.title)

    def expected_parameters(self):
        return [self.lookup_gte, self.lookup_lte]

    def _day(self, name: str) -> dt.date | None:
        value = self.used_parameters.get(name)
        if isinstance(value, list):
            value = value[-1] if value else None
        try:
            return dt.date.fromisoformat(str(value)) if value else None
        except ValueError:
            return None

    def queryset(self, request, queryset):
        start, end = self._day(self.lookup_gte), self._day(self.lookup_lte)
        if start:
            queryset = queryset.filter(**{self.lookup_gte: start})
        if end:
            queryset = queryset.filter(**{self.lookup_lte: end})
        return queryset

    def choices(self, changelist):
        kept = QueryDict(
            changelist.get_query_string(remove=[self.lookup_gte, self.lookup_lte, "p"])[1:]
        )
        start, end = self._day(self.lookup_gte), self._day(self.lookup_lte)
        yield {
            "id": f"range-{self.field_path}",
            "gte_name": self.lookup_gte,
            "lte_name": self.lookup_lte,
            "gte": start.isoformat() if start else "",
            "lte": end.isoformat() if end else "",
            "hidden": [(name, value) for name, values in kept.lists() for value in values],
            "selected": bool(start or end),
            "reset": changelist.get_query_string(remove=[self.lookup_gte, self.lookup_lte]),
        }


# --- The admin ----------------------------------------------------------------------------------


@admin.register(CartPriceRule, site=admin_site)
class CartPriceRuleAdmin(admin.ModelAdmin):
    """Marketing > Cart Price Rules: the grid, the rule page, delete and the coupon codes."""

    list_display = [
        "rule_id", "rule_name", "coupon_code", "priority_shown", "status", "website_names",
        "start", "end",
    ]  # fmt: skip
    list_display_links = ["rule_id", "rule_name"]
    list_filter = [
        StatusFilter,
        WebsiteFilter,
        ("from_date", DateRangeFilter),
        ("to_date", DateRangeFilter),
    ]
    search_fields = ["name", "coupons__code"]
    search_help_text = gettext_lazy("Search by rule name or coupon code.")
    ordering = ["priority", "pk"]
    list_per_page = 50
    actions = None
    change_list_template = "admin/promotions/cartpricerule/change_list.html"

    # --- Grid -------------------------------------------------------------------------------

    def get_queryset(self, request):
        # The primary code as a column rather than every code prefetched: an Auto rule may
        # have many thousands of generated codes.
        primary = Coupon.objects.filter(rule=OuterRef("pk"), is_primary=True).values("code")[:1]
        return (
            selectors.rules(website_ids=staff_website_ids(request.user))
            .prefetch_related(None)
            .prefetch_related("websites")
            .annotate(primary_code=Subquery(primary))
        )

    @admin.display(description=gettext_lazy("ID"), ordering="pk")
    def rule_id(self, rule):
        return rule.pk

    @admin.display(description=gettext_lazy("Rule"), ordering="name")
    def rule_name(self, rule):
        return rule.name

    @admin.display(description=gettext_lazy("Coupon Code"), ordering="primary_code")
    def coupon_code(self, rule):
        return rule.primary_code or ""

    @admin.display(description=gettext_lazy("Priority"), ordering="priority")
    def priority_shown(self, rule):
        return rule.priority

    @admin.display(description=gettext_lazy("Status"), ordering="is_active")
    def status(self, rule):
        return _("Active") if rule.is_active else _("Inactive")

    @admin.display(description=gettext_lazy("Web Site"))
    def website_names(self, rule):
        return ", ".join(website.name for website in rule.websites.all())

    @admin.display(description=gettext_lazy("Start"), ordering="from_date")
    def start(self, rule):
        return rule.from_date or ""

    @admin.display(description=gettext_lazy("End"), ordering="to_date")
    def end(self, rule):
        return rule.to_date or ""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": _("Cart Price Rules"), **(extra_context or {})}
        )

    # --- Pages ------------------------------------------------------------------------------

    def get_urls(self):
        def bound(view, route, name):
            def call(request, rule_id):
                return view(request, self, rule_id)

            return path(
                f"<int:rule_id>/{route}/",
                self.admin_site.admin_view(call),
                name=f"promotions_cartpricerule_{name}",
            )

        routes = [
            bound(generate_view, "coupons/generate", "generate"),
            bound(delete_coupons_view, "coupons/delete", "delete_coupons"),
            bound(export_coupons_view, "coupons/export", "export_coupons"),
        ]
        return [*routes, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        return rule_page(request, self, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return rule_page(request, self, self.rule_for(request, object_id))

    def delete_view(self, request, object_id, extra_context=None):
        return delete_page(request, self, self.rule_for(request, object_id))

    def rule_for(self, request, object_id) -> CartPriceRule:
        """The rule, if one of its websites is the staff member's; 404 otherwise."""
        try:
            rule = services.get_rule(object_id)
        except NotFound:
            raise Http404 from None
        ids = staff_website_ids(request.user)
        if ids is not None and not rule.websites.filter(pk__in=ids).exists():
            raise Http404
        return rule

    def writable(self, request, rule: CartPriceRule) -> bool:
        """Whether every website of ``rule`` is the staff member's (else it is read only)."""
        ids = staff_website_ids(request.user)
        return ids is None or not rule.websites.exclude(pk__in=ids).exists()

    def may_change(self, request, rule: CartPriceRule) -> bool:
        return self.has_change_permission(request, rule) and self.writable(request, rule)

    def may_delete(self, request, rule: CartPriceRule) -> bool:
        return self.has_delete_permission(request, rule) and self.writable(request, rule)

    def url(self, name: str, *args) -> str:
        return reverse(
            f"admin:promotions_cartpricerule_{name}", args=args, current_app=self.admin_site.name
        )


# --- The condition builder ----------------------------------------------------------------------


def builder_strings() -> dict[str, Any]:
    """The builder's words, translated here so the script carries no text of its own.
    ``{name}`` in a phrase is where the control of that parameter goes."""
    return {
        "phrases": {
            "cart_rule.combine": _("If {aggregator} of these conditions are {value}:"),
            "cart_rule.product_found": _(
                "If an item is {value} in the cart with {aggregator} of these conditions true:"
            ),
            "cart_rule.product_subselect": _(
                "If {attribute} {operator} {value} for a subselection of items in the cart "
                "matching {aggregator} of these conditions:"
            ),
            "cart_rule.customer_segment": _("Customer Segment {operator} {value}"),
        },
        "fields": {
            "aggregator": _("ALL or ANY"),
            "cart_rule.combine.value": _("TRUE or FALSE"),
            "cart_rule.product_found.value": _("FOUND or NOT FOUND"),
            "cart_rule.product_subselect.attribute": _("Total quantity or total amount"),
            "cart_rule.customer_segment.value": _("Segments"),
            "operator": _("Operator"),
            "value": _("Value"),
            "from": _("From"),
            "to": _("To"),
        },
        "segmentChoice": _("{name} (ID {id})"),
        "condition": _("Condition: {label}"),
        "picker": _("Condition to add"),
        "choose": _("Choose the condition to add…"),
        "add": _("Add"),
        "addLabel": _("Add to {label}"),
        "remove": _("Remove"),
        "removeLabel": _("Remove condition: {label}"),
        "unknown": _("This condition is no longer offered ({type} {attribute}); remove it."),
        "invalidJson": _(
            "The conditions are not valid JSON; correct them in the text box below, or reload "
            "the page."
        ),
        "empty": _("With no conditions, the rule applies to every cart."),
        "builder": _("Condition builder"),
    }


def builder_configs(errors: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, Any]]:
    """The settings of the two builders: the rule's conditions and its action conditions."""
    return {
        "conditions": {
            "idPrefix": "cr",
            "rootPath": "conditions",
            "rootScope": ROOT,
            "emptyTree": empty_tree(),
            "errors": errors.get("conditions", {}),
            "errorList": "conditions-errors",
        },
        "action_conditions": {
            "idPrefix": "ca",
            "rootPath": "action_conditions",
            "rootScope": ITEM,
            "emptyTree": empty_tree(),
            "errors": errors.get("action_conditions", {}),
            "errorList": "action_conditions-errors",
            "strings": {
                "builder": _("Cart item condition builder"),
                "empty": _("With no conditions, the rule applies to every cart item."),
            },
        },
    }


# --- The rule page ------------------------------------------------------------------------------


def _coupons(request, rule: CartPriceRule):
    """The generated codes with how often each was used, paged (``?coupons_page=``)."""
    codes = (
        rule.coupons.filter(is_primary=False).annotate(times_used=Count("usages")).order_by("pk")
    )
    return Paginator(codes, COUPON_PAGE).get_page(request.GET.get("coupons_page"))


def rule_page(
    request,
    model_admin: CartPriceRuleAdmin,
    rule: CartPriceRule | None,
    *,
    generate_form: CouponGenerateForm | None = None,
):
    """Add New Rule (``rule`` None) or a rule's page; a POST saves it."""
    creating = rule is None
    if creating:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        can_change = True
    else:
        if not model_admin.has_view_permission(request, rule):
            raise PermissionDenied
        can_change = model_admin.may_change(request, rule)
    data = request.POST if request.method == "POST" and generate_form is None else None
    if data is not None and not can_change:
        raise PermissionDenied
    form = RuleForm(
        data,
        rule=rule,
        websites=_staff_websites(request),
        store_views=_staff_store_views(request),
        read_only=not can_change,
    )
    tree_errors: dict[str, dict[str, list[str]]] = {}
    status = 200 if generate_form is None else 400
    if data is not None:
        if form.is_valid():
            try:
                saved = services.save_rule(
                    actor=Actor.staff(request.user), rule=rule, **form.service_arguments()
                )
            except PatronError as error:
                tree_errors = form.add_service_errors(error)
            else:
                messages.success(request, _("You saved the rule."))
                if "_continue" in request.POST:
                    return HttpResponseRedirect(model_admin.url("change", saved.pk))
                return HttpResponseRedirect(model_admin.url("changelist"))
        status = 400
    show_coupons = rule is not None and rule.coupon_type == CouponType.AUTO
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": CartPriceRule._meta,
        "title": _("New Cart Price Rule") if creating else rule.name,
        "rule": rule,
        "creating": creating,
        "form": form,
        "information_fields": form.section(RULE_INFORMATION),
        "action_fields": form.section(ACTIONS),
        "label_fields": form.label_fields(),
        "can_change": can_change,
        "can_delete": not creating and model_admin.may_delete(request, rule),
        "list_url": model_admin.url("changelist"),
        "catalogues": {"conditions": catalogue(ROOT), "action_conditions": catalogue(ITEM)},
        "builder_strings": builder_strings(),
        "builder_configs": builder_configs(tree_errors),
        "tree_errors": {
            name: [
                (path, describe_path(path), problems)
                for path, problems in tree_errors.get(name, {}).items()
            ]
            for name in TREES
        },
        "show_coupons": show_coupons,
    }
    if not creating:
        context["delete_url"] = model_admin.url("delete", rule.pk)
    if show_coupons:
        context |= {
            "generate_form": generate_form or CouponGenerateForm(),
            "coupons": _coupons(request, rule),
            "generate_url": model_admin.url("generate", rule.pk),
            "delete_coupons_url": model_admin.url("delete_coupons", rule.pk),
            "export_url": model_admin.url("export_coupons", rule.pk),
            "times_used": selectors.times_used(rule),
        }
    return render(request, "admin/promotions/cartpricerule/edit.html", context, status=status)


def delete_page(request, model_admin: CartPriceRuleAdmin, rule: CartPriceRule):
    """Delete: first ask, saying how many coupon codes go with the rule, then delete."""
    if not model_admin.may_delete(request, rule):
        raise PermissionDenied
    if request.method == "POST":
        services.delete_rule(rule=rule, actor=Actor.staff(request.user))
        messages.success(request, _("You deleted the rule."))
        return HttpResponseRedirect(model_admin.url("changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": CartPriceRule._meta,
        "title": _("Delete Cart Price Rule"),
        "rule": rule,
        "codes": rule.coupons.count(),
        "list_url": model_admin.url("changelist"),
        "change_url": model_admin.url("change", rule.pk),
    }
    return render(request, "admin/promotions/cartpricerule/delete_confirm.html", context)


# --- Manage Coupon Codes ------------------------------------------------------------------------


def _changeable_rule(request, model_admin: CartPriceRuleAdmin, rule_id: int) -> CartPriceRule:
    rule = model_admin.rule_for(request, rule_id)
    if not model_admin.may_change(request, rule):
        raise PermissionDenied
    return rule


@require_POST
def generate_view(request, model_admin: CartPriceRuleAdmin, rule_id: int):
    """Generate: add codes to an Auto coupon rule; problems are shown at their field."""
    rule = _changeable_rule(request, model_admin, rule_id)
    form = CouponGenerateForm(request.POST)
    if form.is_valid():
        try:
            codes = services.generate_coupons(
                rule=rule, actor=Actor.staff(request.user), **form.service_arguments()
            )
        except PatronError as error:
            if rule.coupon_type != CouponType.AUTO:
                # The page shows no Manage Coupon Codes to put the problem in.
                messages.error(request, str(error.message))
                return HttpResponseRedirect(model_admin.url("change", rule.pk))
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d coupon code has been generated.",
                    "%(count)d coupon codes have been generated.",
                    len(codes),
                )
                % {"count": len(codes)},
            )
            return HttpResponseRedirect(model_admin.url("change", rule.pk) + "#coupons")
    return rule_page(request, model_admin, rule, generate_form=form)


@require_POST
def delete_coupons_view(request, model_admin: CartPriceRuleAdmin, rule_id: int):
    """Delete the ticked generated codes."""
    rule = _changeable_rule(request, model_admin, rule_id)
    ids = [int(value) for value in request.POST.getlist("coupon") if value.isdigit()]
    target = model_admin.url("change", rule.pk) + "#coupons"
    if not ids:
        messages.warning(request, _("Tick the coupon codes to delete."))
        return HttpResponseRedirect(target)
    deleted = services.delete_coupons(rule=rule, coupon_ids=ids, actor=Actor.staff(request.user))
    messages.success(
        request,
        ngettext(
            "%(count)d coupon code has been deleted.",
            "%(count)d coupon codes have been deleted.",
            deleted,
        )
        % {"count": deleted},
    )
    return HttpResponseRedirect(target)


class _Echo:
    def write(self, value):
        return value


@require_GET
def export_coupons_view(request, model_admin: CartPriceRuleAdmin, rule_id: int):
    """The rule's generated codes as CSV: Coupon Code, Created, Used, Times Used."""
    rule = model_admin.rule_for(request, rule_id)
    if not model_admin.has_view_permission(request, rule):
        raise PermissionDenied
    codes = (
        rule.coupons.filter(is_primary=False)
        .annotate(times_used=Count("usages"))
        .order_by("pk")
        .values_list("code", "created_at", "times_used")
    )
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow([_("Coupon Code"), _("Created"), _("Used"), _("Times Used")])
        for code, created_at, used in codes.iterator(chunk_size=EXPORT_CHUNK):
            yield writer.writerow(
                [code, created_at.isoformat(timespec="seconds"), _("Yes") if used else _("No"),
                 used]
            )  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cart-rule-{rule.pk}-coupons.csv"'
    return response
