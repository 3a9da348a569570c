"""Newsletter subscriptions as shoppers and staff see them: the store's "Need to Confirm"
(double opt-in) setting, the confirmation, success and unsubscribe emails, and signed
one-click unsubscribe links (with List-Unsubscribe headers)."""

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patron.core.actors import Actor
from patron.core.errors import NotFound
from patron.customers import services
from patron.customers.models import ConsentSource, Customer, NewsletterSubscriber, SubscriberStatus
from patron.mail.services import send_templated_email
from patron.scopes.config import (
    STORE_VIEW_SCOPES,
    ConfigField,
    ConfigGroup,
    ConfigSection,
    FieldType,
    get_config,
    register_section,
)
from patron.scopes.models import StoreView

UNSUBSCRIBE_SALT = "patron.newsletter.unsubscribe"
TEMPLATES = "patron.mail.templates.template_choices"


def _identity_options():
    from patron.scopes.fields import IDENTITY_OPTIONS

    return IDENTITY_OPTIONS


def register_settings() -> None:
    def choice(path, default, label, options):
        return ConfigField(
            path,
            FieldType.CHOICE,
            default,
            STORE_VIEW_SCOPES,
            label,
            options=options,
            used_by="newsletter",
        )

    register_section(
        ConfigSection(
            "newsletter",
            gettext_lazy("Newsletter"),
            45,
            (
                ConfigGroup(
                    "newsletter/subscription",
                    gettext_lazy("Subscription Options"),
                    (
                        ConfigField(
                            "newsletter/subscription/confirm",
                            FieldType.BOOL,
                            False,
                            STORE_VIEW_SCOPES,
                            gettext_lazy("Need to Confirm"),
                            gettext_lazy(
                                "Yes: a subscription becomes active only after the link in the confirmation email is opened (double opt-in)."
                            ),
                            used_by="newsletter",
                        ),
                        choice(
                            "newsletter/subscription/confirm_email_identity",
                            "support",
                            gettext_lazy("Confirmation Email Sender"),
                            _identity_options,
                        ),
                        choice(
                            "newsletter/subscription/confirm_email_template",
                            "newsletter_subscription_confirm_email_template",
                            gettext_lazy("Confirmation Email Template"),
                            TEMPLATES,
                        ),
                        choice(
                            "newsletter/subscription/success_email_identity",
                            "general",
                            gettext_lazy("Success Email Sender"),
                            _identity_options,
                        ),
                        choice(
                            "newsletter/subscription/success_email_template",
                            "newsletter_subscription_success_email_template",
                            gettext_lazy("Success Email Template"),
                            TEMPLATES,
                        ),
                        choice(
                            "newsletter/subscription/un_email_identity",
                            "support",
                            gettext_lazy("Unsubscription Email Sender"),
                            _identity_options,
                        ),
                        choice(
                            "newsletter/subscription/un_email_template",
                            "newsletter_subscription_un_email_template",
                            gettext_lazy("Unsubscription Email Template"),
                            TEMPLATES,
                        ),
                    ),
                ),
            ),
        )
    )


def unsubscribe_token(subscriber: NewsletterSubscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=UNSUBSCRIBE_SALT)


def subscriber_from_token(token: str) -> NewsletterSubscriber:
    """Return the subscription an unsubscribe link names, or raise ``NotFound``."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise NotFound(
            _("This unsubscribe link is not valid."), code="invalid_unsubscribe_link"
        ) from None
    subscriber = (
        NewsletterSubscriber.objects.select_related("store_view")
        .filter(pk=data.get("s"), email=data.get("e"))
        .first()
    )
    if subscriber is None:
        raise NotFound(_("This unsubscribe link is not valid."), code="invalid_unsubscribe_link")
    return subscriber


def _links(subscriber: NewsletterSubscriber, code: str | None = None) -> dict[str, str]:
    from patron.accounts.services import absolute_url

    links = {
        "unsubscribe_url": absolute_url(
            subscriber.store_view,
            "newsletter-unsubscribe",
            f"token={unsubscribe_token(subscriber)}",
        )
    }
    if code:
        links["confirmation_url"] = absolute_url(
            subscriber.store_view, "newsletter-confirm", f"id={subscriber.pk}&code={code}"
        )
    return links


def _send(subscriber: NewsletterSubscriber, kind: str, *, code: str | None = None) -> None:
    view = subscriber.store_view
    links = _links(subscriber, code)
    customer = subscriber.customer
    send_templated_email(
        template=get_config(f"newsletter/subscription/{kind}_email_template", store_view=view),
        to=subscriber.email,
        store_view=view,
        identity=get_config(f"newsletter/subscription/{kind}_email_identity", store_view=view),
        context={
            "customer_name": customer.name if customer else "",
            "customer_email": subscriber.email,
            **links,
        },
        secrets=[code] if code else [],
        customer_id=customer.pk if customer else None,
        headers={
            "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


@transaction.atomic
def subscribe(
    *,
    store_view: StoreView,
    actor: Actor,
    source: str,
    customer: Customer | None = None,
    email: str | None = None,
) -> NewsletterSubscriber:
    """Subscribe under the store view's "Need to Confirm" setting and send the right email:
    the confirmation link (double opt-in) or the success notice."""
    need_confirm = bool(get_config("newsletter/subscription/confirm", store_view=store_view))
    was_active = NewsletterSubscriber.objects.filter(
        email=services.normalize_email(customer.email if customer else email or ""),
        store_view=store_view,
        status=SubscriberStatus.SUBSCRIBED,
    ).exists()
    subscriber, code = services.subscribe_newsletter(
        store_view=store_view,
        actor=actor,
        source=source,
        customer=customer,
        email=email,
        require_confirmation=need_confirm,
    )
    if code:
        _send(subscriber, "confirm", code=code)
    elif not was_active:
        _send(subscriber, "success")
    return subscriber


@transaction.atomic
def confirm(*, subscriber_id: int, code: str, actor: Actor) -> NewsletterSubscriber:
    subscriber = services.confirm_newsletter(subscriber_id=subscriber_id, code=code, actor=actor)
    _send(subscriber, "success")
    return subscriber


@transaction.atomic
def unsubscribe(
    *,
    actor: Actor,
    source: str,
    customer: Customer | None = None,
    email: str | None = None,
    store_view: StoreView | None = None,
) -> int:
    """Unsubscribe and send the unsubscription notice for each subscription that changed."""
    subscriptions = list(
        NewsletterSubscriber.objects.filter(
            **(
                {"customer": customer}
                if customer
                else {"email": services.normalize_email(email or "")}
            ),
            **({"store_view": store_view} if store_view else {}),
        ).exclude(status=SubscriberStatus.UNSUBSCRIBED)
    )
    changed = services.unsubscribe_newsletter(
        actor=actor, source=source, customer=customer, email=email, store_view=store_view
    )
    for subscriber in subscriptions:
        subscriber.refresh_from_db()
        if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
            _send(subscriber, "un")
    return changed


@transaction.atomic
def unsubscribe_by_token(*, token: str) -> NewsletterSubscriber:
    """One-click unsubscribe from an email link."""
    subscriber = subscriber_from_token(token)
    actor = (
        Actor.customer(subscriber.customer)
        if subscriber.customer
        else Actor("system", None, subscriber.email)
    )
    unsubscribe(
        actor=actor,
        source=ConsentSource.EMAIL_LINK,
        email=subscriber.email,
        store_view=subscriber.store_view,
    )
    subscriber.refresh_from_db()
    return subscriber
