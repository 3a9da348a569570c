"""Manual redelivery: the same event again, as a new delivery."""

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import Conflict
from patron.webhooks import services
from patron.webhooks.models import Delivery, DeliveryStatus
from patron.webhooks.tests.factories import make_customer, make_subscription


def test_redelivery_sends_the_same_event_again_as_a_new_delivery(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    original = Delivery.objects.get()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        copy = services.redeliver(delivery=original, actor=SYSTEM)

    # then
    copy.refresh_from_db()
    assert copy.pk != original.pk
    assert (copy.event_id, copy.event_type, copy.payload) == (
        original.event_id,
        original.event_type,
        original.payload,
    )
    assert (copy.status, copy.attempts, copy.response_code) == (DeliveryStatus.SUCCEEDED, 1, 200)
    first, second = receiver.requests
    assert second.body == first.body
    assert second.headers["Idempotency-Key"] == str(original.event_id)
    assert second.headers["Patron-Delivery"] == str(copy.pk)


def test_a_failed_delivery_can_be_redelivered(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    receiver.answer(410)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    original = Delivery.objects.get()
    assert original.status == DeliveryStatus.FAILED

    # when
    with django_capture_on_commit_callbacks(execute=True):
        copy = services.redeliver(delivery=original, actor=SYSTEM)

    # then
    copy.refresh_from_db()
    assert (copy.event_id, copy.status) == (original.event_id, DeliveryStatus.SUCCEEDED)
    assert [request.headers["Idempotency-Key"] for request in receiver.requests] == [
        str(original.event_id),
        str(original.event_id),
    ]


def test_redelivering_a_delivery_still_in_progress_is_refused(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    make_subscription(receiver.url)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    retrying = Delivery.objects.get()

    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Conflict) as error,
    ):
        services.redeliver(delivery=retrying, actor=SYSTEM)

    # then
    assert error.value.code == "delivery_in_progress"
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1
