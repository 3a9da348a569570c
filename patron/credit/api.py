"""Store credit for shops and integrations (spec b §7–11): balances and history per website,
staff updates, and the checkout calls a shop makes around an order: apply credit to the cart,
spend it when the order is placed, give it back when the order is cancelled, and credit a
refund to the balance.

The checkout calls act on the website of the store view in the `X-Patron-Store` header.
Amounts are decimal strings in the currency named beside them (the website's base currency).
Guests have no store credit: calls without a customer are refused (`guest_not_allowed`).
"""

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from patron.core.api import ERRORS, Principal, require_permission, staff_auth, store_view_of
from patron.core.errors import Forbidden, NotFound
from patron.credit import services
from patron.credit.models import StoreCreditHistory
from patron.customers.models import Customer
from patron.scopes.models import Website

router = Router(tags=["Store credit"], auth=staff_auth)

VIEW = "credit.view_storecreditbalance"
# Staff changes of a balance (the back office's Update Balance).
UPDATE = "credit.change_storecreditbalance"
# The shop's checkout movements: apply to a cart, spend, revert, refund to store credit.
CHECKOUT = "credit.add_storecredithistory"
MAX_HISTORY = 200


def Money(default=...):
    """An amount that fits the database's DECIMAL(14, 4)."""
    return Field(default, max_digits=14, decimal_places=4)


class BalanceOut(Schema):
    website: str = Field(..., description="The website's code.")
    balance: Decimal
    currency: str


class HistoryEntryOut(Schema):
    id: int
    website: str
    action: str = Field(..., description="created, updated, used, refunded, reverted, expired")
    delta: Decimal = Field(..., description="The balance change, negative when taken.")
    balance_after: Decimal
    currency: str
    reference: str = Field(..., description="Order number, or order/credit memo number.")
    comment: str
    notified: bool
    actor_kind: str
    actor_label: str
    created_at: dt.datetime


class CustomerCreditOut(Schema):
    customer_id: int
    balances: list[BalanceOut]
    history: list[HistoryEntryOut] | None = None


class UpdateIn(Schema):
    delta: Decimal = Money()
    website: str | None = Field(
        None, description="Website code; the customer's own website when left out."
    )
    comment: str = Field("", max_length=2000)
    notify_store_view: str | None = Field(
        None, description="Store view code: email the customer from it (its language, sender, "
        "template). Left out: no email.",
    )  # fmt: skip
    expires_at: AwareDatetime | None = Field(None, description="Only for an added amount.")


class CheckoutBalanceOut(Schema):
    customer_id: int
    website: str
    balance: Decimal
    currency: str


class CartCreditIn(Schema):
    customer_id: int | None = None
    amount: Decimal | None = Field(
        None, max_digits=14, decimal_places=4,
        description="Left out: as much as the balance covers; 0: take the credit off the cart.",
    )  # fmt: skip


class CartCreditOut(Schema):
    customer_id: int
    applied: Decimal = Field(..., description="Now recorded as the cart's store_credit_applied.")
    grand_total: Decimal = Field(..., description="The cart's total before store credit.")
    remaining: Decimal = Field(..., description="What is left to pay.")
    balance: Decimal = Field(..., description="Unchanged until the order is placed.")
    currency: str


class SpendIn(Schema):
    customer_id: int | None = None
    amount: Decimal = Money()


class RefundCreditIn(Schema):
    amount: Decimal = Money()
    comment: str = Field("", max_length=2000)


class MovementOut(Schema):
    result: str = Field(..., description="created, or unchanged for a resend")
    customer_id: int
    website: str
    action: str
    reference: str
    amount: Decimal = Field(..., description="The amount moved, always positive.")
    balance: Decimal = Field(..., description="The balance now.")
    currency: str


# --- Helpers ------------------------------------------------------------------------------------


