"""Account emails leave through a real SMTP conversation (a local aiosmtpd server), from the
configured sender identity, in the store view's language."""

import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from patron.accounts import services
from patron.accounts.tests.factories import RESET_URL, make_shopper
from patron.mail.models import MessageStatus, OutboxMessage
from patron.testing.fixtures import make_store_view


class Recorder:
    """An aiosmtpd handler that keeps every message it is handed."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """Run an SMTP server on 127.0.0.1 and point Django's SMTP backend at it."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield recorder
    controller.stop()


def header(message, name: str) -> str:
    return str(make_header(decode_header(message[name])))


def test_reset_email_arrives_over_smtp_from_the_password_sender(view_a, smtp_server, committed):
    # given
    customer = make_shopper("ada@example.com", store_view=view_a)

    # when
    with committed():
        services.request_password_reset(email=customer.email, store_view=view_a)

    # then
    [envelope] = smtp_server.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == ("support@example.com", ["ada@example.com"])
    message = message_from_bytes(envelope.content)
    assert (header(message, "From"), header(message, "To"), header(message, "Subject")) == (
        "Customer Support <support@example.com>",
        "ada@example.com",
        "Reset your Main Website password",
    )
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert f"http://127.0.0.1:8000{RESET_URL}?id=" in body
    stored = OutboxMessage.objects.get()
    assert (stored.status, stored.attempts, stored.last_error) == (MessageStatus.SENT, 1, "")
    assert "[redacted]" in stored.body_text
    assert RESET_URL not in stored.body_text


def test_email_speaks_the_store_view_language_and_links_to_it(view_a, smtp_server, committed):
    # given
    german = make_store_view(view_a.store.website, "de", "de", name="Deutsch")
    customer = make_shopper("ada@example.com", store_view=german)
    with translation.override("de"):
        expected_subject = translation.gettext("Reset your %(store_name)s password") % {
            "store_name": "Main Website"
        }

    # when
    with committed():
        services.request_password_reset(email=customer.email, store_view=german)

    # then
    [envelope] = smtp_server.envelopes
    message = message_from_bytes(envelope.content)
    assert header(message, "Subject") == expected_subject
    stored = OutboxMessage.objects.get()
    assert (stored.language, stored.store_view_id, stored.subject) == (
        "de",
        german.pk,
        expected_subject,
    )
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert f"http://127.0.0.1:8000/de{RESET_URL}?id=" in text.get_payload(decode=True).decode()


def test_unreachable_server_is_recorded_as_a_failure(view_a, settings, committed):
    # given
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    customer = make_shopper("ada@example.com", store_view=view_a)

    # when
    with committed():
        services.request_password_reset(email=customer.email, store_view=view_a)

    # then
    stored = OutboxMessage.objects.get()
    assert (stored.status, stored.attempts) == (MessageStatus.FAILED, 1)
    assert "Connection refused" in stored.last_error
