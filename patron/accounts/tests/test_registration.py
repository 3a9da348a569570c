"""Shopper registration on the storefront page (spec a §10, §11, §15; acceptance checks 3, 5, 24,
28, 37 and 39 for the registration page)."""

import pytest
from django.test import Client

from patron.accounts.history import AccountKind
from patron.accounts.tests.factories import (
    ACCOUNT_URL,
    CREATE_URL,
    field_named,
    form_elements,
    is_signed_in,
    make_shopper,
    registration_data,
)
from patron.customers.history import TimelineKind
from patron.customers.models import (
    ConsentSource,
    Customer,
    NewsletterSubscriber,
    SubscriberStatus,
    TimelineEntry,
)
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import make_store_view, set_config

DEFAULT_GROUP = "customer/create_account/default_group"


def form_fields(response) -> list[str]:
    return [
        element["name"]
        for element in form_elements(response)
        if element["tag"] in ("input", "select") and element.get("name")
    ]


def test_registration_without_confirmation_sends_the_welcome_email_and_signs_in(
    client, view_a, committed, emitted, mailoutbox
):
    # given (check 3): "Require Emails Confirmation" is off by default

    # when
    with committed():
        response = client.post(CREATE_URL, registration_data())

    # then
    assert (response.status_code, response["Location"]) == (302, ACCOUNT_URL)
    customer = Customer.objects.get()
    assert (customer.email, customer.firstname, customer.lastname) == (
        "ada@example.com",
        "Ada",
        "Lovelace",
    )
    assert (customer.confirmation_required, customer.is_confirmed) == (False, True)
    message = OutboxMessage.objects.get()
    assert (
        message.template_code,
        message.sender,
        message.recipients,
        message.subject,
        message.language,
        message.customer_id,
    ) == (
        "customer_create_account_email_template",
        "Owner <owner@example.com>",
        ["ada@example.com"],
        "Welcome to Main Website",
        "en",
        customer.pk,
    )
    assert [(m.subject, m.to, m.from_email) for m in mailoutbox] == [
        ("Welcome to Main Website", ["ada@example.com"], "Owner <owner@example.com>")
    ]
    assert is_signed_in(client) is True
    assert [name for name, _payload in emitted] == ["accountCreated", "signIn"]
    assert emitted[1][1] == {"customer_id": customer.pk, "store_view_id": view_a.pk,
                             "via": "registration"}  # fmt: skip
    assert list(customer.timeline.order_by("pk").values_list("kind", flat=True)) == [
        TimelineKind.ACCOUNT_CREATED,
        AccountKind.SIGNED_IN,
    ]


def test_welcome_email_comes_from_the_configured_sender(client, view_a):
    # given
    set_config({"customer/create_account/email_identity": "sales"})

    # when
    client.post(CREATE_URL, registration_data())

    # then
    assert OutboxMessage.objects.get().sender == "Sales <sales@example.com>"


def test_new_customer_gets_the_default_group_of_their_store_view(client, view_a, website_a):
    # given (check 5): a second store view of the same website with its own Default Group
    french = make_store_view(website_a, "fr", "fr", name="Français")
    set_config({DEFAULT_GROUP: 2}, store_view=french)

    # when
    on_french = client.post(f"/{french.code}{CREATE_URL}", registration_data())
    other = Client().post(
        CREATE_URL, registration_data(email="grace@example.com", firstname="Grace")
    )

    # then
    assert (on_french.status_code, other.status_code) == (302, 302)
    assert on_french["Location"] == f"/{french.code}{ACCOUNT_URL}"
    rows = Customer.objects.order_by("pk").values_list(
        "email", "group_id", "created_in_id", "website_id"
    )
    assert list(rows) == [
        ("ada@example.com", 2, french.pk, website_a.pk),
        ("grace@example.com", 1, view_a.pk, website_a.pk),
    ]


def test_registration_on_another_website_belongs_to_that_website(client, view_a, view_b):
    # given (check 5)
    set_config({DEFAULT_GROUP: 3}, store_view=view_b)

    # when
    response = client.post(f"/{view_b.code}{CREATE_URL}", registration_data())

    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert (customer.website_id, customer.created_in_id, customer.group_id) == (
        view_b.store.website_id,
        view_b.pk,
        3,
    )


def test_email_already_used_in_the_sharing_scope_is_refused(client, view_a, shopper):
    # given (check 37)
    outbox_before = OutboxMessage.objects.count()

    # when
    response = client.post(CREATE_URL, registration_data(email="ADA@example.com"))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "email": ["A customer with the email ada@example.com already exists."]
    }
    assert Customer.objects.count() == 1
    assert OutboxMessage.objects.count() == outbox_before
    assert is_signed_in(client) is False


def test_newsletter_checkbox_subscribes_on_the_store_view(client, view_a):
    # when
    client.post(CREATE_URL, registration_data(newsletter="on"))

    # then
    customer = Customer.objects.get()
    subscriber = NewsletterSubscriber.objects.get()
    assert (
        subscriber.customer_id,
        subscriber.email,
        subscriber.store_view_id,
        subscriber.status,
        subscriber.consent_source,
    ) == (
        customer.pk,
        "ada@example.com",
        view_a.pk,
        SubscriberStatus.SUBSCRIBED,
        ConsentSource.REGISTRATION,
    )


def test_without_the_newsletter_checkbox_nothing_is_subscribed(client, view_a):
    # when
    client.post(CREATE_URL, registration_data())

    # then
    assert NewsletterSubscriber.objects.count() == 0


