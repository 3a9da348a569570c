"""Erasing a customer: a request, a cancel window, then anonymization.

Erasure keeps the account row, its orders, refunds and store-credit ledger, so that totals and
the ledger stay consistent, but replaces every personal value with a pseudonymous reference
(``ERASED-…``) and deletes what has no purpose without the person (addresses, subscriptions,
carts, wish list, reviews, product views, tokens, sessions, segment memberships, messages,
uploaded files). The timeline keeps one neutral entry. ``accountDeleted`` announces it with the
pseudonymous reference only.

A request is refused while the customer has store credit, unless staff confirm forfeiting it:
the credit is then brought to zero by a Forfeited ledger row at erasure time.
"""

import datetime as dt
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core import events
from patron.core.actors import SYSTEM, Actor, ActorFields, ActorKind
from patron.core.errors import Conflict, NotFound
from patron.customers.models import Customer
from patron.privacy import history
from patron.privacy.models import ErasureRequest, ErasureState
from patron.scopes.config import get_config

CANCEL_DAYS_PATH = "customer/privacy/erasure_cancel_days"
ERASED_FIRSTNAME = "Erased"
ERASED_DOMAIN = "erased.invalid"


def new_reference() -> str:
    """A pseudonymous reference: random, so nothing about the person can be read from it."""
    return f"ERASED-{secrets.token_hex(6).upper()}"


def pending_request(customer: Customer) -> ErasureRequest | None:
    return ErasureRequest.objects.filter(customer=customer, state=ErasureState.PENDING).first()


def _credit_problem(customer: Customer) -> str | None:
    from patron.core.locales import format_money
    from patron.credit.services import remaining_balances

    balances = remaining_balances(customer)
    if not balances:
        return None
    amounts = ", ".join(
        f"{format_money(b.amount, b.currency)} ({b.website.name})" for b in balances
    )
    return _(
        "The customer still has store credit (%(amounts)s). Staff can erase the account only "
        "after confirming that this credit is forfeited."
    ) % {"amounts": amounts}


@transaction.atomic
def request_erasure(
    *, customer: Customer, actor: Actor, forfeit_credit: bool = False, now=None
) -> ErasureRequest:
    """Ask for ``customer`` to be erased once the cancel window
    (``customer/privacy/erasure_cancel_days``) has passed. Refused while a request is pending,
    and while store credit remains unless staff confirm forfeiting it."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.email.endswith(f"@{ERASED_DOMAIN}"):
        raise Conflict(_("This account has already been erased."), code="already_erased")
    if pending_request(customer):
        raise Conflict(
            _("An erasure of this account is already requested."), code="erasure_pending"
        )
    forfeit_credit = bool(forfeit_credit) and actor.kind in (ActorKind.STAFF, ActorKind.INTEGRATION)
    problem = _credit_problem(customer)
    if problem and not forfeit_credit:
        raise Conflict(problem, code="store_credit_remains", field="forfeit_credit")
    now = now or timezone.now()
    days = int(get_config(CANCEL_DAYS_PATH))
    request = ErasureRequest.objects.create(
        customer=customer,
        customer_ref=new_reference(),
        forfeit_credit=forfeit_credit,
        due_at=now + dt.timedelta(days=days),
        **actor.as_fields(),
    )
    history.record_erasure_requested(customer, actor, due_at=request.due_at)
    if days == 0:
        request_id = request.pk
        transaction.on_commit(lambda: _enqueue_erasure(request_id))
    return request


def _enqueue_erasure(request_id: int) -> None:
    from patron.privacy.erasure_tasks import erase_task

    erase_task.enqueue(request_id)


@transaction.atomic
def cancel_erasure(*, customer: Customer, actor: Actor, now=None) -> ErasureRequest:
    """Cancel the customer's pending erasure (within the cancel window)."""
    request = (
        ErasureRequest.objects.select_for_update()
        .filter(customer=customer, state=ErasureState.PENDING)
        .first()
    )
    if request is None:
        raise NotFound(
            _("No erasure of this account is waiting to be carried out."), code="no_erasure"
        )
    request.state = ErasureState.CANCELLED
    request.cancelled_at = now or timezone.now()
    request.save(update_fields=["state", "cancelled_at"])
    history.record_erasure_cancelled(customer, actor)
    return request


def erase_due(*, now=None) -> list[int]:
    """Carry out every pending request whose cancel window has passed, each in its own
    transaction; returns the ids of the requests carried out."""
    now = now or timezone.now()
    done = []
    due = ErasureRequest.objects.filter(state=ErasureState.PENDING, due_at__lte=now)
    for request_id in list(due.values_list("pk", flat=True)):
        if erase(request_id=request_id, now=now):
            done.append(request_id)
    return done


@transaction.atomic
def erase(*, request_id: int, now=None) -> bool:
    """Carry out one request now if it is still pending and due; False when it was cancelled,
    already done, or store credit appeared that nobody agreed to forfeit (it then waits)."""
    now = now or timezone.now()
    request = ErasureRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.state != ErasureState.PENDING or request.due_at > now:
        return False
    customer = Customer.objects.select_for_update().filter(pk=request.customer_id).first()
    if customer is None:  # deleted meanwhile: nothing left to erase
        request.state, request.completed_at = ErasureState.COMPLETED, now
        request.save(update_fields=["state", "completed_at"])
        return True
    if _credit_problem(customer) and not request.forfeit_credit:
        return False
    actor = request.actor if request.actor_kind else SYSTEM
    _anonymize(customer, request, actor)
    request.state, request.completed_at = ErasureState.COMPLETED, now
    request.save(update_fields=["state", "completed_at"])
    return True


# --- Anonymization ----------------------------------------------------------------------------