def _customer(principal: Principal, customer_id: int | None) -> Customer | None:
    """The customer if the caller may see them; ``None`` stays ``None`` (a guest)."""
    from patron.customers.selectors import get_customer

    if customer_id is None:
        return None
    return get_customer(customer_id, website_ids=principal.website_ids)


def _website_of_header(request, principal: Principal) -> Website:
    website = store_view_of(request).store.website
    if not principal.can_see_website(website.pk):
        raise Forbidden(
            _("You may not use store credit of this website."), code="website_not_allowed"
        )
    return website


def _website_by_code(principal: Principal, code: str) -> Website:
    website = Website.objects.filter(code=code).first()
    if website is None:
        raise NotFound(
            _("There is no website %(code)s.") % {"code": code},
            code="unknown_website",
            field="website",
        )
    if not principal.can_see_website(website.pk):
        raise Forbidden(
            _("You may not use store credit of this website."), code="website_not_allowed"
        )
    return website


def _entry_out(entry: StoreCreditHistory) -> HistoryEntryOut:
    balance = entry.balance
    return HistoryEntryOut(
        id=entry.pk, website=balance.website.code, action=entry.action, delta=entry.delta,
        balance_after=entry.balance_after, currency=balance.currency, reference=entry.reference,
        comment=entry.comment, notified=entry.notified, actor_kind=entry.actor_kind,
        actor_label=entry.actor_label, created_at=entry.created_at,
    )  # fmt: skip


def _movement(entry: StoreCreditHistory, new: bool):
    balance = entry.balance
    body = MovementOut(
        result="created" if new else "unchanged", customer_id=balance.customer_id,
        website=balance.website.code, action=entry.action, reference=entry.reference,
        amount=abs(entry.delta), balance=balance.amount, currency=balance.currency,
    )  # fmt: skip
    return Status(201 if new else 200, body)


# --- Balances and staff updates -----------------------------------------------------------------


@router.get(
    "/customers/{int:customer_id}/store-credit",
    response={200: CustomerCreditOut, **ERRORS},
    url_name="customer-store-credit",
)
def customer_store_credit(
    request, customer_id: int, history: bool = False, website: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_HISTORY),
):  # fmt: skip
    """The customer's store credit balance on each website (those with a balance), and with
    `history=true` the latest `limit` history entries, newest first (`website` narrows both
    to one website's code)."""
    principal = require_permission(request, VIEW)
    services.require_enabled()
    customer = _customer(principal, customer_id)
    balances = [
        b for b in services.balances_of(customer) if principal.can_see_website(b.website_id)
    ]
    only = _website_by_code(principal, website) if website else None
    if only is not None:
        balances = [b for b in balances if b.website_id == only.pk]
    entries = None
    if history:
        rows = services.history_of(customer, only)
        if principal.website_ids is not None:
            rows = rows.filter(balance__website_id__in=principal.website_ids)
        entries = [_entry_out(entry) for entry in rows[:limit]]
    return CustomerCreditOut(
        customer_id=customer.pk,
        balances=[
            BalanceOut(website=b.website.code, balance=b.amount, currency=b.currency)
            for b in balances
        ],
        history=entries,
    )


@router.post(
    "/customers/{int:customer_id}/store-credit/updates",
    response={201: HistoryEntryOut, **ERRORS},
    url_name="customer-store-credit-update",
)
def update_store_credit(request, customer_id: int, payload: UpdateIn):
    """Add to a customer's balance on a website, or (negative `delta`) take from it, with a
    comment, optionally emailing the customer from a store view of that website. Refused with
    the current balance (`insufficient_store_credit`) when the balance would go below zero."""
    from patron.scopes.selectors import get_store_view_by_code

    principal = require_permission(request, UPDATE)
    customer = _customer(principal, customer_id)
    website = _website_by_code(principal, payload.website) if payload.website else customer.website
    notify_from = (
        get_store_view_by_code(payload.notify_store_view, field="notify_store_view")
        if payload.notify_store_view
        else None
    )
    entry = services.update_balance(
        customer=customer, website=website, delta=payload.delta, actor=principal.actor,
        comment=payload.comment, notify_from=notify_from, expires_at=payload.expires_at,
    )  # fmt: skip
    return Status(201, _entry_out(entry))


