"""Forgotten and reset passwords (spec a §12, §14; acceptance checks 15 to 21 and 40): request
throttling, the neutral answer, single-use expiring links, the notices, and staff resets."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client
from django.utils import timezone

from patron.accounts import services
from patron.accounts.history import AccountKind
from patron.accounts.models import PasswordResetRequest
from patron.accounts.tests.factories import (
    FORGOT_URL,
    LOGIN_URL,
    PASSWORD,
    RESET_URL,
    is_signed_in,
    link_in_email,
    make_shopper,
    sign_in,
)
from patron.core.actors import SYSTEM, Actor
from patron.core.errors import LimitReached, NotAuthenticated, NotFound
from patron.customers.models import Customer
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import make_staff_user, set_config

PROTECTION = "customer/password/password_reset_protection_type"
MAX_REQUESTS = "customer/password/max_number_password_reset_requests"
MIN_MINUTES = "customer/password/min_time_between_password_reset_requests"
NEW_PASSWORD = "Newer-password-2"
EXPIRED = "Your password reset link has expired or was already used. Ask for a new one."
TOO_MANY = (
    "We received too many requests for password resets. Please wait and try again later, "
    "or contact us at support@example.com."
)


def neutral(email: str) -> str:
    return (
        f"If there is an account associated with {email} you will receive an email with a link "
        "to reset your password."
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def forgot(client: Client, email: str, ip: str = "127.0.0.1", **kwargs):
    return client.post(FORGOT_URL, {"email": email}, REMOTE_ADDR=ip, **kwargs)


def templates_sent() -> list[str]:
    return list(OutboxMessage.objects.order_by("pk").values_list("template_code", flat=True))


def reset_link(customer: Customer, store_view, committed) -> str:
    with committed():
        services.request_password_reset(email=customer.email, store_view=store_view)
    return link_in_email(mail.outbox[-1], RESET_URL)


def reset(client: Client, link: str, password: str = NEW_PASSWORD, **kwargs):
    return client.post(link, {"password": password, "password_confirmation": password}, **kwargs)


@pytest.fixture
def grace(view_a):
    return make_shopper("grace@example.com", store_view=view_a, firstname="Grace")


# --- Asking for a link --------------------------------------------------------------------------


def test_forgot_password_sends_the_link_from_the_password_sender(
    client, view_a, shopper, committed
):
    # given (check 18)

    # when
    with committed():
        response = forgot(client, "ada@example.com", follow=True)

    # then
    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert messages_of(response) == [neutral("ada@example.com")]
    message = OutboxMessage.objects.get()
    assert (message.template_code, message.sender, message.recipients, message.subject) == (
        "customer_password_forgot_email_template",
        "Customer Support <support@example.com>",
        ["ada@example.com"],
        "Reset your Main Website password",
    )
    assert message.has_secrets is True
    sent = mail.outbox[-1]
    assert (sent.from_email, sent.to) == ("Customer Support <support@example.com>",
                                          ["ada@example.com"])  # fmt: skip
    assert "The link works once and expires in 2 hours." in sent.body
    link = link_in_email(sent, RESET_URL)
    assert client.get(link).status_code == 200
    entry = shopper.timeline.get(kind=AccountKind.PASSWORD_RESET_REQUESTED)
    assert (entry.actor_kind, entry.params) == ("customer", {})


def test_configured_sender_identity_is_used(client, view_a, shopper):
    # given (check 18)
    set_config({"customer/password/forgot_email_identity": "custom1"}, store_view=view_a)

    # when
    forgot(client, shopper.email)

    # then
    assert OutboxMessage.objects.get().sender == "Custom 1 <custom1@example.com>"


def test_unknown_email_gets_the_same_answer_and_no_email(client, view_a, shopper):
    # given (check 18)
    known = forgot(client, shopper.email, follow=True)

    # when
    unknown = forgot(client, "nobody@example.com", ip="192.0.2.9", follow=True)

    # then
    assert unknown.redirect_chain == known.redirect_chain == [(LOGIN_URL, 302)]
    assert messages_of(unknown) == [neutral("nobody@example.com")]
    assert messages_of(known) == [neutral("ada@example.com")]
    assert templates_sent() == ["customer_password_forgot_email_template"]
    assert list(
        PasswordResetRequest.objects.order_by("pk").values_list("email", "customer_id")
    ) == [
        ("ada@example.com", shopper.pk),
        ("nobody@example.com", None),
    ]


def test_by_email_protection_refuses_the_third_request_for_one_email(
    client, view_a, shopper, grace
):
    # given (check 15)
    set_config({PROTECTION: "email", MAX_REQUESTS: 2, MIN_MINUTES: 0}, store_view=view_a)
    assert [forgot(client, shopper.email).status_code for _ in range(2)] == [302, 302]

    # when
    third = forgot(client, shopper.email)

    # then
    assert third.status_code == 429
    assert third["Retry-After"] == "3600"
    assert third.context["form"].non_field_errors() == [TOO_MANY]
    assert templates_sent() == ["customer_password_forgot_email_template"] * 2
    assert PasswordResetRequest.objects.filter(email=shopper.email).count() == 2

    # when
    other_email = forgot(client, grace.email)

    # then
    assert other_email.status_code == 302
    assert OutboxMessage.objects.filter(recipients=["grace@example.com"]).count() == 1


def test_by_ip_protection_spaces_requests_from_one_ip(client, view_a, shopper, grace):
    # given (check 16)
    set_config({PROTECTION: "ip", MIN_MINUTES: 10}, store_view=view_a)
    assert forgot(client, shopper.email).status_code == 302

    # when
    second = forgot(client, grace.email)

    # then
    assert second.status_code == 429
    assert second["Retry-After"] == "600"
    assert second.context["form"].non_field_errors() == [
        "Please wait 10 minutes between password reset requests."
    ]
    assert OutboxMessage.objects.filter(recipients=["grace@example.com"]).count() == 0

    # when: eleven minutes later
    PasswordResetRequest.objects.update(created_at=timezone.now() - dt.timedelta(minutes=11))
    later = forgot(client, grace.email)
    other_ip = forgot(client, grace.email, ip="192.0.2.9")

    # then
    assert (later.status_code, other_ip.status_code) == (302, 302)


def test_default_protection_counts_the_email_and_the_ip(client, view_a, shopper, grace):
    # given: By IP and Email, 5 per hour, 10 minutes apart
    assert forgot(client, shopper.email).status_code == 302

    # when
    same_email_other_ip = forgot(client, shopper.email, ip="192.0.2.9")
    same_ip_other_email = forgot(client, grace.email)
    unrelated = forgot(client, grace.email, ip="192.0.2.10")

    # then
    assert (
        same_email_other_ip.status_code,
        same_ip_other_email.status_code,
        unrelated.status_code,
    ) == (429, 429, 302)


def test_requests_for_unknown_emails_count_too(client, view_a, shopper):
    # given
    forgot(client, "nobody@example.com")

    # when
    response = forgot(client, shopper.email)

    # then
    assert response.status_code == 429
    assert OutboxMessage.objects.count() == 0


def test_no_protection_never_throttles(client, view_a, shopper):
    # given (check 17)
    set_config({PROTECTION: "none", MAX_REQUESTS: 1, MIN_MINUTES: 10}, store_view=view_a)

    # when
    answers = [forgot(client, shopper.email).status_code for _ in range(6)]

    # then
    assert answers == [302] * 6
    assert templates_sent() == ["customer_password_forgot_email_template"] * 6


# --- Using the link -----------------------------------------------------------------------------


def test_reset_changes_the_password_and_sends_the_notice(client, view_a, shopper, committed):
    # given (check 20)
    other_browser = Client()
    sign_in(other_browser, shopper.email)
    link = reset_link(shopper, view_a, committed)

    # when
    with committed():
        response = reset(client, link, follow=True)

    # then
    assert response.redirect_chain == [(LOGIN_URL, 302)]
    assert messages_of(response) == ["You updated your password. Please sign in with the new one."]
    notice = OutboxMessage.objects.order_by("pk").last()
    assert (notice.template_code, notice.sender, notice.recipients, notice.subject) == (
        "customer_password_reset_password_template",
        "Customer Support <support@example.com>",
        ["ada@example.com"],
        "Your Main Website password was changed",
    )
    assert mail.outbox[-1].subject == "Your Main Website password was changed"
    assert sign_in(client, shopper.email, PASSWORD).status_code == 400
    assert sign_in(client, shopper.email, NEW_PASSWORD).status_code == 302
    assert is_signed_in(other_browser) is False
    assert AccountKind.PASSWORD_CHANGED in shopper.timeline.values_list("kind", flat=True)


def test_used_link_cannot_be_used_again(client, view_a, shopper, committed):
    # given (check 19)
    link = reset_link(shopper, view_a, committed)
    reset(client, link, follow=True)
    shopper.refresh_from_db()
    after_first = shopper.password

    # when
    response = reset(client, link, password="Third-password-3", follow=True)

    # then
    assert response.redirect_chain == [(FORGOT_URL, 302)]
    assert messages_of(response) == [EXPIRED]
    shopper.refresh_from_db()
    assert shopper.password == after_first


@pytest.mark.parametrize(
    ("age", "accepted"),
    [(dt.timedelta(hours=2, minutes=59), True), (dt.timedelta(hours=3, minutes=1), False)],
    ids=["within_period_case", "expired_case"],
)
def test_link_expires_after_the_configured_hours(client, view_a, shopper, committed, age, accepted):
    # given (check 19)
    set_config({"customer/password/reset_link_expiration_period": 3})
    Customer.objects.filter(pk=shopper.pk).update(
        password_changed_at=timezone.now() - dt.timedelta(days=30)
    )
    link = reset_link(shopper, view_a, committed)
    PasswordResetRequest.objects.update(created_at=timezone.now() - age)

    # when
    response = reset(client, link)

    # then
    assert response.status_code == 302
    assert response["Location"] == (LOGIN_URL if accepted else FORGOT_URL)
    shopper.refresh_from_db()
    assert check_password(NEW_PASSWORD, shopper.password) is accepted


def test_newer_link_kills_the_older_one(client, view_a, shopper, committed):
    # given
    set_config({MIN_MINUTES: 0}, store_view=view_a)
    older = reset_link(shopper, view_a, committed)
    newer = reset_link(shopper, view_a, committed)

    # when
    old_answer = client.get(older)
    new_answer = client.get(newer)

    # then
    assert (old_answer.status_code, old_answer["Location"]) == (302, FORGOT_URL)
    assert new_answer.status_code == 200


def test_password_change_kills_open_links(client, view_a, shopper, committed):
    # given
    link = reset_link(shopper, view_a, committed)

    # when
    services.set_password(customer=shopper, password="Changed-password-3", actor=SYSTEM)

    # then
    assert client.get(link)["Location"] == FORGOT_URL
    with pytest.raises(NotFound) as error:
        services.reset_password(
            request_id=PasswordResetRequest.objects.get().pk,
            token=link.rsplit("token=", 1)[1],
            password=NEW_PASSWORD,
            confirmation=NEW_PASSWORD,
        )
    assert error.value.code == "invalid_reset_link"


@pytest.mark.parametrize(
    "query", ["id={id}&token=wrong", "id=abc&token={token}", "", "id=999&token={token}"],
    ids=["wrong_token_case", "bad_id_case", "no_query_case", "unknown_id_case"],
)  # fmt: skip
def test_invalid_link_sends_back_to_forgot_password(client, view_a, shopper, committed, query):
    # given
    link = reset_link(shopper, view_a, committed)
    token = link.rsplit("token=", 1)[1]
    request_id = PasswordResetRequest.objects.get().pk

    # when
    response = client.get(f"{RESET_URL}?{query.format(id=request_id, token=token)}", follow=True)

    # then
    assert response.redirect_chain == [(FORGOT_URL, 302)]
    assert messages_of(response) == [EXPIRED]


def test_mismatched_confirmation_keeps_the_link_usable(client, view_a, shopper, committed):
    # given
    link = reset_link(shopper, view_a, committed)

    # when
    response = client.post(
        link, {"password": NEW_PASSWORD, "password_confirmation": "Newer-password-3"}
    )

    # then
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "password_confirmation": ["Please enter the same password twice."]
    }
    assert PasswordResetRequest.objects.get().used_at is None
    shopper.refresh_from_db()
    assert check_password(PASSWORD, shopper.password) is True


def test_reset_link_confirms_an_unconfirmed_account(client, view_a, committed):
    # given: the link proves the address as the confirmation link would
    customer = make_shopper(store_view=view_a, confirmation_required=True)
    link = reset_link(customer, view_a, committed)

    # when
    reset(client, link)

    # then
    customer.refresh_from_db()
    assert customer.is_confirmed is True
    assert sign_in(client, customer.email, NEW_PASSWORD).status_code == 302


# --- Staff resets -------------------------------------------------------------------------------


def test_staff_reset_sends_the_remind_email_and_sets_no_password(
    client, view_a, shopper, committed
):
    # given (check 21)
    staff = make_staff_user("support")
    before = shopper.password

    # when
    with committed():
        services.staff_password_reset(customer=shopper, actor=Actor.staff(staff))

    # then
    shopper.refresh_from_db()
    assert shopper.password == before
    message = OutboxMessage.objects.get()
    assert (message.template_code, message.sender, message.recipients, message.subject) == (
        "customer_password_remind_email_template",
        "Customer Support <support@example.com>",
        ["ada@example.com"],
        "Set a new password for Main Website",
    )
    entry = shopper.timeline.get(kind=AccountKind.PASSWORD_RESET_REQUESTED)
    assert (entry.actor_kind, entry.actor_label, entry.params) == (
        "staff",
        "support",
        {"by_staff": True},
    )
    link = link_in_email(mail.outbox[-1], RESET_URL)
    assert reset(client, link).status_code == 302
    assert sign_in(client, shopper.email, NEW_PASSWORD).status_code == 302


def test_staff_reset_obeys_the_hourly_limit(view_a, shopper):
    # given (check 21): the customer asked twice, staff three times (5 per hour)
    set_config({MIN_MINUTES: 0}, store_view=view_a)
    for _ in range(2):
        services.request_password_reset(email=shopper.email, store_view=view_a)
    for _ in range(3):
        services.staff_password_reset(customer=shopper, actor=SYSTEM)

    # when
    with pytest.raises(LimitReached) as error:
        services.staff_password_reset(customer=shopper, actor=SYSTEM)

    # then
    assert (error.value.code, error.value.retry_after) == ("too_many_reset_requests", 3600)
    assert str(error.value.message) == (
        "This customer was sent 5 reset links in the last hour; try again later."
    )
    assert OutboxMessage.objects.count() == 5
    assert PasswordResetRequest.objects.count() == 5


def test_staff_created_account_without_password_signs_in_only_after_the_link(
    client, view_a, committed
):
    # given (check 40)
    customer = make_shopper("new@example.com", store_view=view_a, password=None)
    assert customer.has_password is False

    # when
    refused = sign_in(client, "new@example.com", "")
    refused_guess = sign_in(client, "new@example.com", PASSWORD)

    # then
    assert (refused.status_code, refused_guess.status_code) == (400, 400)
    with pytest.raises(NotAuthenticated) as error:
        services.authenticate(store_view=view_a, email="new@example.com", password="")
    assert error.value.code == "invalid_credentials"

    # when
    with committed():
        services.staff_password_reset(customer=customer, actor=SYSTEM)

    # then
    message = OutboxMessage.objects.get()
    assert (message.template_code, message.subject) == (
        "customer_create_account_email_no_password_template",
        "Your new account at Main Website",
    )
    link = link_in_email(mail.outbox[-1], RESET_URL)

    # when
    reset(client, link)

    # then
    assert sign_in(client, "new@example.com", NEW_PASSWORD).status_code == 302
