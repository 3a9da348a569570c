"""Customers API: staff operations (integration token or staff session) and the shopper's own
account (customer token + ``X-Patron-Store``). Handlers parse, call one service or selector and
return a schema."""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from patron.core.actors import Actor
from patron.core.api import (
    ERRORS,
    PageOut,
    keyset_page,
    require_permission,
    staff_auth,
    store_view_of,
)
from patron.core.errors import Forbidden, NotFound
from patron.customers import newsletter, selectors, services
from patron.customers.models import AttributeForm, ConsentSource, Customer, Gender
from patron.scopes.models import Website

router = Router(tags=["Customers"], auth=staff_auth)
shopper_router = Router(tags=["Shopper account"])


# --- Schemas ------------------------------------------------------------------------------------


class AddressOut(Schema):
    id: int
    prefix: str
    firstname: str
    middlename: str
    lastname: str
    suffix: str
    company: str
    street: list[str]
    city: str
    country_id: str
    region: str
    region_code: str
    postcode: str
    telephone: str
    fax: str
    vat_id: str
    custom_attributes: dict[str, Any]
    is_default_billing: bool = False
    is_default_shipping: bool = False
    updated_at: dt.datetime

    @staticmethod
    def resolve_custom_attributes(obj, context):
        from patron.customers.attributes_api import values_out

        if isinstance(obj, Schema):  # already shown (ninja validates returned schemas again)
            return obj.custom_attributes
        return values_out("address", obj, (context or {}).get("request"))


class AddressIn(Schema):
    prefix: str = ""
    firstname: str
    middlename: str = ""
    lastname: str
    suffix: str = ""
    company: str = ""
    street: list[str]
    city: str
    country_id: str
    region: str = ""
    region_code: str = ""
    postcode: str = ""
    telephone: str = ""
    fax: str = ""
    vat_id: str = ""
    custom_attributes: dict[str, Any] = {}
    default_billing: bool = False
    default_shipping: bool = False


class AddressPatch(Schema):
    prefix: str | None = None
    firstname: str | None = None
    middlename: str | None = None
    lastname: str | None = None
    suffix: str | None = None
    company: str | None = None
    street: list[str] | None = None
    city: str | None = None
    country_id: str | None = None
    region: str | None = None
    region_code: str | None = None
    postcode: str | None = None
    telephone: str | None = None
    fax: str | None = None
    vat_id: str | None = None
    custom_attributes: dict[str, Any] | None = None
    default_billing: bool | None = None
    default_shipping: bool | None = None


class CustomerOut(Schema):
    id: int
    number: str | None
    website_id: int
    group_id: int
    created_in: str | None = Field(None, alias="created_in.code")
    prefix: str
    firstname: str
    middlename: str
    lastname: str
    suffix: str
    email: str
    dob: dt.date | None
    taxvat: str
    gender: int | None
    is_active: bool
    confirmed: bool = Field(..., alias="is_confirmed")
    locked_until: dt.datetime | None = Field(None, alias="lock_expires_at")
    disable_auto_group_change: bool
    allow_remote_assistance: bool
    default_billing_id: int | None
    default_shipping_id: int | None
    custom_attributes: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_custom_attributes(obj, context):
        from patron.customers.attributes_api import values_out

        if isinstance(obj, Schema):  # already shown (ninja validates returned schemas again)
            return obj.custom_attributes
        return values_out("customer", obj, (context or {}).get("request"))


class ProfileIn(Schema):
    """The fields a customer account is created with, shared by staff and shopper creation."""

    email: str
    firstname: str
    lastname: str
    prefix: str = ""
    middlename: str = ""
    suffix: str = ""
    dob: dt.date | None = None
    taxvat: str = ""
    gender: Gender | None = None
    allow_remote_assistance: bool = False


class CustomerIn(ProfileIn):
    website_id: int
    store_view: str | None = Field(
        None, description="Code of the store view the account is created in."
    )
    group_id: int | None = None
    is_active: bool = True
    disable_auto_group_change: bool | None = None
    custom_attributes: dict[str, Any] = {}
    send_welcome_email: bool = Field(
        False,
        description="Email the customer a link to choose a password, from `store_view` in its language.",
    )


