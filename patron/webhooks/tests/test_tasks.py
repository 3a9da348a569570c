"""The worker's tasks: sending a queued delivery, and re-sending the due ones."""

import datetime as dt

from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.webhooks import services
from patron.webhooks.models import Delivery, DeliveryStatus
from patron.webhooks.tasks import deliver, retry_due_deliveries
from patron.webhooks.tests.factories import make_customer, make_subscription


def test_retry_due_deliveries_sends_only_the_due_ones(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    receiver.answer(500, 500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("ada@example.com", website=website)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("grace@example.com", website=website)
    due, not_due = Delivery.objects.order_by("pk")
    # The clock: the first one's retry time has come, the second waits about a minute more.
    Delivery.objects.filter(pk=due.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )

    # when
    result = retry_due_deliveries.enqueue()

    # then
    assert result.return_value == 1
    assert [request.headers["Patron-Delivery"] for request in receiver.requests] == [
        str(due.pk),
        str(not_due.pk),
        str(due.pk),
    ]
    due.refresh_from_db()
    not_due.refresh_from_db()
    assert (due.status, due.attempts) == (DeliveryStatus.SUCCEEDED, 2)
    assert (not_due.status, not_due.attempts) == (DeliveryStatus.RETRYING, 1)


def test_retry_due_deliveries_sends_what_a_resumed_subscription_held(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 1
    subscription = make_subscription(receiver.url)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("ada@example.com", website=website)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("grace@example.com", website=website)
    services.resume_subscription(subscription=subscription, actor=SYSTEM)

    # when
    result = retry_due_deliveries.enqueue()

    # then
    assert result.return_value == 2
    assert sorted(Delivery.objects.values_list("status", "attempts")) == [
        (DeliveryStatus.SUCCEEDED, 1),
        (DeliveryStatus.SUCCEEDED, 2),
    ]
    assert len(receiver.requests) == 3


def test_deliver_does_not_send_a_finished_delivery_again(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    delivery = Delivery.objects.get()

    # when
    result = deliver.enqueue(delivery.pk)

    # then
    assert result.return_value == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_a_delivery_deleted_after_queueing_ends_quietly(db):
    # when: its subscription (and so the delivery) was deleted before the worker took it
    outcome = deliver.call(987654)

    # then
    assert outcome == "gone"
