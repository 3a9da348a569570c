"""One batch of a Customer Finances file: each row says what a customer's store credit balance
on one website is. Balances change only through the credit app's ``set_balance``, which
appends the ledger row (Created or Updated) for the difference under the balance's lock."""

from decimal import Decimal

from django.utils.translation import gettext as _

from patron.core.errors import PatronError
from patron.transfer.imports.cells import CellError, read_amount
from patron.transfer.imports.context import Context, Counts
from patron.transfer.imports.customers import _existing_customers, _key, _peek_key, _text
from patron.transfer.imports.reading import Row

COMMENT = "Import"


def process_finances(context: Context, rows: list[Row], counts: Counts) -> None:
    from patron.credit import services as credit

    keys = set()
    for row in rows:
        if row.problem is None:
            key = _peek_key(context, row, "_email")
            if key is not None:
                keys.add(key)
    existing = _existing_customers(context, keys)
    credit_on = credit.is_enabled()
    planned = []
    for row in rows:
        counts.rows += 1
        counts.entities += 1
        if row.problem is not None:
            code, message, column = row.problem
            context.report(row.number, column, code, message)
            counts.invalid_rows += 1
            continue
        plan = _read_row(context, row, existing, credit_on)
        if plan is None:
            counts.invalid_rows += 1
            continue
        planned.append(plan)
    balances = _current_balances(planned)
    for customer, website, amount, _row in planned:
        if balances.get((customer.pk, website.pk), Decimal(0)) != amount:
            counts.balances_changed += 1
    if context.check_only:
        return
    for customer, website, amount, row in planned:
        try:
            credit.set_balance(
                customer=customer, website=website, amount=amount, actor=context.actor,
                comment=COMMENT,
            )  # fmt: skip
        except PatronError as error:
            context.report(row.number, "store_credit", error.code, str(error.message))


def _read_row(context: Context, row: Row, existing: dict, credit_on: bool):
    key = _key(context, row, "_email")
    if key is None:
        return None
    website, email = key
    customer = existing.get((website.pk, email))
    if customer is None:
        context.report(
            row.number, "_email", "customer_not_found",
            _("There is no customer %(email)s on website %(website)s.")
            % {"email": email, "website": website.code},
        )  # fmt: skip
        return None
    try:
        finance_website = context.website(_text(row.cells, "_finance_website"))
    except CellError as error:
        context.report(row.number, "_finance_website", error.code, error.message)
        return None
    from patron.credit.services import _check_website

    try:
        _check_website(customer, finance_website)
    except PatronError as error:
        context.report(row.number, "_finance_website", error.code, str(error.message))
        return None
    if not context.first_sight(website.code, email, finance_website.code):
        context.report(
            row.number, "_finance_website", "duplicate_row",
            _("This balance appears more than once in the file."),
        )  # fmt: skip
        return None
    if context.deleting:
        amount = Decimal(0)
    else:
        text = _text(row.cells, "store_credit")
        if not text:
            return None  # nothing to say about store credit (a reward points only row)
        try:
            amount = read_amount(text)
        except CellError as error:
            context.report(row.number, "store_credit", error.code, error.message)
            return None
        if amount < 0:
            context.report(
                row.number, "store_credit", "negative_balance",
                _("A balance cannot be below zero."),
            )  # fmt: skip
            return None
    if not credit_on:
        context.report(
            row.number, "store_credit", "store_credit_disabled",
            _("Store credit is turned off for this store."),
        )  # fmt: skip
        return None
    return customer, finance_website, amount, row


def _current_balances(planned) -> dict[tuple[int, int], Decimal]:
    from patron.credit.models import StoreCreditBalance

    customer_ids = {customer.pk for customer, *_rest in planned}
    if not customer_ids:
        return {}
    return {
        (b.customer_id, b.website_id): b.amount
        for b in StoreCreditBalance.objects.filter(customer_id__in=customer_ids)
    }
