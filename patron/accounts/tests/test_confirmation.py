"""Email confirmation of new accounts (spec a §10; acceptance checks 1 and 2), resending the link,
and used or invalid links."""

import pytest
from django.core import mail

from patron.accounts import services
from patron.accounts.history import AccountKind
from patron.accounts.tests.factories import (
    CONFIRM_URL,
    CONFIRMATION_URL,
    CREATE_URL,
    LOGIN_URL,
    PASSWORD,
    is_signed_in,
    link_in_email,
    query_of,
    registration_data,
    sign_in,
)
from patron.core.errors import NotFound
from patron.customers.models import Customer
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import set_config

CONFIRM = "customer/create_account/confirm"
NOT_CONFIRMED = (
    "This account is not confirmed. Open the link in the confirmation email, or ask for a new one."
)
CONFIRMED = "Thank you for confirming your account. Please sign in with your email and password."
INVALID_LINK = "This confirmation link is not valid or was already used."


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def templates_sent() -> list[str]:
    return list(OutboxMessage.objects.order_by("pk").values_list("template_code", flat=True))


@pytest.fixture
def confirmation_on(website_a):
    set_config({CONFIRM: True}, website=website_a)


@pytest.fixture
def registered(client, view_a, confirmation_on, committed):
    """Register ada@example.com on a website that requires confirmation; return the link."""
    with committed():
        # Followed, as a browser does, so that the page shows (and uses up) its message.
        client.post(CREATE_URL, registration_data(), follow=True)
    return link_in_email(mail.outbox[-1], CONFIRM_URL)


def test_registration_sends_the_confirmation_email_and_does_not_sign_in(
    client, view_a, confirmation_on, committed, emitted
):
    # given (check 1)

    # when
    with committed():
        response = client.post(CREATE_URL, registration_data(), follow=True)

    # then
    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert messages_of(response) == [
        "You must confirm your account. Please check your email for the confirmation link."
    ]
    customer = Customer.objects.get()
    assert (customer.confirmation_required, customer.confirmed_at) == (True, None)
    message = OutboxMessage.objects.get()
    assert (message.template_code, message.sender, message.recipients, message.subject) == (
        "customer_create_account_email_confirmation_template",
        "Owner <owner@example.com>",
        ["ada@example.com"],
        "Please confirm your Main Website account",
    )
    # The outbox keeps a redacted copy; the sent message carries the link.
    assert "[redacted]" in message.body_text
    link = link_in_email(mail.outbox[-1], CONFIRM_URL)
    assert query_of(link)["id"] == str(customer.pk)
    assert is_signed_in(client) is False
    assert [name for name, _payload in emitted] == ["accountCreated"]


def test_unconfirmed_account_cannot_sign_in_and_is_offered_a_new_link(client, registered):
    # given (check 1)
    customer = Customer.objects.get()

    # when
    response = sign_in(client, "ada@example.com")

    # then
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [NOT_CONFIRMED]
    assert response.context["not_confirmed"] is True
    assert f'href="{CONFIRMATION_URL}?email=ada%40example.com"' in response.content.decode()
    assert is_signed_in(client) is False
    assert not customer.timeline.filter(kind=AccountKind.SIGNED_IN).exists()


def test_confirmation_applies_only_to_the_website_that_requires_it(
    client, view_a, view_b, confirmation_on
):
    # when
    response = client.post(f"/{view_b.code}{CREATE_URL}", registration_data())

    # then
    assert response.status_code == 302
    assert Customer.objects.get().is_confirmed is True
    assert templates_sent() == ["customer_create_account_email_template"]


