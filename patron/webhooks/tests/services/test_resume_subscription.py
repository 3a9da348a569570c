"""Resuming a paused subscription releases what it held."""

from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.webhooks import services
from patron.webhooks.models import Delivery
from patron.webhooks.tests.factories import make_customer, make_subscription


def test_resuming_makes_the_waiting_deliveries_due_at_once(
    receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 1
    subscription = make_subscription(receiver.url)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("ada@example.com", website=website)
    retrying = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        make_customer("grace@example.com", website=website)
    held = Delivery.objects.exclude(pk=retrying.pk).get()

    # when
    resumed = services.resume_subscription(subscription=subscription, actor=SYSTEM)

    # then
    assert (resumed.paused_at, resumed.pause_reason, resumed.consecutive_failures) == (None, "", 0)
    assert sorted(services.due_deliveries(now=timezone.now())) == sorted([retrying.pk, held.pk])
