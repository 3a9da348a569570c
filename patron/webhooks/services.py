"""Outgoing webhooks: subscriptions, signed deliveries after commit, retries with exponential
backoff and jitter, pausing receivers that keep failing, and manual redelivery."""

import datetime as dt
import ipaddress
import json
import logging
import random
import secrets
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.errors import Conflict, InvalidInput, Problem
from patron.core.events import DomainEvent
from patron.core.http import no_redirect_opener
from patron.scopes.models import Website
from patron.webhooks import payloads, signing
from patron.webhooks.models import Delivery, DeliveryStatus, Subscription

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 6 * 3600
EXCERPT_CHARS = 1000
USER_AGENT = "Patron-Webhooks/1"


def available_events() -> list[str]:
    return sorted(payloads.BUILDERS)


# --- Target URL safety --------------------------------------------------------------------------


def _blocked_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def target_problems(url: str) -> list[Problem]:
    """Return why ``url`` may not receive webhooks: not https outside demo mode, or pointing at a
    private, loopback or link-local address unless PATRON_WEBHOOKS_ALLOW_PRIVATE is set."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        # Out of range or not a number: reading it raises here and in urllib when sending.
        port = -1
    problems = []
    allowed_schemes = ("https",) if settings.PRODUCTION else ("https", "http")
    if parts.scheme not in allowed_schemes or not parts.hostname or port == -1:
        problems.append(
            Problem(
                "insecure_url" if parts.scheme == "http" else "invalid_url",
                _("Use an https:// address for webhooks.")
                if parts.scheme == "http"
                else _("Enter a valid web address."),
                field="target_url",
            )
        )
        return problems
    if settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS:
        return problems
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port or 443)}
    except socket.gaierror:
        return [
            Problem(
                "unresolvable_host",
                _("The host name %(host)s cannot be resolved.") % {"host": parts.hostname},
                field="target_url",
            )
        ]
    if any(_blocked_address(address) for address in addresses):
        problems.append(
            Problem(
                "private_address",
                _("Webhooks cannot be sent to private, loopback or link-local addresses."),
                field="target_url",
            )
        )
    return problems


def _check_subscription(*, name: str, target_url: str, events: Iterable[str]) -> list[str]:
    events = sorted(set(events))
    problems = []
    if not name.strip():
        problems.append(Problem("required", _("Give the subscription a name."), field="name"))
    problems.extend(target_problems(target_url))
    unknown = [e for e in events if e not in payloads.BUILDERS]
    if unknown:
        problems.append(
            Problem(
                "unknown_event",
                _("Unknown events: %(names)s.") % {"names": ", ".join(unknown)},
                field="events",
            )
        )
    if not events:
        problems.append(Problem("required", _("Choose at least one event."), field="events"))
    if problems:
        raise InvalidInput.from_problems(problems)
    return events


# --- Subscriptions ------------------------------------------------------------------------------


@transaction.atomic
def create_subscription(
    *,
    name: str,
    target_url: str,
    events: Iterable[str],
    actor: Actor,
    websites: Iterable[Website] = (),
) -> Subscription:
    """Create a subscription with a new random signing secret."""
    events = _check_subscription(name=name, target_url=target_url, events=events)
    subscription = Subscription.objects.create(
        name=name.strip(), target_url=target_url, events=events, secret=secrets.token_urlsafe(32)
    )
    subscription.websites.set(list(websites))
    return subscription


@transaction.atomic
def update_subscription(
    *,
    subscription: Subscription,
    actor: Actor,
    name: str | None = None,
    target_url: str | None = None,
    events: Iterable[str] | None = None,
    is_active: bool | None = None,
    websites: Iterable[Website] | None = None,
) -> Subscription:
    events = _check_subscription(
        name=subscription.name if name is None else name,
        target_url=subscription.target_url if target_url is None else target_url,
        events=subscription.events if events is None else events,
    )
    subscription.name = (name or subscription.name).strip()
    subscription.target_url = target_url or subscription.target_url
    subscription.events = events
    if is_active is not None:
        subscription.is_active = is_active
    subscription.save()
    if websites is not None:
        subscription.websites.set(list(websites))
    return subscription


@transaction.atomic
def rotate_secret(*, subscription: Subscription, actor: Actor) -> str:
    subscription.secret = secrets.token_urlsafe(32)
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription.secret


@transaction.atomic
def resume_subscription(*, subscription: Subscription, actor: Actor) -> Subscription:
    """Unpause; waiting deliveries become due at once."""
    Subscription.objects.filter(pk=subscription.pk).update(
        paused_at=None, pause_reason="", consecutive_failures=0
    )
    # Deliveries created while paused are still pending (their first attempt returned without
    # sending): they wait here too, or they would never be sent.
    Delivery.objects.filter(
        subscription=subscription, status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING]
    ).update(next_attempt_at=timezone.now())
    subscription.refresh_from_db()
    return subscription


# --- Fan-out of domain events -------------------------------------------------------------------


def on_domain_event(event: DomainEvent) -> None:
    """Create deliveries for every subscription listening to ``event`` and queue them.

    Runs after the event's transaction committed, so a rolled-back change never sends.
    """
    builder = payloads.BUILDERS.get(event.name)
    if builder is None:
        return
    subscriptions = list(Subscription.objects.filter(is_active=True).prefetch_related("websites"))
    listeners = [s for s in subscriptions if event.name in s.events]
    if not listeners:
        return
    data = builder(event.payload)
    website_id = payloads.website_of(event.payload, data)
    body = {
        "type": event.name,
        "version": payloads.PAYLOAD_VERSION,
        "occurred_at": event.occurred_at.isoformat(),
        "website_id": website_id,
        "data": data,
    }
    from patron.webhooks.tasks import deliver

    with transaction.atomic():
        for subscription in listeners:
            website_ids = {w.pk for w in subscription.websites.all()}
            if website_ids and website_id not in website_ids:
                continue
            delivery = Delivery.objects.create(
                subscription=subscription, event_type=event.name, payload=body
            )
            transaction.on_commit(lambda d=delivery: deliver.enqueue(d.pk))


# --- Sending ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int | None
    body: str
    elapsed_ms: int
    error: str = ""


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST ``body`` and return the outcome; never raises for network or HTTP errors."""
    opener = no_redirect_opener()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - http(s) checked
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as answer:
            text = answer.read(EXCERPT_CHARS).decode("utf-8", "replace")
            return Response(answer.status, text, int((time.monotonic() - started) * 1000))
    except urllib.error.HTTPError as error:
        text = error.read(EXCERPT_CHARS).decode("utf-8", "replace") if error.fp else ""
        return Response(error.code, text, int((time.monotonic() - started) * 1000))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return Response(None, "", int((time.monotonic() - started) * 1000), error=str(reason)[:500])


