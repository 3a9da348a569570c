"""Store credit as a ledger: every change of a balance appends one history row in the same
transaction, under a lock on the balance row, so concurrent spends and credits never overdraw
a balance or lose an update (the database also refuses a negative balance).

Checkout calls are idempotent by the shop's reference: spending for an order, reverting it and
refunding to store credit happen once per order or credit memo number, whatever the retries.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core import events
from patron.core.actors import SYSTEM, Actor
from patron.core.errors import Conflict, InvalidInput, NotFound
from patron.credit import history
from patron.credit.models import (
    CreditAction,
    StoreCreditBalance,
    StoreCreditHistory,
    StoreCreditLot,
)
from patron.customers.models import Customer
from patron.scopes.config import get_config
from patron.scopes.models import StoreView, Website

# Store Credit Options, on the Customer Configuration page (patron/scopes/fields.py).
ENABLED = "customer/store_credit/enabled"
SHOW_HISTORY = "customer/store_credit/show_history"
REFUND_AUTOMATICALLY = "customer/store_credit/refund_automatically"
EMAIL_IDENTITY = "customer/store_credit/email_identity"
EMAIL_TEMPLATE = "customer/store_credit/email_template"
FOUR_PLACES = Decimal("0.0001")

events.declare("storeCreditChanged", "A customer's store credit balance changed.")


def is_enabled() -> bool:
    return bool(get_config(ENABLED))


def shows_history(website: Website) -> bool:
    return bool(get_config(SHOW_HISTORY, website=website))


def _amount(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(FOUR_PLACES)


def _refuse_when_disabled() -> None:
    if not is_enabled():
        raise InvalidInput(
            _("Store credit is turned off for this store."), code="store_credit_disabled"
        )


def _check_website(customer: Customer, website: Website) -> None:
    from patron.customers.services import accounts_are_global

    if not accounts_are_global() and customer.website_id != website.pk:
        raise InvalidInput(
            _("The customer's account belongs to another website."),
            code="website_mismatch",
            field="website",
        )


# --- Reading ------------------------------------------------------------------------------------


def balance_of(customer: Customer, website: Website) -> Decimal:
    balance = StoreCreditBalance.objects.filter(customer=customer, website=website).first()
    return balance.amount if balance else Decimal(0)


def balances_of(customer: Customer) -> list[StoreCreditBalance]:
    return list(customer.store_credit.select_related("website").order_by("website__sort_order"))


def history_of(customer: Customer, website: Website | None = None):
    entries = StoreCreditHistory.objects.filter(balance__customer=customer).select_related(
        "balance__website"
    )
    return entries.filter(balance__website=website) if website else entries


# --- Writing ------------------------------------------------------------------------------------


def _locked_balance(customer: Customer, website: Website) -> tuple[StoreCreditBalance, bool]:
    """The balance row, locked for the rest of the transaction; created (empty) when missing.
    Returns it and whether it was created."""
    balances = StoreCreditBalance.objects.select_for_update()
    balance = balances.filter(customer=customer, website=website).first()
    if balance is not None:
        return balance, False
    try:
        with transaction.atomic():
            balance = StoreCreditBalance.objects.create(
                customer=customer, website=website, amount=0, currency=website.base_currency
            )
        return balance, True
    except IntegrityError:
        # Another transaction created it a moment ago: wait for its lock.
        return balances.get(customer=customer, website=website), False


def _insufficient(balance: StoreCreditBalance, field: str) -> InvalidInput:
    from patron.core.locales import format_money

    return InvalidInput(
        _("The store credit balance is %(balance)s; it cannot go below zero.")
        % {"balance": format_money(balance.amount, balance.currency)},
        code="insufficient_store_credit",
        field=field,
        params={"balance": str(balance.amount), "currency": balance.currency},
    )


def _move(
    balance: StoreCreditBalance,
    action: str,
    delta: Decimal,
    actor: Actor,
    *,
    reference: str = "",
    comment: str = "",
    notified: bool = False,
    expires_at=None,
    field: str = "amount",
) -> StoreCreditHistory:
    """Change a locked balance by ``delta`` and append its history row."""
    if balance.amount + delta < 0:
        raise _insufficient(balance, field)
    if delta > 0:
        StoreCreditLot.objects.create(balance=balance, remaining=delta, expires_at=expires_at)
    elif delta < 0 and action != CreditAction.EXPIRED:
        _consume_lots(balance, -delta)
    balance.amount += delta
    balance.save(update_fields=["amount", "updated_at"])
    entry = StoreCreditHistory.objects.create(
        balance=balance, action=action, delta=delta, balance_after=balance.amount,
        reference=reference, comment=comment.strip(), notified=notified, **actor.as_fields(),
    )  # fmt: skip
    history.record_credit_changed(entry, actor)
    events.emit(
        "storeCreditChanged", customer_id=balance.customer_id, website_id=balance.website_id,
        action=action, delta=str(delta), balance=str(balance.amount), reference=reference,
        actor=actor.as_fields(),
    )  # fmt: skip
    return entry


def _consume_lots(balance: StoreCreditBalance, amount: Decimal) -> None:
    """Take ``amount`` from the lots that expire soonest; those that never expire go last."""
    lots = balance.lots.filter(remaining__gt=0).order_by(
        F("expires_at").asc(nulls_last=True), "created_at", "pk"
    )
    # Streamed: a spend usually needs the first lot or two, not every open one.
    for lot in lots.iterator(chunk_size=20):
        if amount <= 0:
            break
        taken = min(lot.remaining, amount)
        lot.remaining -= taken
        lot.save(update_fields=["remaining"])
        amount -= taken


@transaction.atomic
def update_balance(
    *,
    customer: Customer,
    website: Website,
    delta: Any,
    actor: Actor,
    comment: str = "",
    notify_from: StoreView | None = None,
    expires_at=None,
) -> StoreCreditHistory:
    """Staff add to (or, negative, take from) a balance; refused with the current balance when
    it would go below zero. ``notify_from`` emails the customer from that store view."""
    _refuse_when_disabled()
    _check_website(customer, website)
    delta = _amount(delta)
    if delta == 0:
        raise InvalidInput(_("Enter an amount other than zero."), code="zero", field="delta")
    if notify_from is not None and notify_from.store.website_id != website.pk:
        raise InvalidInput(
            _("Send the email from a store view of the same website."),
            code="store_view_website_mismatch",
            field="notify_from",
        )
    if expires_at is not None and (delta < 0 or expires_at <= timezone.now()):
        raise InvalidInput(
            _("Only an added amount can expire, and only in the future."),
            code="invalid_expiry",
            field="expires_at",
        )
    balance, created = _locked_balance(customer, website)
    action = CreditAction.CREATED if created else CreditAction.UPDATED
    entry = _move(
        balance, action, delta, actor, comment=comment, notified=notify_from is not None,
        expires_at=expires_at, field="delta",
    )  # fmt: skip
    if notify_from is not None:
        _send_update_email(customer, entry, notify_from)
    return entry


def _send_update_email(customer, entry: StoreCreditHistory, store_view: StoreView) -> None:
    from patron.core.locales import format_money
    from patron.mail.services import send_templated_email

    currency = entry.balance.currency
    send_templated_email(
        template=get_config(EMAIL_TEMPLATE, store_view=store_view),
        identity=get_config(EMAIL_IDENTITY, store_view=store_view),
        to=customer.email,
        store_view=store_view,
        customer_id=customer.pk,
        context={
            "customer_name": customer.name,
            "customer_email": customer.email,
            "change": format_money(entry.delta, currency, store_view.locale),
            "balance": format_money(entry.balance_after, currency, store_view.locale),
            "comment": entry.comment,
        },
    )


def _once(balance, action: str, reference: str, amount: Decimal) -> StoreCreditHistory | None:
    """The row already written for this reference, if the same call came before; a call with
    the same reference and another amount is refused."""
    done = StoreCreditHistory.objects.filter(
        balance=balance, action=action, reference=reference
    ).first()
    if done is not None and abs(done.delta) != amount:
        raise Conflict(
            _("%(reference)s was already recorded with another amount.") % {"reference": reference},
            code="reference_differs",
            field="amount",
        )
    return done


def _positive(amount: Any) -> Decimal:
    amount = _amount(amount)
    if amount <= 0:
        raise InvalidInput(_("Enter an amount above zero."), code="not_positive", field="amount")
    return amount


@transaction.atomic
def spend(
    *, customer: Customer, website: Website, amount: Any, order_number: str, actor: Actor
) -> StoreCreditHistory:
    """Take store credit for an order as it is placed: once per order number (a retry returns
    the same row), refused when the balance no longer covers it, so the shop can stop the
    order."""
    _refuse_when_disabled()
    _check_website(customer, website)
    amount = _positive(amount)
    balance, _created = _locked_balance(customer, website)
    if _recorded(balance, CreditAction.REVERTED, order_number):
        raise Conflict(
            _("The store credit of order %(number)s was given back; use a new order number.")
            % {"number": order_number},
            code="order_reverted",
            field="order",
        )
    return _once(balance, CreditAction.USED, order_number, amount) or _move(
        balance, CreditAction.USED, -amount, actor, reference=order_number
    )


@transaction.atomic
def revert(
    *, customer: Customer, website: Website, order_number: str, actor: Actor
) -> StoreCreditHistory:
    """Give back what an order took (it was cancelled), once."""
    balance, _created = _locked_balance(customer, website)
    used = StoreCreditHistory.objects.filter(
        balance=balance, action=CreditAction.USED, reference=order_number
    ).first()
    if used is None:
        raise NotFound(
            _("No store credit was used for order %(number)s.") % {"number": order_number},
            code="nothing_to_revert",
        )
    done = StoreCreditHistory.objects.filter(
        balance=balance, action=CreditAction.REVERTED, reference=order_number
    ).first()
    if done is not None:
        return done
    amount = _left_to_revert(customer, website, order_number, -used.delta)
    if amount <= 0:
        raise InvalidInput(
            _("The store credit of order %(number)s already came back with its refunds.")
            % {"number": order_number},
            code="nothing_to_revert",
        )
    return _move(balance, CreditAction.REVERTED, amount, actor, reference=order_number)


def _left_to_revert(customer, website, order_number: str, used: Decimal) -> Decimal:
    from patron.sales.models import Order

    order = Order.objects.filter(website=website, number=order_number, customer=customer).first()
    return used if order is None else used_credit_left(order)


@transaction.atomic
def refund(
    *,
    customer: Customer,
    website: Website,
    amount: Any,
    refund_number: str,
    actor: Actor,
    comment: str = "",
) -> StoreCreditHistory:
    """Credit a refund (credit memo) to the balance, once per credit memo number."""
    _refuse_when_disabled()
    amount = _positive(amount)
    balance, _created = _locked_balance(customer, website)
    return _once(balance, CreditAction.REFUNDED, refund_number, amount) or _move(
        balance, CreditAction.REFUNDED, amount, actor, reference=refund_number, comment=comment
    )


def credit_order_refund(refund_fact, actor: Actor) -> StoreCreditHistory | None:
    """Called as the shop reports a refund: the part it refunds to store credit becomes a
    Refunded row; and when "Refund Store Credit Automatically" is on, the store credit the
    order used comes back once, as a Reverted row of the order (the same row a cancellation
    writes, so it is never given back twice). Guest orders have no balance (spec b §11)."""
    order = refund_fact.order
    if order.customer_id is None or not is_enabled():
        return None
    base_currency = order.website.base_currency
    amount = refund_fact.to_store_credit
    if amount and refund_fact.currency != base_currency:
        # Balances are kept in the base currency and Patron has no exchange rates: the shop
        # credits the converted amount itself (PUT .../refunds/{number}/store-credit).
        raise InvalidInput(
            _(
                "Store credit is kept in %(base)s, the website's base currency, and this order "
                "is in %(currency)s: credit the converted amount to store credit instead."
            )
            % {"base": base_currency, "currency": refund_fact.currency},
            code="store_credit_currency",
            field="to_store_credit",
        )
    if get_config(REFUND_AUTOMATICALLY):
        amount += used_credit_left(order, exclude_refund=refund_fact)
        if refund_fact.currency == base_currency:
            amount = min(refund_fact.grand_total, amount)
    if amount <= 0:
        return None
    return refund(
        customer=order.customer, website=order.website, amount=amount,
        refund_number=f"{order.number}/{refund_fact.number}", actor=actor,
    )  # fmt: skip


def used_credit_left(order, exclude_refund=None) -> Decimal:
    """The store credit an order used that has not come back yet: not reverted, and not
    returned with an earlier refund (the part of a refund's credit beyond what the shop chose
    to refund to store credit)."""
    rows = {
        (row.action, row.reference): row.delta
        for row in StoreCreditHistory.objects.filter(
            balance__customer_id=order.customer_id, balance__website_id=order.website_id,
            reference__startswith=order.number,
        )
    }  # fmt: skip
    used = -rows.get((CreditAction.USED, order.number), Decimal(0))
    given = rows.get((CreditAction.REVERTED, order.number), Decimal(0))
    refunds = order.refunds.exclude(pk=getattr(exclude_refund, "pk", None))
    for earlier in refunds:
        credited = rows.get((CreditAction.REFUNDED, f"{order.number}/{earlier.number}"))
        if credited is not None:
            given += max(Decimal(0), credited - earlier.to_store_credit)
    return max(Decimal(0), used - given)


def expire_due(now=None) -> int:
    """Remove what is left of every expired lot, each balance in its own transaction; returns
    how many lots expired."""
    now = now or timezone.now()
    due = (
        StoreCreditLot.objects.filter(expires_at__lte=now, remaining__gt=0)
        .values_list("balance_id", flat=True)
        .distinct()
    )
    expired = 0
    for balance_id in list(due):
        expired += _expire_balance(balance_id, now)
    return expired


@transaction.atomic
def _expire_balance(balance_id: int, now) -> int:
    balance = StoreCreditBalance.objects.select_for_update().get(pk=balance_id)
    lots = list(balance.lots.filter(Q(expires_at__lte=now), remaining__gt=0))
    for lot in lots:
        amount, lot.remaining = lot.remaining, Decimal(0)
        lot.save(update_fields=["remaining"])
        _move(balance, CreditAction.EXPIRED, -amount, SYSTEM)
    return len(lots)


def remaining_balances(customer: Customer) -> list[StoreCreditBalance]:
    """The customer's balances that are above zero, on any website."""
    return list(
        StoreCreditBalance.objects.filter(customer=customer, amount__gt=0).select_related("website")
    )


