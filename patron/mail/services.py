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

from patron.core.errors import Conflict, InvalidInput, Problem
from patron.mail.models import MessageStatus, OutboxMessage, TemplateOverride
from patron.mail.placeholders import check_placeholders, fill
from patron.mail.templates import get_template_definition, render_parts
from patron.scopes.config import get_config
from patron.scopes.models import StoreView

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
STORE_VARIABLES = ("store_name", "store_url", "store_phone")
NUMBER_SENTINEL = 987654321
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
        subject, text, html = render_email(template, full_context, store_view)
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


def find_override(code: str, store_view: StoreView | None) -> TemplateOverride | None:
    """Return the staff text for ``code`` on this store view, else the one for all views."""
    overrides = TemplateOverride.objects.filter(template_code=code)
    if store_view is not None:
        own = overrides.filter(store_view=store_view).first()
        if own is not None:
            return own
    return overrides.filter(store_view__isnull=True).first()


def render_email(
    code: str, context: Mapping[str, Any], store_view: StoreView | None
) -> tuple[str, str, str]:
    """Return (subject, text, html) from the staff text when there is one, else the files."""
    override = find_override(code, store_view)
    if override is None:
        return render_parts(code, dict(context))
    subject = " ".join(fill(override.subject, context).split())
    return subject, fill(override.body_text, context).strip() + "\n", ""


def default_text(code: str, store_view: StoreView | None) -> tuple[str, str]:
    """Return the shipped subject and text with ``{{ variable }}`` placeholders, in the store
    view's language: the starting point for a staff edit."""
    definition = get_template_definition(code)
    markers: dict[str, Any] = {
        name: "{{ " + name + " }}" for name in (*definition.variables, *STORE_VARIABLES)
    }
    # Plural forms need a number: render a sentinel number and put the placeholder back.
    markers["expires_hours"] = NUMBER_SENTINEL
    language = store_view.locale if store_view else "en"
    with translation.override(language):
        subject, text, _html = render_parts(code, markers)
    sentinel = str(NUMBER_SENTINEL)
    return subject.replace(sentinel, "{{ expires_hours }}"), text.replace(
        sentinel, "{{ expires_hours }}"
    )


SAMPLE_VALUES = {
    "customer_name": "Jane Doe",
    "customer_email": "jane.doe@example.com",
    "account_url": "https://shop.example.com/customer/account/",
    "reset_url": "https://shop.example.com/customer/account/createpassword/?id=1&token=sample",
    "confirmation_url": "https://shop.example.com/customer/account/confirm/?id=1&key=sample",
    "expires_hours": 2,
    "new_email": "jane.new@example.com",
    "balance": "$50.00",
    "change": "+$20.00",
    "comment": "",
}


@transaction.atomic
def save_template_override(
    *, code: str, store_view: StoreView | None, subject: str, body_text: str, actor: Any
) -> TemplateOverride:
    """Store staff text for an email; only the template's own placeholders are accepted, and
    each problem names its line and column."""
    definition = get_template_definition(code)
    problems = []
    if not subject.strip():
        problems.append(Problem("required", _("Subject is a required field."), field="subject"))
    if not body_text.strip():
        problems.append(Problem("required", _("Text is a required field."), field="body_text"))
    if problems:
        raise InvalidInput.from_problems(problems)
    check_placeholders(
        {"subject": subject, "body_text": body_text}, (*definition.variables, *STORE_VARIABLES)
    )
    override, _created = TemplateOverride.objects.update_or_create(
        template_code=code,
        store_view=store_view,
        defaults={"subject": subject.strip(), "body_text": body_text},
    )
    return override


def preview(code: str, store_view: StoreView | None) -> tuple[str, str]:
    """Return (subject, text) of ``code`` as a customer of ``store_view`` would get it, with
    sample values."""
    language = store_view.locale if store_view else "en"
    context = {**_store_context(store_view), **SAMPLE_VALUES}
    with translation.override(language):
        subject, text, _html = render_email(code, context, store_view)
    return subject, text


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
