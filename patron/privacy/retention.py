"""Retention of personal data: one purge per kind of data, each ruled by its setting in
"Customer Configuration > Privacy and Data Retention" (``customer/privacy/retention_*_days``,
0 keeps the data for ever).

Every purge works set-based, in batches of ``BATCH_SIZE`` rows chosen by primary key, each
batch its own short statement: a first run on a large shop (millions of product views) never
holds one long transaction or lock, and a purge stopped half-way simply goes on at its next
run. Each returns what it removed, as counts per table.

``docs/privacy.md`` describes each kind, why it is kept and for how long.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.db.models import F, Func, JSONField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patron.scopes.config import get_config

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000

VISITORS_DAYS = "customer/privacy/retention_visitors_days"
PRODUCT_VIEWS_DAYS = "customer/privacy/retention_product_views_days"
IP_DAYS = "customer/privacy/retention_ip_days"
OUTBOX_DAYS = "customer/privacy/retention_outbox_days"
TIMELINE_DETAILS_DAYS = "customer/privacy/retention_timeline_details_days"
ASSISTANCE_DAYS = "customer/privacy/retention_assistance_days"


def cutoff(path: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """Return the moment before which data ruled by setting ``path`` goes, or None when the
    setting is 0 (keep for ever)."""
    days = int(get_config(path) or 0)
    if days <= 0:
        return None
    return (now or timezone.now()) - dt.timedelta(days=days)


def _delete_in_batches(queryset: QuerySet) -> dict[str, int]:
    """Delete the rows of ``queryset`` batch by batch; return the rows deleted per model label
    (rows deleted through ``on_delete=CASCADE`` included)."""
    model = queryset.model
    totals: dict[str, int] = {}
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return totals
        _deleted, counts = model.objects.filter(pk__in=ids).delete()
        for label, count in counts.items():
            totals[label] = totals.get(label, 0) + count
        if len(ids) < BATCH_SIZE:
            return totals


def _update_in_batches(queryset: QuerySet, **values) -> int:
    """Apply ``values`` to the rows of ``queryset`` batch by batch; return how many changed.

    ``queryset`` must stop matching a row once it is updated, or this would never end.
    """
    model = queryset.model
    total = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return total
        total += model.objects.filter(pk__in=ids).update(**values)
        if len(ids) < BATCH_SIZE:
            return total


class _WithoutKey(Func):
    """A JSON object column without one top-level key, computed by the database."""

    output_field = JSONField()

    def __init__(self, expression, key: str):
        super().__init__(expression, Value(key))

    def as_sqlite(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        key = self.source_expressions[1].value
        return f"JSON_REMOVE({column}, %s)", (*column_params, f'$."{key}"')

    def as_postgresql(self, compiler, connection, **extra):
        column, column_params = compiler.compile(self.source_expressions[0])
        return f"({column} - %s::text)", (*column_params, self.source_expressions[1].value)


# --- One purge per kind ---------------------------------------------------------------------


def purge_visitors(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete Now Online records (customers' and visitors') without activity since the limit,
    and guest carts (with their items) not changed since then. Customers' carts stay: they are
    part of the account until it is erased."""
    from patron.online.models import OnlineSession
    from patron.sales.models import Cart

    before = cutoff(VISITORS_DAYS, now)
    if before is None:
        return {}
    sessions = _delete_in_batches(OnlineSession.objects.filter(last_activity_at__lt=before))
    carts = _delete_in_batches(Cart.objects.filter(customer__isnull=True, updated_at__lt=before))
    return {
        "online_records": sessions.get("online.OnlineSession", 0),
        "guest_carts": carts.get("sales.Cart", 0),
        "guest_cart_items": carts.get("sales.CartItem", 0),
    }


