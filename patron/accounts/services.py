"""Shopper accounts: registration, email confirmation, sign-in with lockout and throttling,
sign-out, password reset and forced sign-out. Back office, shopper pages and the API all call
these functions."""

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, Q
from django.urls import get_resolver
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patron.accounts import history
from patron.accounts.history import AccountKind
from patron.accounts.models import PasswordResetRequest
from patron.accounts.passwords import check_new_password
from patron.core import events
from patron.core.actors import SYSTEM, Actor, ActorKind
from patron.core.errors import (
    Forbidden,
    InvalidInput,
    LimitReached,
    NotAuthenticated,
    NotFound,
    Problem,
)
from patron.core.ratelimit import hit
from patron.customers import grid
from patron.customers import services as customer_services
from patron.customers.models import ConsentSource, Customer
from patron.customers.services import CUSTOMER_TOKEN_LIFETIME  # noqa: F401 - API answers it
from patron.mail.services import send_templated_email
from patron.scopes.config import get_config
from patron.scopes.models import StoreView

# Sign-in attempts per IP address across all accounts, against password spraying that a
# per-account lockout cannot see.
SIGN_IN_ATTEMPTS_PER_IP = 30
SIGN_IN_IP_WINDOW_SECONDS = 600
RESEND_PER_HOUR = 3


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def session_fingerprint(customer: Customer) -> str:
    """A value that changes whenever the password or the session version changes."""
    return salted_hmac(
        "patron.accounts.session", f"{customer.pk}:{customer.password}:{customer.session_version}"
    ).hexdigest()[:32]


def absolute_url(store_view: StoreView, path_name: str, query: str = "") -> str:
    """Return the shopper URL of ``path_name`` on ``store_view`` (its base URL or code prefix)."""
    from patron.scopes.selectors import store_view_base_path

    base = get_config("web/url/base_url", store_view=store_view).rstrip("/")
    if not base:
        base = settings.PATRON_PUBLIC_URL.rstrip("/") + store_view_base_path(store_view).rstrip("/")
    # The resolver's own reverse leaves out the script prefix of the current request, which
    # may belong to another store view.
    path = "/" + get_resolver().reverse(path_name)
    return f"{base}{path}{'?' + query if query else ''}"


def _customer_context(customer: Customer, store_view: StoreView) -> dict[str, Any]:
    return {
        "customer_name": customer.name,
        "customer_email": customer.email,
        "account_url": absolute_url(store_view, "customer-account"),
    }


def _store_view_of(customer: Customer) -> StoreView | None:
    from patron.scopes.selectors import default_store_view

    return customer.created_in or default_store_view(customer.website)


# --- Registration and confirmation --------------------------------------------------------------


@transaction.atomic
def register_customer(
    *,
    store_view: StoreView,
    email: str,
    password: str,
    password_confirmation: str | None,
    firstname: str,
    lastname: str,
    newsletter: bool = False,
    allow_remote_assistance: bool = False,
    **fields: Any,
) -> Customer:
    """Create a shopper's account on ``store_view`` and send the right email.

    With "Require Emails Confirmation" on for the website, the account waits for the link in
    the confirmation email; otherwise the welcome email is sent. Raises ``InvalidInput`` with
    every problem (fields and password together) or ``Conflict`` for a taken email.
    """
    website = store_view.store.website
    problems: list[Problem] = []
    try:
        check_new_password(password, password_confirmation)
    except InvalidInput as error:
        problems.extend(error.problems)
    from patron.customers.validation import customer_problems, form_rules

    data = {"email": email, "firstname": firstname, "lastname": lastname, **fields}
    problems = customer_problems(data, form_rules(website)) + problems
    if problems:
        raise InvalidInput.from_problems(problems)
    confirm = bool(get_config("customer/create_account/confirm", website=website))
    # The account does not exist yet; the shopper creating it is named by the email they gave.
    registrant = Actor(ActorKind.CUSTOMER, None, customer_services.normalize_email(email))
    customer = customer_services.create_customer(
        website=website,
        store_view=store_view,
        email=email,
        firstname=firstname,
        lastname=lastname,
        password=password,
        confirmation_required=confirm,
        allow_remote_assistance=allow_remote_assistance,
        actor=registrant,
        **fields,
    )
    actor = Actor.customer(customer)
    if newsletter:
        from patron.customers import newsletter as newsletter_service

        newsletter_service.subscribe(
            store_view=store_view, customer=customer, actor=actor, source=ConsentSource.REGISTRATION
        )
    if confirm:
        send_confirmation_email(customer=customer, store_view=store_view)
    else:
        _send(
            customer,
            store_view,
            "customer/create_account/email_template",
            "customer/create_account/email_identity",
        )
    return customer


