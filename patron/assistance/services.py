"""Shopper assistance ("Log in as Customer"): who may start it, for whom, and its log.

Staff (or an integration) ask for a session; Patron checks the feature switch, the permission,
the customer's consent under the configured policy and the store view, records the session and
returns a single-use secret valid for 60 seconds. The storefront exchanges the secret for an
assisted session in a cookie of its own, so the staff member's back-office session and any
shopper session already open in that browser are untouched. Every change made while assisting
is recorded on the session, and the customer's timeline names the staff member.
"""

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from patron.assistance import settings_fields as fields
from patron.assistance.history import AssistanceKind
from patron.assistance.models import AssistanceAction, AssistanceSession
from patron.core.actors import Actor
from patron.core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from patron.customers.models import Customer, TimelineEntry
from patron.scopes.config import get_config
from patron.scopes.models import StoreView

SECRET_LIFETIME = dt.timedelta(seconds=60)
PERMISSION = "assistance.login_as_customer"
LOG_PERMISSION = "assistance.view_assistance_log"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_enabled() -> bool:
    return bool(get_config(fields.ENABLED))


def consent_policy() -> str:
    return get_config(fields.CONSENT_POLICY)


def store_view_is_chosen_by_staff() -> bool:
    return bool(get_config(fields.STORE_VIEW_CHOICE))


def checkbox_texts(website) -> tuple[str, str]:
    """The label and tooltip of the consent checkbox on this website's shopper forms; the
    defaults are shown in the shopper's language until staff change them."""
    title = get_config(fields.CHECKBOX_TITLE, website=website)
    tooltip = get_config(fields.CHECKBOX_TOOLTIP, website=website)
    return (
        _(fields.DEFAULT_TITLE) if title == fields.DEFAULT_TITLE else title,
        _(fields.DEFAULT_TOOLTIP) if tooltip == fields.DEFAULT_TOOLTIP else tooltip,
    )


def consent_default_for_new_accounts() -> bool:
    """Under opt-out the consent box starts ticked on registration."""
    return consent_policy() == fields.OPT_OUT


def has_consent(customer: Customer) -> bool:
    return consent_policy() == fields.ALWAYS or customer.allow_remote_assistance


def store_views_for(customer: Customer):
    """The store views staff may open for this customer: their website's active views."""
    return StoreView.objects.filter(store__website_id=customer.website_id, is_active=True).order_by(
        "store__sort_order", "sort_order", "pk"
    )


def check_can_assist(customer: Customer, *, may: bool) -> None:
    """Raise the reason staff may not log in as ``customer`` (``may``: they hold the permission)."""
    if not is_enabled():
        raise Forbidden(_("Login as Customer is switched off."), code="assistance_disabled")
    if not may:
        raise Forbidden(
            _("You need the permission to log in as customers for this."),
            code="permission_denied",
            params={"permission": PERMISSION},
        )
    if not customer.is_active:
        raise Conflict(_("This customer account is inactive."), code="customer_inactive")
    if not has_consent(customer):
        raise Conflict(
            _(
                "This customer has not allowed remote shopping assistance. Ask them to tick "
                "the box on their Account Information page."
            ),
            code="no_consent",
        )


def _store_view_for(customer: Customer, store_view: StoreView | None) -> StoreView:
    views = store_views_for(customer)
    if store_view is None:
        if store_view_is_chosen_by_staff():
            raise InvalidInput(
                _("Choose the store view to log in to."), code="required", field="store_view"
            )
        from patron.customers.services import default_store_view_of

        chosen = default_store_view_of(customer)
        # The view the account was created in may belong to a website it has since left.
        if chosen is not None and views.filter(pk=chosen.pk).exists():
            return chosen
        store_view = views.first()
        if store_view is None:
            raise Conflict(
                _("The customer's website has no active store view."), code="no_store_view"
            )
        return store_view
    if not views.filter(pk=store_view.pk).exists():
        raise InvalidInput(
            _("That store view does not belong to the customer's website."),
            code="invalid_store_view",
            field="store_view",
        )
    return store_view


@transaction.atomic
def start_assistance(
    *,
    customer: Customer,
    actor: Actor,
    may: bool,
    store_view: StoreView | None = None,
    staff_user=None,
) -> tuple[AssistanceSession, str]:
    """Record a new Login as Customer session and return it with its single-use secret."""
    customer = Customer.objects.select_related("website", "created_in").get(pk=customer.pk)
    check_can_assist(customer, may=may)
    store_view = _store_view_for(customer, store_view)
    secret = secrets.token_urlsafe(32)
    session = AssistanceSession.objects.create(
        customer=customer,
        customer_email=customer.email,
        customer_name=customer.name,
        staff_user=staff_user,
        store_view=store_view,
        secret_digest=_digest(secret),
        secret_expires_at=timezone.now() + SECRET_LIFETIME,
        **actor.as_fields(),
    )
    return session, secret


