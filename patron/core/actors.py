"""Who did something: a staff member, an integration, the customer, or Patron itself."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    STAFF = "staff", _("Staff member")
    INTEGRATION = "integration", _("Integration")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Actor:
    """The author of a change, kept on history rows, progress jobs and the staff action log.

    ``label`` is a snapshot (a name or email) so that records stay readable after the staff
    member, token or customer behind them is deleted.
    """

    kind: str
    id: int | None = None
    label: str = ""
    # Set while staff act inside a "log in as customer" session, so writes name both.
    on_behalf_of_staff_id: int | None = None

    @classmethod
    def staff(cls, user: Any) -> "Actor":
        return cls(ActorKind.STAFF, user.pk, user.get_username())

    @classmethod
    def integration(cls, token: Any) -> "Actor":
        return cls(ActorKind.INTEGRATION, token.pk, token.name)

    @classmethod
    def customer(cls, customer: Any) -> "Actor":
        return cls(ActorKind.CUSTOMER, customer.pk, customer.email)

    def as_fields(self, prefix: str = "actor") -> dict[str, Any]:
        """Return the model field values that store this actor (``actor_kind``, ...)."""
        return {
            f"{prefix}_kind": self.kind,
            f"{prefix}_id": self.id,
            f"{prefix}_label": self.label[:255],
        }


SYSTEM = Actor(ActorKind.SYSTEM, None, "Patron")


class ActorFields(models.Model):
    """Abstract columns that record an :class:`Actor` on a row."""

    actor_kind = models.CharField(_("actor type"), max_length=16, choices=ActorKind.choices)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def actor(self) -> Actor:
        return Actor(self.actor_kind, self.actor_id, self.actor_label)
