"""Erasure requests through the API: staff or integrations for any customer they may see, and a
signed-in customer for their own account. The account is erased when the cancel window
(`customer/privacy/erasure_cancel_days`) has passed; until then the request can be cancelled.
"""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from patron.core.actors import Actor
from patron.core.api import ERRORS, require_permission, staff_auth
from patron.core.errors import NotFound
from patron.customers.api import CustomerTokenAuth
from patron.privacy import erasure
from patron.privacy.models import ErasureRequest

router = Router(tags=["Privacy"], auth=staff_auth)

REQUEST = "privacy.add_erasurerequest"
CANCEL = "privacy.change_erasurerequest"
VIEW = "privacy.view_erasurerequest"


class ErasureIn(Schema):
    forfeit_credit: bool = Field(
        False,
        description="Staff confirm that the customer's remaining store credit is forfeited. "
        "Without it a customer with store credit is refused (`store_credit_remains`).",
    )


class ErasureOut(Schema):
    id: int
    customer_id: int | None
    customer_ref: str = Field(..., description="The pseudonymous reference the erased account, "
                              "its orders and its ledger keep.")  # fmt: skip
    state: str = Field(..., description="pending, cancelled or completed")
    forfeit_credit: bool
    requested_at: dt.datetime
    due_at: dt.datetime = Field(..., description="When the account is erased unless cancelled.")
    cancelled_at: dt.datetime | None
    completed_at: dt.datetime | None


def _customer(request, customer_id: int):
    from patron.customers.selectors import get_customer

    return get_customer(customer_id, website_ids=request.principal.website_ids)


def _latest(customer) -> ErasureRequest:
    found = ErasureRequest.objects.filter(customer=customer).order_by("-requested_at").first()
    if found is None:
        raise NotFound(_("No erasure was requested for this account."), code="no_erasure")
    return found


@router.post(
    "/customers/{int:customer_id}/erasure",
    response={202: ErasureOut, **ERRORS},
    url_name="customer-erasure-request",
)
def request_customer_erasure(request, customer_id: int, payload: ErasureIn):
    """Request the erasure of a customer. Refused while one is pending (`erasure_pending`) and
    while store credit remains unless `forfeit_credit` is true (`store_credit_remains`)."""
    principal = require_permission(request, REQUEST)
    customer = _customer(request, customer_id)
    found = erasure.request_erasure(
        customer=customer, actor=principal.actor, forfeit_credit=payload.forfeit_credit
    )
    return Status(202, found)


@router.get(
    "/customers/{int:customer_id}/erasure",
    response={200: ErasureOut, **ERRORS},
    url_name="customer-erasure",
)
def customer_erasure(request, customer_id: int):
    """The customer's latest erasure request."""
    require_permission(request, VIEW)
    return _latest(_customer(request, customer_id))


@router.delete(
    "/customers/{int:customer_id}/erasure",
    response={200: ErasureOut, **ERRORS},
    url_name="customer-erasure-cancel",
)
def cancel_customer_erasure(request, customer_id: int):
    """Cancel the customer's pending erasure while its cancel window lasts."""
    principal = require_permission(request, CANCEL)
    return erasure.cancel_erasure(customer=_customer(request, customer_id), actor=principal.actor)


@router.post(
    "/me/erasure",
    response={202: ErasureOut, **ERRORS},
    url_name="me-erasure-request",
    auth=CustomerTokenAuth(),
    tags=["Shopper account"],
)
def request_my_erasure(request):
    """The signed-in customer asks for their account to be erased. A customer with store credit
    is refused (`store_credit_remains`): only staff can agree to forfeit it."""
    customer = request.customer
    found = erasure.request_erasure(customer=customer, actor=Actor.customer(customer))
    return Status(202, found)


@router.get(
    "/me/erasure",
    response={200: ErasureOut, **ERRORS},
    url_name="me-erasure",
    auth=CustomerTokenAuth(),
    tags=["Shopper account"],
)
def my_erasure(request):
    """The signed-in customer's latest erasure request."""
    return _latest(request.customer)


@router.delete(
    "/me/erasure",
    response={200: ErasureOut, **ERRORS},
    url_name="me-erasure-cancel",
    auth=CustomerTokenAuth(),
    tags=["Shopper account"],
)
def cancel_my_erasure(request):
    """The signed-in customer cancels their pending erasure."""
    customer = request.customer
    return erasure.cancel_erasure(customer=customer, actor=Actor.customer(customer))