def _send(
    customer: Customer,
    store_view: StoreView,
    template_path: str,
    identity_path: str,
    *,
    to: str | None = None,
    secrets_: tuple[str, ...] = (),
    **context: Any,
):
    return send_templated_email(
        template=get_config(template_path, store_view=store_view),
        to=to or customer.email,
        store_view=store_view,
        identity=get_config(identity_path, store_view=store_view),
        context={**_customer_context(customer, store_view), **context},
        secrets=secrets_,
        customer_id=customer.pk,
    )


@transaction.atomic
def send_confirmation_email(*, customer: Customer, store_view: StoreView | None = None) -> None:
    """Issue a new confirmation key (the old link stops working) and email the link."""
    store_view = store_view or _store_view_of(customer)
    key = secrets.token_urlsafe(24)
    Customer.objects.filter(pk=customer.pk).update(confirmation_key_digest=_digest(key))
    url = absolute_url(store_view, "customer-confirm", f"id={customer.pk}&key={key}")
    _send(
        customer,
        store_view,
        "customer/create_account/email_confirmation_template",
        "customer/create_account/email_identity",
        secrets_=(key, url),
        confirmation_url=url,
    )


def resend_confirmation(*, email: str, store_view: StoreView) -> None:
    """Send a new confirmation link if an unconfirmed account has this email; answer the same
    either way so the form does not reveal which emails have accounts."""
    email = customer_services.normalize_email(email)
    # A few links an hour per address is plenty, and keeps the form from being used to flood
    # someone's mailbox; over the limit the answer stays the same and nothing is sent.
    if not hit(f"resend-confirmation:{email}", limit=RESEND_PER_HOUR, window_seconds=3600).allowed:
        return
    customer = find_account(email=email, store_view=store_view)
    if customer is not None and customer.confirmation_required and customer.confirmed_at is None:
        send_confirmation_email(customer=customer, store_view=store_view)


@transaction.atomic
def confirm_email(*, customer_id: int, key: str, store_view: StoreView | None = None) -> Customer:
    """Confirm an account with the key from its link and send the confirmed-welcome email.

    The customer is not signed in: they sign in with email and password afterwards.
    """
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    if (
        customer is None
        or not customer.confirmation_key_digest
        or not hmac.compare_digest(customer.confirmation_key_digest, _digest(key))
    ):
        raise NotFound(
            _("This confirmation link is not valid or was already used."),
            code="invalid_confirmation",
        )
    customer.confirmed_at = timezone.now()
    customer.confirmation_key_digest = ""
    customer.save(update_fields=["confirmed_at", "confirmation_key_digest", "updated_at"])
    grid.refresh_rows([customer.pk])
    history.record(customer, AccountKind.EMAIL_CONFIRMED, Actor.customer(customer))
    store_view = store_view or _store_view_of(customer)
    _send(
        customer,
        store_view,
        "customer/create_account/email_confirmed_template",
        "customer/create_account/email_identity",
    )
    return customer


# --- Sign-in ------------------------------------------------------------------------------------


def find_account(*, email: str, store_view: StoreView) -> Customer | None:
    """Return the account ``email`` signs in to on this store view, under the sharing scope."""
    email = customer_services.normalize_email(email)
    accounts = Customer.objects.select_related("group", "website").filter(email=email)
    if customer_services.accounts_are_global():
        return accounts.order_by("pk").first()
    return accounts.filter(website_id=store_view.store.website_id).first()


def _lock_settings() -> tuple[int, int]:
    return (
        int(get_config("customer/password/lockout_failures")),
        int(get_config("customer/password/lockout_threshold")),
    )


