"""The shopper account API for headless storefronts: register, confirm, customer tokens, ``me``,
sign-out, forgot and reset password; error shapes and the ``X-Patron-Store`` header
(acceptance check 22 for Force Sign-In and tokens)."""

import types

import pytest
from django.core import mail

from patron.accounts import services
from patron.accounts.history import AccountKind
from patron.accounts.models import PasswordResetRequest
from patron.accounts.tests.factories import (
    CONFIRM_URL,
    PASSWORD,
    RESET_URL,
    link_in_email,
    make_shopper,
    query_of,
)
from patron.core.actors import SYSTEM
from patron.customers import services as customer_services
from patron.customers.history import TimelineKind
from patron.customers.models import Customer, CustomerToken, TaxClass
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import set_config

INVALID = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
NEUTRAL_FORGOT = "If there is an account associated with this email, you will receive a reset link."


def call(client, method: str, path: str, body=None, *, store="default", token=None):
    headers = {}
    if store is not None:
        headers["HTTP_X_PATRON_STORE"] = store
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return getattr(client, method)(
        f"/api/v1{path}", body, content_type="application/json", **headers
    )


def register_body(**overrides):
    return {
        "email": "ada@example.com",
        "password": PASSWORD,
        "firstname": "Ada",
        "lastname": "Lovelace",
        **overrides,
    }


def issue(client, email="ada@example.com", password=PASSWORD, store="default"):
    return call(client, "post", "/account/token", {"email": email, "password": password},
                store=store)  # fmt: skip


# --- Registration and confirmation --------------------------------------------------------------


def test_register_creates_the_account_and_sends_the_welcome_email(
    client, view_a, committed, emitted
):
    # when
    with committed():
        response = call(client, "post", "/account/register", register_body())

    # then
    assert response.status_code == 201
    customer = Customer.objects.get()
    body = response.json()
    assert body["confirmation_required"] is False
    assert {key: body["customer"][key] for key in (
        "id", "website_id", "group_id", "created_in", "email", "firstname", "lastname",
        "confirmed", "locked_until", "allow_remote_assistance",
    )} == {
        "id": customer.pk, "website_id": view_a.store.website_id, "group_id": 1,
        "created_in": "default", "email": "ada@example.com", "firstname": "Ada",
        "lastname": "Lovelace", "confirmed": True, "locked_until": None,
        "allow_remote_assistance": False,
    }  # fmt: skip
    assert OutboxMessage.objects.get().template_code == "customer_create_account_email_template"
    assert [name for name, _payload in emitted] == ["accountCreated"]
    assert customer.subscriptions.count() == 0


def test_register_with_the_newsletter_flag_subscribes_on_the_store_view(client, view_a):
    # when
    call(client, "post", "/account/register", register_body(newsletter=True))

    # then
    subscriber = Customer.objects.get().subscriptions.get()
    assert (subscriber.store_view_id, subscriber.status, subscriber.consent_source) == (
        view_a.pk,
        "subscribed",
        "registration",
    )


def test_register_reports_every_problem_at_once(client, view_a):
    # when
    response = call(
        client, "post", "/account/register", register_body(firstname="", password="abc")
    )

    # then
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": "3 values are not valid.",
        "errors": [
            {"code": "required", "message": "First Name is a required field.",
             "field": "firstname"},
            {"code": "password_too_short", "message": "Use at least 8 characters.",
             "field": "password", "params": {"minimum": 8}},
            {"code": "password_too_simple",
             "message": "Use at least 3 of these kinds of characters: lowercase letters, "
                        "uppercase letters, digits, special characters.",
             "field": "password", "params": {"classes": 3}},
        ],
    }  # fmt: skip
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("password", "status"), [("Abcdefg1", 400), ("Abcdef1!", 201)],
    ids=["three_classes_case", "four_classes_case"],
)  # fmt: skip
def test_register_applies_the_password_policy(client, view_a, password, status):
    # given (check 14)
    set_config({"customer/password/required_character_classes_number": 4})

    # when
    response = call(client, "post", "/account/register", register_body(password=password))

    # then
    assert response.status_code == status
    assert Customer.objects.count() == (1 if status == 201 else 0)


def test_register_refuses_a_taken_email(client, view_a, shopper):
    # when
    response = call(client, "post", "/account/register", register_body(email="Ada@Example.com"))

    # then
    assert response.status_code == 409
    assert response.json() == {
        "code": "email_taken",
        "message": "A customer with the email ada@example.com already exists.",
        "field": "email",
    }
    assert Customer.objects.count() == 1


def test_missing_fields_are_listed(client, view_a):
    # when
    response = call(client, "post", "/account/register", {"email": "ada@example.com"})

    # then
    assert response.status_code == 422
    assert sorted((e["code"], e["field"]) for e in response.json()["errors"]) == [
        ("missing", "firstname"),
        ("missing", "lastname"),
        ("missing", "password"),
    ]


