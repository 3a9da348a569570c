"""Sending to a real receiver: retries with backoff on a fake clock, final answers, the retry
window, timeouts, redirects, the target check before sending, and pausing."""

import datetime as dt
import random

from django.utils import timezone

from patron.webhooks import services
from patron.webhooks.models import Delivery, DeliveryStatus
from patron.webhooks.tests.factories import make_customer, make_subscription


def test_a_500_is_retried_about_a_minute_later_and_the_success_is_logged(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    failed = Delivery.objects.get()
    assert (
        failed.status,
        failed.attempts,
        failed.response_code,
        failed.response_excerpt,
        failed.error,
    ) == (DeliveryStatus.RETRYING, 1, 500, "500 for request 1", "")
    assert 48 <= (failed.next_attempt_at - failed.last_attempt_at).total_seconds() <= 72
    receiver.delay(0.2)
    later = failed.next_attempt_at + dt.timedelta(seconds=1)

    # when
    services.attempt_delivery(failed.pk, now=later)

    # then
    delivery = Delivery.objects.get()
    assert (
        delivery.status,
        delivery.attempts,
        delivery.response_code,
        delivery.response_excerpt,
        delivery.error,
        delivery.last_attempt_at,
        delivery.next_attempt_at,
    ) == (DeliveryStatus.SUCCEEDED, 2, 200, "200 for request 2", "", later, None)
    assert 200 <= delivery.response_ms < 5000
    first, second = receiver.requests
    assert second.body == first.body
    assert second.headers["Idempotency-Key"] == first.headers["Idempotency-Key"]
    assert second.headers["Patron-Delivery"] == first.headers["Patron-Delivery"]


def test_each_failed_attempt_is_rescheduled_with_a_doubled_wait_on_a_fake_clock(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    receiver.answer(503, 503, 503, 503, 503)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    delivery = Delivery.objects.get()
    clock = delivery.next_attempt_at
    jitter = random.Random(5).uniform(0.8, 1.2)

    # when
    schedule = []
    for _ in range(4):
        services.attempt_delivery(delivery.pk, now=clock, rng=random.Random(5))
        delivery.refresh_from_db()
        schedule.append((delivery.attempts, delivery.status, delivery.next_attempt_at - clock))
        clock = delivery.next_attempt_at

    # then
    assert schedule == [
        (2, DeliveryStatus.RETRYING, dt.timedelta(seconds=120 * jitter)),
        (3, DeliveryStatus.RETRYING, dt.timedelta(seconds=240 * jitter)),
        (4, DeliveryStatus.RETRYING, dt.timedelta(seconds=480 * jitter)),
        (5, DeliveryStatus.RETRYING, dt.timedelta(seconds=960 * jitter)),
    ]
    assert services.due_deliveries(now=clock - dt.timedelta(microseconds=1)) == []
    assert services.due_deliveries(now=clock) == [delivery.pk]
    assert len(receiver.requests) == 5


def test_a_404_is_final(receiver, website, django_capture_on_commit_callbacks):
    # given
    make_subscription(receiver.url)
    receiver.answer(404)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)

    # then
    delivery = Delivery.objects.get()
    assert (
        delivery.status,
        delivery.attempts,
        delivery.response_code,
        delivery.response_excerpt,
        delivery.next_attempt_at,
    ) == (DeliveryStatus.FAILED, 1, 404, "404 for request 1", None)
    assert services.due_deliveries(now=timezone.now() + dt.timedelta(days=2)) == []
    assert len(receiver.requests) == 1


def test_a_redirect_is_not_followed_and_is_final(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    receiver.answer(302)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)

    # then
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.FAILED,
        1,
        302,
    )
    assert [request.path for request in receiver.requests] == ["/hook"]


def test_a_delivery_older_than_the_retry_window_fails_instead_of_retrying(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_RETRY_HOURS = 24
    make_subscription(receiver.url)
    receiver.answer(500, 500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    delivery = Delivery.objects.get()
    past_the_window = delivery.created_at + dt.timedelta(hours=24, seconds=1)

    # when
    services.attempt_delivery(delivery.pk, now=past_the_window)

    # then
    delivery.refresh_from_db()
    assert (
        delivery.status,
        delivery.attempts,
        delivery.response_code,
        delivery.last_attempt_at,
        delivery.next_attempt_at,
    ) == (DeliveryStatus.FAILED, 2, 500, past_the_window, None)
    assert len(receiver.requests) == 2


def test_a_receiver_that_does_not_answer_in_time_is_a_retryable_failure(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    make_subscription(receiver.url)
    receiver.delay(2)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)

    # then
    delivery = Delivery.objects.get()
    assert (
        delivery.status,
        delivery.attempts,
        delivery.response_code,
        delivery.response_excerpt,
        delivery.error,
    ) == (DeliveryStatus.RETRYING, 1, None, "", "timed out")
    assert 1000 <= delivery.response_ms < 2000
    assert 48 <= (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds() <= 72
    assert len(receiver.requests) == 1


def test_a_subscription_is_paused_after_the_configured_failures_in_a_row(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    subscription = make_subscription(receiver.url, name="Flaky CRM")
    receiver.answer(500, 500, 500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    delivery = Delivery.objects.get()
    second = delivery.next_attempt_at
    services.attempt_delivery(delivery.pk, now=second)
    delivery.refresh_from_db()
    subscription.refresh_from_db()
    assert (subscription.paused_at, subscription.consecutive_failures) == (None, 2)
    third = delivery.next_attempt_at

    # when
    services.attempt_delivery(delivery.pk, now=third)

    # then
    subscription.refresh_from_db()
    delivery.refresh_from_db()
    assert (
        subscription.paused_at,
        subscription.pause_reason,
        subscription.consecutive_failures,
    ) == (third, "500", 3)
    assert subscription.pause_message() == (
        "Paused after 3 failed attempts in a row; the last one answered: 500"
    )
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.RETRYING, 3)
    assert services.due_deliveries(now=third + dt.timedelta(days=1)) == []
    assert services.paused_subscriptions() == [subscription]


def test_a_success_resets_the_failure_count(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 2
    subscription = make_subscription(receiver.url)
    receiver.answer(500, 200, 500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("ada@example.com", website=website)
    first = Delivery.objects.get()
    services.attempt_delivery(first.pk, now=first.next_attempt_at)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("grace@example.com", website=website)

    # then
    subscription.refresh_from_db()
    assert (subscription.paused_at, subscription.consecutive_failures) == (None, 1)
    assert len(receiver.requests) == 3


def test_a_paused_subscription_sends_nothing_and_holds_new_deliveries(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 1
    make_subscription(receiver.url)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("ada@example.com", website=website)
    waiting = Delivery.objects.get()

    # when
    services.attempt_delivery(waiting.pk, now=waiting.next_attempt_at)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("grace@example.com", website=website)

    # then
    assert len(receiver.requests) == 1
    assert sorted(Delivery.objects.values_list("status", "attempts")) == [
        (DeliveryStatus.PENDING, 0),
        (DeliveryStatus.RETRYING, 1),
    ]
    assert services.due_deliveries(now=timezone.now() + dt.timedelta(days=1)) == []


def test_a_target_made_private_after_saving_is_not_contacted(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    # when
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)

    # then
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.error) == (
        DeliveryStatus.RETRYING,
        None,
        "Webhooks cannot be sent to private, loopback or link-local addresses.",
    )
    assert receiver.requests == []
