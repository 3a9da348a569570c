import datetime as dt

from ninja import Router, Schema

from patron.core.api import ERRORS, principal_of, staff_auth

router = Router(tags=["Shopper assistance"], auth=staff_auth)


class LoginAsIn(Schema):
    store_view: str | None = None


class LoginAsOut(Schema):
    url: str
    expires_at: dt.datetime
    session_id: int


@router.post(
    "/customers/{int:customer_id}/login-as",
    response={201: LoginAsOut, **ERRORS},
    url_name="customer-login-as",
)
def login_as_customer(request, customer_id: int, payload: LoginAsIn):
    """Issue a one-time storefront URL that logs in as the customer (Login as Customer). It
    works once, within 60 seconds; the same checks apply as in the back office: the feature
    switched on, assistance.login_as_customer, the customer's consent, and the store view (its
    code, required when staff choose the store view)."""
    from ninja import Status

    from patron.accounts.services import absolute_url
    from patron.assistance import services
    from patron.customers.api import _visible_customer
    from patron.scopes.selectors import get_store_view_by_code

    principal = principal_of(request)
    customer = _visible_customer(request, customer_id)
    store_view = (
        get_store_view_by_code(payload.store_view, field="store_view")
        if payload.store_view
        else None
    )
    session, secret = services.start_assistance(
        customer=customer, actor=principal.actor, may=principal.has_perm(services.PERMISSION),
        store_view=store_view, staff_user=principal.user,
    )  # fmt: skip
    url = absolute_url(session.store_view, "assistance-start", f"secret={secret}")
    return Status(
        201, LoginAsOut(url=url, expires_at=session.secret_expires_at, session_id=session.pk)
    )
