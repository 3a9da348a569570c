"""The emails Patron can send, each rendered from files per store view and language.

A template is three files under ``templates/mail/<code>/``: ``subject.txt``, ``body.txt`` and
optionally ``body.html``. They are Django templates shipped with the code and rendered with the
store view's language active; staff-edited variants are plain text checked against the same
variable list, never stored Django templates.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MailTemplate:
    code: str
    label: Any
    variables: tuple[str, ...] = ()


_templates: dict[str, MailTemplate] = {}


def register_template(template: MailTemplate) -> MailTemplate:
    if template.code in _templates:
        raise ImproperlyConfigured(f"Mail template {template.code!r} is registered twice.")
    _templates[template.code] = template
    return template


def get_template_definition(code: str) -> MailTemplate:
    try:
        return _templates[code]
    except KeyError:
        raise KeyError(f"No mail template is registered as {code!r}.") from None


def template_choices() -> list[tuple[str, str]]:
    return sorted(((t.code, str(t.label)) for t in _templates.values()), key=lambda c: c[1])


def render_parts(code: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Return (subject, text body, HTML body or "") of template ``code`` in the active language."""
    get_template_definition(code)
    subject = get_template(f"mail/{code}/subject.txt").render(context)
    text = get_template(f"mail/{code}/body.txt").render(context)
    try:
        html = get_template(f"mail/{code}/body.html").render(context)
    except TemplateDoesNotExist:
        html = ""
    # Subjects are one line; a stray newline would break the header.
    return " ".join(subject.split()), text.strip() + "\n", html


CUSTOMER_VARIABLES = ("customer_name", "customer_email", "store_name", "store_url", "account_url")


def register_builtin_templates() -> None:
    for code, label, extra in (
        ("customer_create_account_email_template", _("New Account"), ()),
        ("customer_create_account_email_no_password_template", _("New Account Without Password"), ("reset_url",)),
        ("customer_create_account_email_confirmation_template", _("New Account Confirmation Key"), ("confirmation_url",)),
        ("customer_create_account_email_confirmed_template", _("New Account Confirmed"), ()),
        ("customer_password_forgot_email_template", _("Forgot Password"), ("reset_url", "expires_hours")),
        ("customer_password_remind_email_template", _("Remind Password"), ("reset_url", "expires_hours")),
        ("customer_password_reset_password_template", _("Reset Password"), ()),
        ("customer_account_information_change_email_template", _("Change Email"), ("new_email",)),
        ("customer_account_information_change_email_and_password_template", _("Change Email and Password"), ("new_email",)),
        ("customer_account_information_change_email_confirmation_template", _("Confirm New Email"), ("confirmation_url", "new_email")),
        ("customer_store_credit_update_email_template", _("Store Credit Update"), ("balance", "change", "comment")),
        ("newsletter_subscription_confirm_email_template", _("Newsletter Subscription Confirmation"), ("confirmation_url", "unsubscribe_url")),
        ("newsletter_subscription_success_email_template", _("Newsletter Subscription Success"), ("unsubscribe_url",)),
        ("newsletter_subscription_un_email_template", _("Newsletter Unsubscription Success"), ()),
    ):  # fmt: skip
        register_template(MailTemplate(code, label, CUSTOMER_VARIABLES + extra))
