"""The shopper API behind the same pages (``patron.accounts.api``): PATCH /me, the password and
email changes, the email confirmation, formatted addresses and a country's address rules. Every
call names its store view in ``X-Patron-Store``; /me calls carry a customer token."""

import pytest
from django.core import mail

from patron.accounts.tests.factories import link_in_email, query_of
from patron.core.actors import SYSTEM
from patron.customers.models import Customer
from patron.customers.services import check_customer_password, issue_customer_token
from patron.customers.tests.factories import make_address, make_customer
from patron.dashboard.tests.factories import EMAIL_CONFIRM_URL, NEW_PASSWORD, PASSWORD
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import set_config

WRONG_PASSWORD = "The password doesn't match this account. Verify the password and try again."


@pytest.fixture
def token(shopper):
    return issue_customer_token(customer=shopper)


def call(client, method, path, body=None, *, token=None, store="default"):
    headers = {"HTTP_X_PATRON_STORE": store}
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return getattr(client, method)(
        f"/api/v1{path}", body, content_type="application/json", **headers
    )


def fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/me"),
        ("post", "/me/password"),
        ("post", "/me/email"),
        ("get", "/me/addresses/1/formatted"),
    ],
)
def test_me_operations_need_a_customer_token(client, shopper, method, path):
    # when
    response = call(client, method, path, {})

    # then
    assert response.status_code == 401


def test_patch_me_changes_the_given_fields_only(client, shopper, token, website_a):
    # given
    set_config({"customer/address/dob_show": "opt"}, website=website_a)

    # when
    response = call(
        client, "patch", "/me", {"firstname": "Augusta", "dob": "1815-12-10"}, token=token
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["firstname"], body["lastname"], body["email"], body["dob"]) == (
        "Augusta",
        "Lovelace",
        "ada@example.com",
        "1815-12-10",
    )
    customer = fresh(shopper)
    assert (customer.firstname, customer.lastname, str(customer.dob)) == (
        "Augusta",
        "Lovelace",
        "1815-12-10",
    )


def test_patch_me_refuses_a_blank_name(client, shopper, token):
    # when
    response = call(client, "patch", "/me", {"lastname": " "}, token=token)

    # then
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "required", "message": "Last Name is a required field.", "field": "lastname"}
    ]
    assert fresh(shopper).lastname == "Lovelace"


def test_a_wrong_current_password_is_refused(
    client, shopper, token, django_capture_on_commit_callbacks
):
    # given
    before = fresh(shopper).password

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client, "post", "/me/password",
            {"current_password": "Not-my-password-1", "password": NEW_PASSWORD}, token=token,
        )  # fmt: skip

    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "wrong_current_password",
        "message": WRONG_PASSWORD,
        "field": "current_password",
    }
    assert fresh(shopper).password == before
    assert mail.outbox == []


def test_a_new_password_breaking_the_policy_is_refused(client, shopper, token):
    # given: check 43
    before = fresh(shopper).password

    # when
    response = call(
        client, "post", "/me/password",
        {"current_password": PASSWORD, "password": "short"}, token=token,
    )  # fmt: skip

    # then
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == [
        "password_too_short",
        "password_too_simple",
    ]
    assert fresh(shopper).password == before


def test_changing_the_password(client, shopper, token, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client, "post", "/me/password",
            {"current_password": PASSWORD, "password": NEW_PASSWORD}, token=token,
        )  # fmt: skip

    # then
    assert response.status_code == 204
    assert check_customer_password(fresh(shopper), NEW_PASSWORD) is True
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_changing_the_email_waits_for_the_confirmation(
    client, shopper, token, django_capture_on_commit_callbacks
):
    # when: check 42
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client, "post", "/me/email",
            {"email": "ada.new@example.com", "current_password": PASSWORD}, token=token,
        )  # fmt: skip

    # then
    assert response.status_code == 202
    assert response.json() == {"message": "A confirmation link was sent to the new address."}
    assert fresh(shopper).email == "ada@example.com"
    [sent] = mail.outbox
    assert sent.to == ["ada.new@example.com"]
    key = query_of(link_in_email(sent, EMAIL_CONFIRM_URL))["key"]
    assert key not in OutboxMessage.objects.get().body_text

    # when
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = call(
            client, "post", "/account/email/confirm", {"customer_id": shopper.pk, "key": key}
        )

    # then
    assert confirmed.status_code == 200
    assert confirmed.json() == {"message": "Your email address has been changed."}
    assert fresh(shopper).email == "ada.new@example.com"
    assert [m.to for m in mail.outbox] == [["ada.new@example.com"], ["ada@example.com"]]

    # when: the same link again
    reused = call(client, "post", "/account/email/confirm", {"customer_id": shopper.pk, "key": key})

    # then
    assert reused.status_code == 404
    assert reused.json()["code"] == "invalid_email_change"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param(
            {"email": "ada.new@example.com", "current_password": "Not-my-password-1"},
            400,
            "wrong_current_password",
            id="wrong_password_case",
        ),
        pytest.param(
            {"email": "grace@example.com", "current_password": PASSWORD},
            400,
            "email_taken",
            id="taken_case",
        ),
        pytest.param(
            {"email": "not-an-email", "current_password": PASSWORD},
            400,
            "invalid_email",
            id="invalid_case",
        ),
    ],
)
def test_a_refused_email_change_sends_nothing(
    client, shopper, token, view, django_capture_on_commit_callbacks, body, status, code
):
    # given
    make_customer("grace@example.com", store_view=view)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = call(client, "post", "/me/email", body, token=token)

    # then
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert fresh(shopper).pending_email == ""
    assert mail.outbox == []


def test_formatted_address_in_all_four_formats(client, shopper, token):
    # given
    address = make_address(shopper)

    # when
    response = call(client, "get", f"/me/addresses/{address.pk}/formatted", token=token)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "text": "Ada Lovelace\n12 Analytical Row\nBoston,  Massachusetts, 02108\nUnited States\n"
        "T: +1 617-555-0100",
        "oneline": "Ada Lovelace, 12 Analytical Row, Boston, Massachusetts 02108, United States",
        "html": "Ada Lovelace<br>\n12 Analytical Row<br>\nBoston,  Massachusetts, 02108<br>\n"
        'United States<br>\nT: <a href="tel:+1 617-555-0100">+1 617-555-0100</a>',
        "pdf": "Ada Lovelace|12 Analytical Row|Boston, Massachusetts, 02108|United States|"
        "T: +1 617-555-0100",
    }


def test_another_customers_address_is_not_found(client, token, view):
    # given
    theirs = make_address(make_customer("grace@example.com", store_view=view, actor=SYSTEM))

    # when
    response = call(client, "get", f"/me/addresses/{theirs.pk}/formatted", token=token)

    # then
    assert response.status_code == 404


def test_country_rules(client, view):
    # when
    response = call(client, "get", "/countries/us")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["country_id"] == "US"
    assert (body["region_required"], body["postcode_required"]) == (True, True)
    assert {"code": "MA", "name": "Massachusetts"} in body["regions"]
    assert body["postcode_examples"][0] == "95014"


def test_country_rules_of_a_country_without_regions(client, view):
    # when
    response = call(client, "get", "/countries/DE")

    # then
    assert response.json() == {
        "country_id": "DE",
        "regions": [],
        "region_required": False,
        "postcode_required": True,
        "postcode_examples": ["26133", "53225"],
    }
