"""Back office: Stores > Attributes > Customer and Stores > Attributes > Customer Address.

Each is a list of attribute definitions and an attribute page with the panels Properties and
Manage Labels/Options. Removing data is confirmed first with how much goes: Delete Attribute
states how many customers (or addresses) hold a value, and a save that removes options states
how many hold one of them. Views parse and render; every rule is in
``patron.customers.attributes``, and every change is written to the staff action log in the
same transaction.

Customer attributes are the admin of ``CustomerAttribute`` itself, address attributes the admin
of the proxy ``AddressAttribute``: two menu entries with their own URLs, one set of permissions
(``customers.view/add/change/delete_customerattribute``).
"""

import re
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from patron.admin_site import admin_site
from patron.core.actors import Actor
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import InvalidInput, PatronError, Problem
from patron.customers import attributes
from patron.customers.admin_attribute_forms import (
    DEFAULT_FIELDS,
    AttributeDefinitionForm,
    is_choice_type,
    option_formset,
)
from patron.customers.attribute_proxies import AddressAttribute
from patron.customers.models import AttributeEntity, CustomerAttribute, InputType
from patron.scopes.models import StoreView

PERMISSION = "customers.{action}_customerattribute"
# Sent back by the options-removal confirmation: the ids it stated the impact of.
CONFIRM_REMOVAL = "_confirm_option_removal"
OPTION_FIELD = re.compile(r"^options\[(\d+)\]\.(\w+)$")
BLANK_OPTION_ROWS = {True: 5, False: 3}  # creating: more rows, as there is no id to keep yet


class AttributeAdmin(admin.ModelAdmin):
    """One entity's attributes: Django's change list, Patron's attribute page and removal
    confirmations."""

    entity = ""
    list_title = ""
    list_display = [
        "attribute_code", "default_label", "input_type_label", "required", "system",
        "storefront", "position", "grid_column", "grid_filter", "grid_search", "segment",
    ]  # fmt: skip
    list_display_links = ["attribute_code"]
    list_filter = [
        "input_type", "is_required", "is_system", "show_on_storefront", "in_grid",
        "filterable_in_grid", "searchable_in_grid", "used_in_segments",
    ]  # fmt: skip
    search_fields = ["code", "label"]
    search_help_text = gettext_lazy("Search by attribute code or default label.")
    ordering = ["sort_order", "code"]
    list_per_page = 100
    actions = None
    change_list_template = "admin/customers/attribute/change_list.html"

    # --- Permissions: the concrete model's, for both entries --------------------------------

    def _allowed(self, request, action: str) -> bool:
        return request.user.has_perm(PERMISSION.format(action=action))

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view") or self._allowed(request, "change")

    def has_add_permission(self, request):
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete") and not (obj is not None and obj.is_system)

    # --- List -------------------------------------------------------------------------------

    def get_queryset(self, request):
        return super().get_queryset(request).filter(entity=self.entity)

    @admin.display(description=gettext_lazy("Attribute Code"), ordering="code")
    def attribute_code(self, attribute):
        return attribute.code

    @admin.display(description=gettext_lazy("Default Label"), ordering="label")
    def default_label(self, attribute):
        return attributes.attribute_label(attribute)

    @admin.display(description=gettext_lazy("Input Type"), ordering="input_type")
    def input_type_label(self, attribute):
        return InputType(attribute.input_type).label

    @admin.display(description=gettext_lazy("Required"), boolean=True, ordering="is_required")
    def required(self, attribute):
        return attribute.is_required

    @admin.display(description=gettext_lazy("System"), boolean=True, ordering="is_system")
    def system(self, attribute):
        return attribute.is_system

    @admin.display(
        description=gettext_lazy("Visible on Storefront"),
        boolean=True,
        ordering="show_on_storefront",
    )
    def storefront(self, attribute):
        return attribute.show_on_storefront

    @admin.display(description=gettext_lazy("Sort Order"), ordering="sort_order")
    def position(self, attribute):
        return attribute.sort_order

    @admin.display(description=gettext_lazy("In Grid"), boolean=True, ordering="in_grid")
    def grid_column(self, attribute):
        return attribute.in_grid

    @admin.display(
        description=gettext_lazy("Filterable in Grid"),
        boolean=True,
        ordering="filterable_in_grid",
    )
    def grid_filter(self, attribute):
        return attribute.filterable_in_grid

    @admin.display(
        description=gettext_lazy("Searchable in Grid"),
        boolean=True,
        ordering="searchable_in_grid",
    )
    def grid_search(self, attribute):
        return attribute.searchable_in_grid

    @admin.display(
        description=gettext_lazy("Use in Customer Segment"),
        boolean=True,
        ordering="used_in_segments",
    )
    def segment(self, attribute):
        return attribute.used_in_segments

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": self.list_title, **(extra_context or {})})

    # --- Attribute page and deletion --------------------------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        return attribute_page(request, self, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return attribute_page(request, self, self.attribute(object_id))

    def delete_view(self, request, object_id, extra_context=None):
        return delete_page(request, self, self.attribute(object_id))

    def attribute(self, object_id) -> CustomerAttribute:
        """The entity's attribute with this id, or 404."""
        try:
            pk = int(object_id)
        except (TypeError, ValueError):
            raise Http404 from None
        attribute = (
            CustomerAttribute.objects.filter(entity=self.entity, pk=pk)
            .prefetch_related("options")
            .first()
        )
        if attribute is None:
            raise Http404
        return attribute

    def url(self, name: str, *args) -> str:
        opts = self.opts
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_{name}",
            args=args,
            current_app=self.admin_site.name,
        )


