"""The webhooks API (``/api/v1/webhooks``) with integration tokens."""

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from patron.core.actors import SYSTEM
from patron.customers.services import issue_customer_token
from patron.staff.services import create_integration_token
from patron.testing.fixtures import make_staff_user
from patron.webhooks.models import Delivery, DeliveryStatus, Subscription
from patron.webhooks.tests.factories import make_customer, make_subscription

ALL_PERMISSIONS = [
    "webhooks.view_subscription",
    "webhooks.add_subscription",
    "webhooks.change_subscription",
    "webhooks.delete_subscription",
    "webhooks.view_delivery",
    "webhooks.redeliver_delivery",
]


def as_json(value):
    """``value`` as the API renders it (datetimes to the millisecond, UTC as "Z")."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def call(client, method, url, secret=None, payload=None):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def token(*permissions: str) -> str:
    _token, secret = create_integration_token(
        name="Integration", permissions=list(permissions), actor=SYSTEM
    )
    return secret


@pytest.fixture
def full_token(db):
    return token(*ALL_PERMISSIONS)


def subscription_json(subscription: Subscription) -> dict:
    subscription.refresh_from_db()
    return {
        "id": subscription.pk,
        "name": subscription.name,
        "target_url": subscription.target_url,
        "events": subscription.events,
        "website_ids": sorted(w.pk for w in subscription.websites.all()),
        "is_active": subscription.is_active,
        "paused_at": as_json(subscription.paused_at),
        "pause_reason": subscription.pause_reason,
    }


def test_events_lists_the_event_types_a_subscription_can_choose(client, full_token):
    # when
    response = call(client, "get", "/api/v1/webhooks/events", full_token)

    # then
    assert response.status_code == 200
    assert response.json() == [
        "accountCreated",
        "accountDeleted",
        "accountUpdated",
        "addressDeleted",
        "addressSaved",
        "groupChanged",
        "newsletterChanged",
        "segmentMembershipChanged",
        "signIn",
        "signOut",
    ]


def test_creating_a_subscription_answers_with_its_secret(client, full_token, receiver, website):
    # when
    response = call(
        client, "post", "/api/v1/webhooks", full_token,
        {"name": "CRM", "target_url": receiver.url, "events": ["signIn", "accountCreated"],
         "website_ids": [website.pk]},
    )  # fmt: skip

    # then
    assert response.status_code == 201
    subscription = Subscription.objects.get()
    assert response.json() == {**subscription_json(subscription), "secret": subscription.secret}
    assert (subscription.name, subscription.events, len(subscription.secret)) == (
        "CRM",
        ["accountCreated", "signIn"],
        43,
    )


def test_creating_an_inactive_subscription(client, full_token, receiver):
    # when
    response = call(
        client, "post", "/api/v1/webhooks", full_token,
        {"name": "Later", "target_url": receiver.url, "events": ["signIn"], "is_active": False},
    )  # fmt: skip

    # then
    assert response.status_code == 201
    assert response.json()["is_active"] is False
    assert Subscription.objects.get().is_active is False


def test_creating_a_subscription_to_a_private_address_is_refused(client, full_token, settings):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    # when
    response = call(
        client, "post", "/api/v1/webhooks", full_token,
        {"name": "Probe", "target_url": "http://10.0.0.5/", "events": ["signIn"]},
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("private_address", "target_url")
    assert Subscription.objects.count() == 0


def test_listing_subscriptions_shows_no_secrets(client, full_token, receiver):
    # given
    second = make_subscription(receiver.url, name="B receiver")
    first = make_subscription(receiver.url, name="A receiver", events=["signIn"])

    # when
    response = call(client, "get", "/api/v1/webhooks", full_token)

    # then
    assert response.status_code == 200
    assert response.json() == [subscription_json(first), subscription_json(second)]


def test_updating_a_subscription_can_deactivate_it(client, full_token, receiver):
    # given
    subscription = make_subscription(receiver.url)

    # when
    response = call(
        client, "patch", f"/api/v1/webhooks/{subscription.pk}", full_token, {"is_active": False}
    )

    # then
    assert response.status_code == 200
    assert response.json() == subscription_json(subscription)
    assert subscription.is_active is False


def test_the_delivery_log_lists_each_delivery_with_its_outcome(
    client, full_token, receiver, website, django_capture_on_commit_callbacks
):
    # given
    subscription = make_subscription(receiver.url)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    delivery = Delivery.objects.get()

    # when
    response = call(client, "get", f"/api/v1/webhooks/{subscription.pk}/deliveries", full_token)

    # then
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": delivery.pk,
            "event_id": str(delivery.event_id),
            "event_type": "accountCreated",
            "status": "retrying",
            "attempts": 1,
            "next_attempt_at": as_json(delivery.next_attempt_at),
            "last_attempt_at": as_json(delivery.last_attempt_at),
            "response_code": 500,
            "response_ms": delivery.response_ms,
            "response_excerpt": "500 for request 1",
            "error": "",
            "created_at": as_json(delivery.created_at),
        }
    ]


def test_redelivering_through_the_api_sends_the_event_again(
    client, full_token, receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    original = Delivery.objects.get()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client, "post", f"/api/v1/webhooks/deliveries/{original.pk}/redeliver", full_token
        )

    # then
    assert response.status_code == 201
    copy = Delivery.objects.exclude(pk=original.pk).get()
    assert (response.json()["id"], response.json()["event_id"], response.json()["status"]) == (
        copy.pk,
        str(original.event_id),
        "pending",
    )
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.SUCCEEDED
    assert [request.headers["Patron-Delivery"] for request in receiver.requests] == [
        str(original.pk),
        str(copy.pk),
    ]


def test_redelivering_a_delivery_in_progress_through_the_api_is_refused(
    client, full_token, receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    receiver.answer(503)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    retrying = Delivery.objects.get()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client, "post", f"/api/v1/webhooks/deliveries/{retrying.pk}/redeliver", full_token
        )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "delivery_in_progress"
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_resuming_through_the_api_unpauses(
    client, full_token, receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 1
    subscription = make_subscription(receiver.url)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    subscription.refresh_from_db()
    assert (subscription.paused_at is None, subscription.pause_reason) == (False, "500")

    # when
    response = call(client, "post", f"/api/v1/webhooks/{subscription.pk}/resume", full_token)

    # then
    assert response.status_code == 200
    assert response.json() == subscription_json(subscription)
    assert (subscription.paused_at, subscription.pause_reason) == (None, "")


def test_deleting_a_subscription(client, full_token, receiver):
    # given
    subscription = make_subscription(receiver.url)

    # when
    response = call(client, "delete", f"/api/v1/webhooks/{subscription.pk}", full_token)

    # then
    assert response.status_code == 204
    assert Subscription.objects.count() == 0


OPERATIONS = [
    ("get", "/api/v1/webhooks/events", None, "webhooks.view_subscription"),
    ("get", "/api/v1/webhooks", None, "webhooks.view_subscription"),
    ("post", "/api/v1/webhooks", {"name": "X", "target_url": "https://93.184.216.34/hook", "events": ["signIn"]}, "webhooks.add_subscription"),
    ("patch", "/api/v1/webhooks/{subscription}", {"is_active": False}, "webhooks.change_subscription"),
    ("post", "/api/v1/webhooks/{subscription}/resume", None, "webhooks.change_subscription"),
    ("delete", "/api/v1/webhooks/{subscription}", None, "webhooks.delete_subscription"),
    ("get", "/api/v1/webhooks/{subscription}/deliveries", None, "webhooks.view_delivery"),
    ("post", "/api/v1/webhooks/deliveries/{delivery}/redeliver", None, "webhooks.redeliver_delivery"),
]  # fmt: skip


@pytest.fixture
def finished_delivery(receiver, website, django_capture_on_commit_callbacks):
    subscription = make_subscription(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    return subscription, Delivery.objects.get()


@pytest.mark.parametrize(
    ("method", "url", "payload", "permission"),
    OPERATIONS,
    ids=[f"{method}_{url}_case" for method, url, _payload, _permission in OPERATIONS],
)
def test_a_token_without_the_permission_is_refused(
    client, finished_delivery, method, url, payload, permission
):
    # given
    subscription, delivery = finished_delivery
    other_permissions = [name for name in ALL_PERMISSIONS if name != permission]
    secret = token(*other_permissions, "customers.view_customer")
    url = url.format(subscription=subscription.pk, delivery=delivery.pk)

    # when
    response = call(client, method, url, secret, payload)

    # then
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": f"You need the permission {permission} for this.",
        "params": {"permission": permission},
    }
    subscription.refresh_from_db()
    assert (Subscription.objects.count(), Delivery.objects.count()) == (1, 1)
    assert subscription.is_active is True


@pytest.mark.parametrize("caller", ["anonymous", "shopper"], ids=["anonymous_case", "shopper_case"])
def test_callers_without_a_staff_token_are_not_authenticated(client, receiver, website, caller):
    # given
    make_subscription(receiver.url)
    customer = make_customer(website=website)
    secret = None if caller == "anonymous" else issue_customer_token(customer=customer)

    # when
    responses = [
        call(client, "get", "/api/v1/webhooks", secret),
        call(
            client, "post", "/api/v1/webhooks", secret,
            {"name": "X", "target_url": "https://93.184.216.34/hook", "events": ["signIn"]},
        ),
    ]  # fmt: skip

    # then
    assert [response.status_code for response in responses] == [401, 401]
    assert [response.json()["code"] for response in responses] == ["not_authenticated"] * 2
    assert Subscription.objects.count() == 1


def test_a_staff_member_with_the_permission_can_list_by_session(client, receiver, db):
    # given
    subscription = make_subscription(receiver.url)
    client.force_login(make_staff_user(permissions=["webhooks.view_subscription"]))

    # when
    response = client.get("/api/v1/webhooks")

    # then
    assert response.status_code == 200
    assert response.json() == [subscription_json(subscription)]