@transaction.atomic
def forfeit_balances(
    *, customer: Customer, actor: Actor, comment: str = ""
) -> list[StoreCreditHistory]:
    """Bring every balance of the customer to zero with a Forfeited history row each (an erased
    account gives up its credit), whether or not store credit is switched on now."""
    rows = []
    for balance in StoreCreditBalance.objects.select_for_update().filter(
        customer=customer, amount__gt=0
    ):
        rows.append(_move(balance, CreditAction.FORFEITED, -balance.amount, actor, comment=comment))
    return rows


# --- Checkout (the shop's calls, spec b §7 "Checkout workflow") ---------------------------------


@dataclass(frozen=True)
class CartCredit:
    """Store credit applied to a cart: what is applied, what is left to pay, and the balance
    (which applying does not change; the order spends it when placed)."""

    cart: Any
    applied: Decimal
    remaining: Decimal
    balance: Decimal
    currency: str


def _refuse_guest(customer: Customer | None) -> Customer:
    if customer is None:
        raise InvalidInput(
            _("Guests cannot use store credit; the shopper must sign in."),
            code="guest_not_allowed",
            field="customer_id",
        )
    return customer


NUMBER_LENGTH = 64  # the shop's order and credit memo numbers (sales.Order.number)


def _reference(value: str, field: str, limit: int = NUMBER_LENGTH) -> str:
    """The shop's number as a history reference, refused (not cut) when it is longer than a
    shop's number may be, so two long numbers never collide."""
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput(
            _("The reference must have 1 to %(limit)d characters.") % {"limit": limit},
            code="invalid_reference",
            field=field,
        )
    return value