@admin.register(CustomerAttribute, site=admin_site)
class CustomerAttributeAdmin(AttributeAdmin):
    entity = AttributeEntity.CUSTOMER
    list_title = gettext_lazy("Customer Attributes")


@admin.register(AddressAttribute, site=admin_site)
class AddressAttributeAdmin(AttributeAdmin):
    entity = AttributeEntity.ADDRESS
    list_title = gettext_lazy("Customer Address Attributes")


# --- The attribute page -------------------------------------------------------------------------


def _store_views():
    # Grouped by website on the page, so one website's views must be next to each other.
    order = (
        "store__website__sort_order", "store__website__name", "store__website_id",
        "store__sort_order", "sort_order", "name",
    )  # fmt: skip
    return list(StoreView.objects.select_related("store__website").order_by(*order))


def attribute_page(request, model_admin: AttributeAdmin, attribute: CustomerAttribute | None):
    """New Attribute (``attribute`` None) or an attribute's page; a POST saves it."""
    creating = attribute is None
    if creating:
        if not model_admin.has_add_permission(request):
            raise PermissionDenied
        can_change = True
    else:
        if not model_admin.has_view_permission(request, attribute):
            raise PermissionDenied
        can_change = model_admin.has_change_permission(request, attribute)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    store_views = _store_views()
    form = AttributeDefinitionForm(
        data,
        entity=model_admin.entity,
        store_views=store_views,
        attribute=attribute,
        read_only=not can_change,
    )
    options = None
    if creating or (is_choice_type(attribute.input_type) and not attribute.is_system):
        options = option_formset(
            input_type=form.chosen_type,
            store_views=store_views,
            attribute=attribute,
            data=data,
            extra=BLANK_OPTION_ROWS[creating] if can_change else 0,
            read_only=not can_change,
        )
    option_errors: list[str] = []
    status = 200
    if data is not None:
        response = _save(request, model_admin, attribute, form, options, option_errors)
        if response is not None:
            return response
        status = 400
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("New Attribute") if creating else attributes.attribute_label(attribute),
        "attribute": attribute,
        "creating": creating,
        "form": form,
        "options": options,
        "option_errors": option_errors,
        "store_views": store_views,
        "can_change": can_change,
        "can_delete": not creating and model_admin.has_delete_permission(request, attribute),
        "list_url": model_admin.url("changelist"),
        "delete_url": "" if creating else model_admin.url("delete", attribute.pk),
        "list_title": model_admin.list_title,
        "input_type_label": "" if creating else InputType(attribute.input_type).label,
    }
    return render(request, "admin/customers/attribute/edit.html", context, status=status)


def _save(request, model_admin, attribute, form, options, option_errors: list[str]):
    """Save through the service and redirect; None when the page must show errors again; the
    options-removal confirmation when options are to be removed and it was not given."""
    form_valid = form.is_valid()
    options_valid = options is None or options.is_valid()
    if not (form_valid and options_valid):
        return None
    rows, removed = None, []
    if options is not None and is_choice_type(form.chosen_type):
        rows, removed = _submitted_options(options, attribute)
    if removed and request.POST.get(CONFIRM_REMOVAL) != _ids_text(removed):
        return _removal_confirmation(request, model_admin, attribute, removed)
    actor = Actor.staff(request.user)
    try:
        with transaction.atomic():
            saved = _apply(model_admin.entity, attribute, form, rows, removed, actor)
    except PatronError as error:
        _show_errors(form, rows, error, option_errors)
        return None
    messages.success(request, _("You saved the attribute."))
    if "_continue" in request.POST:
        return HttpResponseRedirect(model_admin.url("change", saved.pk))
    return HttpResponseRedirect(model_admin.url("changelist"))


