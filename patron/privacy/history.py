"""Erasure on the customer's timeline: requested, cancelled, and the one neutral entry an erased
account keeps."""

from typing import Any

from django.db import models
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patron.core import history
from patron.core.actors import Actor
from patron.customers.models import Customer, TimelineEntry


class ErasureTimelineKind(models.TextChoices):
    ERASURE_REQUESTED = "erasure_requested", _("Erasure requested")
    ERASURE_CANCELLED = "erasure_cancelled", _("Erasure cancelled")
    ACCOUNT_ERASED = "account_erased", _("Account erased")


history.register_kinds(ErasureTimelineKind)


def _describe_requested(params: dict[str, Any]) -> str:
    from django.utils.dateparse import parse_datetime

    due = parse_datetime(params.get("due_at", ""))
    when = formats.date_format(due, "DATETIME_FORMAT") if due else params.get("due_at", "")
    return gettext("The account will be erased on %(when)s unless cancelled.") % {"when": when}


history.register_describer(ErasureTimelineKind.ERASURE_REQUESTED, _describe_requested)


def _record(customer: Customer, kind: str, actor: Actor, **params: Any) -> TimelineEntry:
    return TimelineEntry.objects.create(
        customer=customer, kind=kind, params=params, **actor.as_fields()
    )


def record_erasure_requested(customer: Customer, actor: Actor, *, due_at) -> TimelineEntry:
    return _record(
        customer, ErasureTimelineKind.ERASURE_REQUESTED, actor, due_at=due_at.isoformat()
    )


def record_erasure_cancelled(customer: Customer, actor: Actor) -> TimelineEntry:
    return _record(customer, ErasureTimelineKind.ERASURE_CANCELLED, actor)


def record_account_erased(customer: Customer, actor: Actor) -> TimelineEntry:
    # Neutral on purpose: who asked is kept only as the actor's kind.
    return TimelineEntry.objects.create(
        customer=customer, kind=ErasureTimelineKind.ACCOUNT_ERASED, params={},
        actor_kind=actor.kind, actor_id=None, actor_label="",
    )  # fmt: skip