class CustomerPatch(Schema):
    group_id: int | None = None
    website_id: int | None = None
    email: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    prefix: str | None = None
    middlename: str | None = None
    suffix: str | None = None
    dob: dt.date | None = None
    taxvat: str | None = None
    gender: Gender | None = None
    is_active: bool | None = None
    disable_auto_group_change: bool | None = None
    custom_attributes: dict[str, Any] | None = None


class CustomerFilter(Schema):
    search: str | None = Field(None, description="Words matched in name, email, tax/VAT number.")
    email: str | None = None
    group_id: int | None = None
    website_id: int | None = None
    updated_since: dt.datetime | None = None
    cursor: str | None = None
    limit: int = 50


class GroupOut(Schema):
    id: int
    code: str
    tax_class_id: int
    excluded_website_ids: list[int]


class GroupIn(Schema):
    code: str
    tax_class_id: int
    excluded_website_ids: list[int] = []


class GroupPatch(Schema):
    code: str | None = None
    tax_class_id: int | None = None
    excluded_website_ids: list[int] | None = None


class GroupDeletedOut(Schema):
    moved_customers: int


class TaxClassOut(Schema):
    id: int
    name: str
    kind: str


class TaxClassIn(Schema):
    name: str


class SubscriptionOut(Schema):
    store_view: str = Field(..., alias="store_view.code")
    email: str
    status: str
    consent_at: dt.datetime | None
    consent_source: str


class NewsletterIn(Schema):
    subscribed: bool
    store_view: str | None = Field(None, description="Store view code; staff calls only.")


# --- Helpers ------------------------------------------------------------------------------------


def _address_out(address, customer: Customer, request=None) -> AddressOut:
    data = AddressOut.from_orm(address, context={"request": request})
    data.is_default_billing = customer.default_billing_id == address.pk
    data.is_default_shipping = customer.default_shipping_id == address.pk
    return data


def _attribute_values(entity: str, values, request, existing=None):
    from patron.customers.attributes_api import values_in

    return values_in(entity, values, request, existing)


def _address_changes(request, payload: "AddressPatch", address) -> dict[str, Any]:
    changes = payload.dict(exclude_unset=True)
    if changes.get("custom_attributes") is not None:
        changes["custom_attributes"] = _attribute_values(
            "address", changes["custom_attributes"], request, address.custom_attributes
        )
    return changes


def _visible_customer(request, customer_id: int) -> Customer:
    principal = request.principal
    return selectors.get_customer(customer_id, website_ids=principal.website_ids)


def _website_for_write(request, website_id: int) -> Website:
    principal = request.principal
    website = Website.objects.filter(pk=website_id).first()
    if website is None:
        raise NotFound(
            _("There is no website %(id)s.") % {"id": website_id},
            code="unknown_website",
            field="website_id",
        )
    if not principal.can_see_website(website.pk):
        raise Forbidden(
            _("You may not manage customers of this website."), code="website_not_allowed"
        )
    return website


def _group(group_id: int):
    return selectors.get_group(group_id)


def _group_out(group) -> GroupOut:
    return GroupOut(
        id=group.pk,
        code=group.code,
        tax_class_id=group.tax_class_id,
        excluded_website_ids=sorted(group.excluded_websites.values_list("pk", flat=True)),
    )


# --- Staff: customers ---------------------------------------------------------------------------


@router.get("/customers", response={200: PageOut[CustomerOut], **ERRORS}, url_name="customers")
def list_customers(request, filters: Query[CustomerFilter]):
    """List customers, newest changes last, one keyset page at a time (`next_cursor`)."""
    principal = require_permission(request, "customers.view_customer")
    customers = selectors.list_customers(
        website_ids=principal.website_ids,
        search=filters.search,
        group_id=filters.group_id,
        website_id=filters.website_id,
        email=filters.email,
    )
    items, next_cursor = keyset_page(
        customers, cursor=filters.cursor, limit=filters.limit, updated_since=filters.updated_since
    )
    return {"items": items, "next_cursor": next_cursor}