def _recorded(balance: StoreCreditBalance, action: str, reference: str) -> bool:
    return StoreCreditHistory.objects.filter(
        balance=balance, action=action, reference=reference
    ).exists()


def checkout_balance(*, customer: Customer | None, website: Website) -> StoreCreditBalance:
    """Return the customer's balance on ``website`` as checkout shows it (an unsaved empty one
    when there is none). Raises ``InvalidInput`` for a guest (``guest_not_allowed``), when
    store credit is off or when the account belongs to another website."""
    _refuse_when_disabled()
    customer = _refuse_guest(customer)
    _check_website(customer, website)
    balance = StoreCreditBalance.objects.filter(customer=customer, website=website).first()
    return balance or StoreCreditBalance(
        customer=customer, website=website, amount=Decimal(0).quantize(FOUR_PLACES),
        currency=website.base_currency,
    )  # fmt: skip


@transaction.atomic
def apply_to_cart(
    *, customer: Customer | None, website: Website, actor: Actor, amount: Any = None
) -> CartCredit:
    """Apply store credit to the customer's active cart on ``website``: the smallest of the
    balance, the cart's grand total and ``amount`` (``None``: as much as the balance covers;
    ``0``: take the credit off the cart). The balance is not changed; :func:`spend` takes it
    when the order is placed.

    Raises ``InvalidInput`` for a guest, when store credit is off, for another website's
    account, a negative amount or a cart in another currency than the balance, and
    ``NotFound`` (``cart_not_found``) when the customer has no active cart there.
    """
    from patron.sales.models import Cart

    customer = _refuse_guest(customer)
    wanted = None if amount is None else _amount(amount)
    removing = wanted == 0
    if not removing:
        # Taking credit off a cart is always allowed, so a cart never keeps credit it cannot use.
        _refuse_when_disabled()
    _check_website(customer, website)
    if wanted is not None and wanted < 0:
        raise InvalidInput(
            _("Enter zero or an amount above zero."), code="negative_amount", field="amount"
        )
    cart = Cart.objects.select_for_update().filter(website=website, customer=customer).first()
    if cart is None:
        raise NotFound(_("The customer has no active cart on this website."), code="cart_not_found")
    currency = website.base_currency
    if not removing and cart.currency != currency:
        raise InvalidInput(
            _("The cart is in %(cart)s but the store credit is in %(credit)s.")
            % {"cart": cart.currency, "credit": currency},
            code="currency_mismatch",
            field="amount",
        )
    available = balance_of(customer, website)
    covers = cart.grand_total if wanted is None else min(wanted, cart.grand_total)
    applied = max(Decimal(0), min(available, covers)).quantize(FOUR_PLACES)
    if cart.store_credit_applied != applied:
        cart.store_credit_applied = applied
        cart.save(update_fields=["store_credit_applied", "updated_at"])
        events.emit(
            "cartChanged", cart_id=cart.pk, website_id=website.pk, customer_id=customer.pk,
            visitor_id="", items=cart.items.count(), actor=actor.as_fields(),
        )  # fmt: skip
    return CartCredit(
        cart=cart,
        applied=applied,
        remaining=max(Decimal(0), cart.grand_total - applied).quantize(FOUR_PLACES),
        balance=available,
        currency=currency,
    )


