"""Consent records: every change of a customer's newsletter or remote-assistance consent, with
when, where (channel and store view), how (the form or link) and by whom.

The services that change a consent call in here inside their own transaction, while they hold
the lock of what changes (the subscriber row, the customer row), so the record commits or rolls
back with the change itself. A domain-event handler would run after commit and could be lost,
and the ``newsletterChanged`` and ``accountUpdated`` payloads carry neither the form used nor
the new remote-assistance value.

Rows are only ever added. A record is written only when the consent actually changes compared
with the customer's last record of that kind (per store view for the newsletter, which is
subscribed per store view); with no record yet, any change is recorded, so accounts from before
consent records existed start their history at their first change.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from patron.core.actors import Actor, ActorKind
from patron.core.errors import InvalidInput, problems_from_validation_error
from patron.customers.models import ConsentSource, Customer, NewsletterSubscriber, SubscriberStatus
from patron.privacy.models import ConsentKind, ConsentRecord
from patron.scopes.models import StoreView


class ConsentChannel(models.TextChoices):
    """Where a consent changed: the ``channel`` column of a consent record."""

    STOREFRONT = "storefront", _("Storefront")
    API = "api", _("API")
    BACK_OFFICE = "back_office", _("Back office")
    IMPORT = "import", _("Import")


_CHANNEL_OF_SOURCE = {
    ConsentSource.REGISTRATION: ConsentChannel.STOREFRONT,
    ConsentSource.ACCOUNT: ConsentChannel.STOREFRONT,
    ConsentSource.GUEST_FORM: ConsentChannel.STOREFRONT,
    ConsentSource.EMAIL_LINK: ConsentChannel.STOREFRONT,
    ConsentSource.BACK_OFFICE: ConsentChannel.BACK_OFFICE,
    ConsentSource.API: ConsentChannel.API,
    ConsentSource.IMPORT: ConsentChannel.IMPORT,
}
_CHANNEL_OF_ACTOR = {
    ActorKind.CUSTOMER: ConsentChannel.STOREFRONT,
    ActorKind.STAFF: ConsentChannel.BACK_OFFICE,
    ActorKind.INTEGRATION: ConsentChannel.API,
    ActorKind.SYSTEM: ConsentChannel.IMPORT,
}
_SOURCE_OF_ACTOR = {
    ActorKind.CUSTOMER: ConsentSource.ACCOUNT,
    ActorKind.STAFF: ConsentSource.BACK_OFFICE,
    ActorKind.INTEGRATION: ConsentSource.API,
    ActorKind.SYSTEM: ConsentSource.IMPORT,
}


def channel_for(actor: Actor, source: str = "") -> str:
    """Return where a change was made: from the consent source when it names one (a customer's
    change through the API says ``api``), else from the kind of actor."""
    return _CHANNEL_OF_SOURCE.get(source) or _CHANNEL_OF_ACTOR.get(actor.kind, ConsentChannel.API)


def _same_state(customer: Customer, kind: str, store_view: StoreView | None) -> QuerySet:
    records = ConsentRecord.objects.filter(customer=customer, kind=kind)
    if kind == ConsentKind.NEWSLETTER:
        records = records.filter(store_view=store_view)
    return records


def record_consent(
    *,
    customer: Customer,
    kind: str,
    granted: bool,
    channel: str,
    method: str,
    store_view: StoreView | None = None,
    actor: Actor,
) -> ConsentRecord | None:
    """Add a consent record and return it, or return None when ``granted`` is already the
    customer's last recorded state of ``kind`` (for the newsletter: on ``store_view``).

    Call it in the transaction that changes the consent. Raises ``InvalidInput`` for an unknown
    ``kind``.
    """
    last = (
        _same_state(customer, kind, store_view)
        .order_by("-at", "-pk")
        .values_list("granted", flat=True)
        .first()
    )
    if last is not None and last == granted:
        return None
    record = ConsentRecord(
        customer=customer,
        kind=kind,
        granted=granted,
        store_view=store_view,
        channel=channel,
        method=(method or "")[:100],
        **actor.as_fields(),
    )
    try:
        record.full_clean(exclude=["customer", "store_view"])
    except ValidationError as error:
        raise InvalidInput.from_problems(problems_from_validation_error(error)) from None
    record.save()
    return record


def record_newsletter_change(
    *, subscriber: NewsletterSubscriber, actor: Actor, source: str
) -> ConsentRecord | None:
    """Record the consent a newsletter subscription's new status means, if it is a customer's:
    Subscribed gives it, Unsubscribed withdraws it. A subscription waiting for its confirmation
    link ("Not Activated") is no consent yet, and unsubscribing one that never was active
    withdraws nothing."""
    if subscriber.customer_id is None:
        return None
    if subscriber.status == SubscriberStatus.SUBSCRIBED:
        granted = True
    elif subscriber.status == SubscriberStatus.UNSUBSCRIBED and subscriber.consent_at is not None:
        granted = False
    else:
        return None
    return record_consent(
        customer=subscriber.customer,
        kind=ConsentKind.NEWSLETTER,
        granted=granted,
        channel=channel_for(actor, source),
        method=source,
        store_view=subscriber.store_view,
        actor=actor,
    )


def record_assistance_change(
    *,
    customer: Customer,
    actor: Actor,
    store_view: StoreView | None = None,
    created: bool = False,
) -> ConsentRecord | None:
    """Record the customer's current "Allow remote shopping assistance" as given or withdrawn.

    ``created`` says the account was just created with the consent given (by the shopper, on
    the registration form); otherwise the kind of actor names the form used (the customer's own
    account, the back office, the API, an import).
    """
    if created and actor.kind == ActorKind.CUSTOMER:
        source = ConsentSource.REGISTRATION
    else:
        source = _SOURCE_OF_ACTOR.get(actor.kind, "")
    return record_consent(
        customer=customer,
        kind=ConsentKind.REMOTE_ASSISTANCE,
        granted=bool(customer.allow_remote_assistance),
        channel=channel_for(actor, source),
        method=source,
        store_view=store_view,
        actor=actor,
    )


def consent_history(customer: Customer) -> QuerySet[ConsentRecord]:
    """Return the customer's consent records, newest first, with their store views."""
    return (
        ConsentRecord.objects.filter(customer=customer)
        .select_related("store_view")
        .order_by("-at", "-pk")
    )


def channel_label(channel: str) -> str:
    """Return the translated name of a channel (the stored code when unknown)."""
    try:
        return str(ConsentChannel(channel).label)
    except ValueError:
        return channel


def method_label(method: str) -> str:
    """Return the translated name of a consent source (the stored text when not one)."""
    try:
        return str(ConsentSource(method).label)
    except ValueError:
        return method
