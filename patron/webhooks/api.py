"""Webhook subscriptions and their delivery log, for integrations that manage their own
receivers."""

import datetime as dt
import uuid

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from patron.core.api import ERRORS, require_permission, staff_auth
from patron.core.errors import NotFound
from patron.scopes.models import Website
from patron.webhooks import services
from patron.webhooks.models import Delivery, Subscription

router = Router(tags=["Webhooks"], auth=staff_auth)


class SubscriptionIn(Schema):
    name: str
    target_url: str
    events: list[str]
    website_ids: list[int] = []
    is_active: bool = True


class SubscriptionPatch(Schema):
    name: str | None = None
    target_url: str | None = None
    events: list[str] | None = None
    website_ids: list[int] | None = None
    is_active: bool | None = None


class WebhookSubscriptionOut(Schema):
    id: int
    name: str
    target_url: str
    events: list[str]
    website_ids: list[int]
    is_active: bool
    paused_at: dt.datetime | None
    pause_reason: str


class SubscriptionCreatedOut(WebhookSubscriptionOut):
    secret: str


class DeliveryOut(Schema):
    id: int
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_attempt_at: dt.datetime | None
    response_code: int | None
    response_ms: int | None
    response_excerpt: str
    error: str
    created_at: dt.datetime


def _out(subscription: Subscription, schema=WebhookSubscriptionOut):
    return schema(
        id=subscription.pk,
        name=subscription.name,
        target_url=subscription.target_url,
        events=subscription.events,
        website_ids=sorted(subscription.websites.values_list("pk", flat=True)),
        is_active=subscription.is_active,
        paused_at=subscription.paused_at,
        pause_reason=subscription.pause_reason,
        **({"secret": subscription.secret} if schema is SubscriptionCreatedOut else {}),
    )


def _get(subscription_id: int) -> Subscription:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound(
            _("There is no webhook subscription %(id)s.") % {"id": subscription_id},
            code="subscription_not_found",
        )
    return subscription


@router.get("/webhooks/events", response={200: list[str], **ERRORS}, url_name="webhook-events")
def list_events(request):
    """The event types a subscription can choose."""
    require_permission(request, "webhooks.view_subscription")
    return services.available_events()


@router.get(
    "/webhooks", response={200: list[WebhookSubscriptionOut], **ERRORS}, url_name="webhooks"
)
def list_subscriptions(request):
    require_permission(request, "webhooks.view_subscription")
    return [_out(s) for s in Subscription.objects.order_by("name")]


@router.post(
    "/webhooks", response={201: SubscriptionCreatedOut, **ERRORS}, url_name="webhook-create"
)
def create_subscription(request, payload: SubscriptionIn):
    """Create a subscription; the answer carries the signing secret."""
    principal = require_permission(request, "webhooks.add_subscription")
    subscription = services.create_subscription(
        name=payload.name,
        target_url=payload.target_url,
        events=payload.events,
        websites=Website.objects.filter(pk__in=payload.website_ids),
        actor=principal.actor,
    )
    if not payload.is_active:
        services.update_subscription(
            subscription=subscription, is_active=False, actor=principal.actor
        )
    return Status(201, _out(subscription, SubscriptionCreatedOut))


@router.patch(
    "/webhooks/{subscription_id}",
    response={200: WebhookSubscriptionOut, **ERRORS},
    url_name="webhook-update",
)
def update_subscription(request, subscription_id: int, payload: SubscriptionPatch):
    principal = require_permission(request, "webhooks.change_subscription")
    subscription = services.update_subscription(
        subscription=_get(subscription_id),
        name=payload.name,
        target_url=payload.target_url,
        events=payload.events,
        is_active=payload.is_active,
        websites=None
        if payload.website_ids is None
        else Website.objects.filter(pk__in=payload.website_ids),
        actor=principal.actor,
    )
    return _out(subscription)


@router.post(
    "/webhooks/{subscription_id}/resume",
    response={200: WebhookSubscriptionOut, **ERRORS},
    url_name="webhook-resume",
)
def resume_subscription(request, subscription_id: int):
    principal = require_permission(request, "webhooks.change_subscription")
    return _out(
        services.resume_subscription(subscription=_get(subscription_id), actor=principal.actor)
    )


@router.delete(
    "/webhooks/{subscription_id}", response={204: None, **ERRORS}, url_name="webhook-delete"
)
def delete_subscription(request, subscription_id: int):
    require_permission(request, "webhooks.delete_subscription")
    _get(subscription_id).delete()
    return Status(204, None)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    url_name="webhook-deliveries",
)
def list_deliveries(request, subscription_id: int, limit: int = 50):
    require_permission(request, "webhooks.view_delivery")
    return list(
        _get(subscription_id).deliveries.order_by("-created_at", "-pk")[: max(1, min(limit, 200))]
    )


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    response={201: DeliveryOut, **ERRORS},
    url_name="webhook-redeliver",
)
def redeliver(request, delivery_id: int):
    principal = require_permission(request, "webhooks.redeliver_delivery")
    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(
            _("There is no webhook delivery %(id)s.") % {"id": delivery_id},
            code="delivery_not_found",
        )
    return Status(201, services.redeliver(delivery=delivery, actor=principal.actor))
