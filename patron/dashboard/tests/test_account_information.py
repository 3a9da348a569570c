"""Account Information (spec b §15, acceptance checks 42 and 43): names, the password change
with the current password and the password policy, and the email change confirmed from a link
sent to the new address, with the Change Email (and Password) notice to the old one."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client

from patron.accounts.history import AccountKind
from patron.accounts.tests.factories import link_in_email, query_of
from patron.core.actors import SYSTEM
from patron.customers.models import Customer
from patron.customers.services import check_customer_password, create_customer
from patron.dashboard.tests.factories import (
    ACCOUNT_URL,
    EDIT_URL,
    EMAIL_CONFIRM_URL,
    LOGIN_URL,
    NEW_PASSWORD,
    PASSWORD,
    field_named,
    messages_of,
)
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import set_config

WRONG_PASSWORD = "The password doesn't match this account. Verify the password and try again."
BAD_LINK = "This email change link is not valid or has expired."


def account_form(**overrides):
    return {"firstname": "Ada", "lastname": "Lovelace", **overrides}


def password_change(password=NEW_PASSWORD, confirmation=None, current=PASSWORD, **overrides):
    return account_form(
        change_password="on",
        current_password=current,
        password=password,
        password_confirmation=password if confirmation is None else confirmation,
        **overrides,
    )


def email_change(email="ada.new@example.com", current=PASSWORD, **overrides):
    return account_form(change_email="on", email=email, current_password=current, **overrides)


def fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def sign_in(client: Client, email: str, password: str):
    return client.post(LOGIN_URL, {"email": email, "password": password})


def signed_in(client: Client) -> bool:
    return client.get(ACCOUNT_URL).status_code == 200


# --- Names -------------------------------------------------------------------------------------


def test_the_form_shows_the_names_and_the_email(shopper_client):
    # when
    response = shopper_client.get(f"{EDIT_URL}?changepass=1")

    # then
    assert response.status_code == 200
    assert field_named(response, "firstname")["value"] == "Ada"
    assert field_named(response, "lastname")["value"] == "Lovelace"
    assert field_named(response, "email")["value"] == "ada@example.com"
    assert "checked" in field_named(response, "change_password")
    assert "checked" not in field_named(response, "change_email")
    assert field_named(response, "password")["autocomplete"] == "new-password"


def test_names_are_saved(shopper_client, shopper):
    # when
    response = shopper_client.post(EDIT_URL, account_form(firstname="Augusta", lastname="King"))

    # then
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT_URL
    assert messages_of(response) == [("success", "You saved the account information.")]
    customer = fresh(shopper)
    assert (customer.firstname, customer.lastname, customer.email) == (
        "Augusta",
        "King",
        "ada@example.com",
    )
    assert mail.outbox == []


def test_a_blank_name_is_refused(shopper_client, shopper):
    # when
    response = shopper_client.post(EDIT_URL, account_form(lastname=""))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"lastname": ["This field is required."]}
    assert fresh(shopper).lastname == "Lovelace"


# --- Password ----------------------------------------------------------------------------------


def test_changing_the_password_needs_the_current_one(shopper_client, shopper, committed):
    # given
    before = fresh(shopper).password

    # when
    with committed():
        response = shopper_client.post(
            EDIT_URL, password_change(current="Not-my-password-1", firstname="Augusta")
        )

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"current_password": [WRONG_PASSWORD]}
    customer = fresh(shopper)
    assert (customer.password, customer.firstname) == (before, "Ada")
    assert mail.outbox == []
    assert signed_in(shopper_client)


@pytest.mark.parametrize(
    ("password", "confirmation", "errors"),
    [
        pytest.param(
            "Ab1!xyz", None, {"password": ["Use at least 8 characters."]}, id="too_short_case"
        ),
        pytest.param(
            "abcdefgh1",
            None,
            {
                "password": [
                    "Use at least 3 of these kinds of characters: lowercase letters, "
                    "uppercase letters, digits, special characters."
                ]
            },
            id="two_classes_case",
        ),
        pytest.param(
            NEW_PASSWORD,
            "Zyxwvut2!",
            {"password_confirmation": ["Please enter the same password twice."]},
            id="mismatch_case",
        ),
    ],
)
def test_a_new_password_breaking_the_policy_is_refused(
    shopper_client, shopper, committed, password, confirmation, errors
):
    # given: check 43
    before = fresh(shopper).password

    # when
    with committed():
        response = shopper_client.post(EDIT_URL, password_change(password, confirmation))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    assert fresh(shopper).password == before
    assert mail.outbox == []


def test_the_policy_follows_the_configuration(shopper_client, shopper):
    # given
    set_config(
        {
            "customer/password/minimum_password_length": 12,
            "customer/password/required_character_classes_number": 4,
        }
    )

    # when
    response = shopper_client.post(EDIT_URL, password_change("abcdefgh1X"))

    # then
    assert response.context["form"].errors == {
        "password": [
            "Use at least 12 characters.",
            "Use at least 4 of these kinds of characters: lowercase letters, uppercase letters, "
            "digits, special characters.",
        ]
    }


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    shopper_client, shopper, committed
):
    # given: the same shopper signed in on a second device
    other_device = Client()
    sign_in(other_device, shopper.email, PASSWORD)
    assert signed_in(other_device)

    # when
    with committed():
        response = shopper_client.post(EDIT_URL, password_change())

    # then
    assert response.status_code == 302
    assert messages_of(response) == [
        ("success", "You saved the new password."),
        ("success", "You saved the account information."),
    ]
    customer = fresh(shopper)
    assert check_customer_password(customer, NEW_PASSWORD) is True
    assert check_customer_password(customer, PASSWORD) is False
    assert signed_in(shopper_client)
    assert not signed_in(other_device)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ada@example.com"], "Your Main Website password was changed")
    ]
    assert list(
        customer.timeline.filter(kind=AccountKind.PASSWORD_CHANGED).values_list(
            "actor_kind", "actor_id"
        )
    ) == [("customer", customer.pk)]


# --- Email -------------------------------------------------------------------------------------


def test_changing_the_email_needs_the_current_password(shopper_client, shopper, committed):
    # when: check 42
    with committed():
        response = shopper_client.post(EDIT_URL, email_change(current="Not-my-password-1"))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {"current_password": [WRONG_PASSWORD]}
    customer = fresh(shopper)
    assert (customer.email, customer.pending_email) == ("ada@example.com", "")
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == 0


def test_changing_the_email_sends_a_link_to_the_new_address(shopper_client, shopper, committed):
    # when: check 42
    with committed():
        response = shopper_client.post(EDIT_URL, email_change())

    # then: nothing changes before the link is opened
    assert response.status_code == 302
    assert messages_of(response) == [
        (
            "info",
            "We sent a link to ada.new@example.com. Your email address changes when you open it.",
        ),
        ("success", "You saved the account information."),
    ]
    customer = fresh(shopper)
    assert (customer.email, customer.pending_email) == ("ada@example.com", "ada.new@example.com")
    [sent] = mail.outbox
    assert sent.to == ["ada.new@example.com"]
    assert sent.subject == "Confirm your new email address for Main Website"
    link = link_in_email(sent, EMAIL_CONFIRM_URL)
    key = query_of(link)["key"]
    assert query_of(link)["id"] == str(shopper.pk)
    stored = OutboxMessage.objects.get()
    assert (stored.recipients, stored.has_secrets) == (["ada.new@example.com"], True)
    assert key not in stored.body_text
    assert "[redacted]" in stored.body_text
    edit_page = shopper_client.get(EDIT_URL)
    assert (
        "Your email address changes to ada.new@example.com once you open the link we sent there."
        in edit_page.content.decode()
    )


def test_opening_the_link_changes_the_email_and_notifies_the_old_address(
    shopper_client, shopper, committed
):
    # given
    with committed():
        shopper_client.post(EDIT_URL, email_change(), follow=True)
    link = link_in_email(mail.outbox[0], EMAIL_CONFIRM_URL)

    # when
    with committed():
        response = shopper_client.get(link)

    # then
    assert response.status_code == 302
    assert response["Location"] == ACCOUNT_URL
    assert messages_of(response) == [
        ("success", "Your email address has been changed. Use it the next time you sign in.")
    ]
    customer = fresh(shopper)
    assert (customer.email, customer.pending_email, customer.pending_email_key_digest) == (
        "ada.new@example.com",
        "",
        "",
    )
    notice = mail.outbox[1]
    assert (notice.to, notice.subject) == (
        ["ada@example.com"],
        "Your Main Website email address was changed",
    )
    assert "was changed to ada.new@example.com" in notice.body
    assert OutboxMessage.objects.filter(recipients=["ada@example.com"]).get().template_code == (
        "customer_account_information_change_email_template"
    )
    assert signed_in(shopper_client)
    assert sign_in(Client(), "ada.new@example.com", PASSWORD).status_code == 302


def test_changing_both_sends_the_email_and_password_notice_after_confirming(
    shopper_client, shopper, committed
):
    # given
    with committed():
        response = shopper_client.post(
            EDIT_URL, {**password_change(), **email_change()}, follow=True
        )
    assert response.redirect_chain == [(ACCOUNT_URL, 302)]
    assert check_customer_password(fresh(shopper), NEW_PASSWORD) is True
    assert fresh(shopper).email == "ada@example.com"
    link = link_in_email(mail.outbox[0], EMAIL_CONFIRM_URL)

    # when
    with committed():
        Client().get(link)

    # then
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ada.new@example.com"], "Confirm your new email address for Main Website"),
        (["ada@example.com"], "Your Main Website password was changed"),
        (["ada@example.com"], "Your Main Website email address and password were changed"),
    ]
    assert list(OutboxMessage.objects.order_by("pk").values_list("template_code", flat=True)) == [
        "customer_account_information_change_email_confirmation_template",
        "customer_password_reset_password_template",
        "customer_account_information_change_email_and_password_template",
    ]
    assert fresh(shopper).email == "ada.new@example.com"


@pytest.mark.parametrize(
    ("config", "change", "errors"),
    [
        pytest.param(
            {},
            {**password_change("short"), **email_change()},
            {
                "password": [
                    "Use at least 8 characters.",
                    "Use at least 3 of these kinds of characters: lowercase letters, "
                    "uppercase letters, digits, special characters.",
                ]
            },
            id="bad_new_password_case",
        ),
        pytest.param(
            {},
            {**password_change(), **email_change("grace@example.com")},
            {"email": ["A customer with the email grace@example.com already exists."]},
            id="taken_email_case",
        ),
        pytest.param(
            # Date of Birth required but left empty: refused by the profile update, after
            # the email and password steps.
            {"customer/address/dob_show": "req"},
            {**password_change(), **email_change()},
            {"dob": ["Date of Birth is a required field."]},
            id="missing_date_of_birth_case",
        ),
    ],
)
def test_a_refused_part_of_a_combined_change_changes_nothing(
    shopper_client, shopper, view, committed, config, change, errors
):
    # given
    create_customer(
        website=view.store.website, email="grace@example.com", firstname="Grace",
        lastname="Hopper", actor=SYSTEM,
    )  # fmt: skip
    set_config(config)
    before = fresh(shopper).password

    # when
    with committed():
        response = shopper_client.post(EDIT_URL, change)

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == errors
    customer = fresh(shopper)
    assert (customer.password, customer.pending_email) == (before, "")
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == 0
    assert signed_in(shopper_client)


def test_a_used_link_is_refused(shopper_client, shopper, committed):
    # given
    with committed():
        shopper_client.post(EDIT_URL, email_change(), follow=True)
    link = link_in_email(mail.outbox[0], EMAIL_CONFIRM_URL)
    shopper_client.get(link, follow=True)

    # when
    with committed():
        response = shopper_client.get(link)

    # then
    assert response["Location"] == EDIT_URL
    assert messages_of(response) == [("error", BAD_LINK)]
    assert len(mail.outbox) == 1


def test_an_expired_link_is_refused(shopper_client, shopper, committed):
    # given: requested 25 hours ago
    with committed():
        shopper_client.post(EDIT_URL, email_change(), follow=True)
    link = link_in_email(mail.outbox[0], EMAIL_CONFIRM_URL)
    Customer.objects.filter(pk=shopper.pk).update(
        pending_email_requested_at=fresh(shopper).pending_email_requested_at
        - dt.timedelta(hours=25)
    )

    # when
    with committed():
        response = shopper_client.get(link)

    # then
    assert messages_of(response) == [("error", BAD_LINK)]
    assert fresh(shopper).email == "ada@example.com"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("id={id}&key=wrong", id="wrong_key_case"),
        pytest.param("id=abc&key=wrong", id="bad_id_case"),
        pytest.param("", id="no_query_case"),
    ],
)
def test_a_forged_link_is_refused(shopper_client, shopper, committed, query):
    # given
    with committed():
        shopper_client.post(EDIT_URL, email_change(), follow=True)

    # when
    response = shopper_client.get(f"{EMAIL_CONFIRM_URL}?{query.format(id=shopper.pk)}")

    # then
    assert messages_of(response) == [("error", BAD_LINK)]
    assert fresh(shopper).email == "ada@example.com"


def test_an_email_of_another_account_is_refused(shopper_client, shopper, view, committed):
    # given
    create_customer(
        website=view.store.website, email="grace@example.com", firstname="Grace",
        lastname="Hopper", actor=SYSTEM,
    )  # fmt: skip

    # when
    with committed():
        response = shopper_client.post(EDIT_URL, email_change("Grace@Example.com"))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "email": ["A customer with the email grace@example.com already exists."]
    }
    assert fresh(shopper).pending_email == ""
    assert mail.outbox == []


def test_an_email_taken_before_the_link_is_opened_is_refused(
    shopper_client, shopper, view, committed
):
    # given
    with committed():
        shopper_client.post(EDIT_URL, email_change(), follow=True)
    link = link_in_email(mail.outbox[0], EMAIL_CONFIRM_URL)
    create_customer(
        website=view.store.website, email="ada.new@example.com", firstname="Other",
        lastname="Ada", actor=SYSTEM,
    )  # fmt: skip

    # when
    with committed():
        response = shopper_client.get(link)

    # then
    assert response.status_code == 302
    assert response["Location"] == EDIT_URL
    assert messages_of(response) == [
        ("error", "A customer with the email ada.new@example.com already exists.")
    ]
    assert fresh(shopper).email == "ada@example.com"
    assert len(mail.outbox) == 1
