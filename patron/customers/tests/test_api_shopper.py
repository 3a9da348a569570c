"""Shopper API: a customer token reaches only its own account, on a store view it may use."""

import datetime as dt
import json

import pytest

from patron.core.actors import SYSTEM
from patron.customers import services
from patron.customers.models import Address, ConsentSource
from patron.customers.tests.factories import (
    address_data,
    make_address,
    make_customer,
    share_accounts,
    shopper_headers,
)
from patron.testing.fixtures import make_integration_token, make_store_view


@pytest.fixture
def token(customer):
    return services.issue_customer_token(customer=customer)


@pytest.fixture
def other(view_a):
    other = make_customer("grace@example.com", store_view=view_a, firstname="Grace")
    make_address(other, street=["1 Navy Yard"])
    return other


def call(client, method, url, token, store="default", payload=None):
    kwargs = shopper_headers(token, store)
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def test_me_returns_the_calling_customer(client, customer, token, other):
    # when
    response = call(client, "get", "/api/v1/me", token)

    # then
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["email"]) == (customer.pk, "ada@example.com")


@pytest.mark.parametrize("url", ["/api/v1/me", "/api/v1/me/addresses", "/api/v1/me/newsletter"])
def test_missing_store_header_is_refused(client, token, url):
    # when
    response = call(client, "get", url, token, store=None)

    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "store_required",
        "message": "Send the store view code in the X-Patron-Store header.",
        "field": "X-Patron-Store",
    }


def test_unknown_store_is_not_found(client, token):
    # when
    response = call(client, "get", "/api/v1/me", token, store="atlantis")

    # then
    assert response.status_code == 404
    assert (response.json()["code"], response.json()["field"]) == (
        "unknown_store",
        "X-Patron-Store",
    )


def _no_token(customer):
    return None


def _garbage_token(customer):
    return "pct_nope_nope"


def _integration_token(customer):
    return make_integration_token(permissions=["customers.view_customer"])[1]


def _expired_token(customer):
    return services.issue_customer_token(customer=customer, lifetime=dt.timedelta(seconds=-1))


def _token_of_deactivated_customer(customer):
    secret = services.issue_customer_token(customer=customer)
    services.update_customer(customer=customer, is_active=False, actor=SYSTEM)
    return secret


@pytest.mark.parametrize(
    "credential",
    [_no_token, _garbage_token, _integration_token, _expired_token, _token_of_deactivated_customer],
    ids=["none_case", "garbage_case", "integration_case", "expired_case", "inactive_case"],
)
def test_calls_without_a_valid_customer_token_are_unauthenticated(client, customer, credential):
    # given
    secret = credential(customer)
    kwargs = shopper_headers(secret, "default") if secret else {"HTTP_X_PATRON_STORE": "default"}

    # when
    response = client.get("/api/v1/me", **kwargs)

    # then
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Sign in or send a valid API token.",
    }


def test_address_list_holds_only_the_customers_own_addresses(client, customer, token, other):
    # given
    own = make_address(customer)

    # when
    response = call(client, "get", "/api/v1/me/addresses", token)

    # then
    assert [(a["id"], a["street"]) for a in response.json()] == [(own.pk, ["12 Analytical Row"])]


@pytest.mark.parametrize(
    ("method", "payload"),
    [("patch", {"city": "Stolen"}), ("delete", None)],
    ids=["patch_case", "delete_case"],
)
def test_another_customers_address_is_not_found(client, token, other, method, payload):
    # given
    address = other.addresses.get()

    # when
    response = call(client, method, f"/api/v1/me/addresses/{address.pk}", token, payload=payload)

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "address_not_found"
    address.refresh_from_db()
    assert address.city == "Boston"
    assert list(Address.objects.values_list("customer_id", flat=True)) == [other.pk]


def test_customer_manages_own_addresses(client, customer, token):
    # when
    created = call(client, "post", "/api/v1/me/addresses", token, payload=address_data())
    address_id = created.json()["id"]
    patched = call(
        client, "patch", f"/api/v1/me/addresses/{address_id}", token, payload={"postcode": "02109"}
    )
    deleted = call(client, "delete", f"/api/v1/me/addresses/{address_id}", token)

    # then
    assert created.status_code == 201
    assert (created.json()["is_default_billing"], created.json()["is_default_shipping"]) == (
        True,
        True,
    )
    assert (patched.status_code, patched.json()["postcode"]) == (200, "02109")
    assert deleted.status_code == 204
    assert list(customer.timeline.order_by("pk").values_list("kind", "actor_kind"))[1:] == [
        ("address_added", "customer"),
        ("default_address_changed", "customer"),
        ("address_updated", "customer"),
        ("address_deleted", "customer"),
    ]


def test_invalid_address_is_refused_naming_the_field(client, customer, token):
    # when
    response = call(
        client, "post", "/api/v1/me/addresses", token, payload=address_data(telephone="")
    )

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("required", "telephone")
    assert customer.addresses.count() == 0


def test_customer_subscribes_on_the_store_view_of_the_header(client, customer, token, website_a):
    # given
    make_store_view(website_a, "default_fr", "fr", name="French")

    # when
    subscribed = call(
        client,
        "put",
        "/api/v1/me/newsletter",
        token,
        store="default_fr",
        payload={"subscribed": True},
    )
    listed = call(client, "get", "/api/v1/me/newsletter", token)

    # then
    assert subscribed.status_code == 200
    assert [
        (s["store_view"], s["email"], s["status"], s["consent_source"]) for s in listed.json()
    ] == [("default_fr", "ada@example.com", "subscribed", "api")]


def test_newsletter_list_holds_only_the_customers_own_subscriptions(
    client, customer, token, other, view_a
):
    # given
    services.subscribe_newsletter(
        store_view=view_a, customer=other, actor=SYSTEM, source=ConsentSource.ACCOUNT
    )

    # when
    response = call(client, "get", "/api/v1/me/newsletter", token)

    # then
    assert response.json() == []


def test_token_of_website_a_is_rejected_on_website_b_per_website(client, token, view_b):
    # when
    response = call(client, "get", "/api/v1/me", token, store="second_en")

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_token_of_website_a_is_accepted_on_website_b_when_accounts_are_global(
    client, customer, token, view_b
):
    # given
    share_accounts("global")

    # when
    response = call(client, "get", "/api/v1/me", token, store="second_en")

    # then
    assert response.status_code == 200
    assert response.json()["id"] == customer.pk