def _personal_values(customer: Customer) -> list[str]:
    """The values that identify the person, to find in free-form columns (logs, payloads)."""
    values = {customer.email, customer.pending_email}
    values.update(customer.addresses.values_list("telephone", flat=True))
    return [v for v in values if v and len(v) >= 5]


def _anonymize(customer: Customer, request: ErasureRequest, actor: Actor) -> None:
    ref = request.customer_ref
    email = f"{ref.lower()}@{ERASED_DOMAIN}"
    website_id = customer.website_id
    personal = _personal_values(customer)
    if request.forfeit_credit:
        from patron.credit.services import forfeit_balances

        forfeit_balances(
            customer=customer, actor=actor, comment=_("Forfeited: the account was erased.")
        )
    files = _uploaded_files(customer)
    _scrub_facts(customer, ref, email, personal)
    _delete_personal_rows(customer, personal)
    _scrub_actor_labels(customer, ref)
    Customer.objects.filter(pk=customer.pk).update(
        prefix="", firstname=ERASED_FIRSTNAME, middlename="", lastname=ref, suffix="",
        email=email, dob=None, taxvat="", gender=None, is_active=False,
        allow_remote_assistance=False, password="", confirmation_key_digest="",
        pending_email="", pending_email_key_digest="", pending_email_requested_at=None,
        custom_attributes={}, default_billing=None, default_shipping=None,
        session_version=customer.session_version + 1, updated_at=timezone.now(),
    )  # fmt: skip
    customer.addresses.all().delete()
    from patron.customers import grid

    grid.refresh_rows([customer.pk])
    customer.timeline.all().delete()
    history.record_account_erased(customer, actor)
    transaction.on_commit(lambda: _delete_files(files))
    events.emit(
        "accountDeleted", customer_id=customer.pk, email=email, customer_name=ref,
        website_id=website_id, erased=True, actor=actor.as_fields(),
    )  # fmt: skip


def _uploaded_files(customer: Customer) -> list[str]:
    """Storage paths of the customer's and their addresses' uploaded attribute files."""
    paths = []
    owners = [
        customer.custom_attributes,
        *customer.addresses.values_list("custom_attributes", flat=True),
    ]
    for values in owners:
        for value in (values or {}).values():
            if isinstance(value, dict) and value.get("path"):
                paths.append(value["path"])
    from patron.privacy.models import DataExport

    for export in DataExport.objects.filter(customer=customer).exclude(file_name=""):
        paths.append(("exports", export.file_name))
    return paths


def _delete_files(paths: list[Any]) -> None:
    from django.core.files.storage import storages

    from patron.customers.attributes import FILES_STORAGE

    for path in paths:
        if isinstance(path, tuple):
            _delete_export_file(path[1])
            continue
        storage = storages[FILES_STORAGE]
        if storage.exists(path):
            storage.delete(path)


def _delete_export_file(name: str) -> None:
    try:
        from patron.privacy import exports
    except ImportError:  # exports not installed
        return
    delete = getattr(exports, "delete_export_file", None)
    if delete:
        delete(name)


def _scrub_facts(customer: Customer, ref: str, email: str, personal: list[str]) -> None:
    """Keep orders (and so refunds and the ledger's references) with a pseudonymous name."""
    from patron.assistance.models import AssistanceSession
    from patron.sales.models import Order

    Order.objects.filter(customer=customer).update(
        customer_email=email, customer_name=ref, billing_address={}, shipping_address={}
    )
    AssistanceSession.objects.filter(customer=customer).update(
        customer_email=email, customer_name=ref
    )


def _mentions(field: str, values: list[str]) -> Q:
    query = Q(pk__in=[])
    for value in values:
        query |= Q(**{f"{field}__icontains": value})
    return query


def _delete_personal_rows(customer: Customer, personal: list[str]) -> None:
    from patron.accounts.models import PasswordResetRequest
    from patron.customers.models import CustomerToken, NewsletterSubscriber
    from patron.mail.models import OutboxMessage
    from patron.online.models import OnlineSession
    from patron.sales.models import Cart, ProductView, Review, WishlistItem
    from patron.segments.models import SegmentMembership
    from patron.webhooks.models import Delivery

    NewsletterSubscriber.objects.filter(
        Q(customer=customer) | Q(email__iexact=customer.email)
    ).delete()
    CustomerToken.objects.filter(customer=customer).delete()
    PasswordResetRequest.objects.filter(
        Q(customer=customer) | Q(email__iexact=customer.email)
    ).delete()
    OnlineSession.objects.filter(customer=customer).delete()
    Cart.objects.filter(customer=customer).delete()
    WishlistItem.objects.filter(customer=customer).delete()
    ProductView.objects.filter(customer=customer).delete()
    Review.objects.filter(customer=customer).delete()
    SegmentMembership.objects.filter(customer=customer).delete()
    OutboxMessage.objects.filter(
        Q(customer_id=customer.pk) | _mentions("recipients", personal)
    ).delete()
    # Webhook deliveries already made or queued carry the old values in their payload.
    Delivery.objects.filter(_mentions("payload", personal)).delete()


def _scrub_actor_labels(customer: Customer, ref: str) -> None:
    """Rows anywhere that name the customer as the one who acted keep the reference instead."""
    from django.apps import apps

    for model in apps.get_models():
        if issubclass(model, ActorFields) and not model._meta.abstract:
            model.objects.filter(actor_kind=ActorKind.CUSTOMER, actor_id=customer.pk).update(
                actor_label=ref
            )
    from patron.staff.models import StaffAction

    mentions = _mentions("target", [customer.email]) | _mentions("details", [customer.email])
    StaffAction.objects.filter(mentions).update(target=ref, details={})
