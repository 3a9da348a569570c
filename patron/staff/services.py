"""Integration tokens (create, rotate, revoke), staff website scope and the staff action log."""

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patron.core.actors import Actor
from patron.core.errors import Conflict, InvalidInput, LimitReached, NotAuthenticated, Problem
from patron.core.ratelimit import hit
from patron.scopes.models import Website
from patron.staff.models import IntegrationToken, StaffAction, StaffActionKind

TOKEN_PREFIX = "ptn"  # noqa: S105 - a public token prefix


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str, str]:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return prefix, secret, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def known_permissions() -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }


def _check_token_fields(*, name: str, permissions: Iterable[str], rate_limit: int | None) -> None:
    problems = []
    if not name.strip():
        problems.append(Problem("required", _("Give the token a name."), field="name"))
    unknown = sorted(set(permissions) - known_permissions())
    if unknown:
        problems.append(
            Problem(
                "unknown_permission",
                _("Unknown permissions: %(names)s.") % {"names": ", ".join(unknown)},
                field="permissions",
            )
        )
    if rate_limit is not None and rate_limit < 1:
        problems.append(
            Problem("min_value", _("Allow at least one request per minute."), field="rate_limit")
        )
    if problems:
        raise InvalidInput.from_problems(problems)


@transaction.atomic
def create_integration_token(
    *,
    name: str,
    permissions: Iterable[str],
    websites: Iterable[Website] = (),
    rate_limit_per_minute: int | None = None,
    expires_at=None,
    actor: Actor,
    created_by=None,
) -> tuple[IntegrationToken, str]:
    """Create a token and return it with its secret, which is shown this once and never again."""
    permissions = sorted(set(permissions))
    _check_token_fields(name=name, permissions=permissions, rate_limit=rate_limit_per_minute)
    prefix, _secret, plaintext = _new_secret()
    token = IntegrationToken.objects.create(
        name=name.strip(),
        prefix=prefix,
        secret_digest=_digest(plaintext),
        permissions=permissions,
        rate_limit_per_minute=rate_limit_per_minute,
        expires_at=expires_at,
        created_by=created_by,
    )
    token.websites.set(list(websites))
    record_staff_action(
        actor=actor,
        action=StaffActionKind.PERMISSIONS,
        target=_("Integration token %(name)s") % {"name": token.name},
        details={"token_id": token.pk, "change": "created", "permissions": permissions},
    )
    return token, plaintext


@transaction.atomic
def rotate_integration_token(
    *, token: IntegrationToken, actor: Actor
) -> tuple[IntegrationToken, str]:
    """Replace ``token`` by a new one with the same name, permissions and websites; the old
    secret stops working at once."""
    token = IntegrationToken.objects.select_for_update().get(pk=token.pk)
    if not token.is_active:
        raise Conflict(
            _("This token is revoked or expired and cannot be rotated."), code="token_inactive"
        )
    new_token, plaintext = create_integration_token(
        name=token.name,
        permissions=token.permissions,
        websites=token.websites.all(),
        rate_limit_per_minute=token.rate_limit_per_minute,
        expires_at=token.expires_at,
        actor=actor,
        created_by=token.created_by,
    )
    token.revoked_at = timezone.now()
    token.replaced_by = new_token
    token.save(update_fields=["revoked_at", "replaced_by"])
    record_staff_action(
        actor=actor,
        action=StaffActionKind.PERMISSIONS,
        target=_("Integration token %(name)s") % {"name": token.name},
        details={"token_id": token.pk, "change": "rotated", "replaced_by": new_token.pk},
    )
    return new_token, plaintext


@transaction.atomic
def revoke_integration_token(*, token: IntegrationToken, actor: Actor) -> IntegrationToken:
    """Stop ``token`` from working; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_staff_action(
            actor=actor,
            action=StaffActionKind.PERMISSIONS,
            target=_("Integration token %(name)s") % {"name": token.name},
            details={"token_id": token.pk, "change": "revoked"},
        )
    return token


def authenticate_integration_token(plaintext: str) -> IntegrationToken:
    """Return the active token for ``plaintext`` or raise ``NotAuthenticated``."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise NotAuthenticated(_("The API token is not valid."), code="invalid_token")
    token = IntegrationToken.objects.filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_digest, _digest(plaintext)):
        raise NotAuthenticated(_("The API token is not valid."), code="invalid_token")
    if not token.is_active:
        raise NotAuthenticated(_("The API token is revoked or expired."), code="token_inactive")
    now = timezone.now()
    # Record use at most once a minute, so authentication is not a write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        IntegrationToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def check_token_rate(token: IntegrationToken) -> None:
    """Count one request for ``token``; raise ``LimitReached`` with Retry-After when over."""
    limit = token.rate_limit_per_minute or settings.API_DEFAULT_RATE_LIMIT_PER_MINUTE
    decision = hit(f"token:{token.pk}", limit=limit, window_seconds=60)
    if not decision.allowed:
        raise LimitReached(
            ngettext(
                "This token may make %(limit)d requests a minute; try again in %(seconds)d second.",
                "This token may make %(limit)d requests a minute; try again in %(seconds)d seconds.",
                decision.retry_after,
            )
            % {"limit": limit, "seconds": decision.retry_after},
            retry_after=decision.retry_after,
            code="rate_limited",
        )


def token_website_ids(token: IntegrationToken) -> list[int] | None:
    """Return the websites a token may see, or None for all websites."""
    ids = list(token.websites.values_list("pk", flat=True))
    return ids or None


def staff_website_ids(user) -> list[int] | None:
    """Return the websites a staff member may see, or None for all websites."""
    if user.is_superuser:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return None
    ids = list(profile.websites.values_list("pk", flat=True))
    return ids or None


# --- Staff action log ---------------------------------------------------------------------------


def record_staff_action(
    *,
    actor: Actor,
    action: str,
    target: str = "",
    count: int | None = None,
    details: dict | None = None,
) -> StaffAction:
    """Add an entry to the staff action log (exports, mass actions, settings, permissions).

    Written in the caller's transaction, so an action that rolls back leaves no entry.
    """
    return StaffAction.objects.create(
        action=action,
        target=str(target)[:500],
        count=count,
        details=details or {},
        **actor.as_fields(),
    )


def permission_snapshot(user) -> dict:
    """What a staff member may do and see, compared before and after an edit of their account."""
    profile = getattr(user, "staff_profile", None)
    return {
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
        "websites": sorted(profile.websites.values_list("code", flat=True)) if profile else [],
    }


def group_permission_snapshot(group) -> list[str]:
    return sorted(
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    )


def record_permission_change(*, actor: Actor, target: str, before, after) -> StaffAction | None:
    """Log a change of a staff member's or a role's permissions; nothing when they are equal."""
    if before == after:
        return None
    return record_staff_action(
        actor=actor,
        action=StaffActionKind.PERMISSIONS,
        target=target,
        details={"before": before, "after": after},
    )


def record_configuration_change(
    *, actor: Actor, scope: str, scope_id: int, changed: list[str], reset: list[str]
) -> StaffAction | None:
    """Log a configuration save by a staff member or an integration (not Patron's own)."""
    if actor.kind not in ("staff", "integration"):
        return None
    return record_staff_action(
        actor=actor,
        action=StaffActionKind.CONFIGURATION,
        target=f"{scope}:{scope_id}",
        count=len(changed) + len(reset),
        details={"changed": changed, "reset": reset},
    )
