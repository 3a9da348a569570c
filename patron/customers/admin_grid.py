"""Customers > All Customers: the grid page (search, filters, columns, views, quick edit, mass
actions and export). Views only read the request and render; every rule is in the services and
in ``patron.customers.grid``."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from patron.core.actors import Actor
from patron.core.errors import InvalidInput, PatronError
from patron.core.locales import country_choices
from patron.core.registries import customer_actions
from patron.customers import grid, services
from patron.customers.admin_edit import customer_for_staff
from patron.customers.models import NOT_LOGGED_IN_ID, Customer, CustomerGroup, Gender, GridView
from patron.scopes.models import StoreView, Website
from patron.staff.services import staff_website_ids

QUICK_EDIT_COLUMNS = {
    "email": "email",
    "group": "group",
    "telephone": "telephone",
    "postcode": "postcode",
    "website": "website",
    "taxvat": "taxvat",
    "gender": "gender",
}


def grid_url(state=None, **extra) -> str:
    query = grid.query_from_state(state) if state else {}
    query |= {key: value for key, value in extra.items() if value not in (None, "")}
    base = reverse("admin:customers_customer_changelist")
    return f"{base}?{urlencode(query)}" if query else base


def _require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


def _visible_websites(website_ids: list[int] | None):
    websites = Website.objects.order_by("sort_order", "name")
    return websites if website_ids is None else websites.filter(pk__in=website_ids)


def _groups():
    return CustomerGroup.objects.exclude(pk=NOT_LOGGED_IN_ID).order_by("code")


def _filter_choices(groups, websites, column_set) -> dict[str, list[tuple[str, str]]]:
    """The options of each select filter, as (value, label)."""
    from patron.customers.attribute_grid import filter_choices

    yes_no = [("1", _("Yes")), ("0", _("No"))]
    views = StoreView.objects.filter(store__website__in=websites).order_by("sort_order")
    return filter_choices(column_set.filters()) | {
        "group": [(str(g.pk), g.code) for g in groups],
        "country": [(code, name) for code, name in country_choices() if code],
        "website": [(str(w.pk), w.name) for w in websites],
        "created_in": [(str(v.pk), v.name) for v in views],
        "confirmed": yes_no,
        "gender": [(str(value), str(label)) for value, label in Gender.choices],
        "lock": [("1", _("Locked")), ("0", _("Unlocked"))],
        "status": [("1", _("Active")), ("0", _("Inactive"))],
    }


def _state(query, column_set=None):
    """The grid state asked for, or the default one with the problems to show."""
    try:
        return grid.state_from_query(query, column_set), []
    except InvalidInput as error:
        return grid.default_state(), [p.message for p in error.problems] or [str(error.message)]


def _page_number(query, last_page: int | None) -> int:
    try:
        page = int(query.get("page") or 1)
    except ValueError:
        page = 1
    page = max(1, page)
    return min(page, last_page) if last_page else page


def _mass_actions_for(user) -> list[tuple[str, str]]:
    return [
        (action, services.mass_action_label(action))
        for action in services.MASS_ACTIONS
        if user.has_perm(services.MASS_ACTION_PERMISSIONS[action])
    ]


def grid_page(request, model_admin, *, query=None, quick_edit=None, status=200):
    """Render the grid for ``query`` (the request's GET by default); ``quick_edit`` carries a
    row being edited inline (values and errors)."""
    query = request.GET if query is None else query
    view_id = _int(request.GET.get("view")) if query is request.GET else None
    if view_id is not None:
        view = GridView.objects.filter(user=request.user, pk=view_id).first()
        if view is not None:
            return HttpResponseRedirect(grid_url(view.state, active_view=view.pk))
    # The custom attributes' columns and filters, read once for the whole page.
    column_set = grid.ColumnSet.load()
    state, state_errors = _state(query, column_set)
    user = request.user
    website_ids = staff_website_ids(user)
    rows = grid.search_state(state, website_ids=website_ids, column_set=column_set)
    count, capped = grid.capped_count(rows)
    page_size = state["page_size"]
    last_page = None if capped else max(1, -(-count // page_size))
    page = _page_number(query, last_page)
    page_rows = grid.page_of(rows, page, page_size)
    lookups = grid.Lookups.load()
    columns = [column_set.get(code) for code in state["columns"]]
    edit_id = quick_edit["customer_id"] if quick_edit else _int(query.get("edit"))
    can_quick_edit = user.has_perm("customers.quick_edit_customer")
    row_actions = [
        action for action in customer_actions if action.in_grid and action.is_visible(request, None)
    ]
    table = [
        {
            "id": row.customer_id,
            "editing": can_quick_edit and row.customer_id == edit_id,
            "cells": [(column, grid.cell_value(column, row, lookups)) for column in columns],
            "actions": [(action.label, action.url(row.customer_id)) for action in row_actions],
        }
        for row in page_rows
    ]
    chooser = columns + [c for c in column_set.offered() if c.code not in state["columns"]]
    # Read once: the filters, the quick-edit row and the mass-action form all list them.
    groups, websites = list(_groups()), list(_visible_websites(website_ids))
    choices = _filter_choices(groups, websites, column_set)
    state_query = grid.query_from_state(state)
    without_filters = {k: v for k, v in state_query.items() if not k.startswith("f_")}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Customer._meta,
        "title": _("Customers"),
        "state": state,
        "state_query": state_query,
        "without_filters": without_filters,
        "without_search": {k: v for k, v in without_filters.items() if k != "keyword"},
        "active_filters": _describe_filters(state["filters"], choices, column_set),
        "state_errors": state_errors,
        "columns": columns,
        "chooser": chooser,
        "all_filters": column_set.filters(),
        "filter_choices": choices,
        "table": table,
        "count": count,
        "capped": capped,
        "page": page,
        "last_page": last_page,
        "page_sizes": grid.PAGE_SIZES,
        "views": GridView.objects.filter(user=user),
        "active_view": _int(query.get("active_view")),
        "mass_actions": _mass_actions_for(user),
        "groups": groups,
        "websites": websites,
        "genders": Gender.choices,
        "can_add": model_admin.has_add_permission(request),
        "can_export": user.has_perm("customers.export_customers"),
        "can_quick_edit": can_quick_edit,
        "quick_edit_columns": QUICK_EDIT_COLUMNS,
        "quick_edit": quick_edit or {},
        "edit_id": edit_id,
        "default_columns": ",".join(grid.DEFAULT_COLUMNS),
    }
    return render(request, "admin/customers/customer/grid.html", context, status=status)


def _describe_filters(filters, choices, column_set) -> list[tuple[str, str]]:
    """Each active filter as (column label with its bound, value as the grid shows it)."""
    described = []
    for key, value in filters.items():
        column, bound = column_set.filter_column(key)
        code = column.code
        label = str(column.label)
        if bound:
            word = (
                pgettext("range filter", "from")
                if bound == "from"
                else pgettext("range filter", "to")
            )
            label = f"{label} ({word})"
        shown = dict(choices.get(code, ())).get(value, value)
        described.append((label, shown))
    return described


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def quick_edit_view(request, model_admin, customer_id: int):
    """Save an inline edit; on refusal show the grid again with the values and each error."""
    _require(request, "customers.quick_edit_customer")
    customer = customer_for_staff(request, customer_id)
    posted = {
        name: request.POST[name].strip() for name in QUICK_EDIT_COLUMNS if name in request.POST
    }
    values: dict = {
        k: v for k, v in posted.items() if k in ("email", "telephone", "postcode", "taxvat")
    }
    errors: dict[str, list[str]] = {}
    if "gender" in posted:
        values["gender"] = _int(posted["gender"])
    if "group" in posted:
        values["group"] = _groups().filter(pk=_int(posted["group"])).first()
        if values["group"] is None:
            errors["group"] = [_("Choose a customer group.")]
    if "website" in posted:
        values["website"] = (
            _visible_websites(staff_website_ids(request.user))
            .filter(pk=_int(posted["website"]))
            .first()
        )
        if values["website"] is None:
            errors["website"] = [_("Choose a website.")]
    if not errors:
        try:
            customer = services.quick_edit_customer(
                customer=customer, actor=Actor.staff(request.user), **values
            )
        except PatronError as error:
            for problem in error.problems or []:
                errors.setdefault(problem.field or "__all__", []).append(str(problem.message))
            if not error.problems:
                errors.setdefault(error.field or "__all__", []).append(str(error.message))
    if errors:
        quick_edit = {"customer_id": customer.pk, "values": posted, "errors": errors}
        # The grid state travels in the form's hidden fields.
        return grid_page(
            request, model_admin, query=request.POST, quick_edit=quick_edit, status=400
        )
    messages.success(request, _("Customer %(email)s was saved.") % {"email": customer.email})
    return HttpResponseRedirect(_back_to_grid(request))


def _back_to_grid(request) -> str:
    state, _errors = _state(request.POST)
    return grid_url(state, page=request.POST.get("page"))


def _selection(request, state) -> list[int]:
    """The ids the mass action or export is for: every matching row with "select all", else
    the ticked rows."""
    if request.POST.get("select_all") == "1":
        rows = grid.search_state(state, website_ids=staff_website_ids(request.user))
        return list(rows.values_list("customer_id", flat=True)[: services.MASS_ACTION_LIMIT + 1])
    return [i for i in (_int(v) for v in request.POST.getlist("ids")) if i is not None]


@require_POST
def mass_action_view(request, model_admin):
    """Ask for confirmation, then run the mass action (or queue it and show its progress)."""
    action = request.POST.get("action", "")
    if action not in services.MASS_ACTION_PERMISSIONS:
        messages.error(request, _("Choose an action."))
        return HttpResponseRedirect(_back_to_grid(request))
    _require(request, services.MASS_ACTION_PERMISSIONS[action])
    state, _errors = _state(request.POST)
    ids = _selection(request, state)
    group_id = _int(request.POST.get("group_id"))
    try:
        group = services.check_mass_action(action=action, customer_ids=ids, group_id=group_id)
    except PatronError as error:
        messages.error(request, str(error.message))
        return HttpResponseRedirect(_back_to_grid(request))
    if request.POST.get("confirmed") != "1":
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Customer._meta,
            "title": _("Confirm: %(action)s") % {"action": services.mass_action_label(action)},
            "action": action,
            "action_label": services.mass_action_label(action),
            "ids": ids,
            "group": group,
            "state_query": grid.query_from_state(state),
            "cancel_url": _back_to_grid(request),
            "select_all": request.POST.get("select_all") == "1",
        }
        return render(request, "admin/customers/customer/mass_action_confirm.html", context)
    result, job = services.start_mass_action(
        action=action, customer_ids=ids, actor=Actor.staff(request.user), group_id=group_id,
        website_ids=staff_website_ids(request.user),
    )  # fmt: skip
    if job is not None:
        messages.info(request, _("The action runs in the background; its progress is below."))
        return HttpResponseRedirect(reverse("admin:job-progress", args=[job.pk]))
    _report_mass_action(request, result)
    return HttpResponseRedirect(_back_to_grid(request))


def _report_mass_action(request, result) -> None:
    done = result["done"]
    if done:
        messages.success(
            request,
            ngettext(
                "%(action)s: %(count)d customer done.",
                "%(action)s: %(count)d customers done.",
                done,
            )
            % {"action": services.mass_action_label(result["action"]), "count": done},
        )
    for failure in result["failed"][:20]:
        messages.error(
            request,
            _("Customer %(id)s: %(reason)s") % {"id": failure["id"], "reason": failure["message"]},
        )


@require_POST
def export_view(request, model_admin):
    """Stream the ticked rows, else the filtered rows, else all rows, as CSV or Excel XML."""
    _require(request, "customers.export_customers")
    column_set = grid.ColumnSet()  # the attributes' columns, read when the state names one
    state, _errors = _state(request.POST, column_set)
    rows = grid.search_state(
        state, website_ids=staff_website_ids(request.user), column_set=column_set
    )
    ids = [] if request.POST.get("select_all") == "1" else _selection(request, state)
    if ids:
        rows = rows.filter(customer_id__in=ids)
    try:
        chunks, content_type, filename = services.export_grid(
            rows=rows, file_format=request.POST.get("format", ""), actor=Actor.staff(request.user),
            selected=len(ids), filters=state["filters"] | {"keyword": state["keyword"]},
            columns=state["columns"],
        )  # fmt: skip
    except PatronError as error:
        messages.error(request, str(error.message))
        return HttpResponseRedirect(_back_to_grid(request))
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def views_view(request, model_admin):
    """Save the current state as a named view, rename a view or delete one."""
    _require(request, "customers.view_customer")
    state, _errors = _state(request.POST)
    operation = request.POST.get("operation")
    view = GridView(pk=_int(request.POST.get("view_id")))
    active = None
    try:
        if operation == "save":
            active = services.save_grid_view(
                user=request.user, name=request.POST.get("name", ""), state=state
            )
            messages.success(request, _("The view %(name)s was saved.") % {"name": active.name})
        elif operation == "rename":
            active = services.update_grid_view(
                view=view, user=request.user, name=request.POST.get("name", "")
            )
            messages.success(
                request, _("The view was renamed to %(name)s.") % {"name": active.name}
            )
        elif operation == "delete":
            services.delete_grid_view(view=view, user=request.user)
            messages.success(request, _("The view was deleted."))
    except PatronError as error:
        messages.error(request, str(error.message))
    return HttpResponseRedirect(grid_url(state, active_view=active.pk if active else None))
