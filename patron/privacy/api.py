"""Customer data exports over the API: staff and integrations request an export of a customer,
watch its state and download it once; a signed-in customer requests their own (the link
arrives by email) and watches its state.

Requests answer 202: the export is built in the background (``state`` pending, then ready or
failed). A download answers 410 Gone once the export was downloaded or its link expired.
"""

import datetime as dt
import uuid

from django.urls import reverse
from ninja import Field, Router, Schema, Status

from patron.core.actors import Actor
from patron.core.api import (
    ERRORS,
    ErrorOut,
    Principal,
    require_permission,
    staff_auth,
    store_view_of,
)
from patron.core.errors import Conflict
from patron.customers.api import CustomerTokenAuth
from patron.customers.models import Customer
from patron.privacy import exports
from patron.privacy.models import DataExport

router = Router(tags=["Privacy"], auth=staff_auth)


class DataExportOut(Schema):
    id: uuid.UUID
    customer_id: int | None
    state: str = Field(..., description="pending, ready, downloaded, expired or failed")
    requested_by: str = Field(..., description="staff, integration or customer")
    requested_by_label: str
    created_at: dt.datetime
    ready_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(None, description="The download works until then.")
    downloaded_at: dt.datetime | None
    size: int | None = Field(None, description="Bytes of the ZIP file.")
    error: str = ""
    download_url: str | None = Field(
        None,
        description="Where staff and integrations download a ready export they requested "
        "(once). A customer's own export is sent to them by email instead.",
    )


def _out(export: DataExport, *, for_staff: bool = True) -> DataExportOut:
    url = None
    if for_staff and export.state == "ready" and not exports.is_for_customer(export):
        url = reverse("api-v1:customer-data-export-file", args=[export.customer_id, str(export.pk)])
    return DataExportOut(
        id=export.pk, customer_id=export.customer_id, state=export.state,
        requested_by=export.actor_kind, requested_by_label=export.actor_label,
        created_at=export.created_at, ready_at=export.ready_at, expires_at=export.expires_at,
        downloaded_at=export.downloaded_at, size=export.size, error=export.error,
        download_url=url,
    )  # fmt: skip


def _customer(principal: Principal, customer_id: int) -> Customer:
    from patron.customers.selectors import get_customer

    return get_customer(customer_id, website_ids=principal.website_ids)


@router.post(
    "/customers/{int:customer_id}/data-exports",
    response={202: DataExportOut, **ERRORS},
    url_name="customer-data-exports",
)
def request_data_export(request, customer_id: int):
    """Request a copy of everything Patron holds about the customer. Refused (409,
    `export_pending`) while another export of the customer is being prepared."""
    principal = require_permission(request, exports.REQUEST_PERMISSION)
    customer = _customer(principal, customer_id)
    export = exports.request_export(customer=customer, actor=principal.actor)
    return Status(202, _out(export))


@router.get(
    "/customers/{int:customer_id}/data-exports/{export_id}",
    response={200: DataExportOut, **ERRORS},
    url_name="customer-data-export",
)
def data_export_status(request, customer_id: int, export_id: str):
    """The export's state; `download_url` once a ready export may be downloaded."""
    principal = require_permission(request, exports.VIEW_PERMISSION)
    export = exports.get_export(export_id, customer=_customer(principal, customer_id))
    return _out(export)


@router.get(
    "/customers/{int:customer_id}/data-exports/{export_id}/file",
    response={200: None, 410: ErrorOut, **ERRORS},
    url_name="customer-data-export-file",
)
def download_data_export(request, customer_id: int, export_id: str):
    """The export's ZIP file (`data.json` and the customer's uploaded files), once: the file
    is deleted after this response. 410 (`export_gone`) once downloaded or expired; 409
    (`export_not_ready`) while being prepared; 403 (`export_not_yours`) for an export the
    customer asked for."""
    from patron.privacy.views import file_response

    principal = require_permission(request, exports.REQUEST_PERMISSION)
    export = exports.get_export(export_id, customer=_customer(principal, customer_id))
    try:
        return file_response(exports.take_download(export=export, actor=principal.actor))
    except Conflict as error:
        if error.code == "export_gone":
            return Status(410, error.as_dict())
        raise


# --- The signed-in customer ---------------------------------------------------------------------


@router.post(
    "/me/data-exports",
    response={202: DataExportOut, **ERRORS},
    url_name="me-data-exports",
    auth=CustomerTokenAuth(),
    tags=["Shopper account"],
)
def request_my_data_export(request):
    """Ask for a copy of everything the store holds about you. When it is ready, a link that
    works once goes to your email address (from the `X-Patron-Store` store view)."""
    customer = request.customer
    export = exports.request_export(
        customer=customer, actor=Actor.customer(customer), store_view=store_view_of(request)
    )
    return Status(202, _out(export, for_staff=False))


@router.get(
    "/me/data-exports/{export_id}",
    response={200: DataExportOut, **ERRORS},
    url_name="me-data-export",
    auth=CustomerTokenAuth(),
    tags=["Shopper account"],
)
def my_data_export(request, export_id: str):
    """The state of one of your own export requests."""
    export = exports.get_export(export_id, customer=request.customer, requested_by_customer=True)
    return _out(export, for_staff=False)
