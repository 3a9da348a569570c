import datetime as dt

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from patron.core.errors import Conflict
from patron.mail import services
from patron.mail.models import MessageStatus, OutboxMessage
from patron.testing.fixtures import make_store_view, make_website

FORGOT = "customer_password_forgot_email_template"
WELCOME = "customer_create_account_email_template"
RESET_URL = "https://shop.example.com/reset/?token=tok-SECRET-123"


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"


def send_forgot_password(store_view, **options):
    return services.send_templated_email(
        template=FORGOT,
        to="ann@example.com",
        store_view=store_view,
        context={"customer_name": "Ann", "reset_url": RESET_URL, "expires_hours": 2},
        identity="support",
        secrets=[RESET_URL],
        **options,
    )


def send_welcome(store_view, to="ann@example.com"):
    return services.send_templated_email(
        template=WELCOME,
        to=to,
        store_view=store_view,
        context={"customer_name": "Ann", "customer_email": "ann@example.com"},
    )


def test_message_is_rendered_for_the_store_view(view_de, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = send_forgot_password(view_de, customer_id=42)

    # then
    stored = OutboxMessage.objects.get()
    assert stored == message
    assert (stored.language, stored.template_code, stored.customer_id) == ("de", FORGOT, 42)
    assert stored.store_view == view_de
    with translation.override("de"):
        german = gettext("Reset your %(store_name)s password") % {"store_name": "Zweiter Laden"}
    assert german != "Reset your Zweiter Laden password"  # the German catalogue is used
    assert stored.subject == german
    assert stored.recipients == ["ann@example.com"]
    assert [(m.subject, m.to) for m in mail.outbox] == [(german, ["ann@example.com"])]


def test_sender_comes_from_the_store_email_identity(
    view_de, view_a, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        german = send_forgot_password(view_de)
        default = send_welcome(view_a)

    # then
    assert german.sender == "Kundendienst <hilfe@example.de>"
    assert default.sender == "Owner <owner@example.com>"
    assert [m.from_email for m in mail.outbox] == [
        "Kundendienst <hilfe@example.de>",
        "Owner <owner@example.com>",
    ]


def test_secrets_are_redacted_in_the_outbox_but_sent(view_de, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = send_forgot_password(view_de)

    # then
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert stored.has_secrets is True
    assert RESET_URL not in stored.body_text
    assert "\n[redacted]\n" in stored.body_text
    assert f"\n{RESET_URL}\n" in mail.outbox[0].body
    assert "[redacted]" not in mail.outbox[0].body


def test_mail_is_sent_only_after_commit(view_a, django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = send_welcome(view_a)
        sent_before_commit = len(mail.outbox)
        status_before_commit = OutboxMessage.objects.get(pk=message.pk).status

    # then
    assert (sent_before_commit, status_before_commit) == (0, MessageStatus.QUEUED)
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.status, stored.attempts, stored.last_error) == (MessageStatus.SENT, 1, "")
    assert stored.sent_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_no_mail_is_sent_when_the_transaction_rolls_back():
    # given (the rows of the data migration are gone after an earlier transactional test)
    view = make_store_view(make_website("committed"), "committed_en")

    # when
    with pytest.raises(RuntimeError), transaction.atomic():
        send_welcome(view, to="rolled@example.com")
        raise RuntimeError("the customer was not created after all")
    with transaction.atomic():
        send_welcome(view, to="committed@example.com")

    # then
    assert [m.to for m in mail.outbox] == [["committed@example.com"]]
    assert list(OutboxMessage.objects.values_list("recipients", "status")) == [
        (["committed@example.com"], MessageStatus.SENT)
    ]


def test_message_with_secrets_cannot_be_resent(view_de, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        message = send_forgot_password(view_de)

    # when
    with pytest.raises(Conflict) as error:
        services.resend(message)

    # then
    assert error.value.code == "message_has_secrets"
    assert len(mail.outbox) == 1
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.status, stored.attempts) == (MessageStatus.SENT, 1)


def test_message_without_secrets_is_resent_as_stored(view_a, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        message = send_welcome(view_a)

    # when
    sent = services.resend(message)

    # then
    assert sent is True
    assert [m.subject for m in mail.outbox] == ["Welcome to Main Website"] * 2
    assert mail.outbox[1].body == message.body_text
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 2


def test_failing_backend_marks_the_message_failed(
    view_a, smtp_down, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = send_welcome(view_a)

    # then
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.status, stored.attempts, stored.last_error) == (
        MessageStatus.FAILED,
        1,
        "SMTP server down",
    )
    assert stored.sent_at is None
    assert mail.outbox == []


def test_retry_failed_resends_failed_messages(
    view_a, settings, smtp_down, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        message = send_welcome(view_a)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    # when
    sent = services.retry_failed()

    # then
    assert sent == 1
    stored = OutboxMessage.objects.get(pk=message.pk)
    assert (stored.status, stored.attempts, stored.last_error) == (MessageStatus.SENT, 2, "")
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]


def test_retry_failed_skips_secrets_and_exhausted_messages(
    view_a, view_de, settings, smtp_down, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        with_secret = send_forgot_password(view_de)
        exhausted = send_welcome(view_a, to="tried@example.com")
    OutboxMessage.objects.filter(pk=exhausted.pk).update(attempts=services.MAX_ATTEMPTS)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    # when
    sent = services.retry_failed()

    # then
    assert sent == 0
    assert mail.outbox == []
    assert sorted(OutboxMessage.objects.values_list("pk", "status", "attempts")) == sorted(
        [
            (with_secret.pk, MessageStatus.FAILED, 1),
            (exhausted.pk, MessageStatus.FAILED, services.MAX_ATTEMPTS),
        ]
    )


def test_purge_deletes_only_old_messages(view_a, django_capture_on_commit_callbacks):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        old = send_welcome(view_a, to="old@example.com")
        recent = send_welcome(view_a, to="recent@example.com")
    OutboxMessage.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=91)
    )
    OutboxMessage.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - dt.timedelta(days=89)
    )

    # when
    deleted = services.purge_outbox(older_than_days=90)

    # then
    assert deleted == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]


def test_message_without_a_store_view_uses_the_active_language(
    db, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        message = send_welcome(None)

    # then
    assert (message.language, message.subject, message.sender) == (
        "en",
        "Welcome to Patron",
        "Owner <owner@example.com>",
    )


def test_unknown_template_is_refused(view_a):
    # when
    with pytest.raises(KeyError, match="no_such_template"):
        services.send_templated_email(
            template="no_such_template", to="a@example.com", store_view=view_a, context={}
        )

    # then
    assert OutboxMessage.objects.count() == 0
