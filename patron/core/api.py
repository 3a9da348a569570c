"""What every API router shares: who is calling, what they may do, the store view a shopper
call acts for, one error format, and keyset pagination."""

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.security import HttpBearer, SessionAuth

from patron.core.actors import Actor
from patron.core.errors import Forbidden, InvalidInput, NotAuthenticated

STORE_HEADER = "X-Patron-Store"
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


@dataclass
class Principal:
    """The caller of a back-office API operation: a staff session or an integration token."""

    actor: Actor
    permissions: frozenset[str] | None  # None: decided by the staff user's own permissions
    website_ids: list[int] | None  # None: every website
    user: Any = None
    token: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    def has_perm(self, permission: str) -> bool:
        if self.user is not None:
            return self.user.has_perm(permission)
        return self.permissions is not None and permission in self.permissions

    def can_see_website(self, website_id: int) -> bool:
        return self.website_ids is None or website_id in self.website_ids


class IntegrationTokenAuth(HttpBearer):
    """``Authorization: Bearer ptn_…``: an integration token, rate limited per token."""

    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        from patron.staff.services import (
            authenticate_integration_token,
            check_token_rate,
            token_website_ids,
        )

        if not token.startswith("ptn_"):
            return None
        integration = authenticate_integration_token(token)
        check_token_rate(integration)
        request.principal = Principal(
            actor=Actor.integration(integration),
            permissions=frozenset(integration.permissions),
            website_ids=token_website_ids(integration),
            token=integration,
        )
        return integration


class StaffSessionAuth(SessionAuth):
    """A signed-in staff member's back-office session (with CSRF), e.g. from the API docs."""

    def authenticate(self, request, key):
        from patron.staff import two_factor
        from patron.staff.services import staff_website_ids

        user = super().authenticate(request, key)
        if not user or not user.is_staff or not user.is_active:
            return None
        if two_factor.is_required() and not two_factor.is_verified(request.user):
            return None  # signed in with a password only: the session is not a staff one yet
        request.principal = Principal(
            actor=Actor.staff(user),
            permissions=None,
            website_ids=staff_website_ids(user),
            user=user,
        )
        return user


staff_auth = [IntegrationTokenAuth(), StaffSessionAuth()]


def principal_of(request) -> Principal:
    principal = getattr(request, "principal", None)
    if principal is None:
        raise NotAuthenticated(_("Sign in or send an API token."), code="not_authenticated")
    return principal


def require_permission(request, permission: str) -> Principal:
    """Return the caller if they hold ``permission``; raise ``Forbidden`` naming it otherwise."""
    principal = principal_of(request)
    if not principal.has_perm(permission):
        raise Forbidden(
            _("You need the permission %(permission)s for this.") % {"permission": permission},
            code="permission_denied",
            params={"permission": permission},
        )
    return principal


def store_view_of(request):
    """Return the store view a shopper API call acts for, from the ``X-Patron-Store`` header.

    Raises ``InvalidInput`` (``store_required``) when the header is missing and ``NotFound``
    (``unknown_store``) when no active store view has that code.
    """
    from patron.scopes.selectors import get_store_view_by_code

    cached = getattr(request, "api_store_view", None)
    if cached is not None:
        return cached
    code = request.headers.get(STORE_HEADER, "").strip()
    if not code:
        raise InvalidInput(
            _("Send the store view code in the %(header)s header.") % {"header": STORE_HEADER},
            code="store_required",
            field=STORE_HEADER,
        )
    request.api_store_view = get_store_view_by_code(code)
    return request.api_store_view


# --- Errors -------------------------------------------------------------------------------------


class FieldErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    params: dict[str, Any] | None = None
    errors: list[FieldErrorOut] | None = None


# The error responses every endpoint may give, for its OpenAPI description.
ERRORS = {code: ErrorOut for code in (400, 401, 403, 404, 409, 429)}


# --- Keyset pagination --------------------------------------------------------------------------

T = TypeVar("T")


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(updated_at: dt.datetime, pk: Any) -> str:
    # Non-integer keys (UUIDs, as on Job) travel as text and are parsed back by the model field.
    raw = json.dumps([updated_at.isoformat(), pk if isinstance(pk, int) else str(pk)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _invalid_cursor() -> InvalidInput:
    return InvalidInput(
        _("The cursor is not valid; use the next_cursor of a previous page."),
        code="invalid_cursor",
        field="cursor",
    )


def decode_cursor(cursor: str) -> tuple[dt.datetime, int | str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = json.loads(base64.urlsafe_b64decode(padded))
        moment = parse_datetime(stamp)
        if moment is None or isinstance(pk, bool) or not isinstance(pk, (int, str)):
            raise ValueError
        return moment, pk
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise _invalid_cursor() from None


def keyset_page(
    queryset: QuerySet,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    updated_since: dt.datetime | None = None,
) -> tuple[list[Any], str | None]:
    """Return one page of ``queryset`` ordered by (updated_at, id) and the next page's cursor.

    Keyset pagination stays fast at any depth and never skips or repeats a row while others
    are being changed, which is what a shop syncing "everything changed since" needs.
    """
    if limit < 1 or limit > MAX_PAGE_SIZE:
        raise InvalidInput(
            _("limit must be between 1 and %(max)d.") % {"max": MAX_PAGE_SIZE},
            code="invalid_limit",
            field="limit",
        )
    queryset = queryset.order_by("updated_at", "pk")
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    if cursor:
        after_time, after_pk = decode_cursor(cursor)
        try:
            after_pk = queryset.model._meta.pk.to_python(after_pk)
        except ValidationError:
            raise _invalid_cursor() from None
        queryset = queryset.filter(
            Q(updated_at__gt=after_time) | Q(updated_at=after_time, pk__gt=after_pk)
        )
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.updated_at, last.pk)