@pytest.mark.parametrize(
    ("submitted", "stored"), [({"allow_remote_assistance": "on"}, True), ({}, False)],
    ids=["ticked_case", "unticked_case"],
)  # fmt: skip
def test_remote_assistance_consent_is_the_customer_choice(client, view_a, submitted, stored):
    # when
    client.post(CREATE_URL, registration_data(**submitted))

    # then
    assert Customer.objects.get().allow_remote_assistance is stored


def test_default_form_has_the_magento_fields(client, view_a):
    # when
    response = client.get(CREATE_URL)

    # then
    assert response.status_code == 200
    assert form_fields(response) == [
        "csrfmiddlewaretoken",
        "firstname",
        "lastname",
        "newsletter",
        "allow_remote_assistance",
        "email",
        "password",
        "password_confirmation",
    ]


def test_required_prefix_dropdown_starts_blank_and_blank_fails(client, view_a):
    # given (check 24)
    set_config(
        {"customer/address/prefix_show": "req", "customer/address/prefix_options": ";Mr.;Ms.;Dr."}
    )

    # when
    page = client.get(CREATE_URL)

    # then
    options = [o["value"] for o in form_elements(page, "option") if o["select"] == "prefix"]
    assert options == ["", "Mr.", "Ms.", "Dr."]

    # when
    blank = client.post(CREATE_URL, registration_data(prefix=""))

    # then
    assert blank.status_code == 400
    assert blank.context["form"].errors == {"prefix": ["Name Prefix is a required field."]}
    assert Customer.objects.count() == 0

    # when
    chosen = client.post(CREATE_URL, registration_data(prefix="Dr."))

    # then
    assert chosen.status_code == 302
    assert Customer.objects.get().prefix == "Dr."


def test_optional_prefix_without_options_is_free_text_that_may_stay_empty(client, view_a):
    # given (check 25)
    set_config({"customer/address/prefix_show": "opt", "customer/address/prefix_options": ""})

    # when
    page = client.get(CREATE_URL)
    empty = client.post(CREATE_URL, registration_data(prefix=""))
    typed = Client().post(
        CREATE_URL, registration_data(email="grace@example.com", prefix="Rear Admiral")
    )

    # then
    assert field_named(page, "prefix") == {
        "tag": "input", "select": None, "type": "text", "name": "prefix", "maxlength": "40",
        "id": "id_prefix",
    }  # fmt: skip
    assert (empty.status_code, typed.status_code) == (302, 302)
    assert list(Customer.objects.order_by("pk").values_list("prefix", flat=True)) == [
        "",
        "Rear Admiral",
    ]


def test_prefix_outside_the_dropdown_options_is_refused(client, view_a):
    # given
    set_config(
        {"customer/address/prefix_show": "opt", "customer/address/prefix_options": ";Mr.;Ms.;Dr."}
    )

    # when
    response = client.post(CREATE_URL, registration_data(prefix="Sir"))

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "prefix": ["Select a valid choice. Sir is not one of the available choices."]
    }
    assert Customer.objects.count() == 0


def test_required_date_of_birth(client, view_a):
    # given (check 28)
    set_config({"customer/address/dob_show": "req"})

    # when
    missing = client.post(CREATE_URL, registration_data())

    # then
    assert missing.status_code == 400
    assert missing.context["form"].errors == {"dob": ["Date of Birth is a required field."]}
    assert Customer.objects.count() == 0

    # when
    given = client.post(CREATE_URL, registration_data(dob="1815-12-10"))

    # then
    assert given.status_code == 302
    assert str(Customer.objects.get().dob) == "1815-12-10"


def test_hidden_date_of_birth_is_absent_from_the_form(client, view_a):
    # given (check 28): Show Date of Birth = No is the default

    # when
    response = client.get(CREATE_URL)

    # then
    assert "dob" not in form_fields(response)


def test_every_problem_is_shown_at_once(client, view_a):
    # given
    set_config({"customer/address/dob_show": "req"})

    # when
    response = client.post(
        CREATE_URL,
        registration_data(firstname="", password="short", password_confirmation="short"),
    )

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "firstname": ["This field is required."],
    }

    # when
    response = client.post(
        CREATE_URL, registration_data(password="short", password_confirmation="short")
    )

    # then
    assert response.context["form"].errors == {
        "dob": ["Date of Birth is a required field."],
        "password": [
            "Use at least 8 characters.",
            "Use at least 3 of these kinds of characters: lowercase letters, uppercase "
            "letters, digits, special characters.",
        ],
    }
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("options", "shown", "checked"),
    [
        ({"persistent/options/enabled": True}, True, True),
        ({"persistent/options/enabled": True, "persistent/options/remember_default": False},
         True, False),
        ({"persistent/options/enabled": True, "persistent/options/remember_enabled": False},
         False, False),
        ({}, False, False),
    ],
    ids=["default_yes_case", "default_no_case", "remember_off_case", "persistence_off_case"],
)  # fmt: skip
def test_remember_me_checkbox_on_the_registration_page(client, view_a, options, shown, checked):
    # given (check 39)
    if options:
        set_config(options)

    # when
    response = client.get(CREATE_URL)

    # then
    box = field_named(response, "remember")
    assert (box is not None, box is not None and "checked" in box) == (shown, checked)


def test_signed_in_customer_is_sent_to_the_dashboard(client, view_a):
    # given
    make_shopper(store_view=view_a)
    client.post("/customer/account/login/", {"email": "ada@example.com",
                                              "password": "Secret-password-1"})  # fmt: skip

    # when
    response = client.get(CREATE_URL)

    # then
    assert (response.status_code, response["Location"]) == (302, ACCOUNT_URL)
    assert TimelineEntry.objects.filter(kind=TimelineKind.ACCOUNT_CREATED).count() == 1