def test_confirmation_link_confirms_sends_the_welcome_email_and_does_not_sign_in(
    client, registered, committed
):
    # given (check 2)
    customer = Customer.objects.get()

    # when
    with committed():
        response = client.get(registered, follow=True)

    # then
    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert messages_of(response) == [CONFIRMED]
    customer.refresh_from_db()
    assert customer.confirmed_at is not None
    assert customer.confirmation_key_digest == ""
    assert templates_sent() == [
        "customer_create_account_email_confirmation_template",
        "customer_create_account_email_confirmed_template",
    ]
    welcome = mail.outbox[-1]
    assert (welcome.subject, welcome.to, welcome.from_email) == (
        "Welcome to Main Website",
        ["ada@example.com"],
        "Owner <owner@example.com>",
    )
    assert is_signed_in(client) is False
    assert customer.timeline.filter(kind=AccountKind.EMAIL_CONFIRMED).count() == 1

    # when
    signed_in = sign_in(client, "ada@example.com", PASSWORD)

    # then
    assert signed_in.status_code == 302
    assert is_signed_in(client) is True


def test_used_confirmation_link_is_refused(client, registered):
    # given
    client.get(registered, follow=True)
    confirmed_at = Customer.objects.get().confirmed_at

    # when
    response = client.get(registered, follow=True)

    # then
    assert response.redirect_chain == [(CONFIRMATION_URL, 302)]
    assert messages_of(response) == [INVALID_LINK]
    assert Customer.objects.get().confirmed_at == confirmed_at
    assert templates_sent().count("customer_create_account_email_confirmed_template") == 1


@pytest.mark.parametrize(
    "query",
    ["id={id}&key=wrong-key", "id=notanumber&key={key}", "id=0&key={key}", "id={id}&key="],
    ids=["wrong_key_case", "bad_id_case", "unknown_id_case", "empty_key_case"],
)
def test_invalid_confirmation_link_is_refused(client, registered, query):
    # given
    customer = Customer.objects.get()
    key = query_of(registered)["key"]

    # when
    response = client.get(f"{CONFIRM_URL}?{query.format(id=customer.pk, key=key)}", follow=True)

    # then
    assert messages_of(response) == [INVALID_LINK]
    customer.refresh_from_db()
    assert customer.confirmed_at is None
    assert templates_sent() == ["customer_create_account_email_confirmation_template"]


def test_resending_issues_a_new_link_and_kills_the_old_one(client, registered, committed):
    # given
    old_link = registered

    # when
    with committed():
        response = client.post(CONFIRMATION_URL, {"email": "ada@example.com"}, follow=True)

    # then
    assert messages_of(response) == [
        "If ada@example.com belongs to an account waiting for confirmation, we sent a new "
        "confirmation link."
    ]
    new_link = link_in_email(mail.outbox[-1], CONFIRM_URL)
    assert new_link != old_link
    assert templates_sent() == ["customer_create_account_email_confirmation_template"] * 2

    # when
    old = client.get(old_link, follow=True)

    # then
    assert messages_of(old) == [INVALID_LINK]
    assert Customer.objects.get().confirmed_at is None

    # when
    new = client.get(new_link, follow=True)

    # then
    assert messages_of(new) == [CONFIRMED]
    assert Customer.objects.get().confirmed_at is not None


@pytest.mark.parametrize(
    "email", ["nobody@example.com", "grace@example.com"], ids=["unknown_case", "confirmed_case"]
)
def test_resending_answers_the_same_and_sends_nothing_for_other_emails(
    client, view_a, confirmation_on, email
):
    # given: grace registered before confirmation was required
    services.register_customer(
        store_view=view_a, email="grace@example.com", password=PASSWORD,
        password_confirmation=PASSWORD, firstname="Grace", lastname="Hopper",
    )  # fmt: skip
    Customer.objects.filter(email="grace@example.com").update(confirmation_required=False)
    before = OutboxMessage.objects.count()

    # when
    response = client.post(CONFIRMATION_URL, {"email": email}, follow=True)

    # then
    assert messages_of(response) == [
        f"If {email} belongs to an account waiting for confirmation, we sent a new "
        "confirmation link."
    ]
    assert OutboxMessage.objects.count() == before


def test_confirm_service_refuses_a_used_key(registered):
    # given
    params = query_of(registered)
    services.confirm_email(customer_id=int(params["id"]), key=params["key"])

    # when
    with pytest.raises(NotFound) as error:
        services.confirm_email(customer_id=int(params["id"]), key=params["key"])

    # then
    assert error.value.code == "invalid_confirmation"