# --- Checkout -----------------------------------------------------------------------------------


@router.get(
    "/store-credit/balance",
    response={200: CheckoutBalanceOut, **ERRORS},
    url_name="store-credit-balance",
)
def checkout_balance(request, customer_id: int | None = None):
    """The customer's balance on the website of the `X-Patron-Store` store view, as checkout
    offers it."""
    principal = require_permission(request, VIEW)
    website = _website_of_header(request, principal)
    balance = services.checkout_balance(customer=_customer(principal, customer_id), website=website)
    return CheckoutBalanceOut(
        customer_id=balance.customer_id, website=website.code, balance=balance.amount,
        currency=balance.currency,
    )  # fmt: skip


@router.put(
    "/carts/store-credit", response={200: CartCreditOut, **ERRORS}, url_name="cart-store-credit"
)
def apply_to_cart(request, payload: CartCreditIn):
    """Apply store credit to the customer's active cart on the header's website ("Use Store
    Credit"): the smallest of the balance, the cart's grand total and `amount`. `amount` 0
    takes it off again ("Remove"). The balance changes only when the order is placed."""
    principal = require_permission(request, CHECKOUT)
    website = _website_of_header(request, principal)
    result = services.apply_to_cart(
        customer=_customer(principal, payload.customer_id), website=website,
        amount=payload.amount, actor=principal.actor,
    )  # fmt: skip
    return CartCreditOut(
        customer_id=result.cart.customer_id, applied=result.applied,
        grand_total=result.cart.grand_total, remaining=result.remaining,
        balance=result.balance, currency=result.currency,
    )  # fmt: skip


@router.put(
    "/orders/{number}/store-credit",
    response={200: MovementOut, 201: MovementOut, **ERRORS},
    url_name="order-store-credit-spend",
)
def spend(request, number: str, payload: SpendIn):
    """Spend store credit for order `number` as it is placed: 201 when taken, 200 for a resend
    (nothing more is taken). Refused (400, `insufficient_store_credit`, with the balance in
    `params`) when the balance no longer covers it: the shop should stop the order."""
    principal = require_permission(request, CHECKOUT)
    website = _website_of_header(request, principal)
    entry, new = services.spend_for_order(
        customer=_customer(principal, payload.customer_id), website=website,
        amount=payload.amount, order_number=number, actor=principal.actor,
    )  # fmt: skip
    return _movement(entry, new)


@router.delete(
    "/orders/{number}/store-credit",
    response={200: MovementOut, 201: MovementOut, **ERRORS},
    url_name="order-store-credit-revert",
)
def revert(request, number: str):
    """Give back the store credit order `number` took (the order was cancelled): 201 when
    given back, 200 for a resend."""
    principal = require_permission(request, CHECKOUT)
    website = _website_of_header(request, principal)
    entry, new = services.revert_order(website=website, order_number=number, actor=principal.actor)
    return _movement(entry, new)


@router.put(
    "/orders/{number}/refunds/{refund_number}/store-credit",
    response={200: MovementOut, 201: MovementOut, **ERRORS},
    url_name="refund-store-credit",
)
def refund(request, number: str, refund_number: str, payload: RefundCreditIn):
    """Credit `amount` of refund `refund_number` of order `number` to the customer's balance
    (Refund to Store Credit), once per credit memo. A refund fact reported with
    `to_store_credit` already does this; sending the same amount here again is harmless."""
    principal = require_permission(request, CHECKOUT)
    website = _website_of_header(request, principal)
    entry, new = services.refund_order_to_credit(
        website=website, order_number=number, refund_number=refund_number,
        amount=payload.amount, actor=principal.actor, comment=payload.comment,
    )  # fmt: skip
    return _movement(entry, new)