@pytest.mark.parametrize(
    ("store", "status", "code"),
    [(None, 400, "store_required"), ("nope", 404, "unknown_store")],
    ids=["missing_header_case", "unknown_store_case"],
)
def test_calls_name_their_store_view(client, view_a, store, status, code):
    # when
    response = call(client, "post", "/account/register", register_body(), store=store)

    # then
    assert response.status_code == status
    assert (response.json()["code"], response.json()["field"]) == (code, "X-Patron-Store")
    assert Customer.objects.count() == 0


def test_register_on_a_store_view_of_another_website(client, view_a, view_b):
    # when
    response = call(client, "post", "/account/register", register_body(), store=view_b.code)

    # then
    assert response.status_code == 201
    assert response.json()["customer"]["website_id"] == view_b.store.website_id
    assert response.json()["customer"]["created_in"] == view_b.code


def test_confirmation_through_the_api(client, view_a, website_a, committed):
    # given
    set_config({"customer/create_account/confirm": True}, website=website_a)
    with committed():
        registered = call(client, "post", "/account/register", register_body())
    assert registered.json()["confirmation_required"] is True
    refused = issue(client)
    assert (refused.status_code, refused.json()["code"]) == (401, "not_confirmed")
    params = query_of(link_in_email(mail.outbox[-1], CONFIRM_URL))

    # when
    confirm = {"customer_id": int(params["id"]), "key": params["key"]}
    response = call(client, "post", "/account/confirm", confirm)
    again = call(client, "post", "/account/confirm", confirm)

    # then
    assert (response.status_code, response.json()) == (
        200,
        {"message": "Thank you for confirming your account. Please sign in with your email "
                    "and password."},
    )  # fmt: skip
    assert (again.status_code, again.json()["code"]) == (404, "invalid_confirmation")
    assert (
        OutboxMessage.objects.filter(
            template_code="customer_create_account_email_confirmed_template"
        ).count()
        == 1
    )
    assert issue(client).status_code == 201


@pytest.mark.parametrize(
    "email", ["ada@example.com", "nobody@example.com"], ids=["waiting_case", "unknown_case"]
)
def test_resend_confirmation_answers_the_same(client, view_a, website_a, email):
    # given
    set_config({"customer/create_account/confirm": True}, website=website_a)
    call(client, "post", "/account/register", register_body())
    before = OutboxMessage.objects.count()

    # when
    response = call(client, "post", "/account/confirmation", {"email": email})

    # then
    assert (response.status_code, response.json()) == (
        202,
        {"message": "If this email belongs to an account waiting for confirmation, a new link "
                    "was sent."},
    )  # fmt: skip
    assert OutboxMessage.objects.count() == before + (1 if email == "ada@example.com" else 0)


# --- Tokens, me and sign-out --------------------------------------------------------------------


def test_token_me_and_revoke(client, view_a, shopper, committed, emitted):
    # when
    with committed():
        issued = issue(client, email="ADA@example.com")

    # then
    assert issued.status_code == 201
    body = issued.json()
    token = body.pop("token")
    assert token.startswith("pct_")
    assert body == {"token_type": "Bearer", "expires_in": 3600}
    assert emitted == [
        ("signIn", {"customer_id": shopper.pk, "store_view_id": view_a.pk, "via": "api"})
    ]

    # when
    me = call(client, "get", "/me", token=token)

    # then
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["email"]) == (shopper.pk, "ada@example.com")

    # when
    with committed():
        revoked = call(client, "delete", "/account/token", token=token)
    after = call(client, "get", "/me", token=token)

    # then
    assert revoked.status_code == 204
    assert (after.status_code, after.json()["code"]) == (401, "not_authenticated")
    assert CustomerToken.objects.count() == 0
    assert emitted[-1] == ("signOut", {"customer_id": shopper.pk, "via": "api"})
    assert list(shopper.timeline.order_by("pk").values_list("kind", flat=True))[-2:] == [
        AccountKind.SIGNED_IN,
        AccountKind.SIGNED_OUT,
    ]


def test_revoking_one_token_keeps_the_others(client, view_a, shopper):
    # given
    first = issue(client).json()["token"]
    second = issue(client).json()["token"]

    # when
    call(client, "delete", "/account/token", token=first)

    # then
    assert call(client, "get", "/me", token=first).status_code == 401
    assert call(client, "get", "/me", token=second).status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "Wrong-password-1"), ("nobody@example.com", PASSWORD)],
    ids=["wrong_password_case", "unknown_email_case"],
)
def test_wrong_credentials_get_401(client, view_a, shopper, email, password):
    # when
    response = issue(client, email=email, password=password)

    # then
    assert (response.status_code, response.json()) == (
        401,
        {"code": "invalid_credentials", "message": INVALID},
    )
    assert CustomerToken.objects.count() == 0


def test_token_endpoint_follows_the_lockout(client, view_a, shopper):
    # given
    set_config({"customer/password/lockout_failures": 3})
    for _attempt in range(3):
        issue(client, password="Wrong-password-1")

    # when
    response = issue(client)

    # then
    assert (response.status_code, response.json()["code"]) == (401, "invalid_credentials")
    shopper.refresh_from_db()
    assert services.is_locked(shopper) is True
    assert CustomerToken.objects.count() == 0


