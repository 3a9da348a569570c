"""Fan-out of domain events after commit: who gets which event, and nothing on rollback."""

import re

import pytest
from django.db import transaction

from patron.core.actors import SYSTEM
from patron.customers.models import Customer
from patron.webhooks import services
from patron.webhooks.models import Delivery, DeliveryStatus
from patron.webhooks.tests.factories import make_customer, make_subscription

SIGNATURE = re.compile(r"t=\d+,v1=[0-9a-f]{64}")


def test_a_created_customer_reaches_the_receiver_once_with_the_delivery_headers(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url, events=["accountCreated"])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("ada@example.com", website=website)

    # then
    delivery = Delivery.objects.get()
    assert [(request.method, request.path) for request in receiver.requests] == [("POST", "/hook")]
    headers = receiver.requests[0].headers
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"] == "Patron-Webhooks/1"
    assert headers["Patron-Event"] == "accountCreated"
    assert headers["Patron-Delivery"] == str(delivery.pk)
    assert headers["Idempotency-Key"] == str(delivery.event_id)
    assert SIGNATURE.fullmatch(headers["Patron-Signature"])
    assert (
        delivery.event_type,
        delivery.status,
        delivery.attempts,
        delivery.response_code,
        delivery.response_excerpt,
        delivery.error,
        delivery.next_attempt_at,
    ) == ("accountCreated", DeliveryStatus.SUCCEEDED, 1, 200, "200 for request 1", "", None)


def test_nothing_is_sent_before_the_transaction_commits(receiver, website):
    # given
    make_subscription(receiver.url)

    # when: the test's transaction never commits, so after-commit handlers never run
    make_customer(website=website)

    # then
    assert receiver.requests == []
    assert Delivery.objects.count() == 0


def test_a_rolled_back_change_sends_nothing_and_logs_no_delivery(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)

    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        make_customer("ada@example.com", website=website)
        raise RuntimeError("abort after creating the customer")

    # then
    assert callbacks == []
    assert receiver.requests == []
    assert Delivery.objects.count() == 0
    assert Customer.objects.filter(email="ada@example.com").exists() is False


def test_a_subscription_not_listening_to_the_event_gets_nothing(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url, events=["signIn", "accountDeleted"])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)

    # then
    assert receiver.requests == []
    assert Delivery.objects.count() == 0


def test_only_subscriptions_of_the_customers_website_or_of_all_websites_get_the_event(
    receiver, website, other_website, django_capture_on_commit_callbacks
):
    # given
    same = make_subscription(f"{receiver.base_url}/same", name="Same", websites=[website])
    other = make_subscription(f"{receiver.base_url}/other", name="Other", websites=[other_website])
    every = make_subscription(f"{receiver.base_url}/every", name="Every")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)

    # then
    assert sorted(request.path for request in receiver.requests) == ["/every", "/same"]
    assert sorted(Delivery.objects.values_list("subscription_id", flat=True)) == sorted(
        [same.pk, every.pk]
    )
    assert other.deliveries.count() == 0


def test_an_inactive_subscription_gets_nothing(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    subscription = make_subscription(receiver.url)
    services.update_subscription(subscription=subscription, is_active=False, actor=SYSTEM)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)

    # then
    assert receiver.requests == []
    assert Delivery.objects.count() == 0
