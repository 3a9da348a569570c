"""Custom attributes API (spec b §4–5): the definitions of customer and address attributes for
storefronts (labels of the ``X-Patron-Store`` store view, only what the storefront shows) and
for staff (every property, every label, create / change / delete), plus how attribute values
travel in the customer and address operations of ``patron.customers.api``.

A storefront caller is anyone who is neither a staff session nor an integration token: a
customer token, or no token at all (a registration form is drawn before anyone signs in).
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Router, Schema, Status

from patron.core.actors import Actor
from patron.core.api import (
    ERRORS,
    IntegrationTokenAuth,
    StaffSessionAuth,
    require_permission,
    staff_auth,
    store_view_of,
)
from patron.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from patron.customers import attributes, services
from patron.customers.api import CustomerOut, CustomerTokenAuth
from patron.customers.models import (
    AttributeEntity,
    AttributeForm,
    CustomerAttribute,
)
from patron.scopes.models import StoreView

router = Router(tags=["Customer attributes"])

FILE_FIELDS = ("name", "size", "content_type")  # and "url", added when shown


def _storefront_caller(request):
    """The last way in: a storefront without a customer token, on a store view it names."""
    store_view_of(request)
    return True


# Staff first (every property), then a signed-in shopper, then any storefront.
read_auth = [IntegrationTokenAuth(), StaffSessionAuth(), CustomerTokenAuth(), _storefront_caller]


# --- Schemas ------------------------------------------------------------------------------------


class OptionOut(Schema):
    id: int
    label: str = Field(..., description="The label on the X-Patron-Store store view.")
    sort_order: int
    labels: dict[str, str] | None = Field(None, description="Staff only: label by store view.")


class AttributeOut(Schema):
    entity: str
    code: str
    label: str = Field(..., description="The label on the X-Patron-Store store view.")
    input_type: str
    is_system: bool
    is_required: bool
    default_value: Any = None
    validation: str
    min_length: int | None
    max_length: int | None
    multiline_count: int
    date_min: dt.date | None
    date_max: dt.date | None
    max_file_size: int | None
    file_extensions: list[str]
    image_max_width: int | None
    image_max_height: int | None
    input_filter: str
    forms: list[str]
    sort_order: int
    options: list[OptionOut]
    # Staff only (null for storefront callers).
    labels: dict[str, str] | None = Field(None, description="Staff only: label by store view.")
    show_on_storefront: bool | None = None
    in_grid: bool | None = None
    filterable_in_grid: bool | None = None
    grid_filter_condition: str | None = None
    searchable_in_grid: bool | None = None
    used_in_segments: bool | None = None


class OptionIn(Schema):
    id: int | None = Field(None, description="The option kept; leave out for a new option.")
    label: str = Field(..., max_length=255)
    labels: dict[str, str] = Field(default_factory=dict, description="By store view code.")
    sort_order: int | None = None


InputFilterValue = Literal["", "striptags", "escapehtml"]  # InputFilter's values


class AttributeIn(Schema):
    code: str
    label: str = Field(..., max_length=255)
    input_type: str
    is_required: bool = False
    default_value: Any = None
    validation: str = ""
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=0)
    multiline_count: int = Field(2, ge=0, le=32767)
    date_min: dt.date | None = None
    date_max: dt.date | None = None
    max_file_size: int | None = Field(None, ge=0, description="Bytes.")
    file_extensions: list[str] = Field(default_factory=list, description='e.g. ["pdf", "png"]')
    image_max_width: int | None = Field(None, ge=0)
    image_max_height: int | None = Field(None, ge=0)
    input_filter: InputFilterValue = ""
    forms: list[str] = Field(default_factory=list)
    sort_order: int = 0
    show_on_storefront: bool = True
    in_grid: bool = False
    filterable_in_grid: bool = False
    grid_filter_condition: str = "partial"
    searchable_in_grid: bool = False
    used_in_segments: bool = False
    labels: dict[str, str] = Field(default_factory=dict, description="By store view code.")
    options: list[OptionIn] = Field(default_factory=list)


class AttributePatch(Schema):
    label: str | None = Field(None, max_length=255)
    input_type: str | None = Field(None, description="Fixed once created; sent only to check.")
    is_required: bool | None = None
    default_value: Any = None
    validation: str | None = None
    min_length: int | None = Field(None, ge=0)
    max_length: int | None = Field(None, ge=0)
    multiline_count: int | None = Field(None, ge=0, le=32767)
    date_min: dt.date | None = None
    date_max: dt.date | None = None
    max_file_size: int | None = Field(None, ge=0)
    file_extensions: list[str] | None = None
    image_max_width: int | None = Field(None, ge=0)
    image_max_height: int | None = Field(None, ge=0)
    input_filter: InputFilterValue | None = None
    forms: list[str] | None = None
    sort_order: int | None = None
    show_on_storefront: bool | None = None
    in_grid: bool | None = None
    filterable_in_grid: bool | None = None
    grid_filter_condition: str | None = None
    searchable_in_grid: bool | None = None
    used_in_segments: bool | None = None
    labels: dict[str, str] | None = Field(None, description="The full new set, by store view code.")
    options: list[OptionIn] | None = Field(
        None, description="The full new list; options left out are removed with their values."
    )


class AttributeDeletedOut(Schema):
    values_removed: int


class CustomAttributesIn(Schema):
    custom_attributes: dict[str, Any]


# --- Helpers ------------------------------------------------------------------------------------


def is_staff_caller(request) -> bool:
    """Whether the call comes from staff (a session or an integration token)."""
    return getattr(request, "principal", None) is not None


def _read_context(request):
    """Who reads and on which store view: staff need customers.view_customerattribute and may
    name a store view; storefront callers must."""
    staff = is_staff_caller(request)
    if staff:
        require_permission(request, "customers.view_customerattribute")
        if not request.headers.get("X-Patron-Store", "").strip():
            return True, None
    return staff, store_view_of(request)


def _view_codes() -> dict[str, str]:
    return {str(pk): code for pk, code in StoreView.objects.values_list("pk", "code")}


def _labels_out(labels: Mapping[str, str], codes: Mapping[str, str]) -> dict[str, str]:
    return {codes.get(key, key): value for key, value in (labels or {}).items()}


def _labels_in(labels: Mapping[str, str], field: str) -> dict[str, str]:
    ids = {code: str(pk) for pk, code in StoreView.objects.values_list("pk", "code")}
    unknown = sorted(set(labels) - set(ids))
    if unknown:
        raise InvalidInput.from_problems(
            [
                Problem(
                    "unknown_store",
                    _("There is no store view with the code %(code)s.") % {"code": code},
                    field=f"{field}.{code}",
                )
                for code in unknown
            ]
        )
    return {ids[code]: label for code, label in labels.items()}


# The properties everyone reads as stored, and those only staff read.
SHOWN_AS_STORED = (
    "entity", "code", "input_type", "is_system", "is_required", "default_value", "validation",
    "min_length", "max_length", "multiline_count", "date_min", "date_max", "max_file_size",
    "image_max_width", "image_max_height", "input_filter", "forms", "sort_order",
)  # fmt: skip
STAFF_ONLY = (
    "show_on_storefront", "in_grid", "filterable_in_grid", "grid_filter_condition",
    "searchable_in_grid", "used_in_segments",
)  # fmt: skip


def _attribute_out(attribute: CustomerAttribute, store_view, staff: bool, codes) -> dict:
    data = {name: getattr(attribute, name) for name in SHOWN_AS_STORED}
    data["label"] = attributes.attribute_label(attribute, store_view)
    data["file_extensions"] = [e.strip() for e in attribute.file_extensions.split(",") if e.strip()]
    data["options"] = [
        {
            "id": option.pk,
            "label": attributes.label_for(option, store_view),
            "sort_order": option.sort_order,
            "labels": _labels_out(option.labels, codes) if staff else None,
        }
        for option in attribute.options.all()
    ]
    if staff:
        data["labels"] = _labels_out(attribute.labels, codes)
        data.update({name: getattr(attribute, name) for name in STAFF_ONLY})
    return data


def _require_all_websites(principal) -> None:
    # Definitions span every website, so, as for customer groups, only callers who see every
    # website may change them.
    if principal.website_ids is not None:
        raise Forbidden(
            _("Only staff with access to every website can manage customer attributes."),
            code="website_scope",
        )


# Properties whose null in a PATCH means "none"; a null for any other is refused.
NULLABLE = frozenset(
    {
        "default_value", "min_length", "max_length", "date_min", "date_max", "max_file_size",
        "image_max_width", "image_max_height",
    }
)  # fmt: skip
EMPTY_WHEN_NULL = {"validation": "", "input_filter": "", "forms": [], "labels": {}}


def _properties(payload: dict[str, Any]) -> dict[str, Any]:
    """The service's keyword arguments from an API body (labels by id, extensions as text)."""
    props = {
        name: EMPTY_WHEN_NULL.get(name, value) if value is None else value
        for name, value in payload.items()
    }
    refused = sorted(
        name
        for name, value in props.items()
        if value is None and name not in NULLABLE and name != "file_extensions"
    )
    if refused:
        raise InvalidInput.from_problems(
            [Problem("null", _("This property cannot be null."), field=name) for name in refused]
        )
    if "labels" in props:
        props["labels"] = _labels_in(props["labels"] or {}, "labels")
    if "file_extensions" in props:
        props["file_extensions"] = ",".join(
            e.strip().lower().lstrip(".") for e in props["file_extensions"] or () if e.strip()
        )
    return props


