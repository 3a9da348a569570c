"""The customer timeline: one ``record_*`` function per kind, called by the service that made
the change, inside its transaction."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core import history
from patron.core.actors import Actor
from patron.customers.models import Customer, TimelineEntry


class TimelineKind(models.TextChoices):
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_UPDATED = "account_updated", _("Account updated")
    GROUP_CHANGED = "group_changed", _("Group changed")
    ADDRESS_ADDED = "address_added", _("Address added")
    ADDRESS_UPDATED = "address_updated", _("Address updated")
    ADDRESS_DELETED = "address_deleted", _("Address deleted")
    DEFAULT_ADDRESS_CHANGED = "default_address_changed", _("Default address changed")
    NEWSLETTER_CHANGED = "newsletter_changed", _("Newsletter subscription changed")
    TOKENS_REVOKED = "tokens_revoked", _("Signed out everywhere")
    NOTE = "note", _("Staff note")
    ASSISTANCE_CONSENT_CHANGED = (
        "assistance_consent_changed",
        _("Remote shopping assistance consent changed"),
    )


history.register_kinds(TimelineKind)


def _record(
    customer: Customer, kind: str, actor: Actor, note: str = "", **params: Any
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        customer=customer, kind=kind, params=params, note=note, **actor.as_fields()
    )


def record_account_created(
    *, customer: Customer, actor: Actor, store_view_code: str | None
) -> TimelineEntry:
    return _record(customer, TimelineKind.ACCOUNT_CREATED, actor, store_view=store_view_code)


def record_account_updated(
    *, customer: Customer, actor: Actor, changed: list[str]
) -> TimelineEntry:
    return _record(customer, TimelineKind.ACCOUNT_UPDATED, actor, changed=changed)


def record_group_changed(
    *, customer: Customer, actor: Actor, old_group: str, new_group: str, reason: str = ""
) -> TimelineEntry:
    return _record(
        customer, TimelineKind.GROUP_CHANGED, actor, old=old_group, new=new_group, reason=reason
    )


def record_address_change(
    *, customer: Customer, actor: Actor, kind: str, address_id: int
) -> TimelineEntry:
    return _record(customer, kind, actor, address_id=address_id)


def record_default_address_changed(
    *, customer: Customer, actor: Actor, billing: int | None, shipping: int | None
) -> TimelineEntry:
    return _record(
        customer, TimelineKind.DEFAULT_ADDRESS_CHANGED, actor, billing=billing, shipping=shipping
    )


def record_newsletter_changed(
    *, customer: Customer, actor: Actor, store_view_code: str, status: str, source: str
) -> TimelineEntry:
    return _record(
        customer,
        TimelineKind.NEWSLETTER_CHANGED,
        actor,
        store_view=store_view_code,
        status=status,
        source=source,
    )


def record_tokens_revoked(*, customer: Customer, actor: Actor, count: int) -> TimelineEntry:
    return _record(customer, TimelineKind.TOKENS_REVOKED, actor, count=count)


def record_note(*, customer: Customer, actor: Actor, text: str) -> TimelineEntry:
    return _record(customer, TimelineKind.NOTE, actor, note=text)


def record_consent_changed(
    *, customer: Customer, actor: Actor, allowed: bool, reason: str
) -> TimelineEntry:
    return _record(
        customer, TimelineKind.ASSISTANCE_CONSENT_CHANGED, actor, note=reason, allowed=allowed
    )
