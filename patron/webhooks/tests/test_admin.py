"""Back office: staff are told which subscriptions are paused."""

from django.contrib.messages import get_messages

from patron.core.actors import SYSTEM
from patron.testing.fixtures import make_staff_user
from patron.webhooks import services
from patron.webhooks.tests.factories import make_customer, make_subscription

LIST_URL = "/admin/webhooks/subscription/"


def messages_of(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_the_subscriptions_list_warns_about_each_paused_subscription(
    client, receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 1
    make_subscription(receiver.url, name="Flaky CRM")
    make_subscription(f"{receiver.base_url}/healthy", name="Healthy CRM", events=["signIn"])
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    client.force_login(make_staff_user("root", superuser=True))

    # when
    response = client.get(LIST_URL)

    # then
    assert response.status_code == 200
    assert messages_of(response) == [
        (
            "warning",
            "Flaky CRM is paused: Paused after 1 failed attempt in a row; "
            "the last one answered: 500",
        )
    ]


def test_the_warning_goes_once_the_subscription_is_resumed(
    client, receiver, website, settings, django_capture_on_commit_callbacks
):
    # given
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 1
    subscription = make_subscription(receiver.url, name="Flaky CRM")
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        make_customer(website=website)
    services.resume_subscription(subscription=subscription, actor=SYSTEM)
    client.force_login(make_staff_user("root", superuser=True))

    # when
    response = client.get(LIST_URL)

    # then
    assert response.status_code == 200
    assert messages_of(response) == []
