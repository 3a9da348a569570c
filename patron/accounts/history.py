from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core import history
from patron.core.actors import Actor
from patron.customers.models import Customer, TimelineEntry


class AccountKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGNED_OUT = "signed_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED = "locked", _("Account locked")
    UNLOCKED = "unlocked", _("Account unlocked")
    EMAIL_CONFIRMED = "email_confirmed", _("Email confirmed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    FORCED_SIGN_IN = "forced_sign_in", _("Signed out everywhere by staff")


history.register_kinds(AccountKind)


def record(customer: Customer, kind: str, actor: Actor, **params: Any) -> TimelineEntry:
    return TimelineEntry.objects.create(
        customer=customer, kind=kind, params=params, **actor.as_fields()
    )