def purge_product_views(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete product views (customers' and visitors') older than the limit."""
    from patron.sales.models import ProductView

    before = cutoff(PRODUCT_VIEWS_DAYS, now)
    if before is None:
        return {}
    deleted = _delete_in_batches(ProductView.objects.filter(viewed_at__lt=before))
    return {"product_views": deleted.get("sales.ProductView", 0)}


def purge_ip_addresses(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove IP addresses older than the limit, keeping the rows: the address of "forgot
    password" requests (used to throttle them for an hour) and the ``ip`` detail of timeline
    entries (failed sign-ins).

    The other places an address appears are cache counters of rate limits, CAPTCHA and sign-in
    failures, which expire by themselves within an hour.
    """
    from patron.accounts.models import PasswordResetRequest
    from patron.customers.models import TimelineEntry

    before = cutoff(IP_DAYS, now)
    if before is None:
        return {}
    requests = _update_in_batches(
        PasswordResetRequest.objects.filter(created_at__lt=before, ip__isnull=False), ip=None
    )
    entries = _update_in_batches(
        TimelineEntry.objects.filter(occurred_at__lt=before, params__has_key="ip"),
        params=_WithoutKey(F("params"), "ip"),
    )
    return {"password_reset_requests": requests, "timeline_entries": entries}


def purge_outbox(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete outbox messages (every status) created before the limit."""
    from patron.mail.models import OutboxMessage

    before = cutoff(OUTBOX_DAYS, now)
    if before is None:
        return {}
    deleted = _delete_in_batches(OutboxMessage.objects.filter(created_at__lt=before))
    return {"outbox_messages": deleted.get("mail.OutboxMessage", 0)}


def purge_timeline_details(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Clear the details and notes of timeline entries older than the limit; the entries keep
    their kind, time and author, so the timeline still shows what happened when."""
    from patron.customers.models import TimelineEntry

    before = cutoff(TIMELINE_DETAILS_DAYS, now)
    if before is None:
        return {}
    cleared = _update_in_batches(
        TimelineEntry.objects.filter(occurred_at__lt=before).exclude(params={}, note=""),
        params={},
        note="",
    )
    return {"timeline_entries": cleared}


def purge_assistance_logs(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete the page log (actions) of shopping-assistance sessions that ended before the
    limit. A session never ended explicitly counts as ended at its last activity. The session
    rows stay: who assisted whom, when, and how many actions were taken."""
    from patron.assistance.models import AssistanceAction, AssistanceSession

    before = cutoff(ASSISTANCE_DAYS, now)
    if before is None:
        return {}
    ended = AssistanceSession.objects.alias(
        over_at=Coalesce("ended_at", "last_activity_at", "started_at", "created_at")
    ).filter(over_at__lt=before)
    deleted = _delete_in_batches(AssistanceAction.objects.filter(session__in=ended))
    return {"assistance_actions": deleted.get("assistance.AssistanceAction", 0)}


PURGES: dict[str, Callable[..., dict[str, int]]] = {
    "visitors": purge_visitors,
    "product_views": purge_product_views,
    "ip_addresses": purge_ip_addresses,
    "outbox": purge_outbox,
    "timeline_details": purge_timeline_details,
    "assistance_logs": purge_assistance_logs,
}


def run_retention(*, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    """Run every purge and log what each removed; return the counts per kind.

    A purge that fails is logged and does not stop the others; once all have run, the first
    failure is raised again so the task shows as failed.
    """
    now = now or timezone.now()
    results: dict[str, dict[str, int]] = {}
    failure: Exception | None = None
    for kind, purge in PURGES.items():
        try:
            results[kind] = purge(now=now)
        except Exception as error:
            logger.exception("Retention purge %s failed", kind)
            failure = failure or error
            continue
        logger.info(
            "Retention purge %s: %s",
            kind,
            ", ".join(f"{name} {count}" for name, count in results[kind].items()) or "kept",
            extra={"retention_kind": kind, **{f"purged_{k}": v for k, v in results[kind].items()}},
        )
    if failure is not None:
        raise failure
    return results
