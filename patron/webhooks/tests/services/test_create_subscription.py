"""Checks on new subscriptions: target URL safety and known events."""

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.webhooks import services
from patron.webhooks.models import Subscription
from patron.webhooks.tests.factories import make_subscription


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "http://10.0.0.5/", "http://[::1]/", "http://169.254.169.254/"],
    ids=["loopback_case", "private_case", "ipv6_loopback_case", "link_local_case"],
)
def test_private_and_loopback_targets_are_refused_unless_allowed(db, settings, url):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    # when
    with pytest.raises(InvalidInput) as error:
        make_subscription(url)

    # then
    assert (error.value.code, error.value.field) == ("private_address", "target_url")
    assert Subscription.objects.count() == 0


def test_a_private_target_is_accepted_when_the_setting_allows_it(db, settings):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True

    # when
    subscription = make_subscription("http://10.0.0.5/hook")

    # then
    assert (
        Subscription.objects.get().target_url == subscription.target_url == "http://10.0.0.5/hook"
    )


def test_plain_http_is_refused_in_production(db, settings):
    # given
    settings.PRODUCTION = True

    # when
    with pytest.raises(InvalidInput) as error:
        make_subscription("http://93.184.216.34/hook")

    # then
    assert (error.value.code, error.value.field) == ("insecure_url", "target_url")
    assert Subscription.objects.count() == 0


def test_a_public_https_address_is_accepted_in_production(db, settings):
    # given
    settings.PRODUCTION = True
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False

    # when
    subscription = make_subscription("https://93.184.216.34/hook")

    # then
    assert Subscription.objects.get() == subscription
    assert len(subscription.secret) == 43


def test_unknown_events_and_missing_fields_are_reported_together(db):
    # when
    with pytest.raises(InvalidInput) as error:
        services.create_subscription(
            name=" ", target_url="ftp://example.com/", events=["accountCreated", "orderPlaced"],
            actor=SYSTEM,
        )  # fmt: skip

    # then
    assert [(p.code, p.field, str(p.message)) for p in error.value.problems] == [
        ("required", "name", "Give the subscription a name."),
        ("invalid_url", "target_url", "Enter a valid web address."),
        ("unknown_event", "events", "Unknown events: orderPlaced."),
    ]
    assert Subscription.objects.count() == 0


def test_an_unknown_event_is_refused(db, receiver):
    # when
    with pytest.raises(InvalidInput) as error:
        make_subscription(receiver.url, events=["orderPlaced"])

    # then
    assert (error.value.code, error.value.field, error.value.message) == (
        "unknown_event",
        "events",
        "Unknown events: orderPlaced.",
    )
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    "url",
    ["https://93.184.216.34:99999/hook", "https://93.184.216.34:port/hook"],
    ids=["out_of_range_case", "not_a_number_case"],
)
@pytest.mark.parametrize("allow_private", [True, False], ids=["allowed_case", "refused_case"])
def test_a_target_with_a_bad_port_is_refused(db, settings, url, allow_private):
    # given
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = allow_private

    # when
    with pytest.raises(InvalidInput) as error:
        make_subscription(url)

    # then
    assert (error.value.code, error.value.field) == ("invalid_url", "target_url")
    assert Subscription.objects.count() == 0