def _invalid_secret() -> NotAuthenticated:
    return NotAuthenticated(
        _("This Login as Customer link is not valid, was already used or has expired."),
        code="invalid_assistance_link",
    )


@transaction.atomic
def redeem_secret(secret: str) -> AssistanceSession:
    """Exchange a secret for its session, once and within 60 seconds of its issue."""
    session = (
        # of=self: PostgreSQL cannot lock the nullable side of the customer join.
        AssistanceSession.objects.select_for_update(of=("self",))
        .select_related("customer", "store_view")
        .filter(secret_digest=_digest(secret or ""))
        .first()
    )
    now = timezone.now()
    if session is None or session.started_at is not None or session.secret_expires_at < now:
        raise _invalid_secret()
    if session.customer is None:
        raise _invalid_secret()
    # The checks again: the feature, the permission, the consent or the account may have
    # changed since the link was issued.
    check_can_assist(session.customer, may=_still_permitted(session))
    session.started_at = session.last_activity_at = now
    session.save(update_fields=["started_at", "last_activity_at"])
    TimelineEntry.objects.create(
        customer=session.customer,
        kind=AssistanceKind.STARTED,
        params={"session_id": session.pk, "store_view": session.store_view.code},
        **session.actor.as_fields(),
    )
    return session


def _still_permitted(session: AssistanceSession) -> bool:
    """Whether whoever started the session still holds the permission (a staff member, or the
    integration token that issued the link)."""
    if session.staff_user_id is not None:
        staff = session.staff_user
        return staff.is_active and staff.has_perm(PERMISSION)
    if session.actor_kind == "integration":
        from patron.staff.models import IntegrationToken

        token = IntegrationToken.objects.filter(pk=session.actor_id).first()
        return token is not None and token.is_active and PERMISSION in token.permissions
    return False


def active_session(session_id: Any) -> AssistanceSession | None:
    """The session behind an assisted cookie while it may still be used, else None. A session
    that may no longer be used (feature off, permission or consent withdrawn, account
    deactivated or deleted) is ended, so the log shows when it stopped."""
    session = (
        AssistanceSession.objects.select_related(
            "customer__website", "customer__group", "store_view", "staff_user"
        )
        .filter(pk=session_id, started_at__isnull=False, ended_at__isnull=True)
        .first()
    )
    if session is None:
        return None
    usable = (
        session.customer is not None
        and is_enabled()
        and session.customer.is_active
        and has_consent(session.customer)
        and _still_permitted(session)
    )
    if not usable:
        end_assistance(session=session, reason="no_longer_allowed")
        return None
    return session


def may_use_on(session: AssistanceSession, store_view) -> bool:
    """An assisted session works on the store views where the customer could sign in."""
    from patron.customers.services import accounts_are_global

    if store_view is None:
        return False
    return accounts_are_global() or session.customer.website_id == store_view.store.website_id


def assisted_actor(session: AssistanceSession) -> Actor:
    """The author of changes made while assisting: the customer, as done by the staff member."""
    customer = session.customer
    label = _("%(customer)s (assisted by %(staff)s)") % {
        "customer": customer.email,
        "staff": session.actor_label,
    }
    return Actor("customer", customer.pk, label, on_behalf_of_staff_id=session.actor_id or 0)


def record_action(session: AssistanceSession, *, method: str, path: str, status: int) -> None:
    AssistanceAction.objects.create(session=session, method=method, path=path[:500], status=status)
    AssistanceSession.objects.filter(pk=session.pk).update(
        actions_count=F("actions_count") + 1, last_activity_at=timezone.now()
    )


def touch(session: AssistanceSession) -> None:
    """Note activity at most once a minute, so page views are not a write each."""
    now = timezone.now()
    if session.last_activity_at is None or now - session.last_activity_at > dt.timedelta(minutes=1):
        AssistanceSession.objects.filter(pk=session.pk).update(last_activity_at=now)


@transaction.atomic
def end_assistance(*, session: AssistanceSession, reason: str = "ended") -> None:
    """End a session (the staff member's choice, or because it may no longer be used)."""
    updated = AssistanceSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )
    if updated and session.customer_id:
        TimelineEntry.objects.create(
            customer_id=session.customer_id,
            kind=AssistanceKind.ENDED,
            params={"session_id": session.pk, "actions": session.actions_count, "reason": reason},
            **session.actor.as_fields(),
        )
