"""Store credit as a ledger: every change of a balance appends one history row in the same
transaction, under a lock on the balance row, so concurrent spends and credits never overdraw
a balance or lose an update (the database also refuses a negative balance).

Checkout calls are idempotent by the shop's reference: spending for an order, reverting it and
refunding to store credit happen once per order or credit memo number, whatever the retries.
"""

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

ENABLED = "customer/magento_customerbalance/is_enabled"
SHOW_HISTORY = "customer/magento_customerbalance/show_history"
REFUND_AUTOMATICALLY = "customer/magento_customerbalance/refund_automatically"
EMAIL_IDENTITY = "customer/magento_customerbalance/email_identity"
EMAIL_TEMPLATE = "customer/magento_customerbalance/email_template"
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
    for lot in lots:
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
    amount = -used.delta
    return _once(balance, CreditAction.REVERTED, order_number, amount) or _move(
        balance, CreditAction.REVERTED, amount, actor, reference=order_number
    )


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
    """Called as the shop reports a refund: the part it refunds to store credit, plus, when
    "Refund Store Credit Automatically" is on, the store credit the order used (up to the
    refund). Guest orders have no balance to credit (spec b §11)."""
    order = refund_fact.order
    if order.customer_id is None or not is_enabled():
        return None
    amount = refund_fact.to_store_credit
    if get_config(REFUND_AUTOMATICALLY):
        used = StoreCreditHistory.objects.filter(
            balance__customer_id=order.customer_id, balance__website_id=order.website_id,
            action=CreditAction.USED, reference=order.number,
        ).first()  # fmt: skip
        if used is not None:
            amount = min(refund_fact.grand_total, amount + (-used.delta))
    if amount <= 0:
        return None
    return refund(
        customer=order.customer, website=order.website, amount=amount,
        refund_number=f"{order.number}/{refund_fact.number}", actor=actor,
    )  # fmt: skip


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