@router.post("/customers", response={201: CustomerOut, **ERRORS}, url_name="customer-create")
def create_customer(request, payload: CustomerIn):
    principal = require_permission(request, "customers.add_customer")
    website = _website_for_write(request, payload.website_id)
    store_view = None
    if payload.store_view:
        from patron.scopes.selectors import get_store_view_by_code

        store_view = get_store_view_by_code(
            payload.store_view, active_only=False, field="store_view"
        )
    fields = payload.dict(
        exclude={
            "website_id", "store_view", "group_id", "email", "firstname", "lastname",
            "send_welcome_email",
        }
    )  # fmt: skip
    if fields.get("disable_auto_group_change") is None:
        fields.pop("disable_auto_group_change", None)
    from patron.accounts.services import create_account_by_staff

    customer = create_account_by_staff(
        website=website,
        welcome_store_view=store_view,
        send_welcome_email=payload.send_welcome_email,
        group=_group(payload.group_id) if payload.group_id is not None else None,
        email=payload.email,
        firstname=payload.firstname,
        lastname=payload.lastname,
        actor=principal.actor,
        **fields,
    )
    return Status(201, customer)


@router.get(
    "/customers/{int:customer_id}", response={200: CustomerOut, **ERRORS}, url_name="customer"
)
def get_customer(request, customer_id: int):
    require_permission(request, "customers.view_customer")
    return _visible_customer(request, customer_id)


@router.patch(
    "/customers/{int:customer_id}",
    response={200: CustomerOut, **ERRORS},
    url_name="customer-update",
)
def update_customer(request, customer_id: int, payload: CustomerPatch):
    principal = require_permission(request, "customers.change_customer")
    customer = _visible_customer(request, customer_id)
    changes = payload.dict(exclude_unset=True)
    if changes.get("custom_attributes") is not None:
        changes["custom_attributes"] = _attribute_values(
            "customer", changes["custom_attributes"], request, customer.custom_attributes
        )
    group_id = changes.pop("group_id", None)
    website_id = changes.pop("website_id", None)
    if changes:
        customer = services.update_customer(customer=customer, actor=principal.actor, **changes)
    if group_id is not None:
        customer = services.change_group(
            customer=customer, group=_group(group_id), actor=principal.actor
        )
    if website_id is not None:
        customer = services.move_customer_to_website(
            customer=customer,
            website=_website_for_write(request, website_id),
            actor=principal.actor,
        )
    return selectors.get_customer(customer.pk)


class ConsentIn(Schema):
    allowed: bool
    reason: str = Field(
        ..., description="Why staff change the customer's consent; kept on the timeline."
    )


@router.put(
    "/customers/{int:customer_id}/assistance-consent",
    response={200: CustomerOut, **ERRORS},
    url_name="customer-assistance-consent",
)
def set_assistance_consent(request, customer_id: int, payload: ConsentIn):
    """Change the customer's "Allow remote shopping assistance" (needs
    customers.change_remote_assistance and a reason)."""
    principal = require_permission(request, "customers.change_remote_assistance")
    customer = services.set_assistance_consent(
        customer=_visible_customer(request, customer_id), allowed=payload.allowed,
        actor=principal.actor, reason=payload.reason,
    )  # fmt: skip
    return selectors.get_customer(customer.pk)


@router.delete(
    "/customers/{int:customer_id}", response={204: None, **ERRORS}, url_name="customer-delete"
)
def delete_customer(request, customer_id: int):
    principal = require_permission(request, "customers.delete_customer")
    services.delete_customer(
        customer=_visible_customer(request, customer_id), actor=principal.actor
    )
    return Status(204, None)


# --- Staff: addresses ---------------------------------------------------------------------------


@router.get(
    "/customers/{int:customer_id}/addresses",
    response={200: list[AddressOut], **ERRORS},
    url_name="customer-addresses",
)
def list_addresses(request, customer_id: int):
    require_permission(request, "customers.view_address")
    customer = _visible_customer(request, customer_id)
    return [_address_out(a, customer, request) for a in selectors.list_addresses(customer)]