def retry_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): doubling from one
    minute up to six hours, with ±20% jitter so failed receivers are not hit in waves."""
    base = min(FIRST_RETRY_SECONDS * 2 ** (attempt - 1), MAX_RETRY_SECONDS)
    return base * (rng or random).uniform(0.8, 1.2)


def _retryable(response: Response) -> bool:
    return response.status is None or response.status >= 500 or response.status in (408, 429)


def attempt_delivery(
    delivery_id: int, *, now: dt.datetime | None = None, send=http_post, rng=None
) -> Delivery:
    """Send one delivery once and record the result; schedule a retry, or give up after the
    retry window. A paused subscription's deliveries wait until it is resumed."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery_id)
        )
        if delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
            return delivery
        subscription = delivery.subscription
        if subscription.is_paused or not subscription.is_active:
            return delivery
    body = json.dumps(
        {"id": str(delivery.event_id), **delivery.payload},
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    ).encode()
    problems = target_problems(subscription.target_url)
    if problems:
        response = Response(None, "", 0, error=str(problems[0].message))
    else:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Patron-Event": delivery.event_type,
            "Patron-Delivery": str(delivery.pk),
            "Idempotency-Key": str(delivery.event_id),
            signing.SIGNATURE_HEADER: signing.signature_header(
                subscription.secret, body, int(now.timestamp())
            ),
        }
        response = send(subscription.target_url, body, headers, settings.WEBHOOK_TIMEOUT_SECONDS)
    return _record(delivery, response, now=now, rng=rng)


@transaction.atomic
def _record(delivery: Delivery, response: Response, *, now: dt.datetime, rng) -> Delivery:
    delivery = (
        Delivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    )
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = response.status
    delivery.response_ms = response.elapsed_ms
    delivery.response_excerpt = response.body[:EXCERPT_CHARS]
    delivery.error = response.error
    subscription = delivery.subscription
    succeeded = response.status is not None and 200 <= response.status < 300
    if succeeded:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
        Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
    else:
        next_at = now + dt.timedelta(seconds=retry_delay(delivery.attempts, rng))
        deadline = delivery.created_at + dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
        if _retryable(response) and next_at <= deadline:
            delivery.status = DeliveryStatus.RETRYING
            delivery.next_attempt_at = next_at
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        Subscription.objects.filter(pk=subscription.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        subscription.refresh_from_db(fields=["consecutive_failures", "paused_at"])
        if (
            subscription.paused_at is None
            and subscription.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES
        ):
            # The raw last outcome is stored; the back office words it in the reader's language.
            Subscription.objects.filter(pk=subscription.pk).update(
                paused_at=now, pause_reason=str(response.error or response.status)[:255]
            )
    delivery.save()
    return delivery


def due_deliveries(now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(
            # Pending deliveries have no next attempt time unless a resume released them.
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
            next_attempt_at__lte=now,
            subscription__paused_at__isnull=True,
            subscription__is_active=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


@transaction.atomic
def redeliver(*, delivery: Delivery, actor: Actor) -> Delivery:
    """Send a delivery's event again as a new delivery with the same event id and payload."""
    if delivery.status in (DeliveryStatus.PENDING, DeliveryStatus.RETRYING):
        raise Conflict(_("This delivery is still being sent."), code="delivery_in_progress")
    copy = Delivery.objects.create(
        subscription=delivery.subscription,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        payload=delivery.payload,
    )
    from patron.webhooks.tasks import deliver

    transaction.on_commit(lambda: deliver.enqueue(copy.pk))
    return copy


def paused_subscriptions() -> list[Subscription]:
    return list(
        Subscription.objects.filter(paused_at__isnull=False, is_active=True).order_by("name")
    )


def serialize_for_docs(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2)
