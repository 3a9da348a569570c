"""The JSON documents receivers get, field by field as docs/webhooks.md documents them, read
from the raw bodies a real receiver recorded."""

import datetime as dt
import json

from django.utils import timezone

from patron.accounts.services import record_sign_in, record_sign_out
from patron.core.actors import SYSTEM
from patron.customers.models import ConsentSource, Customer, CustomerGroup
from patron.customers.services import (
    change_group,
    delete_address,
    delete_customer,
    subscribe_newsletter,
    update_customer,
)
from patron.webhooks import services
from patron.webhooks.models import Delivery
from patron.webhooks.tests.factories import make_address, make_customer, make_subscription


def documented_customer(customer: Customer) -> dict:
    """The ``customer`` object of docs/webhooks.md, as the customer is now."""
    customer.refresh_from_db()
    return {
        "id": customer.pk,
        "email": customer.email,
        "firstname": customer.firstname,
        "lastname": customer.lastname,
        "website_id": customer.website_id,
        "group_id": customer.group_id,
        "is_active": customer.is_active,
        "created_at": customer.created_at.isoformat(),
        "updated_at": customer.updated_at.isoformat(),
    }


def only_body(receiver, started: dt.datetime) -> dict:
    """Return the one document received, after checking its ``occurred_at`` lies in the test."""
    [request] = receiver.requests
    body = json.loads(request.body)
    occurred_at = dt.datetime.fromisoformat(body.pop("occurred_at"))
    assert started <= occurred_at <= timezone.now()
    return body