def is_locked(customer: Customer, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return customer.lock_expires_at is not None and customer.lock_expires_at > now


def check_ip_rate(ip: str | None) -> None:
    """Count one sign-in attempt from ``ip``; raise ``LimitReached`` (429) past the limit."""
    if not ip:
        return
    decision = hit(
        f"signin-ip:{ip}", limit=SIGN_IN_ATTEMPTS_PER_IP, window_seconds=SIGN_IN_IP_WINDOW_SECONDS
    )
    if not decision.allowed:
        raise LimitReached(
            ngettext(
                "Too many sign-in attempts from your network. Try again in %(minutes)d minute.",
                "Too many sign-in attempts from your network. Try again in %(minutes)d minutes.",
                max(1, decision.retry_after // 60),
            )
            % {"minutes": max(1, decision.retry_after // 60)},
            retry_after=decision.retry_after,
            code="too_many_attempts",
        )


def _record_failure(customer: Customer) -> bool:
    """Count a failed sign-in atomically; lock the account at the limit. Return whether locked."""
    max_failures, lock_minutes = _lock_settings()
    now = timezone.now()
    window_start = now - dt.timedelta(minutes=lock_minutes)
    # A failure streak older than the lockout window starts again from one.
    Customer.objects.filter(pk=customer.pk).filter(
        Q(first_failure_at__lt=window_start) | Q(first_failure_at__isnull=True)
    ).update(failures_num=0, first_failure_at=now)
    Customer.objects.filter(pk=customer.pk).update(failures_num=F("failures_num") + 1)
    if max_failures <= 0:
        return False
    locked = Customer.objects.filter(pk=customer.pk, failures_num__gte=max_failures).update(
        lock_expires_at=now + dt.timedelta(minutes=lock_minutes),
        failures_num=0,
        first_failure_at=None,
    )
    if locked:
        grid.refresh_rows([customer.pk])
        history.record(customer, AccountKind.LOCKED, SYSTEM, minutes=lock_minutes)
    return bool(locked)


def invalid_credentials() -> NotAuthenticated:
    from patron.core.metrics import SIGN_IN_FAILURES

    SIGN_IN_FAILURES.labels("shopper").inc()
    return NotAuthenticated(
        _("The account sign-in was incorrect or your account is disabled temporarily. "
          "Please wait and try again later."),
        code="invalid_credentials",
    )  # fmt: skip


def authenticate(
    *, store_view: StoreView, email: str, password: str, ip: str | None = None
) -> Customer:
    """Return the customer when the email and password are right and the account may sign in.

    Raises ``LimitReached`` (too many attempts from the IP), ``NotAuthenticated`` with code
    ``invalid_credentials`` (wrong email or password, or a locked account: the same message,
    so it reveals neither), ``not_confirmed`` or ``account_inactive``, or ``Forbidden`` with
    ``group_excluded`` when the customer's group is excluded from this website.
    """
    check_ip_rate(ip)
    customer = find_account(email=email, store_view=store_view)
    if customer is None:
        # Spend the time a hash check takes so that timing does not reveal unknown emails.
        make_password(password)
        raise invalid_credentials()
    if is_locked(customer) or not customer.password:
        # Same time as a real check, so timing tells locked or password-less accounts apart
        # from others no more than the answer does.
        make_password(password)
        raise invalid_credentials()
    if not customer_services.check_customer_password(customer, password):
        with transaction.atomic():
            _record_failure(customer)
            history.record(customer, AccountKind.SIGN_IN_FAILED, SYSTEM, ip=ip or "")
        raise invalid_credentials()
    if not customer.is_active:
        raise NotAuthenticated(_("This account is disabled."), code="account_inactive")
    if not customer.is_confirmed:
        raise NotAuthenticated(
            _(
                "This account is not confirmed. Open the link in the confirmation email, or ask for a new one."
            ),
            code="not_confirmed",
        )
    if customer.group.excluded_websites.filter(pk=store_view.store.website_id).exists():
        raise Forbidden(_("This account cannot sign in to this store."), code="group_excluded")
    customer.refresh_from_db()
    return customer


@transaction.atomic
def record_sign_in(
    *,
    customer: Customer,
    store_view: StoreView,
    ip: str | None = None,
    via: str = "web",
    url: str = "",
) -> None:
    """Note a successful sign-in: clear failures, stamp the time, timeline and ``signIn``."""
    now = timezone.now()
    Customer.objects.filter(pk=customer.pk).update(
        failures_num=0, first_failure_at=None, lock_expires_at=None, last_login_at=now
    )
    grid.refresh_rows([customer.pk])
    history.record(
        customer,
        AccountKind.SIGNED_IN,
        Actor.customer(customer),
        via=via,
        store_view=store_view.code,
    )
    from patron.online.services import touch_online

    touch_online(customer=customer, store_view=store_view, url=url)
    events.emit("signIn", customer_id=customer.pk, store_view_id=store_view.pk, via=via)


@transaction.atomic
def record_sign_out(*, customer: Customer, via: str = "web") -> None:
    Customer.objects.filter(pk=customer.pk).update(last_logout_at=timezone.now())
    history.record(customer, AccountKind.SIGNED_OUT, Actor.customer(customer), via=via)
    from patron.online.services import forget_online

    forget_online(customer=customer)
    events.emit("signOut", customer_id=customer.pk, via=via)


@transaction.atomic
def unlock_customer(*, customer: Customer, actor: Actor) -> None:
    """End a lockout and clear the failure count."""
    Customer.objects.filter(pk=customer.pk).update(
        lock_expires_at=None, failures_num=0, first_failure_at=None
    )
    grid.refresh_rows([customer.pk])
    history.record(customer, AccountKind.UNLOCKED, actor)


@transaction.atomic
def force_sign_in(*, customer: Customer, actor: Actor) -> int:
    """End every session, Remember Me cookie and API token of the customer; return how many
    tokens were revoked. Nothing else changes."""
    Customer.objects.filter(pk=customer.pk).update(session_version=F("session_version") + 1)
    count = customer_services.revoke_customer_tokens(customer=customer, actor=actor)
    history.record(customer, AccountKind.FORCED_SIGN_IN, actor, tokens=count)
    return count


def revoke_token(*, customer: Customer, plaintext: str) -> None:
    """Revoke one customer token (sign-out of a headless storefront)."""
    from patron.customers.models import CustomerToken

    parts = plaintext.split("_", 2)
    if len(parts) == 3:
        CustomerToken.objects.filter(customer=customer, prefix=parts[1]).delete()


# --- Passwords ----------------------------------------------------------------------------------


@transaction.atomic
def set_password(
    *, customer: Customer, password: str, actor: Actor, confirmation: str | None = None
) -> Customer:
    """Set a new password under the policy; other sessions and Remember Me cookies end because
    the session fingerprint includes the password hash."""
    check_new_password(password, confirmation)
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    customer.password = make_password(password)
    customer.password_changed_at = timezone.now()
    customer.lock_expires_at = None
    customer.failures_num = 0
    customer.save(
        update_fields=[
            "password",
            "password_changed_at",
            "lock_expires_at",
            "failures_num",
            "updated_at",
        ]
    )
    PasswordResetRequest.objects.filter(
        customer=customer, used_at__isnull=True, superseded_at__isnull=True
    ).exclude(token_digest="").update(superseded_at=timezone.now())
    grid.refresh_rows([customer.pk])
    history.record(customer, AccountKind.PASSWORD_CHANGED, actor)
    return customer


def _throttle_reset(*, email: str, ip: str | None, store_view: StoreView) -> None:
    protection = get_config(
        "customer/password/password_reset_protection_type", store_view=store_view
    )
    if protection == "none":
        return
    max_per_hour = int(
        get_config("customer/password/max_number_password_reset_requests", store_view=store_view)
    )
    min_minutes = int(
        get_config(
            "customer/password/min_time_between_password_reset_requests", store_view=store_view
        )
    )
    now = timezone.now()
    keys = Q()
    if protection in ("ip_email", "email"):
        keys |= Q(email=email)
    if protection in ("ip_email", "ip") and ip:
        keys |= Q(ip=ip)
    if not keys:
        return
    recent = PasswordResetRequest.objects.filter(keys, by_staff=False)
    if (
        max_per_hour
        and recent.filter(created_at__gte=now - dt.timedelta(hours=1)).count() >= max_per_hour
    ):
        raise LimitReached(
            _("We received too many requests for password resets. Please wait and try again later, "
              "or contact us at %(email)s.") % {"email": get_config("trans_email/ident_support/email", store_view=store_view)},
            code="too_many_reset_requests",
            retry_after=3600,
        )  # fmt: skip
    if (
        min_minutes
        and recent.filter(created_at__gte=now - dt.timedelta(minutes=min_minutes)).exists()
    ):
        raise LimitReached(
            ngettext(
                "Please wait %(minutes)d minute between password reset requests.",
                "Please wait %(minutes)d minutes between password reset requests.",
                min_minutes,
            )
            % {"minutes": min_minutes},
            code="reset_requested_too_soon",
            retry_after=min_minutes * 60,
        )


def _issue_reset_link(
    *, customer: Customer, store_view: StoreView, email: str, ip: str | None, by_staff: bool
) -> tuple[str, str]:
    """Supersede the customer's open links and return (the new link, its token)."""
    PasswordResetRequest.objects.filter(
        customer=customer, used_at__isnull=True, superseded_at__isnull=True
    ).exclude(token_digest="").update(superseded_at=timezone.now())
    token = secrets.token_urlsafe(32)
    reset = PasswordResetRequest.objects.create(
        email=email,
        ip=ip,
        customer=customer,
        store_view=store_view,
        by_staff=by_staff,
        token_digest=_digest(token),
    )
    return absolute_url(
        store_view, "customer-reset-password", f"id={reset.pk}&token={token}"
    ), token


@transaction.atomic
def request_password_reset(*, email: str, store_view: StoreView, ip: str | None = None) -> None:
    """Email a reset link if an account has this email; the caller answers the same either way.

    Raises ``LimitReached`` when the reset protection settings refuse the request; every
    request counts, for known and unknown emails alike.
    """
    email = customer_services.normalize_email(email)
    _throttle_reset(email=email, ip=ip, store_view=store_view)
    customer = find_account(email=email, store_view=store_view)
    if customer is None:
        PasswordResetRequest.objects.create(email=email, ip=ip, store_view=store_view)
        return
    url, token = _issue_reset_link(
        customer=customer, store_view=store_view, email=email, ip=ip, by_staff=False
    )
    history.record(customer, AccountKind.PASSWORD_RESET_REQUESTED, Actor.customer(customer))
    _send(
        customer,
        store_view,
        "customer/password/forgot_email_template",
        "customer/password/forgot_email_identity",
        secrets_=(token, url),
        reset_url=url,
        expires_hours=int(get_config("customer/password/reset_link_expiration_period")),
    )


@transaction.atomic
def staff_password_reset(
    *, customer: Customer, actor: Actor, store_view: StoreView | None = None
) -> None:
    """Send the Remind Password email with a reset link (staff never see or set a password).

    The same hourly request limit applies as for the customer's own requests.
    """
    store_view = store_view or _store_view_of(customer)
    max_per_hour = int(
        get_config("customer/password/max_number_password_reset_requests", store_view=store_view)
    )
    recent = PasswordResetRequest.objects.filter(
        customer=customer, created_at__gte=timezone.now() - dt.timedelta(hours=1)
    ).count()
    if max_per_hour and recent >= max_per_hour:
        raise LimitReached(
            ngettext(
                "This customer was sent %(count)d reset link in the last hour; try again later.",
                "This customer was sent %(count)d reset links in the last hour; try again later.",
                recent,
            )
            % {"count": recent},
            code="too_many_reset_requests",
            retry_after=3600,
        )
    url, token = _issue_reset_link(
        customer=customer, store_view=store_view, email=customer.email, ip=None, by_staff=True
    )
    history.record(customer, AccountKind.PASSWORD_RESET_REQUESTED, actor, by_staff=True)
    template = "customer/password/remind_email_template"
    if not customer.has_password:
        template = "customer/create_account/email_no_password_template"
    _send(
        customer,
        store_view,
        template,
        "customer/password/forgot_email_identity",
        secrets_=(token, url),
        reset_url=url,
        expires_hours=int(get_config("customer/password/reset_link_expiration_period")),
    )


def valid_reset_request(*, request_id: int, token: str) -> PasswordResetRequest:
    """Return the reset request a link points to, or raise ``NotFound`` (``invalid_reset_link``)
    when it is unknown, used, superseded, expired or older than the last password change."""
    reset = (
        PasswordResetRequest.objects.select_related("customer", "store_view")
        .filter(pk=request_id)
        .first()
    )
    hours = int(get_config("customer/password/reset_link_expiration_period"))
    now = timezone.now()
    if (
        reset is None
        or reset.customer is None
        or not reset.token_digest
        or not hmac.compare_digest(reset.token_digest, _digest(token))
        or reset.used_at is not None
        or reset.superseded_at is not None
        or reset.created_at < now - dt.timedelta(hours=hours)
        or (
            reset.customer.password_changed_at
            and reset.customer.password_changed_at > reset.created_at
        )
    ):
        raise NotFound(
            _("Your password reset link has expired or was already used. Ask for a new one."),
            code="invalid_reset_link",
        )
    return reset


@transaction.atomic
def reset_password(
    *, request_id: int, token: str, password: str, confirmation: str | None
) -> Customer:
    """Set the password from a reset link, use up the link and send the Reset Password notice."""
    reset = valid_reset_request(request_id=request_id, token=token)
    PasswordResetRequest.objects.filter(pk=reset.pk).update(used_at=timezone.now())
    customer = set_password(
        customer=reset.customer,
        password=password,
        confirmation=confirmation,
        actor=Actor.customer(reset.customer),
    )
    # A customer who could open the emailed link has proven the address.
    if customer.confirmation_required and customer.confirmed_at is None:
        Customer.objects.filter(pk=customer.pk).update(
            confirmed_at=timezone.now(), confirmation_key_digest=""
        )
        grid.refresh_rows([customer.pk])
    store_view = reset.store_view or _store_view_of(customer)
    _send(
        customer,
        store_view,
        "customer/password/reset_password_template",
        "customer/password/forgot_email_identity",
    )
    return customer


# --- Account information (the shopper's own changes) --------------------------------------------

EMAIL_CHANGE_LINK_HOURS = 24


def _check_current_password(customer: Customer, current_password: str) -> None:
    if not customer_services.check_customer_password(customer, current_password or ""):
        raise InvalidInput(
            _("The password doesn't match this account. Verify the password and try again."),
            code="wrong_current_password",
            field="current_password",
        )


@transaction.atomic
def change_password(
    *,
    customer: Customer,
    current_password: str,
    password: str,
    confirmation: str | None,
    actor: Actor,
) -> Customer:
    """Change a password after checking the current one; the Reset Password notice is sent and
    every other session ends (the caller keeps its own with ``sessions.refresh_fingerprint``)."""
    customer_services.refuse_while_assisting(actor, _("password"))
    _check_current_password(customer, current_password)
    customer = set_password(
        customer=customer, password=password, confirmation=confirmation, actor=actor
    )
    store_view = _store_view_of(customer)
    _send(
        customer,
        store_view,
        "customer/password/reset_password_template",
        "customer/password/forgot_email_identity",
    )
    return customer


@transaction.atomic
def request_email_change(
    *,
    customer: Customer,
    new_email: str,
    current_password: str,
    store_view: StoreView,
    with_password: bool = False,
    actor: Actor | None = None,
) -> None:
    """Start an email change: after checking the current password and that the new address is
    free, send a confirmation link to the new address. Nothing changes until it is opened."""
    customer_services.refuse_while_assisting(actor or Actor.customer(customer), _("email address"))
    _check_current_password(customer, current_password)
    new_email = customer_services.normalize_email(new_email)
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(new_email)
    except ValidationError:
        raise InvalidInput(
            _("%(email)s is not a valid email address.") % {"email": new_email},
            code="invalid_email",
            field="email",
        ) from None
    if new_email == customer.email:
        return
    if customer_services._email_taken(new_email, customer.website_id, exclude_id=customer.pk):
        raise InvalidInput(
            _("A customer with the email %(email)s already exists.") % {"email": new_email},
            code="email_taken",
            field="email",
        )
    key = secrets.token_urlsafe(24)
    Customer.objects.filter(pk=customer.pk).update(
        pending_email=new_email,
        pending_email_key_digest=_digest(key),
        pending_email_requested_at=timezone.now(),
        pending_email_with_password=with_password,
    )
    url = absolute_url(store_view, "customer-email-confirm", f"id={customer.pk}&key={key}")
    send_templated_email(
        template="customer_account_information_change_email_confirmation_template",
        to=new_email,
        store_view=store_view,
        identity=get_config("customer/create_account/email_identity", store_view=store_view),
        context={
            **_customer_context(customer, store_view),
            "confirmation_url": url,
            "new_email": new_email,
        },
        secrets=(key, url),
        customer_id=customer.pk,
    )


@transaction.atomic
def confirm_email_change(*, customer_id: int, key: str) -> Customer:
    """Apply a pending email change from its link; the old address gets the Change Email (or
    Change Email and Password) notice. Refused when the link is wrong, used, older than a day,
    or the address was taken meanwhile."""
    customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
    fresh_after = timezone.now() - dt.timedelta(hours=EMAIL_CHANGE_LINK_HOURS)
    if (
        customer is None
        or not customer.pending_email_key_digest
        or not hmac.compare_digest(customer.pending_email_key_digest, _digest(key))
        or customer.pending_email_requested_at is None
        or customer.pending_email_requested_at < fresh_after
    ):
        raise NotFound(
            _("This email change link is not valid or has expired."), code="invalid_email_change"
        )
    old_email, new_email = customer.email, customer.pending_email
    with_password = customer.pending_email_with_password
    Customer.objects.filter(pk=customer.pk).update(
        pending_email="",
        pending_email_key_digest="",
        pending_email_requested_at=None,
        pending_email_with_password=False,
    )
    customer = customer_services.update_customer(
        customer=customer, email=new_email, actor=Actor.customer(customer)
    )
    store_view = _store_view_of(customer)
    template_path = (
        "customer/account_information/change_email_and_password_template"
        if with_password
        else "customer/account_information/change_email_template"
    )
    _send(
        customer,
        store_view,
        template_path,
        "customer/create_account/email_identity",
        to=old_email,
        new_email=new_email,
    )
    return customer


@transaction.atomic
def create_account_by_staff(
    *,
    website,
    email: str,
    firstname: str,
    lastname: str,
    actor: Actor,
    welcome_store_view: StoreView | None = None,
    send_welcome_email: bool = True,
    **fields: Any,
) -> Customer:
    """Create an account for a customer (spec a §15): no password until the customer sets one
    through the link in the "New Account Without Password" email, sent from ``welcome_store_view``
    (which also becomes "Account Created In" and decides the email's language). The assistance
    consent is not set here: staff change it afterwards, with a reason."""
    if fields.get("allow_remote_assistance"):
        raise InvalidInput(
            _("Set the remote shopping assistance consent after creating the account, with a "
              "reason (the customer page, or PUT /api/v1/customers/{id}/assistance-consent)."),
            code="consent_not_at_creation",
            field="allow_remote_assistance",
        )  # fmt: skip
    customer = customer_services.create_customer(
        website=website,
        store_view=welcome_store_view,
        email=email,
        firstname=firstname,
        lastname=lastname,
        actor=actor,
        **fields,
    )
    if send_welcome_email:
        store_view = _store_view_of(customer)
        url, token = _issue_reset_link(
            customer=customer, store_view=store_view, email=customer.email, ip=None, by_staff=True
        )
        _send(
            customer,
            store_view,
            "customer/create_account/email_no_password_template",
            "customer/create_account/email_identity",
            secrets_=(token, url),
            reset_url=url,
            expires_hours=int(get_config("customer/password/reset_link_expiration_period")),
        )
    return customer
