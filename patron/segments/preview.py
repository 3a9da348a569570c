"""A live preview of a condition tree being edited: how many registered customers it matches
and a few of them, under a statement timeout so that an expensive draft answers "at least N
(timed out)" instead of holding a worker.

PostgreSQL cancels the statement (``SET LOCAL statement_timeout``); SQLite interrupts it from its
progress handler once the deadline has passed.
"""

import contextlib
import time
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.db.models import Q

from patron.customers.models import Customer
from patron.scopes.models import Website
from patron.segments import services, trees
from patron.segments.conditions import Context

DEFAULT_TIMEOUT_MS = 2000
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class Preview:
    """``count`` customers match (``complete``), or at least ``count`` when the count ran out of
    time; ``sample`` is the first few of them by id."""

    count: int
    complete: bool
    sample: list[Customer]


@contextlib.contextmanager
def _deadline(milliseconds: int):
    """Run the block's statements under a time limit; raises ``DatabaseError`` when exceeded."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW statement_timeout")
                (before,) = cursor.fetchone()
                cursor.execute("SET LOCAL statement_timeout = %s", [int(milliseconds)])
            yield
            # Inside a request's transaction the setting would outlive this block.
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
            return
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            raw = connection.connection
            ends = time.monotonic() + milliseconds / 1000
            raw.set_progress_handler(lambda: int(time.monotonic() > ends), 10_000)
            try:
                yield
            finally:
                raw.set_progress_handler(None, 0)
            return
        yield


def matching_any_website(tree: dict, websites: list[Website], *, now=None):
    """The customers ``tree`` matches on any of ``websites``."""
    query = Q(pk__in=[])
    for website in websites:
        condition = trees.compile_tree(tree, Context(website=website, now=now or _now()))
        query |= Q(pk__in=services.customers_of_website(website).filter(condition).values("pk"))
    return Customer.objects.filter(query)


def _now():
    from django.utils import timezone

    return timezone.now()


def preview(
    *,
    conditions,
    apply_to: str,
    websites: list[Website],
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    sample_size: int = SAMPLE_SIZE,
    now=None,
) -> Preview:
    """Check ``conditions`` (raising ``InvalidInput`` with each problem's path, as saving does)
    and preview what they match among registered customers on ``websites``."""
    tree = services.check_conditions(conditions, apply_to=apply_to)
    if apply_to == "visitors" or not websites:
        return Preview(count=0, complete=True, sample=[])
    matching = matching_any_website(tree, websites, now=now)
    sample: list[Customer] = []
    try:
        with _deadline(timeout_ms):
            sample = list(matching.order_by("pk")[:sample_size])
        if len(sample) < sample_size:
            return Preview(count=len(sample), complete=True, sample=sample)
        with _deadline(timeout_ms):
            count = matching.count()
    except DatabaseError:
        return Preview(count=len(sample), complete=False, sample=sample)
    return Preview(count=count, complete=True, sample=sample)
