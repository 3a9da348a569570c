"""Fixed-window rate limits counted in the shared cache (atomic ``incr`` on Redis)."""

import math
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    limit: int
    retry_after: int


def hit(key: str, *, limit: int, window_seconds: int, now: float | None = None) -> RateDecision:
    """Count one request against ``key`` and say whether it is within ``limit`` per window."""
    now = time.time() if now is None else now
    window = int(now // window_seconds)
    cache_key = f"patron:rl:{key}:{window}"
    # add() only sets a missing key, so the first request of a window starts the count at 1
    # and every later one increments atomically.
    if cache.add(cache_key, 1, timeout=window_seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.add(cache_key, 1, timeout=window_seconds + 1)
            count = 1
    # Rounded up: a client told to wait 19 s when 19.5 s remain would be refused once more.
    retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
    return RateDecision(count <= limit, count, limit, retry_after)


def peek(key: str, *, window_seconds: int, now: float | None = None) -> int:
    """How many hits ``key`` has in the current window, without counting one (for limits on
    failures, which are counted only when they happen)."""
    now = time.time() if now is None else now
    return int(cache.get(f"patron:rl:{key}:{int(now // window_seconds)}") or 0)