@router.post(
    "/customers/{int:customer_id}/addresses",
    response={201: AddressOut, **ERRORS},
    url_name="customer-address-create",
)
def add_address(request, customer_id: int, payload: AddressIn):
    principal = require_permission(request, "customers.add_address")
    customer = _visible_customer(request, customer_id)
    address = services.add_address(customer=customer, actor=principal.actor, **payload.dict())
    customer.refresh_from_db()
    return Status(201, _address_out(address, customer, request))


@router.patch(
    "/customers/{int:customer_id}/addresses/{int:address_id}",
    response={200: AddressOut, **ERRORS},
    url_name="customer-address-update",
)
def update_address(request, customer_id: int, address_id: int, payload: AddressPatch):
    principal = require_permission(request, "customers.change_address")
    customer = _visible_customer(request, customer_id)
    address = selectors.get_address(customer, address_id)
    address = services.update_address(
        address=address, actor=principal.actor, **_address_changes(request, payload, address)
    )
    customer.refresh_from_db()
    return _address_out(address, customer, request)


@router.delete(
    "/customers/{int:customer_id}/addresses/{int:address_id}",
    response={204: None, **ERRORS},
    url_name="customer-address-delete",
)
def delete_address(request, customer_id: int, address_id: int):
    principal = require_permission(request, "customers.delete_address")
    customer = _visible_customer(request, customer_id)
    services.delete_address(
        address=selectors.get_address(customer, address_id), actor=principal.actor
    )
    return Status(204, None)


# --- Staff: newsletter --------------------------------------------------------------------------


@router.get(
    "/customers/{int:customer_id}/newsletter",
    response={200: list[SubscriptionOut], **ERRORS},
    url_name="customer-newsletter",
)
def customer_newsletter(request, customer_id: int):
    require_permission(request, "customers.view_newslettersubscriber")
    return list(selectors.list_subscriptions(_visible_customer(request, customer_id)))


@router.put(
    "/customers/{int:customer_id}/newsletter",
    response={200: list[SubscriptionOut], **ERRORS},
    url_name="customer-newsletter-update",
)
def set_customer_newsletter(request, customer_id: int, payload: NewsletterIn):
    principal = require_permission(request, "customers.change_newslettersubscriber")
    customer = _visible_customer(request, customer_id)
    from patron.scopes.selectors import default_store_view, get_store_view_by_code

    view = (
        get_store_view_by_code(payload.store_view)
        if payload.store_view
        else (customer.created_in or default_store_view(customer.website))
    )
    if view.store.website_id != customer.website_id and not services.accounts_are_global():
        raise Forbidden(
            _("That store view belongs to another website."), code="store_view_website_mismatch"
        )
    _apply_newsletter(customer, view, payload.subscribed, principal.actor, ConsentSource.API)
    return list(selectors.list_subscriptions(customer))


def _apply_newsletter(
    customer: Customer, store_view, subscribed: bool, actor: Actor, source: str
) -> None:
    # Through the newsletter rules, so "Need to Confirm" and the notices apply to API calls too.
    if subscribed:
        newsletter.subscribe(store_view=store_view, customer=customer, actor=actor, source=source)
    else:
        newsletter.unsubscribe(customer=customer, store_view=store_view, actor=actor, source=source)


# --- Staff: groups and tax classes --------------------------------------------------------------


@router.get(
    "/customer-groups", response={200: list[GroupOut], **ERRORS}, url_name="customer-groups"
)
def list_groups(request):
    require_permission(request, "customers.view_customergroup")
    return [_group_out(g) for g in selectors.list_groups().prefetch_related("excluded_websites")]


@router.post(
    "/customer-groups", response={201: GroupOut, **ERRORS}, url_name="customer-group-create"
)
def create_group(request, payload: GroupIn):
    principal = require_permission(request, "customers.add_customergroup")
    _require_all_websites(principal)
    group = services.create_group(
        code=payload.code,
        tax_class=selectors.get_tax_class(payload.tax_class_id),
        excluded_websites=Website.objects.filter(pk__in=payload.excluded_website_ids),
        actor=principal.actor,
    )
    return Status(201, _group_out(group))