def test_account_created(receiver, website, django_capture_on_commit_callbacks):
    # given
    make_subscription(receiver.url, events=["accountCreated"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_customer("ada@example.com", website=website)

    # then
    assert only_body(receiver, started) == {
        "id": str(Delivery.objects.get().event_id),
        "type": "accountCreated",
        "version": 1,
        "website_id": website.pk,
        "data": {"customer": documented_customer(customer)},
    }


def test_account_updated_lists_the_changed_fields(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    customer = make_customer(website=website)
    make_subscription(receiver.url, events=["accountUpdated"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        update_customer(customer=customer, lastname="King", firstname="Augusta", actor=SYSTEM)

    # then
    assert only_body(receiver, started) == {
        "id": str(Delivery.objects.get().event_id),
        "type": "accountUpdated",
        "version": 1,
        "website_id": website.pk,
        "data": {"customer": documented_customer(customer), "changed": ["firstname", "lastname"]},
    }


def test_account_deleted_carries_the_snapshot_taken_before_deletion(
    receiver, website, django_capture_on_commit_callbacks
):
    # given
    customer = make_customer("ada@example.com", website=website)
    customer_id = customer.pk
    make_subscription(receiver.url, events=["accountDeleted"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        delete_customer(customer=customer, actor=SYSTEM)

    # then
    assert only_body(receiver, started) == {
        "id": str(Delivery.objects.get().event_id),
        "type": "accountDeleted",
        "version": 1,
        "website_id": website.pk,
        "data": {
            "customer": {
                "id": customer_id,
                "email": "ada@example.com",
                "name": "Ada Lovelace",
                "website_id": website.pk,
            }
        },
    }


def test_address_saved(receiver, website, django_capture_on_commit_callbacks):
    # given
    customer = make_customer(website=website)
    make_subscription(receiver.url, events=["addressSaved"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        address = make_address(customer)

    # then: the address as stored (the customers app normalizes telephone and region)
    address.refresh_from_db()
    assert (address.street, address.city, address.country_id) == (
        ["12 Analytical Row"],
        "Boston",
        "US",
    )
    assert only_body(receiver, started) == {
        "id": str(Delivery.objects.get().event_id),
        "type": "addressSaved",
        "version": 1,
        "website_id": website.pk,
        "data": {
            "customer": documented_customer(customer),
            "address_id": address.pk,
            "address": {
                "id": address.pk,
                "firstname": address.firstname,
                "lastname": address.lastname,
                "company": address.company,
                "street": address.street,
                "city": address.city,
                "country_id": address.country_id,
                "region": address.region,
                "postcode": address.postcode,
                "telephone": address.telephone,
            },
        },
    }


def test_address_deleted_has_no_address_left(receiver, website, django_capture_on_commit_callbacks):
    # given
    customer = make_customer(website=website)
    address = make_address(customer)
    address_id = address.pk
    make_subscription(receiver.url, events=["addressDeleted"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        delete_address(address=address, actor=SYSTEM)

    # then
    assert only_body(receiver, started) == {
        "id": str(Delivery.objects.get().event_id),
        "type": "addressDeleted",
        "version": 1,
        "website_id": website.pk,
        "data": {
            "customer": documented_customer(customer),
            "address_id": address_id,
            "address": None,
        },
    }


def test_group_changed(receiver, website, django_capture_on_commit_callbacks):
    # given
    customer = make_customer(website=website)
    wholesale = CustomerGroup.objects.get(code="Wholesale")
    make_subscription(receiver.url, events=["groupChanged"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        change_group(customer=customer, group=wholesale, actor=SYSTEM)

    # then
    body = only_body(receiver, started)
    assert body == {
        "id": str(Delivery.objects.get().event_id),
        "type": "groupChanged",
        "version": 1,
        "website_id": website.pk,
        "data": {"customer": documented_customer(customer), "group_id": wholesale.pk},
    }
    assert body["data"]["customer"]["group_id"] == wholesale.pk


def test_newsletter_changed(receiver, website, store_view, django_capture_on_commit_callbacks):
    # given
    customer = make_customer("ada@example.com", website=website)
    make_subscription(receiver.url, events=["newsletterChanged"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        subscriber, _code = subscribe_newsletter(
            store_view=store_view,
            customer=customer,
            source=ConsentSource.BACK_OFFICE,
            actor=SYSTEM,
        )

    # then
    subscriber.refresh_from_db()
    assert only_body(receiver, started) == {
        "id": str(Delivery.objects.get().event_id),
        "type": "newsletterChanged",
        "version": 1,
        "website_id": website.pk,
        "data": {
            "customer": documented_customer(customer),
            "subscription": {
                "email": "ada@example.com",
                "store_view": "default",
                "status": "subscribed",
                "consent_at": subscriber.consent_at.isoformat(),
            },
        },
    }


def test_sign_in(receiver, website, store_view, django_capture_on_commit_callbacks):
    # given
    customer = make_customer(website=website)
    make_subscription(receiver.url, events=["signIn"])
    started = timezone.now()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        record_sign_in(customer=customer, store_view=store_view, via="api")

    # then
    assert only_body(receiver, started) == {
        "id": str(Delivery.objects.get().event_id),
        "type": "signIn",
        "version": 1,
        "website_id": website.pk,
        "data": {"customer": documented_customer(customer), "via": "api"},
    }


def test_no_payload_carries_passwords_hashes_tokens_or_secrets(
    receiver, website, store_view, django_capture_on_commit_callbacks
):
    # given
    subscription = make_subscription(receiver.url, events=services.available_events())
    plaintext = "Correct-Horse-Battery-9"

    # when
    with django_capture_on_commit_callbacks(execute=True):
        customer = make_customer(website=website, password=plaintext)
    with django_capture_on_commit_callbacks(execute=True):
        update_customer(customer=customer, firstname="Augusta", actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        make_address(customer)
    with django_capture_on_commit_callbacks(execute=True):
        change_group(
            customer=customer, group=CustomerGroup.objects.get(code="Retailer"), actor=SYSTEM
        )
    with django_capture_on_commit_callbacks(execute=True):
        subscribe_newsletter(
            store_view=store_view, customer=customer, source=ConsentSource.API, actor=SYSTEM
        )
    with django_capture_on_commit_callbacks(execute=True):
        record_sign_in(customer=customer, store_view=store_view)
    with django_capture_on_commit_callbacks(execute=True):
        record_sign_out(customer=customer)
    password_hash = Customer.objects.get(pk=customer.pk).password
    with django_capture_on_commit_callbacks(execute=True):
        delete_customer(customer=customer, actor=SYSTEM)

    # then
    assert [request.headers["Patron-Event"] for request in receiver.requests] == [
        "accountCreated",
        "accountUpdated",
        "addressSaved",
        "groupChanged",
        "newsletterChanged",
        "signIn",
        "signOut",
        "accountDeleted",
    ]
    assert password_hash.startswith("md5$")
    for request in receiver.requests:
        raw = request.body.lower()
        assert password_hash.encode().lower() not in raw
        assert plaintext.encode().lower() not in raw
        assert subscription.secret.encode().lower() not in raw
        for word in (b"password", b"hash", b"token", b"secret"):
            assert word not in raw
