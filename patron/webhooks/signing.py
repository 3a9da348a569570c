"""Webhook signatures: ``Patron-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``.

The HMAC covers ``"<t>.<raw body>"`` with the subscription's secret. Receivers recompute it,
compare in constant time and refuse timestamps outside a replay window (5 minutes by default).
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Patron-Signature"
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = REPLAY_WINDOW_SECONDS,
    now: float | None = None,
) -> bool:
    """Return whether ``header`` is a valid, fresh signature of ``body`` (receiver side)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(given, sign(secret, timestamp, body))
