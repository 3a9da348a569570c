"""Erasure from the back-office Privacy section and from the shopper's Privacy page."""

import pytest

from patron.core.actors import SYSTEM
from patron.credit import services as credit
from patron.customers.tests.factories import make_customer
from patron.dashboard.tests.factories import PASSWORD, signed_in
from patron.privacy.models import ErasureRequest, ErasureState
from patron.testing.fixtures import make_staff_user

PAGE = "/customer/privacy/"
SECTION_PERMISSIONS = ["customers.view_customer", "privacy.view_dataexport"]
ERASURE = [
    "privacy.view_erasurerequest",
    "privacy.add_erasurerequest",
    "privacy.change_erasurerequest",
]


@pytest.fixture
def shopper(view_a):
    return make_customer("ada@example.com", store_view=view_a, password=PASSWORD)


def section_url(customer) -> str:
    return f"/admin/customers/customer/{customer.pk}/change/?section=privacy"


def staff(client, *permissions, username="officer"):
    user = make_staff_user(username, permissions=[*SECTION_PERMISSIONS, *permissions])
    client.force_login(user)
    return client


def test_staff_see_the_erasure_block_only_with_its_permission(client, shopper):
    # when
    without = staff(client).get(section_url(shopper)).content.decode()
    client.logout()
    viewer = staff(client, "privacy.view_erasurerequest", username="viewer")
    with_view = viewer.get(section_url(shopper))

    # then
    assert "Erase Customer Data" not in without
    page = with_view.content.decode()
    assert "Erase Customer Data" in page
    assert 'value="request_erasure"' not in page  # viewing is not requesting


def test_staff_request_an_erasure_after_confirming(client, shopper):
    # given
    staff(client, *ERASURE)

    # when
    unconfirmed = client.post(section_url(shopper), {"action": "request_erasure"}, follow=True)
    confirmed = client.post(
        section_url(shopper), {"action": "request_erasure", "confirm": "yes"}, follow=True
    )

    # then
    assert "Tick the box" in unconfirmed.content.decode()
    assert ErasureRequest.objects.get(customer=shopper).state == ErasureState.PENDING
    assert "Cancel Erasure" in confirmed.content.decode()


def test_staff_are_told_about_store_credit_and_may_forfeit_it(client, shopper, website_a):
    # given
    credit.update_balance(customer=shopper, website=website_a, delta="15", actor=SYSTEM)
    staff(client, *ERASURE)

    # when
    page = client.get(section_url(shopper)).content.decode()
    refused = client.post(
        section_url(shopper), {"action": "request_erasure", "confirm": "yes"}, follow=True
    )
    accepted = client.post(
        section_url(shopper),
        {"action": "request_erasure", "confirm": "yes", "forfeit_credit": "yes"},
    )

    # then
    assert 'name="forfeit_credit"' in page
    assert "still has store credit" in refused.content.decode()
    assert accepted.status_code == 302
    assert ErasureRequest.objects.get(customer=shopper).forfeit_credit is True


def test_staff_cancel_a_pending_erasure(client, shopper):
    # given
    staff(client, *ERASURE)
    client.post(section_url(shopper), {"action": "request_erasure", "confirm": "yes"})

    # when
    client.post(section_url(shopper), {"action": "cancel_erasure"})

    # then
    assert ErasureRequest.objects.get(customer=shopper).state == ErasureState.CANCELLED


def test_requesting_needs_the_permission(client, shopper):
    # given
    staff(client, "privacy.view_erasurerequest")

    # when
    response = client.post(section_url(shopper), {"action": "request_erasure", "confirm": "yes"})

    # then
    assert response.status_code == 403
    assert not ErasureRequest.objects.exists()


def test_the_customer_asks_for_erasure_and_cancels_it(client, shopper):
    # given
    signed_in(client, shopper)

    # when
    asked = client.post(PAGE, {"action": "request_erasure", "confirm": "yes"}, follow=True)
    pending = ErasureRequest.objects.get(customer=shopper).state
    client.post(PAGE, {"action": "cancel_erasure"})

    # then
    assert pending == ErasureState.PENDING
    assert "Cancel the Erasure" in asked.content.decode()
    assert ErasureRequest.objects.get(customer=shopper).state == ErasureState.CANCELLED


def test_a_customer_with_store_credit_is_asked_to_contact_the_store(client, shopper, website_a):
    # given
    credit.update_balance(customer=shopper, website=website_a, delta="15", actor=SYSTEM)
    signed_in(client, shopper)

    # when
    page = client.get(PAGE).content.decode()
    client.post(PAGE, {"action": "request_erasure", "confirm": "yes"})

    # then
    assert "Please contact us" in page
    assert 'value="request_erasure"' not in page
    assert not ErasureRequest.objects.exists()
