"""Newsletter Subscriptions (spec b §12): subscribe and unsubscribe on the current store view,
"Need to Confirm" double opt-in, one-click unsubscribe links with List-Unsubscribe headers, and
consent on the customer's timeline."""

import pytest
from django.core import mail
from django.test import Client

from patron.accounts.tests.factories import link_in_email, query_of
from patron.core.actors import SYSTEM
from patron.customers import newsletter
from patron.customers.history import TimelineKind
from patron.customers.models import ConsentSource, NewsletterSubscriber
from patron.dashboard.tests.factories import (
    ACCOUNT_URL,
    NEWSLETTER_CONFIRM_URL,
    NEWSLETTER_URL,
    UNSUBSCRIBE_URL,
    field_named,
    messages_of,
    texts,
)
from patron.mail.models import OutboxMessage
from patron.testing.fixtures import make_store_view, set_config

SUCCESS_SUBJECT = "You are subscribed to the Main Website newsletter"
CONFIRM_SUBJECT = "Confirm your subscription to the Main Website newsletter"
UN_SUBJECT = "You are unsubscribed from the Main Website newsletter"
ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def french_view(website_a):
    return make_store_view(website_a, "default_fr", "fr", name="French")


def subscriptions():
    return sorted(NewsletterSubscriber.objects.values_list("email", "store_view__code", "status"))


def consent_timeline(customer):
    return list(
        customer.timeline.filter(kind=TimelineKind.NEWSLETTER_CHANGED)
        .order_by("pk")
        .values_list("params", "actor_kind")
    )


def unsubscribe_link(message) -> str:
    """Return the path and query of the List-Unsubscribe link of a sent message."""
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http://") and header.endswith(">"), header
    url = header[1:-1]
    return url[url.index(UNSUBSCRIBE_URL) :]


def save_page(client, *, subscribed: bool):
    """Submit the Newsletter Subscriptions form as a browser does: the CSRF field always, the
    checkbox only when ticked."""
    page = client.get(NEWSLETTER_URL)
    data = {"csrfmiddlewaretoken": field_named(page, "csrfmiddlewaretoken")["value"]}
    if subscribed:
        data["subscribed"] = "on"
    return client.post(NEWSLETTER_URL, data)


def subscribe(customer, store_view):
    return newsletter.subscribe(
        store_view=store_view, customer=customer, actor=SYSTEM, source=ConsentSource.BACK_OFFICE
    )


def test_subscribing_on_the_page(shopper_client, shopper, committed):
    # given
    page = shopper_client.get(NEWSLETTER_URL)

    # when
    with committed():
        response = save_page(shopper_client, subscribed=True)

    # then
    assert "checked" not in field_named(page, "subscribed")
    assert response.status_code == 302
    assert response["Location"] == NEWSLETTER_URL
    assert messages_of(response) == [("success", "We have saved your subscription.")]
    assert subscriptions() == [("ada@example.com", "default", "subscribed")]
    assert consent_timeline(shopper) == [
        ({"store_view": "default", "status": "subscribed", "source": "account"}, "customer")
    ]
    [sent] = mail.outbox
    assert sent.to == ["ada@example.com"]
    assert (
        OutboxMessage.objects.get().template_code
        == "newsletter_subscription_success_email_template"
    )
    assert sent.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert unsubscribe_link(sent).startswith(f"{UNSUBSCRIBE_URL}?token=")
    assert "checked" in field_named(shopper_client.get(NEWSLETTER_URL), "subscribed")
    assert "You are subscribed to our newsletter." in texts(shopper_client.get(ACCOUNT_URL), "p")


def test_a_subscription_on_another_store_view_is_not_this_ones(
    shopper_client, shopper, french_view, committed
):
    # given
    subscribe(shopper, french_view)

    # when
    page = shopper_client.get(NEWSLETTER_URL)
    with committed():
        save_page(shopper_client, subscribed=True)

    # then
    assert "checked" not in field_named(page, "subscribed")
    assert subscriptions() == [
        ("ada@example.com", "default", "subscribed"),
        ("ada@example.com", "default_fr", "subscribed"),
    ]


def test_unsubscribing_on_the_page_leaves_other_store_views(
    shopper_client, shopper, view, french_view, committed
):
    # given
    subscribe(shopper, view)
    subscribe(shopper, french_view)

    # when
    with committed():
        response = save_page(shopper_client, subscribed=False)

    # then
    assert messages_of(response) == [("success", "We have removed your newsletter subscription.")]
    assert subscriptions() == [
        ("ada@example.com", "default", "unsubscribed"),
        ("ada@example.com", "default_fr", "subscribed"),
    ]
    [sent] = mail.outbox
    assert (sent.to, sent.subject) == (["ada@example.com"], UN_SUBJECT)
    assert consent_timeline(shopper)[-1] == (
        {"store_view": "default", "status": "unsubscribed", "source": "account"},
        "customer",
    )


