"""Newsletter subscriptions: customers and guest emails per store view, consent, double
opt-in."""

import datetime as dt

import pytest
from django.utils import timezone

from patron.core.actors import SYSTEM, Actor
from patron.core.errors import InvalidInput, NotFound
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import ConsentSource, NewsletterSubscriber, SubscriberStatus
from patron.testing.fixtures import make_store_view


@pytest.fixture
def view_a_fr(website_a):
    return make_store_view(website_a, "default_fr", "fr", name="French")


def subscription_rows():
    return sorted(
        NewsletterSubscriber.objects.values_list(
            "email", "store_view__code", "status", "customer_id"
        )
    )


def newsletter_timeline(customer):
    return list(
        customer.timeline.filter(kind=TimelineKind.NEWSLETTER_CHANGED)
        .order_by("pk")
        .values_list("params", flat=True)
    )


def test_statuses_are_the_four_of_the_back_office(db):
    # then
    assert SubscriberStatus.choices == [
        ("subscribed", "Subscribed"),
        ("not_activated", "Not Activated"),
        ("unsubscribed", "Unsubscribed"),
        ("unconfirmed", "Unconfirmed"),
    ]


def test_subscribing_a_customer_records_consent_and_timeline(
    customer, view_a, django_capture_on_commit_callbacks, emitted
):
    # given
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        subscriber, code = services.subscribe_newsletter(
            store_view=view_a,
            customer=customer,
            actor=Actor.customer(customer),
            source=ConsentSource.REGISTRATION,
        )

    # then
    subscriber.refresh_from_db()
    assert code is None
    assert (subscriber.email, subscriber.status, subscriber.consent_source) == (
        "ada@example.com",
        SubscriberStatus.SUBSCRIBED,
        ConsentSource.REGISTRATION,
    )
    assert started <= subscriber.consent_at <= timezone.now()
    assert subscriber.status_changed_at == subscriber.consent_at
    assert newsletter_timeline(customer) == [
        {"store_view": "default", "status": "subscribed", "source": "registration"}
    ]
    assert emitted == [
        (
            "newsletterChanged",
            {
                "subscriber_id": subscriber.pk,
                "customer_id": customer.pk,
                "store_view_id": view_a.pk,
                "website_id": view_a.store.website_id,
                "status": "subscribed",
                "actor": Actor.customer(customer).as_fields(),
            },
        )
    ]


def test_subscribing_again_changes_nothing(customer, view_a):
    # given
    first, _code = services.subscribe_newsletter(
        store_view=view_a, customer=customer, actor=SYSTEM, source=ConsentSource.ACCOUNT
    )

    # when
    again, code = services.subscribe_newsletter(
        store_view=view_a, customer=customer, actor=SYSTEM, source=ConsentSource.API
    )

    # then
    assert (again.pk, code) == (first.pk, None)
    again.refresh_from_db()
    assert again.consent_source == ConsentSource.ACCOUNT
    assert len(newsletter_timeline(customer)) == 1


def test_double_opt_in_waits_as_not_activated_until_confirmed(customer, view_a):
    # when
    pending, code = services.subscribe_newsletter(
        store_view=view_a,
        customer=customer,
        actor=SYSTEM,
        source=ConsentSource.ACCOUNT,
        require_confirmation=True,
    )
    waiting = (pending.status, pending.consent_at)
    confirmed = services.confirm_newsletter(subscriber_id=pending.pk, code=code, actor=SYSTEM)

    # then
    assert waiting == (SubscriberStatus.NOT_ACTIVATED, None)
    assert len(code) == 32
    confirmed.refresh_from_db()
    assert confirmed.status == SubscriberStatus.SUBSCRIBED
    assert confirmed.consent_at is not None
    assert confirmed.confirm_code_digest == ""
    assert newsletter_timeline(customer) == [
        {"store_view": "default", "status": "not_activated", "source": "account"},
        {"store_view": "default", "status": "subscribed", "source": "email_link"},
    ]


@pytest.mark.parametrize(
    "attempt", ["wrong", "reused"], ids=["wrong_code_case", "reused_code_case"]
)
def test_wrong_or_reused_confirmation_code_is_refused(customer, view_a, attempt):
    # given
    pending, code = services.subscribe_newsletter(
        store_view=view_a,
        customer=customer,
        actor=SYSTEM,
        source=ConsentSource.ACCOUNT,
        require_confirmation=True,
    )
    if attempt == "reused":
        services.confirm_newsletter(subscriber_id=pending.pk, code=code, actor=SYSTEM)
    before = subscription_rows(), newsletter_timeline(customer)

    # when
    with pytest.raises(NotFound) as error:
        services.confirm_newsletter(
            subscriber_id=pending.pk, code=code if attempt == "reused" else code + "x", actor=SYSTEM
        )

    # then
    assert error.value.code == "invalid_confirmation"
    assert (subscription_rows(), newsletter_timeline(customer)) == before