def _submitted_options(options, attribute) -> tuple[list[tuple[dict, Any]], list[int]]:
    """The attribute's new option list for the service, each with the row it came from (None
    for an option the page did not send, which is kept as it is), and the ids ticked Delete."""
    existing = list(attribute.options.all()) if attribute is not None else []
    known = {option.pk for option in existing}
    rows: list[tuple[dict, Any]] = []
    removed: list[int] = []
    sent = set()
    for row in options.forms:
        data = row.cleaned_data
        option_id = data.get("id")
        sent.add(option_id)
        if data.get("DELETE"):
            if option_id in known:
                removed.append(option_id)
            continue
        if not row.is_blank():
            rows.append((row.option(), row))
    for option in existing:
        if option.pk not in sent:
            kept = {"id": option.pk, "label": option.label, "labels": option.labels}
            rows.append((kept | {"sort_order": option.sort_order}, None))
    return rows, sorted(removed)


def _ids_text(ids: list[int]) -> str:
    return ",".join(str(i) for i in sorted(ids))


def _apply(entity, attribute, form, rows, removed, actor) -> CustomerAttribute:
    """Create or change the attribute (one service call, plus one for a default option that
    has no id before the first), and log it."""
    props = form.properties()
    entries = [entry for entry, _row in rows] if rows is not None else None
    ticked_ids = [
        entry["id"] for entry, row in rows or () if row and _ticked(row) and "id" in entry
    ]
    if attribute is None:
        saved = attributes.create_attribute(
            entity=entity, code=form.cleaned_data["code"], actor=actor, options=entries or (),
            **props,
        )  # fmt: skip
        change, count, changed = "created", None, sorted(props)
    else:
        if entries is not None:
            # Options ticked Delete take the default with them in this same call.
            props["default_value"] = _default_of(attribute.input_type, ticked_ids)
        changed = [name for name, value in props.items() if _differs(attribute, name, value)]
        if entries is not None and _options_changed(attribute, entries, removed):
            changed.append("options")
        count = attributes.option_removal_impact(attribute, removed) if removed else None
        saved = attributes.update_attribute(
            attribute=attribute, actor=actor, options=entries, **props
        )
        change = "changed"
    if rows is not None:
        labels = {str(entry["label"]).strip() for entry, row in rows if row and _ticked(row)}
        ids = [option.pk for option in saved.options.all() if option.label in labels]
        default = _default_of(saved.input_type, ids)
        if default != saved.default_value:
            saved = attributes.update_attribute(attribute=saved, actor=actor, default_value=default)
            if "default_value" not in changed:
                changed.append("default_value")
    if changed or attribute is None:
        attributes.record_attribute_change(
            attribute=saved, actor=actor, change=change, count=count,
            details={"changed": sorted(changed), "options_removed": removed},
        )  # fmt: skip
    return saved


def _differs(attribute, name: str, value) -> bool:
    current = getattr(attribute, name)
    if name == "default_value" and isinstance(value, str) and isinstance(current, list):
        # A Multiple Line default is typed as text and stored as its lines.
        return value.splitlines() != current
    return current != value


def _ticked(row) -> bool:
    return bool(row.cleaned_data.get("is_default"))


def _default_of(input_type: str, option_ids: list[int]):
    if input_type == InputType.MULTISELECT:
        return sorted(option_ids) or None
    return option_ids[0] if option_ids else None


def _options_changed(attribute, entries: list[dict], removed: list[int]) -> bool:
    if removed:
        return True
    before = {
        option.pk: (option.label, option.labels, option.sort_order)
        for option in attribute.options.all()
    }
    after = {}
    for position, entry in enumerate(entries):
        if "id" not in entry:
            return True
        labels = {k: str(v).strip() for k, v in entry["labels"].items() if str(v or "").strip()}
        after[entry["id"]] = (
            str(entry["label"]).strip(),
            labels,
            entry.get("sort_order", position),
        )
    return before != after