@router.patch(
    "/customer-groups/{int:group_id}",
    response={200: GroupOut, **ERRORS},
    url_name="customer-group-update",
)
def update_group(request, group_id: int, payload: GroupPatch):
    principal = require_permission(request, "customers.change_customergroup")
    _require_all_websites(principal)
    group = services.update_group(
        group=_group(group_id),
        code=payload.code,
        tax_class=selectors.get_tax_class(payload.tax_class_id)
        if payload.tax_class_id is not None
        else None,
        excluded_websites=Website.objects.filter(pk__in=payload.excluded_website_ids)
        if payload.excluded_website_ids is not None
        else None,
        actor=principal.actor,
    )
    return _group_out(group)


@router.delete(
    "/customer-groups/{int:group_id}",
    response={200: GroupDeletedOut, **ERRORS},
    url_name="customer-group-delete",
)
def delete_group(request, group_id: int):
    principal = require_permission(request, "customers.delete_customergroup")
    _require_all_websites(principal)
    moved = services.delete_group(group=_group(group_id), actor=principal.actor)
    return {"moved_customers": moved}


def _require_all_websites(principal) -> None:
    # Groups span every website, so only callers who see every website may change them
    # (the guide: an admin with a "Custom" role scope cannot manage groups).
    if principal.website_ids is not None:
        raise Forbidden(
            _("Only staff with access to every website can manage customer groups."),
            code="website_scope",
        )


@router.get("/tax-classes", response={200: list[TaxClassOut], **ERRORS}, url_name="tax-classes")
def list_tax_classes(request):
    require_permission(request, "customers.view_taxclass")
    return list(selectors.list_tax_classes(kind=None))


@router.post("/tax-classes", response={201: TaxClassOut, **ERRORS}, url_name="tax-class-create")
def create_tax_class(request, payload: TaxClassIn):
    principal = require_permission(request, "customers.add_taxclass")
    return Status(201, services.save_tax_class(name=payload.name, actor=principal.actor))


@router.patch(
    "/tax-classes/{int:tax_class_id}",
    response={200: TaxClassOut, **ERRORS},
    url_name="tax-class-update",
)
def update_tax_class(request, tax_class_id: int, payload: TaxClassIn):
    principal = require_permission(request, "customers.change_taxclass")
    return services.save_tax_class(
        name=payload.name, tax_class=selectors.get_tax_class(tax_class_id), actor=principal.actor
    )


@router.delete(
    "/tax-classes/{int:tax_class_id}", response={204: None, **ERRORS}, url_name="tax-class-delete"
)
def delete_tax_class(request, tax_class_id: int):
    principal = require_permission(request, "customers.delete_taxclass")
    services.delete_tax_class(
        tax_class=selectors.get_tax_class(tax_class_id), actor=principal.actor
    )
    return Status(204, None)


# --- Shopper: the calling customer's own account ------------------------------------------------


class CustomerTokenAuth(HttpBearer):
    """``Authorization: Bearer pct_…``: a customer token, valid on its customer's website (or
    on every website when accounts are shared globally)."""

    def authenticate(self, request, token: str):
        customer = services.authenticate_customer_token(token)
        if customer is None:
            return None
        store_view = store_view_of(request)
        website_id = store_view.store.website_id
        if not services.accounts_are_global() and website_id != customer.website_id:
            return None
        # As on the sign-in page: a group excluded from this website cannot act on it.
        if customer.group.excluded_websites.filter(pk=website_id).exists():
            return None
        request.customer = customer
        return customer


shopper_router.auth = CustomerTokenAuth()


@shopper_router.get("/me", response={200: CustomerOut, **ERRORS}, url_name="me")
def me(request):
    return request.customer


@shopper_router.get(
    "/me/addresses", response={200: list[AddressOut], **ERRORS}, url_name="me-addresses"
)
def my_addresses(request):
    customer = request.customer
    return [_address_out(a, customer, request) for a in selectors.list_addresses(customer)]


