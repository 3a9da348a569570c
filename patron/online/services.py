"""Now Online: who had a state-changing activity (sign-in, registration, cart change) within
the Online Minutes Interval. Plain page views never touch it.

``touch_online`` writes only to the shared cache: each touch takes the next number of a cache
counter and stores its record under that number. ``flush_online`` (every minute on the
scheduler, and before the back office reads the list) moves the records to the database in one
batch, so a burst of cart changes costs one write per minute, not one per change.
"""

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from patron.online.models import OnlineKind, OnlineSession
from patron.scopes.config import get_config
from patron.scopes.models import StoreView

DEFAULT_INTERVAL_MINUTES = 15
COUNTER_KEY = "patron:online:counter"
FLUSHED_KEY = "patron:online:flushed"
RECORD_KEY = "patron:online:record:{}"
RECORD_TTL = 24 * 3600
FLUSH_LIMIT = 50_000


def interval_minutes() -> int:
    return int(
        get_config("customer/online_customers/online_minutes_interval") or DEFAULT_INTERVAL_MINUTES
    )


def touch_online(
    *,
    customer: Any = None,
    visitor_id: str = "",
    url: str = "",
    store_view: Any = None,
    now: dt.datetime | None = None,
) -> None:
    """Note an activity of a customer (or of a visitor, by the shop's visitor id)."""
    if customer is None and not visitor_id:
        raise ValueError("touch_online needs a customer or a visitor id")
    now = now or timezone.now()
    record = {
        "kind": OnlineKind.CUSTOMER if customer is not None else OnlineKind.VISITOR,
        "subject": f"c:{customer.pk}" if customer is not None else f"v:{visitor_id}",
        "customer_id": customer.pk if customer is not None else None,
        "visitor_id": "" if customer is not None else visitor_id[:128],
        "store_view_id": getattr(store_view, "pk", store_view),
        "at": now.isoformat(),
        "url": (url or "")[:2000],
    }
    if cache.add(COUNTER_KEY, 0, timeout=None):
        # The counter starts again (first touch, or the cache evicted it; the file cache's
        # incr() even gives it the default five-minute expiry): without resetting the mark,
        # every new number would sit below it and never be flushed.
        cache.set(FLUSHED_KEY, 0, timeout=None)
    number = cache.incr(COUNTER_KEY)
    cache.set(RECORD_KEY.format(number), record, timeout=RECORD_TTL)


def forget_online(*, customer: Any) -> None:
    """Take a customer off the list (sign-out)."""
    flush_online()
    OnlineSession.objects.filter(subject=f"c:{customer.pk}").delete()


def flush_online() -> int:
    """Write the touches recorded since the last flush to the database; return how many."""
    last = cache.get(COUNTER_KEY) or 0
    done = cache.get(FLUSHED_KEY) or 0
    if last <= done:
        return 0
    numbers = range(done + 1, min(last, done + FLUSH_LIMIT) + 1)
    found = cache.get_many([RECORD_KEY.format(n) for n in numbers])
    latest: dict[str, dict[str, Any]] = {}
    for n in numbers:
        record = found.get(RECORD_KEY.format(n))
        if record is not None and record["at"] >= latest.get(record["subject"], {}).get("at", ""):
            latest[record["subject"]] = record
    with transaction.atomic():
        rows = [
            OnlineSession(
                kind=r["kind"],
                subject=r["subject"],
                customer_id=r["customer_id"],
                visitor_id=r["visitor_id"],
                store_view_id=r["store_view_id"],
                last_activity_at=dt.datetime.fromisoformat(r["at"]),
                last_url=r["url"],
            )
            for r in latest.values()
        ]
        # A customer deleted since the touch has no row to point at.
        from patron.customers.models import Customer

        existing = set(
            Customer.objects.filter(
                pk__in=[r.customer_id for r in rows if r.customer_id]
            ).values_list("pk", flat=True)
        )
        rows = [r for r in rows if r.customer_id is None or r.customer_id in existing]
        # Likewise a store view deleted since: keep the activity, drop the reference.
        views = set(
            StoreView.objects.filter(
                pk__in={r.store_view_id for r in rows if r.store_view_id}
            ).values_list("pk", flat=True)
        )
        for row in rows:
            if row.store_view_id not in views:
                row.store_view_id = None
        OnlineSession.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["subject"],
            update_fields=[
                "kind",
                "customer",
                "visitor_id",
                "store_view",
                "last_activity_at",
                "last_url",
            ],
        )
    cache.delete_many([RECORD_KEY.format(n) for n in numbers])
    cache.set(FLUSHED_KEY, numbers[-1], timeout=None)
    return len(rows)


def online_now(now: dt.datetime | None = None):
    """Return the sessions active within the Online Minutes Interval, newest first."""
    flush_online()
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=interval_minutes())
    return (
        OnlineSession.objects.filter(last_activity_at__gte=since)
        .select_related("customer")
        .order_by("-last_activity_at")
    )


def purge_stale(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete sessions idle for longer than ``older_than`` (visitor data is not kept)."""
    deleted, _ = OnlineSession.objects.filter(
        last_activity_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