def _show_errors(form, rows, error: PatronError, option_errors: list[str]) -> None:
    """Put each of the service's problems next to its field: an option's on its row, the
    options' own above the options table, the rest on the form."""
    problems = error.problems or [Problem(error.code, str(error.message), field=error.field)]
    default_field = DEFAULT_FIELDS.get(form.chosen_type)
    rest = []
    for problem in problems:
        field = problem.field or ""
        match = OPTION_FIELD.match(field)
        row = None
        if match and rows is not None and int(match[1]) < len(rows):
            row = rows[int(match[1])][1]
        if row is not None:
            row.add_error("label" if match[2] == "label" else None, str(problem.message))
        elif field.startswith("options") or (field == "default_value" and rows is not None):
            option_errors.append(str(problem.message))
        elif field == "default_value" and default_field in form.fields:
            form.add_error(default_field, str(problem.message))
        else:
            rest.append(problem)
    if rest:
        add_errors_to_form(form, InvalidInput.from_problems(rest))


def _impact_text(kind: str, entity: str, count: int) -> str:
    """How much data a removal takes, in words ("delete": an attribute's values, "options":
    the values holding an option, "deleted": done)."""
    address = entity == AttributeEntity.ADDRESS
    if kind == "delete" and address:
        text = ngettext(
            "%(count)d address holds a value for this attribute. Deleting the attribute deletes "
            "this value too; this cannot be undone.",
            "%(count)d addresses hold a value for this attribute. Deleting the attribute deletes "
            "these values too; this cannot be undone.",
            count,
        )
    elif kind == "delete":
        text = ngettext(
            "%(count)d customer holds a value for this attribute. Deleting the attribute deletes "
            "this value too; this cannot be undone.",
            "%(count)d customers hold a value for this attribute. Deleting the attribute deletes "
            "these values too; this cannot be undone.",
            count,
        )
    elif kind == "options" and address:
        text = ngettext(
            "%(count)d address holds one of these options and will lose it; this cannot be undone.",
            "%(count)d addresses hold one of these options and will lose it; this cannot be "
            "undone.",
            count,
        )
    elif kind == "options":
        text = ngettext(
            "%(count)d customer holds one of these options and will lose it; this cannot be "
            "undone.",
            "%(count)d customers hold one of these options and will lose it; this cannot be "
            "undone.",
            count,
        )
    elif address:
        text = ngettext(
            "You deleted the attribute and the value of %(count)d address.",
            "You deleted the attribute and the values of %(count)d addresses.",
            count,
        )
    else:
        text = ngettext(
            "You deleted the attribute and the value of %(count)d customer.",
            "You deleted the attribute and the values of %(count)d customers.",
            count,
        )
    return text % {"count": count}


def _removal_confirmation(request, model_admin, attribute, removed: list[int]):
    """Say how many customers (or addresses) hold one of the options ticked Delete; OK sends
    the same form again with the confirmation."""
    count = attributes.option_removal_impact(attribute, removed)
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", CONFIRM_REMOVAL)
        for value in values
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Remove options"),
        "attribute": attribute,
        "attribute_label": attributes.attribute_label(attribute),
        "list_title": model_admin.list_title,
        "list_url": model_admin.url("changelist"),
        "change_url": model_admin.url("change", attribute.pk),
        "option_labels": [o.label for o in attribute.options.all() if o.pk in removed],
        "count": count,
        "impact": _impact_text("options", attribute.entity, count),
        "fields": fields,
        "confirm_name": CONFIRM_REMOVAL,
        "confirm_value": _ids_text(removed),
    }
    return render(request, "admin/customers/attribute/options_removal_confirm.html", context)


def delete_page(request, model_admin: AttributeAdmin, attribute: CustomerAttribute):
    """Delete Attribute: first how many customers (or addresses) hold a value, then OK."""
    if not model_admin.has_delete_permission(request, attribute):
        raise PermissionDenied
    if request.method == "POST":
        actor = Actor.staff(request.user)
        pk = attribute.pk
        try:
            with transaction.atomic():
                lost = attributes.delete_attribute(attribute=attribute, actor=actor)
                attributes.record_attribute_change(
                    attribute=attribute, actor=actor, change="deleted", count=lost,
                    details={"id": pk},
                )  # fmt: skip
        except PatronError as error:
            messages.error(request, str(error.message))
            return HttpResponseRedirect(model_admin.url("change", pk))
        messages.success(request, _impact_text("deleted", attribute.entity, lost))
        return HttpResponseRedirect(model_admin.url("changelist"))
    count = attributes.attribute_removal_impact(attribute)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Delete Attribute"),
        "attribute": attribute,
        "attribute_label": attributes.attribute_label(attribute),
        "list_title": model_admin.list_title,
        "list_url": model_admin.url("changelist"),
        "change_url": model_admin.url("change", attribute.pk),
        "count": count,
        "impact": _impact_text("delete", attribute.entity, count),
    }
    return render(request, "admin/customers/attribute/delete_confirm.html", context)