def test_token_endpoint_refuses_an_excluded_group(client, view_a, website_a):
    # given
    group = customer_services.create_group(
        code="Wholesale only", tax_class=TaxClass.objects.filter(kind="customer").first(),
        excluded_websites=[website_a], actor=SYSTEM,
    )  # fmt: skip
    make_shopper(store_view=view_a, group=group)

    # when
    response = issue(client)

    # then
    assert (response.status_code, response.json()["code"]) == (403, "group_excluded")


def test_per_website_token_endpoint_and_tokens_stay_on_their_website(
    client, view_a, view_b, shopper
):
    # when
    on_b = issue(client, store=view_b.code)
    token = issue(client).json()["token"]
    me_on_b = call(client, "get", "/me", token=token, store=view_b.code)

    # then
    assert (on_b.status_code, on_b.json()["code"]) == (401, "invalid_credentials")
    assert me_on_b.status_code == 401


def test_global_token_endpoint_signs_in_on_every_website(client, view_a, view_b, shopper):
    # given
    set_config({"customer/account_share/scope": "global"})

    # when
    on_b = issue(client, store=view_b.code)

    # then
    assert on_b.status_code == 201
    me = call(client, "get", "/me", token=on_b.json()["token"], store=view_b.code)
    assert me.json()["id"] == shopper.pk


def test_me_needs_the_store_header(client, view_a, shopper):
    # given
    token = issue(client).json()["token"]

    # when
    response = call(client, "get", "/me", token=token, store=None)

    # then
    assert (response.status_code, response.json()["code"]) == (400, "store_required")


def test_force_sign_in_revokes_every_token(client, view_a, shopper):
    # given (check 22)
    tokens = [issue(client).json()["token"] for _ in range(2)]

    # when
    revoked = services.force_sign_in(customer=shopper, actor=SYSTEM)

    # then
    assert revoked == 2
    assert [call(client, "get", "/me", token=t).status_code for t in tokens] == [401, 401]
    entry = shopper.timeline.get(kind=TimelineKind.TOKENS_REVOKED)
    assert entry.params == {"count": 2}


@pytest.fixture
def frozen_clock(monkeypatch):
    now = 1_800_000_100.0
    monkeypatch.setattr("patron.core.ratelimit.time", types.SimpleNamespace(time=lambda: now))
    return now


def test_token_endpoint_answers_429_after_thirty_attempts_from_one_ip(
    client, view_a, shopper, frozen_clock
):
    # given
    for n in range(30):
        assert issue(client, email=f"victim{n}@example.com").status_code == 401

    # when
    response = issue(client)

    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "500"
    assert response.json() == {
        "code": "too_many_attempts",
        "message": "Too many sign-in attempts from your network. Try again in 8 minutes.",
    }
    assert CustomerToken.objects.count() == 0


# --- Forgot and reset ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["ada@example.com", "nobody@example.com"], ids=["known_case", "unknown_case"]
)
def test_forgot_answers_the_same_for_every_email(client, view_a, shopper, email):
    # when
    response = call(client, "post", "/account/password/forgot", {"email": email})

    # then
    assert (response.status_code, response.json()) == (202, {"message": NEUTRAL_FORGOT})
    assert OutboxMessage.objects.count() == (1 if email == "ada@example.com" else 0)


def test_forgot_is_throttled_with_retry_after(client, view_a, shopper):
    # given
    call(client, "post", "/account/password/forgot", {"email": shopper.email})

    # when
    response = call(client, "post", "/account/password/forgot", {"email": shopper.email})

    # then
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert response.json() == {
        "code": "reset_requested_too_soon",
        "message": "Please wait 10 minutes between password reset requests.",
    }
    assert OutboxMessage.objects.count() == 1


def test_reset_through_the_api(client, view_a, shopper, committed):
    # given
    with committed():
        call(client, "post", "/account/password/forgot", {"email": shopper.email})
    params = query_of(link_in_email(mail.outbox[-1], RESET_URL))
    body = {"request_id": int(params["id"]), "token": params["token"]}

    # when
    weak = call(client, "post", "/account/password/reset", {**body, "password": "abcdefgh"})

    # then
    assert (weak.status_code, weak.json()["code"]) == (400, "password_too_simple")
    assert PasswordResetRequest.objects.get().used_at is None

    # when
    done = call(client, "post", "/account/password/reset", {**body, "password": "Newer-pass-2"})
    again = call(client, "post", "/account/password/reset", {**body, "password": "Third-pass-3"})

    # then
    assert (done.status_code, done.json()) == (200, {"message": "You updated your password."})
    assert (again.status_code, again.json()["code"]) == (404, "invalid_reset_link")
    assert issue(client, password=PASSWORD).status_code == 401
    assert issue(client, password="Newer-pass-2").status_code == 201
    assert OutboxMessage.objects.order_by("pk").last().template_code == (
        "customer_password_reset_password_template"
    )