@transaction.atomic
def spend_for_order(
    *,
    customer: Customer | None,
    website: Website,
    amount: Any,
    order_number: str,
    actor: Actor,
) -> tuple[StoreCreditHistory, bool]:
    """Take store credit for an order as :func:`spend` does, refusing guests and an order
    number that is another customer's (a recorded order of someone else, or credit already
    spent on that number by someone else). Returns the Used row and whether it was written
    now (``False`` for a resend)."""
    from patron.sales.models import Order

    customer = _refuse_guest(customer)
    order_number = _reference(order_number, "order_number")
    order = Order.objects.filter(website=website, number=order_number).first()
    others = StoreCreditHistory.objects.filter(
        balance__website=website, action=CreditAction.USED, reference=order_number
    ).exclude(balance__customer=customer)
    if (order is not None and order.customer_id != customer.pk) or others.exists():
        raise Conflict(
            _("Order %(number)s belongs to another customer.") % {"number": order_number},
            code="order_of_another_customer",
            field="customer_id",
        )
    balance, _created = _locked_balance(customer, website)
    new = not _recorded(balance, CreditAction.USED, order_number)
    entry = spend(
        customer=customer, website=website, amount=amount, order_number=order_number, actor=actor
    )
    return entry, new


@transaction.atomic
def revert_order(
    *, website: Website, order_number: str, actor: Actor
) -> tuple[StoreCreditHistory, bool]:
    """Give back the store credit an order took on ``website`` (it was cancelled), once.
    Returns the Reverted row and whether it was written now. Raises ``NotFound``
    (``nothing_to_revert``) when no credit was spent for that order number."""
    used = (
        StoreCreditHistory.objects.filter(
            balance__website=website, action=CreditAction.USED, reference=order_number
        )
        .select_related("balance__customer")
        .first()
    )
    if used is None:
        raise NotFound(
            _("No store credit was used for order %(number)s.") % {"number": order_number},
            code="nothing_to_revert",
        )
    customer = used.balance.customer
    balance, _created = _locked_balance(customer, website)
    new = not _recorded(balance, CreditAction.REVERTED, order_number)
    entry = revert(customer=customer, website=website, order_number=order_number, actor=actor)
    return entry, new