def test_unsubscribing_one_store_view_keeps_the_others(customer, view_a, view_a_fr):
    # given
    for view in (view_a, view_a_fr):
        services.subscribe_newsletter(
            store_view=view, customer=customer, actor=SYSTEM, source=ConsentSource.ACCOUNT
        )

    # when
    changed = services.unsubscribe_newsletter(
        customer=customer, store_view=view_a_fr, actor=SYSTEM, source=ConsentSource.ACCOUNT
    )

    # then
    assert changed == 1
    assert subscription_rows() == [
        ("ada@example.com", "default", "subscribed", customer.pk),
        ("ada@example.com", "default_fr", "unsubscribed", customer.pk),
    ]
    assert newsletter_timeline(customer)[-1] == {
        "store_view": "default_fr",
        "status": "unsubscribed",
        "source": "account",
    }


def test_unsubscribing_everywhere_counts_only_active_subscriptions(customer, view_a, view_a_fr):
    # given
    services.subscribe_newsletter(
        store_view=view_a, customer=customer, actor=SYSTEM, source=ConsentSource.ACCOUNT
    )
    services.subscribe_newsletter(
        store_view=view_a_fr,
        customer=customer,
        actor=SYSTEM,
        source=ConsentSource.ACCOUNT,
        require_confirmation=True,
    )

    # when
    first = services.unsubscribe_newsletter(
        customer=customer, actor=SYSTEM, source=ConsentSource.BACK_OFFICE
    )
    second = services.unsubscribe_newsletter(
        customer=customer, actor=SYSTEM, source=ConsentSource.BACK_OFFICE
    )

    # then
    assert (first, second) == (2, 0)
    assert {status for _e, _v, status, _c in subscription_rows()} == {"unsubscribed"}
    assert len(newsletter_timeline(customer)) == 4


def test_guest_email_subscribes_without_a_customer(
    view_a, django_capture_on_commit_callbacks, emitted
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        subscriber, _code = services.subscribe_newsletter(
            store_view=view_a,
            email=" Guest@Example.com ",
            actor=SYSTEM,
            source=ConsentSource.GUEST_FORM,
        )

    # then
    assert subscription_rows() == [("guest@example.com", "default", "subscribed", None)]
    assert subscriber.consent_source == ConsentSource.GUEST_FORM
    assert [(name, payload["customer_id"]) for name, payload in emitted] == [
        ("newsletterChanged", None)
    ]


def test_guest_email_unsubscribes_by_email(view_a):
    # given
    services.subscribe_newsletter(
        store_view=view_a, email="guest@example.com", actor=SYSTEM, source=ConsentSource.GUEST_FORM
    )

    # when
    changed = services.unsubscribe_newsletter(
        email="GUEST@example.com", actor=SYSTEM, source=ConsentSource.EMAIL_LINK
    )

    # then
    assert changed == 1
    assert subscription_rows() == [("guest@example.com", "default", "unsubscribed", None)]


def test_guest_subscription_joins_the_customer_with_that_email(view_a, customer):
    # given
    guest, _code = services.subscribe_newsletter(
        store_view=view_a, email="ada@example.com", actor=SYSTEM, source=ConsentSource.GUEST_FORM
    )
    services.unsubscribe_newsletter(
        email="ada@example.com", actor=SYSTEM, source=ConsentSource.EMAIL_LINK
    )

    # when
    joined, _code = services.subscribe_newsletter(
        store_view=view_a, customer=customer, actor=SYSTEM, source=ConsentSource.ACCOUNT
    )

    # then
    assert joined.pk == guest.pk
    assert subscription_rows() == [("ada@example.com", "default", "subscribed", customer.pk)]


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"email": "", "source": ConsentSource.GUEST_FORM}, "required", "email"),
        ({"email": "guest@example.com", "source": "carrier_pigeon"}, "invalid_source", "source"),
    ],
    ids=["no_email_case", "unknown_source_case"],
)
def test_subscription_needs_an_email_and_a_known_source(view_a, kwargs, code, field):
    # when
    with pytest.raises(InvalidInput) as error:
        services.subscribe_newsletter(store_view=view_a, actor=SYSTEM, **kwargs)

    # then
    assert (error.value.code, error.value.field) == (code, field)
    assert NewsletterSubscriber.objects.count() == 0


def test_consent_time_is_kept_when_unsubscribing(customer, view_a):
    # given
    subscriber, _code = services.subscribe_newsletter(
        store_view=view_a, customer=customer, actor=SYSTEM, source=ConsentSource.ACCOUNT
    )
    consent_at = subscriber.consent_at

    # when
    services.unsubscribe_newsletter(customer=customer, actor=SYSTEM, source=ConsentSource.ACCOUNT)

    # then
    subscriber.refresh_from_db()
    assert subscriber.consent_at == consent_at
    assert subscriber.status_changed_at - consent_at < dt.timedelta(minutes=1)