def test_saving_without_a_change_sends_nothing(shopper_client, shopper, committed):
    # when
    with committed():
        response = save_page(shopper_client, subscribed=False)

    # then
    assert response.status_code == 302
    assert messages_of(response) == []
    assert subscriptions() == []
    assert mail.outbox == []


def test_with_need_to_confirm_the_subscription_waits_for_the_link(
    shopper_client, shopper, view, committed
):
    # given
    set_config({"newsletter/subscription/confirm": True}, store_view=view)

    # when
    with committed():
        response = save_page(shopper_client, subscribed=True)

    # then
    assert messages_of(response) == [
        (
            "info",
            "A confirmation request has been sent. Open the link in the email to start your "
            "subscription.",
        )
    ]
    assert subscriptions() == [("ada@example.com", "default", "not_activated")]
    page = shopper_client.get(NEWSLETTER_URL)
    assert texts(page, "p", "class", "notice") == [
        "Your subscription is waiting for you to open the link in the confirmation email."
    ]
    assert "checked" not in field_named(page, "subscribed")
    [sent] = mail.outbox
    assert (sent.to, sent.subject) == (["ada@example.com"], CONFIRM_SUBJECT)
    assert sent.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    link = link_in_email(sent, NEWSLETTER_CONFIRM_URL)
    code = query_of(link)["code"]
    stored = OutboxMessage.objects.get()
    assert code not in stored.body_text
    assert "[redacted]" in stored.body_text

    # when
    with committed():
        confirmed = Client().get(link)

    # then
    assert confirmed.status_code == 200
    assert texts(confirmed, "p", "role", "status") == ["Your subscription has been confirmed."]
    assert subscriptions() == [("ada@example.com", "default", "subscribed")]
    assert [m.subject for m in mail.outbox] == [CONFIRM_SUBJECT, SUCCESS_SUBJECT]
    assert [params["status"] for params, _kind in consent_timeline(shopper)] == [
        "not_activated",
        "subscribed",
    ]


def test_a_used_or_wrong_confirmation_link_is_refused(shopper_client, shopper, view, committed):
    # given
    set_config({"newsletter/subscription/confirm": True}, store_view=view)
    with committed():
        save_page(shopper_client, subscribed=True)
    link = link_in_email(mail.outbox[0], NEWSLETTER_CONFIRM_URL)
    subscriber_id = query_of(link)["id"]

    # when
    wrong = Client().get(f"{NEWSLETTER_CONFIRM_URL}?id={subscriber_id}&code=wrong")
    Client().get(link)
    reused = Client().get(link)
    garbled = Client().get(f"{NEWSLETTER_CONFIRM_URL}?id=x")

    # then
    for response in (wrong, reused, garbled):
        assert response.status_code == 404
        assert texts(response, "p", "role", "alert") == [
            "This link is not valid or was already used."
        ]


def test_the_unsubscribe_link_asks_before_unsubscribing(shopper, view, committed):
    # given
    with committed():
        subscribe(shopper, view)
    link = unsubscribe_link(mail.outbox[0])

    # when
    response = Client().get(link)

    # then
    assert response.status_code == 200
    assert texts(response, "p")[0] == "Stop sending the newsletter to ada@example.com?"
    assert subscriptions() == [("ada@example.com", "default", "subscribed")]


def test_one_click_unsubscribe_needs_no_csrf_token(shopper, view, french_view, committed):
    # given: a mail client posting RFC 8058's body, without any cookie or token
    with committed():
        subscribe(shopper, view)
        subscribe(shopper, french_view)
    link = unsubscribe_link(mail.outbox[0])
    mail_client = Client(enforce_csrf_checks=True)

    # when
    with committed():
        response = mail_client.post(link, {"List-Unsubscribe": "One-Click"})

    # then
    assert response.status_code == 200
    assert texts(response, "p", "role", "status") == ["You have been unsubscribed."]
    assert subscriptions() == [
        ("ada@example.com", "default", "unsubscribed"),
        ("ada@example.com", "default_fr", "subscribed"),
    ]
    notice = mail.outbox[-1]
    assert (notice.to, notice.subject) == (["ada@example.com"], UN_SUBJECT)
    assert notice.extra_headers["List-Unsubscribe-Post"] == ONE_CLICK
    assert consent_timeline(shopper)[-1] == (
        {"store_view": "default", "status": "unsubscribed", "source": "email_link"},
        "customer",
    )


def test_a_forged_unsubscribe_link_is_refused(shopper, view):
    # given
    subscribe(shopper, view)

    # when
    response = Client().post(f"{UNSUBSCRIBE_URL}?token=forged")

    # then
    assert response.status_code == 404
    assert subscriptions() == [("ada@example.com", "default", "subscribed")]