@shopper_router.post(
    "/me/addresses", response={201: AddressOut, **ERRORS}, url_name="me-address-create"
)
def add_my_address(request, payload: AddressIn):
    customer = request.customer
    fields = payload.dict()
    fields["custom_attributes"] = _attribute_values("address", fields["custom_attributes"], request)
    address = services.add_address(
        customer=customer, actor=Actor.customer(customer),
        attribute_form=AttributeForm.ADDRESS_EDIT, **fields,
    )  # fmt: skip
    customer.refresh_from_db()
    return Status(201, _address_out(address, customer, request))


@shopper_router.patch(
    "/me/addresses/{int:address_id}",
    response={200: AddressOut, **ERRORS},
    url_name="me-address-update",
)
def update_my_address(request, address_id: int, payload: AddressPatch):
    customer = request.customer
    address = selectors.get_address(customer, address_id)
    address = services.update_address(
        address=address, actor=Actor.customer(customer), attribute_form=AttributeForm.ADDRESS_EDIT,
        **_address_changes(request, payload, address),
    )  # fmt: skip
    customer.refresh_from_db()
    return _address_out(address, customer, request)


@shopper_router.delete(
    "/me/addresses/{int:address_id}", response={204: None, **ERRORS}, url_name="me-address-delete"
)
def delete_my_address(request, address_id: int):
    customer = request.customer
    services.delete_address(
        address=selectors.get_address(customer, address_id), actor=Actor.customer(customer)
    )
    return Status(204, None)


@shopper_router.get(
    "/me/newsletter", response={200: list[SubscriptionOut], **ERRORS}, url_name="me-newsletter"
)
def my_newsletter(request):
    return list(selectors.list_subscriptions(request.customer))


@shopper_router.put(
    "/me/newsletter",
    response={200: list[SubscriptionOut], **ERRORS},
    url_name="me-newsletter-update",
)
def set_my_newsletter(request, payload: NewsletterIn):
    """Subscribe or unsubscribe on the store view named by `X-Patron-Store`."""
    customer = request.customer
    _apply_newsletter(
        customer,
        store_view_of(request),
        payload.subscribed,
        Actor.customer(customer),
        ConsentSource.API,
    )
    return list(selectors.list_subscriptions(customer))


# --- Staff: the customers grid ------------------------------------------------------------------


class GridRowOut(Schema):
    id: int = Field(..., alias="customer_id")
    name: str
    email: str
    group_id: int
    website_id: int
    created_in_id: int | None
    telephone: str
    postcode: str
    country_id: str
    region: str
    city: str
    street: str
    company: str
    fax: str
    vat_id: str
    billing_firstname: str
    billing_lastname: str
    billing_full: str
    shipping_full: str
    dob: dt.date | None
    taxvat: str
    gender: int | None
    is_active: bool
    confirmed: bool
    lock_expires_at: dt.datetime | None
    created_at: dt.datetime


class GridPageOut(Schema):
    items: list[GridRowOut]
    page: int
    page_size: int
    count: int
    count_is_capped: bool


def _grid_filters(request) -> dict[str, str]:
    reserved = {"keyword", "sort", "direction", "page", "page_size", "format", "ids"}
    return {key: value for key, value in request.GET.items() if key not in reserved}


def _grid_rows(request):
    from patron.customers.grid import search_grid

    principal = request.principal
    return search_grid(
        website_ids=principal.website_ids,
        keyword=request.GET.get("keyword", ""),
        filters=_grid_filters(request),
        sort=request.GET.get("sort", "id"),
        descending=request.GET.get("direction", "asc") == "desc",
    )