def _options(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for index, option in enumerate(options):
        item = {"label": option["label"]}
        if option.get("id") is not None:
            item["id"] = option["id"]
        if option.get("sort_order") is not None:
            item["sort_order"] = option["sort_order"]
        item["labels"] = _labels_in(option.get("labels") or {}, f"options[{index}].labels")
        result.append(item)
    return result


def _values_would_be_lost(count: int) -> Conflict:
    message = ngettext(
        "%(count)d value would be lost; send confirm=true to go ahead.",
        "%(count)d values would be lost; send confirm=true to go ahead.",
        count,
    )
    return Conflict(
        message % {"count": count},
        code="values_would_be_lost",
        params={"count": count},
    )


# --- Definitions: read --------------------------------------------------------------------------


@router.get(
    "/attributes/{entity}",
    response={200: list[AttributeOut], **ERRORS},
    url_name="attributes",
    auth=read_auth,
)
def list_attribute_definitions(request, entity: AttributeEntity, form: str | None = None):
    """The attributes of customers (`customer`) or addresses (`address`) in sort order, system
    ones included (`is_system`). `form` keeps those of one form (e.g. `customer_account_create`).
    Storefront callers (a customer token, or none, with `X-Patron-Store`) see only the
    attributes shown on the storefront, labelled for that store view; staff
    (customers.view_customerattribute) see every property and every label."""
    staff, store_view = _read_context(request)
    codes = _view_codes() if staff else {}
    return [
        _attribute_out(a, store_view, staff, codes)
        for a in attributes.list_attributes(entity)
        if (staff or a.show_on_storefront) and (form is None or form in a.forms)
    ]


@router.get(
    "/attributes/{entity}/{code}",
    response={200: AttributeOut, **ERRORS},
    url_name="attribute",
    auth=read_auth,
)
def get_attribute_definition(request, entity: AttributeEntity, code: str):
    """One attribute, as in the list."""
    staff, store_view = _read_context(request)
    attribute = attributes.get_attribute(entity, code)
    if not staff and not attribute.show_on_storefront:
        raise NotFound(
            _("There is no attribute %(code)s.") % {"code": code},
            code="attribute_not_found",
            field="code",
        )
    return _attribute_out(attribute, store_view, staff, _view_codes() if staff else {})


# --- Definitions: staff changes -----------------------------------------------------------------


@router.post(
    "/attributes/{entity}",
    response={201: AttributeOut, **ERRORS},
    url_name="attribute-create",
    auth=staff_auth,
)
def create_attribute_definition(request, entity: AttributeEntity, payload: AttributeIn):
    """Create an attribute (customers.add_customerattribute). Dropdowns and multiple selects
    need their `options`. Every problem is reported at once, each with its field."""
    principal = require_permission(request, "customers.add_customerattribute")
    _require_all_websites(principal)
    props = _properties(payload.dict(exclude={"code", "options"}))
    with transaction.atomic():
        attribute = attributes.create_attribute(
            entity=entity, code=payload.code, actor=principal.actor,
            options=_options(payload.dict()["options"]), **props,
        )  # fmt: skip
        attributes.record_attribute_change(
            attribute=attribute, actor=principal.actor, change="created",
            details={"changed": sorted(props)},
        )  # fmt: skip
    attribute = attributes.get_attribute(entity, attribute.code)
    return Status(201, _attribute_out(attribute, None, True, _view_codes()))


@router.patch(
    "/attributes/{entity}/{code}",
    response={200: AttributeOut, **ERRORS},
    url_name="attribute-update",
    auth=staff_auth,
)
def update_attribute_definition(
    request, entity: AttributeEntity, code: str, payload: AttributePatch, confirm: bool = False
):
    """Change an attribute (customers.change_customerattribute); only the properties sent
    change. `options` is the full new list, each kept option with its `id`: removing options
    that customers hold answers 409 `values_would_be_lost` with the count, unless
    `confirm=true`. A system attribute only changes `used_in_segments`."""
    principal = require_permission(request, "customers.change_customerattribute")
    _require_all_websites(principal)
    attribute = attributes.get_attribute(entity, code)
    changes = _properties(payload.dict(exclude_unset=True))
    options = changes.pop("options", None)
    removed, lost = [], None
    if options is not None:
        options = _options(options)
        kept = {o.get("id") for o in options}
        removed = [o.pk for o in attribute.options.all() if o.pk not in kept]
        lost = attributes.option_removal_impact(attribute, removed) if removed else 0
        if lost and not confirm:
            raise _values_would_be_lost(lost)
    changed = sorted(name for name, value in changes.items() if getattr(attribute, name) != value)
    with transaction.atomic():
        attribute = attributes.update_attribute(
            attribute=attribute, actor=principal.actor, options=options, **changes
        )
        if options is not None:
            changed.append("options")
        if changed:
            details = {"changed": changed, "options_removed": removed}
            attributes.record_attribute_change(
                attribute=attribute, actor=principal.actor, change="changed", count=lost,
                details=details,
            )  # fmt: skip
    attribute = attributes.get_attribute(entity, attribute.code)
    return _attribute_out(attribute, None, True, _view_codes())


@router.delete(
    "/attributes/{entity}/{code}",
    response={200: AttributeDeletedOut, **ERRORS},
    url_name="attribute-delete",
    auth=staff_auth,
)
def delete_attribute_definition(request, entity: AttributeEntity, code: str, confirm: bool = False):
    """Delete an attribute with its values and files (customers.delete_customerattribute).
    When customers (or addresses) hold a value it answers 409 `values_would_be_lost` with the
    count, unless `confirm=true`. System attributes cannot be deleted."""
    principal = require_permission(request, "customers.delete_customerattribute")
    _require_all_websites(principal)
    attribute = attributes.get_attribute(entity, code)
    if not attribute.is_system and not confirm:
        lost = attributes.attribute_removal_impact(attribute)
        if lost:
            raise _values_would_be_lost(lost)
    pk = attribute.pk
    with transaction.atomic():
        removed = attributes.delete_attribute(attribute=attribute, actor=principal.actor)
        attributes.record_attribute_change(
            attribute=attribute, actor=principal.actor, change="deleted", count=removed,
            details={"id": pk},
        )  # fmt: skip
    return {"values_removed": removed}


# --- Values in the customer and address operations ----------------------------------------------


def _definitions(request, entity: str) -> dict[str, CustomerAttribute]:
    """The staff-defined attributes of ``entity`` by code, read once per request."""
    cache = getattr(request, "_patron_attribute_definitions", None) if request else None
    if cache is None:
        cache = {}
        if request is not None:
            request._patron_attribute_definitions = cache
    if entity not in cache:
        cache[entity] = {a.code: a for a in attributes.custom_attributes(entity)}
    return cache[entity]


def values_out(entity: str, owner, request) -> dict[str, Any]:
    """The ``custom_attributes`` of ``owner`` (a customer or an address) as the API shows them:
    typed as stored (text, lists of lines, ISO dates, booleans, option ids), a file as its
    name, size, content type and download URL (the storage path stays inside). Storefront
    callers see only the attributes shown on the storefront; without a request (no caller
    known) the storefront's view is given."""
    staff = request is not None and is_staff_caller(request)
    definitions = _definitions(request, entity)
    shown = {}
    for code, value in (owner.custom_attributes or {}).items():
        attribute = definitions.get(code)
        if attribute is None or not (staff or attribute.show_on_storefront):
            continue
        if attribute.input_type in attributes.FILE_TYPES and isinstance(value, Mapping):
            value = {name: value.get(name) for name in FILE_FIELDS}
            value["url"] = _file_url(entity, owner, code, staff)
        shown[code] = value
    return shown


def _file_url(entity: str, owner, code: str, staff: bool) -> str | None:
    """Where a browser downloads the file: the back office's file view for staff (a staff
    session that may view the customer), the account pages' for the shopper (their session);
    neither takes an API token."""
    if entity == AttributeEntity.CUSTOMER:
        name, args = (
            ("admin:customers_customer_attribute_file", [owner.pk, code])
            if staff
            else ("customer-attribute-file", [code])
        )
    else:
        name, args = (
            ("admin:customers_customer_address_attribute_file", [owner.customer_id, owner.pk, code])
            if staff
            else ("customer-address-attribute-file", [owner.pk, code])
        )
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def values_in(
    entity: str,
    submitted: Mapping[str, Any] | None,
    request,
    existing: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """Submitted ``custom_attributes`` made ready for the services, which check them: a
    storefront caller may send only attributes shown on the storefront, a value sent back as it
    was read is left out (it stays as stored), and so is a file sent back as it was read (no
    ``content_base64``, the stored name). A file is replaced by sending ``{"name",
    "content_base64"}`` and removed by sending null."""
    if submitted is None:
        return None
    staff = is_staff_caller(request)
    definitions = _definitions(request, entity)
    existing = existing or {}
    problems = []
    prepared = {}
    for code, value in submitted.items():
        attribute = definitions.get(code)
        if attribute is not None and not staff and not attribute.show_on_storefront:
            problems.append(
                Problem(
                    "unknown_attribute",
                    _("There is no attribute %(code)s.") % {"code": code},
                    field=attributes.field_name(code),
                )
            )
            continue
        current = existing.get(code)
        if (
            attribute is not None
            and attribute.input_type in attributes.FILE_TYPES
            and _is_file_as_read(value, current)
        ):
            value = current
        if attribute is not None and code in existing and value == current:
            # Unchanged: left to the stored value, so a client that sends back all it read
            # neither escapes an escaped text again nor re-checks it against newer rules.
            continue
        prepared[code] = value
    if problems:
        raise InvalidInput.from_problems(problems)
    return prepared


def _is_file_as_read(value: Any, current: Any) -> bool:
    return (
        isinstance(value, Mapping)
        and isinstance(current, Mapping)
        and "content_base64" not in value
        and "path" not in value
        and value.get("name") == current.get("name")
    )


# --- The shopper's own customer attributes -------------------------------------------------------


@router.patch(
    "/me/custom-attributes",
    response={200: CustomerOut, **ERRORS},
    url_name="me-custom-attributes-update",
    auth=CustomerTokenAuth(),
    tags=["Shopper account"],
)
def update_my_custom_attributes(request, payload: CustomAttributesIn):
    """Change the signed-in customer's own custom attributes: only those shown on the
    storefront, checked as on the Account Information form (`customer_account_edit`). A value
    of null clears one; a file is sent as `{"name", "content_base64"}`."""
    customer = request.customer
    values = values_in(
        AttributeEntity.CUSTOMER, payload.custom_attributes, request, customer.custom_attributes
    )
    return services.update_customer(
        customer=customer,
        actor=Actor.customer(customer),
        attribute_form=AttributeForm.ACCOUNT_EDIT,
        custom_attributes=values,
    )
