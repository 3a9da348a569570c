"""Sending email: render per store view and language, record in the outbox, deliver after commit."""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from email.utils import formataddr
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from patron.core.errors import Conflict
from patron.mail.models import MessageStatus, OutboxMessage
from patron.mail.templates import render_parts
from patron.scopes.config import get_config
from patron.scopes.models import StoreView

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
MAX_ATTEMPTS = 5


def sender_of(identity: str, store_view: StoreView | None) -> str:
    """Return the "Name <address>" of a store email identity (general, sales, support, ...)."""
    name = get_config(f"trans_email/ident_{identity}/name", store_view=store_view)
    email = get_config(f"trans_email/ident_{identity}/email", store_view=store_view)
    return formataddr((name, email))


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def send_templated_email(
    *,
    template: str,
    to: str | list[str],
    store_view: StoreView | None,
    context: Mapping[str, Any],
    identity: str = "general",
    secrets: Iterable[str] = (),
    customer_id: int | None = None,
    headers: Mapping[str, str] | None = None,
) -> OutboxMessage:
    """Render ``template`` in the store view's language, store it in the outbox and send it.

    ``secrets`` (reset tokens, confirmation links) are replaced by "[redacted]" in the stored
    copy; the message actually sent carries them. Sending happens after the caller's transaction
    commits, so a rolled-back change never sends mail. Returns the outbox row.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    language = store_view.locale if store_view is not None else translation.get_language() or "en"
    full_context = {**_store_context(store_view), **context}
    with translation.override(language):
        subject, text, html = render_parts(template, full_context)
    secrets = [s for s in secrets if s]
    message = OutboxMessage.objects.create(
        template_code=template,
        store_view=store_view,
        customer_id=customer_id,
        language=language,
        sender=sender_of(identity, store_view),
        recipients=recipients,
        subject=redact(subject, secrets),
        body_text=redact(text, secrets),
        body_html=redact(html, secrets),
        headers=dict(headers or {}),
        has_secrets=bool(secrets),
    )
    transaction.on_commit(lambda: deliver(message, subject=subject, text=text, html=html))
    return message


def _store_context(store_view: StoreView | None) -> dict[str, Any]:
    if store_view is None:
        return {"store_name": "Patron", "store_url": ""}
    name = get_config("general/store_information/name", store_view=store_view)
    return {
        "store_name": name or store_view.store.website.name,
        "store_url": get_config("web/url/base_url", store_view=store_view),
        "store_phone": get_config("general/store_information/phone", store_view=store_view),
    }


def deliver(
    message: OutboxMessage,
    *,
    subject: str | None = None,
    text: str | None = None,
    html: str | None = None,
) -> bool:
    """Send ``message`` through Django's email backend and record the outcome; return success.

    Without explicit parts the stored (redacted) copy is sent, which is only allowed for
    messages that carried no secrets.
    """
    if subject is None and message.has_secrets:
        raise Conflict(
            _("This message contained a one-time link and cannot be sent again."),
            code="message_has_secrets",
        )
    email = EmailMultiAlternatives(
        subject=subject if subject is not None else message.subject,
        body=text if text is not None else message.body_text,
        from_email=message.sender,
        to=message.recipients,
        headers=message.headers,
    )
    body_html = html if html is not None else message.body_html
    if body_html:
        email.attach_alternative(body_html, "text/html")
    try:
        email.send()
    except Exception as error:  # any transport failure: the outbox records it for a retry
        logger.warning("Sending outbox message %s failed: %s", message.pk, error)
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=MessageStatus.FAILED, attempts=message.attempts + 1, last_error=str(error)[:2000]
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENT,
        attempts=message.attempts + 1,
        sent_at=timezone.now(),
        last_error="",
    )
    return True


def resend(message: OutboxMessage) -> bool:
    """Send a stored message again; refused for messages that carried one-time secrets."""
    message.refresh_from_db()
    return deliver(message)


def retry_failed(*, limit: int = 100) -> int:
    """Re-send failed messages without secrets that have attempts left; return how many sent."""
    sent = 0
    candidates = OutboxMessage.objects.filter(
        status=MessageStatus.FAILED, has_secrets=False, attempts__lt=MAX_ATTEMPTS
    ).order_by("created_at")[:limit]
    for message in candidates:
        sent += deliver(message)
    return sent


def purge_outbox(*, older_than_days: int) -> int:
    """Delete outbox messages older than ``older_than_days``; return how many were deleted."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted, _counts = OutboxMessage.objects.filter(created_at__lt=cutoff).delete()
    return deleted
