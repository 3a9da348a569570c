"""Erasure requests through the API, for integrations and for the signed-in customer."""

import pytest

from patron.core.actors import SYSTEM
from patron.credit import services as credit
from patron.customers import services as customers
from patron.privacy.models import ErasureRequest, ErasureState
from patron.testing.fixtures import bearer, make_integration_token, make_website

PERMISSIONS = [
    "privacy.add_erasurerequest",
    "privacy.change_erasurerequest",
    "privacy.view_erasurerequest",
]


@pytest.fixture
def customer(website_a):
    return customers.create_customer(
        website=website_a, email="ida@example.org", firstname="Ida", lastname="Berg", actor=SYSTEM
    )


@pytest.fixture
def integration(db):
    _token, secret = make_integration_token("Privacy", permissions=PERMISSIONS)
    return bearer(secret)


@pytest.fixture
def shopper(customer, view_a):
    token = customers.issue_customer_token(customer=customer)
    return {**bearer(token), "HTTP_X_PATRON_STORE": view_a.code}


def url(customer_id: int) -> str:
    return f"/api/v1/customers/{customer_id}/erasure"


def test_an_integration_requests_an_erasure(client, customer, integration):
    # when
    response = client.post(url(customer.pk), {}, content_type="application/json", **integration)

    # then
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["state"], body["customer_id"]) == ("pending", customer.pk)
    assert body["customer_ref"].startswith("ERASED-")


def test_store_credit_is_named_unless_forfeited(client, customer, website_a, integration):
    # given
    credit.update_balance(customer=customer, website=website_a, delta="10", actor=SYSTEM)

    # when
    refused = client.post(url(customer.pk), {}, content_type="application/json", **integration)
    accepted = client.post(
        url(customer.pk), {"forfeit_credit": True}, content_type="application/json",
        **integration,
    )  # fmt: skip

    # then
    assert (refused.status_code, refused.json()["code"]) == (409, "store_credit_remains")
    assert accepted.status_code == 202
    assert accepted.json()["forfeit_credit"] is True


def test_an_integration_cancels_a_pending_erasure(client, customer, integration):
    # given
    client.post(url(customer.pk), {}, content_type="application/json", **integration)

    # when
    response = client.delete(url(customer.pk), **integration)

    # then
    assert response.status_code == 200
    assert ErasureRequest.objects.get(customer=customer).state == ErasureState.CANCELLED


def test_requesting_needs_the_permission(client, customer):
    # given
    _token, secret = make_integration_token("Read", permissions=["privacy.view_erasurerequest"])

    # when
    response = client.post(url(customer.pk), {}, content_type="application/json", **bearer(secret))

    # then
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not ErasureRequest.objects.exists()


def test_a_website_limited_token_does_not_reach_other_websites(client, customer):
    # given
    other = make_website("other")
    _token, secret = make_integration_token("Other", permissions=PERMISSIONS, websites=[other])

    # when
    response = client.post(url(customer.pk), {}, content_type="application/json", **bearer(secret))

    # then
    assert response.status_code == 404
    assert not ErasureRequest.objects.exists()


def test_the_customer_requests_reads_and_cancels_their_own_erasure(client, customer, shopper):
    # when
    requested = client.post("/api/v1/me/erasure", **shopper)
    read = client.get("/api/v1/me/erasure", **shopper)
    cancelled = client.delete("/api/v1/me/erasure", **shopper)

    # then
    assert requested.status_code == 202
    assert read.json()["state"] == "pending"
    assert cancelled.json()["state"] == "cancelled"


def test_a_customer_with_store_credit_cannot_forfeit_it_themselves(
    client, customer, website_a, shopper
):
    # given
    credit.update_balance(customer=customer, website=website_a, delta="10", actor=SYSTEM)

    # when
    response = client.post(
        "/api/v1/me/erasure", {"forfeit_credit": True}, content_type="application/json", **shopper
    )

    # then
    assert (response.status_code, response.json()["code"]) == (409, "store_credit_remains")


def test_reading_without_a_request_says_so(client, customer, shopper):
    # when
    response = client.get("/api/v1/me/erasure", **shopper)

    # then
    assert (response.status_code, response.json()["code"]) == (404, "no_erasure")