@router.get("/customers/grid", response={200: GridPageOut, **ERRORS}, url_name="customer-grid")
def customer_grid(request, page: int = 1, page_size: int = 20):
    """Search the customers grid as the back office does: `keyword`, per-column filters
    (`<column>=value`, `<column>__from` / `__to` for dates and numbers), `sort` and `direction`.
    `count` stops at 10,000 (`count_is_capped`)."""
    from patron.core.errors import InvalidInput
    from patron.customers.grid import PAGE_SIZES, capped_count, page_of

    require_permission(request, "customers.view_customer")
    if page_size not in PAGE_SIZES:
        raise InvalidInput(
            _("page_size must be one of %(sizes)s.") % {"sizes": ", ".join(map(str, PAGE_SIZES))},
            code="invalid_page_size",
            field="page_size",
        )
    rows = _grid_rows(request)
    page = max(1, page)
    count, capped = capped_count(rows)
    items = page_of(rows, page, page_size)
    return {
        "items": items,
        "page": page,
        "page_size": page_size,
        "count": count,
        "count_is_capped": capped,
    }


def _selected_ids(request) -> list[int]:
    return [int(i) for i in request.GET.get("ids", "").split(",") if i.strip().isdigit()]


@router.get(
    "/customers/grid/export", url_name="customer-grid-export", response={200: None, **ERRORS}
)
def export_customer_grid(request, format: str = "csv"):
    """Stream the grid as CSV or Excel XML: the rows in `ids` (comma-separated) when given,
    else every row matching the filters. Recorded in the staff action log."""
    from django.http import StreamingHttpResponse

    principal = require_permission(request, "customers.export_customers")
    rows = _grid_rows(request)
    ids = _selected_ids(request)
    if ids:
        rows = rows.filter(customer_id__in=ids)
    chunks, content_type, filename = services.export_grid(
        rows=rows, file_format=format, actor=principal.actor, selected=len(ids),
        filters=_grid_filters(request) | {"keyword": request.GET.get("keyword", "")},
    )  # fmt: skip
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class MassActionIn(Schema):
    action: str = Field(
        ..., description="delete, subscribe, unsubscribe, assign_group, activate or deactivate"
    )
    ids: list[int] = Field(..., description="The customers to act on.")
    group_id: int | None = Field(None, description="The target group of assign_group.")


class MassActionFailureOut(Schema):
    id: int
    code: str
    message: str


class MassActionOut(Schema):
    action: str
    done: int
    failed: list[MassActionFailureOut]


class JobQueuedOut(Schema):
    job_id: str
    status_url: str


@router.post(
    "/customers/mass-actions",
    response={200: MassActionOut, 202: JobQueuedOut, **ERRORS},
    url_name="customer-mass-action",
)
def customer_mass_action(request, payload: MassActionIn):
    """Apply a grid mass action. Up to 200 customers it runs at once and answers 200 with the
    counts and each refusal; above that it is queued and answers 202 with the progress job."""
    from django.urls import reverse

    from patron.core.errors import InvalidInput

    if payload.action not in services.MASS_ACTION_PERMISSIONS:
        raise InvalidInput(
            _("Unknown mass action %(action)s.") % {"action": payload.action},
            code="unknown_action",
            field="action",
        )
    principal = require_permission(request, services.MASS_ACTION_PERMISSIONS[payload.action])
    result, job = services.start_mass_action(
        action=payload.action, customer_ids=payload.ids, actor=principal.actor,
        group_id=payload.group_id, website_ids=principal.website_ids,
    )  # fmt: skip
    if job is not None:
        url = reverse("api-v1:job", kwargs={"job_id": job.pk})
        return Status(202, JobQueuedOut(job_id=str(job.pk), status_url=url))
    return result


class QuickEditIn(Schema):
    email: str | None = None
    group_id: int | None = None
    telephone: str | None = None
    postcode: str | None = None
    website_id: int | None = None
    taxvat: str | None = None
    gender: int | None = None


@router.patch(
    "/customers/{int:customer_id}/quick-edit",
    response={200: GridRowOut, **ERRORS},
    url_name="customer-quick-edit",
)
def quick_edit(request, customer_id: int, payload: QuickEditIn):
    """The grid's inline edit: Email, Group, Phone and ZIP (of the default billing address),
    Web Site, Tax/VAT Number and Gender; every problem is reported, nothing saved on any."""
    from patron.customers.models import CustomerGridRow

    principal = require_permission(request, "customers.quick_edit_customer")
    customer = _visible_customer(request, customer_id)
    values = payload.dict(exclude_unset=True)
    if "group_id" in values:
        values["group"] = _group(values.pop("group_id"))
    if "website_id" in values:
        values["website"] = _website_for_write(request, values.pop("website_id"))
    services.quick_edit_customer(customer=customer, actor=principal.actor, **values)
    return CustomerGridRow.objects.get(customer_id=customer.pk)


