"""Staff sign-in: two-factor authentication (TOTP authenticator apps and recovery codes, through
django-otp), throttling and lockout of password and code attempts.

Two-factor authentication is required when ``PATRON_STAFF_TWO_FACTOR`` is on (the default in
production). A staff member then signs in with a password, then a code from their app or one of
their ten single-use recovery codes; one without an app enrols right after the password.
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patron.core.actors import Actor
from patron.core.errors import InvalidInput, LimitReached
from patron.core.ratelimit import hit, peek

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Failed attempts allowed per window before sign-in is refused for the rest of the window.
PASSWORD_FAILURES_PER_ACCOUNT = 10
PASSWORD_FAILURES_PER_ADDRESS = 50
CODE_FAILURES_PER_ACCOUNT = 5
WINDOW_SECONDS = 15 * 60


def is_required() -> bool:
    return settings.STAFF_TWO_FACTOR_REQUIRED


def is_verified(user) -> bool:
    """Whether this request's user passed the second factor (set by django-otp's middleware,
    and by its login() right after the code was entered)."""
    return getattr(user, "otp_device", None) is not None


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _locked(key: str, limit: int) -> LimitReached | None:
    if peek(key, window_seconds=WINDOW_SECONDS) < limit:
        return None
    minutes = WINDOW_SECONDS // 60
    return LimitReached(
        ngettext(
            "Too many failed attempts. Try again in %(minutes)d minute.",
            "Too many failed attempts. Try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        retry_after=WINDOW_SECONDS,
        code="staff_sign_in_locked",
    )


def _failure_keys(username: str, ip: str | None) -> list[tuple[str, int]]:
    keys = [(f"staff-password:{username.strip().lower()}", PASSWORD_FAILURES_PER_ACCOUNT)]
    if ip:
        keys.append((f"staff-password-ip:{ip}", PASSWORD_FAILURES_PER_ADDRESS))
    return keys


def check_password_attempt_allowed(*, username: str, ip: str | None) -> None:
    """Refuse a password attempt for an account or address that failed too often lately."""
    for key, limit in _failure_keys(username, ip):
        refusal = _locked(key, limit)
        if refusal is not None:
            raise refusal


def record_password_failure(*, username: str, ip: str | None) -> None:
    from patron.core.metrics import SIGN_IN_FAILURES

    SIGN_IN_FAILURES.labels("staff").inc()
    for key, limit in _failure_keys(username, ip):
        hit(key, limit=limit, window_seconds=WINDOW_SECONDS)


def begin_enrolment(user) -> TOTPDevice:
    """Return the user's unconfirmed authenticator device, creating it (a new secret) if none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def setup_details(device: TOTPDevice, *, issuer: str) -> dict[str, str]:
    """The otpauth:// address (for the QR code) and the secret in base 32 (to type it in)."""
    import base64
    from urllib.parse import quote, urlencode

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{issuer}:{device.user.get_username()}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": device.digits})
    return {"url": f"otpauth://totp/{label}?{query}", "secret": secret}


@transaction.atomic
def confirm_enrolment(*, user, token: str) -> list[str]:
    """Confirm the new authenticator with a code from it; it replaces any earlier one, and a
    fresh set of recovery codes is returned (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token((token or "").strip()):
        raise InvalidInput(
            _("That code is not right. Enter the 6-digit code your app shows now."),
            code="invalid_code",
            field="token",
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new single-use ones and return them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def verify_second_factor(*, user, token: str):
    """Return the device that accepts ``token`` (an app code or an unused recovery code, which
    is then spent); raise ``InvalidInput``, or ``LimitReached`` after repeated failures."""
    key = f"staff-code:{user.pk}"
    refusal = _locked(key, CODE_FAILURES_PER_ACCOUNT)
    if refusal is not None:
        raise refusal
    device = match_token(user, (token or "").strip().replace(" ", ""))
    if device is None:
        hit(key, limit=CODE_FAILURES_PER_ACCOUNT, window_seconds=WINDOW_SECONDS)
        raise InvalidInput(
            _("That code is not right. Enter the code from your app or a recovery code."),
            code="invalid_code",
            field="token",
        )
    return device


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def reset_two_factor(*, user, actor: Actor) -> None:
    """Remove a staff member's app and recovery codes (they lost their phone); they enrol again
    at their next sign-in. Recorded in the staff action log."""
    from patron.staff.models import StaffActionKind
    from patron.staff.services import record_staff_action

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_staff_action(
        actor=actor,
        action=StaffActionKind.PERMISSIONS,
        target=_("Staff member %(name)s") % {"name": user.get_username()},
        details={"change": "two_factor_reset"},
    )