@transaction.atomic
def refund_order_to_credit(
    *,
    website: Website,
    order_number: str,
    refund_number: str,
    amount: Any,
    actor: Actor,
    comment: str = "",
) -> tuple[StoreCreditHistory, bool]:
    """Credit ``amount`` of a refund (credit memo) of a recorded order to its customer's
    balance, once per credit memo, with the reference :func:`credit_order_refund` uses, so the
    refund fact and this call never credit the same credit memo twice. Not more than the
    refund (or, before the shop reports it, the order) totals. Returns the Refunded row and
    whether it was written now. ``amount`` is in the balance's currency (the website's base
    currency).

    Raises ``NotFound`` (``unknown_order``), ``InvalidInput`` for a guest order
    (``guest_order``), an amount above the refund (``too_much_store_credit``) or a reference
    too long, and ``Conflict`` (``reference_differs``) for a resend with another amount.
    """
    from patron.sales.models import Order

    order = Order.objects.select_related("customer").filter(
        website=website, number=order_number
    ).first()  # fmt: skip
    if order is None:
        raise NotFound(
            _("There is no order %(number)s on this website.") % {"number": order_number},
            code="unknown_order",
        )
    if order.customer_id is None:
        raise InvalidInput(
            _("A guest order has no store credit balance to refund to."),
            code="guest_order",
            field="order",
        )
    amount = _positive(amount)
    fact = order.refunds.filter(number=refund_number).first()
    limit = fact.grand_total if fact is not None else order.grand_total
    # Amounts compare only in one currency: for an order in another currency than the balance
    # the shop sends the amount it converted, which Patron cannot check without rates.
    if order.currency == website.base_currency and amount > limit:
        raise InvalidInput(
            _("The part refunded to store credit cannot exceed the refund."),
            code="too_much_store_credit",
            field="amount",
            params={"limit": str(limit)},
        )
    reference = f"{order.number}/{_reference(refund_number, 'refund_number')}"
    balance, _created = _locked_balance(order.customer, website)
    new = not _recorded(balance, CreditAction.REFUNDED, reference)
    entry = refund(
        customer=order.customer, website=website, amount=amount, refund_number=reference,
        actor=actor, comment=comment,
    )  # fmt: skip
    return entry, new


def require_enabled() -> None:
    """Raise ``InvalidInput`` (``store_credit_disabled``) when store credit is turned off."""
    _refuse_when_disabled()


@transaction.atomic
def set_balance(
    *, customer: Customer, website: Website, amount: Any, actor: Actor, comment: str = ""
) -> StoreCreditHistory | None:
    """Make a balance exactly ``amount`` (a finance file of an import says what each balance
    is, not by how much it moves): one Updated (or Created) row for the difference, nothing
    when it already is. Used by the import/export issue."""
    _refuse_when_disabled()
    _check_website(customer, website)
    amount = _amount(amount)
    if amount < 0:
        raise InvalidInput(
            _("A balance cannot be below zero."), code="negative_balance", field="amount"
        )
    balance, created = _locked_balance(customer, website)
    if balance.amount == amount:
        return None
    action = CreditAction.CREATED if created else CreditAction.UPDATED
    return _move(balance, action, amount - balance.amount, actor, comment=comment)