# --- Staff: saved grid views (a staff member's own) ---------------------------------------------


class GridViewIn(Schema):
    name: str
    state: dict[str, Any] = Field(
        default_factory=dict,
        description="columns (codes in order), keyword, filters, sort, direction, page_size",
    )


class GridViewPatch(Schema):
    name: str | None = None
    state: dict[str, Any] | None = None


class GridViewOut(Schema):
    id: int
    name: str
    state: dict[str, Any]


def _staff_user(request):
    principal = require_permission(request, "customers.view_customer")
    if principal.user is None:
        raise Forbidden(
            _("Saved views belong to staff members; sign in to the back office."),
            code="staff_only",
        )
    return principal.user


@router.get(
    "/customers/grid/views", response={200: list[GridViewOut], **ERRORS}, url_name="grid-views"
)
def list_grid_views(request):
    """Your saved views of the customers grid."""
    return list(_staff_user(request).customer_grid_views.all())


@router.post(
    "/customers/grid/views", response={201: GridViewOut, **ERRORS}, url_name="grid-view-create"
)
def create_grid_view(request, payload: GridViewIn):
    view = services.save_grid_view(
        user=_staff_user(request), name=payload.name, state=payload.state
    )
    return Status(201, view)


@router.patch(
    "/customers/grid/views/{int:view_id}",
    response={200: GridViewOut, **ERRORS},
    url_name="grid-view-update",
)
def update_grid_view(request, view_id: int, payload: GridViewPatch):
    from patron.customers.models import GridView

    return services.update_grid_view(
        view=GridView(pk=view_id), user=_staff_user(request), name=payload.name, state=payload.state
    )


@router.delete(
    "/customers/grid/views/{int:view_id}",
    response={204: None, **ERRORS},
    url_name="grid-view-delete",
)
def delete_grid_view(request, view_id: int):
    from patron.customers.models import GridView

    services.delete_grid_view(view=GridView(pk=view_id), user=_staff_user(request))
    return Status(204, None)


# --- Staff: timeline and notes ------------------------------------------------------------------


class TimelineEntryOut(Schema):
    id: int
    kind: str
    label: str
    occurred_at: dt.datetime
    actor_kind: str
    actor_label: str
    params: dict[str, Any]
    note: str


class NoteIn(Schema):
    text: str


def _timeline_out(entry) -> TimelineEntryOut:
    from patron.core.history import kind_label

    return TimelineEntryOut(
        id=entry.pk, kind=entry.kind, label=kind_label(entry.kind), occurred_at=entry.occurred_at,
        actor_kind=entry.actor_kind, actor_label=entry.actor_label, params=entry.params, note=entry.note,
    )  # fmt: skip


@router.get(
    "/customers/{int:customer_id}/timeline",
    response={200: list[TimelineEntryOut], **ERRORS},
    url_name="customer-timeline",
)
def customer_timeline(request, customer_id: int, limit: int = 50, before_id: int | None = None):
    """The customer's timeline, newest first; pass the last `id` as `before_id` for older ones."""
    require_permission(request, "customers.view_timeline")
    entries = selectors.list_timeline(_visible_customer(request, customer_id))
    if before_id is not None:
        entries = entries.filter(pk__lt=before_id)
    return [_timeline_out(e) for e in entries.order_by("-pk")[: max(1, min(limit, 200))]]


@router.post(
    "/customers/{int:customer_id}/notes",
    response={201: TimelineEntryOut, **ERRORS},
    url_name="customer-note-create",
)
def add_note(request, customer_id: int, payload: NoteIn):
    principal = require_permission(request, "customers.add_timeline_note")
    entry = services.add_timeline_note(
        customer=_visible_customer(request, customer_id), text=payload.text, actor=principal.actor
    )
    return Status(201, _timeline_out(entry))
