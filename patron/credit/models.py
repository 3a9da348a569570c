"""Store credit (spec b §7–11): one balance per customer and website, in the website's base
currency, changed only by appending a history row in the same transaction."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core.actors import ActorFields

MONEY = {"max_digits": 14, "decimal_places": 4}


class StoreCreditBalance(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="store_credit",
        verbose_name=_("customer"), db_index=False,  # the unique (customer, website) serves
    )  # fmt: skip
    website = models.ForeignKey(
        "scopes.Website", on_delete=models.PROTECT, related_name="+", verbose_name=_("website")
    )
    amount = models.DecimalField(_("balance"), default=0, **MONEY)
    currency = models.CharField(_("currency"), max_length=3)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("store credit balance")
        verbose_name_plural = _("store credit balances")
        constraints = [
            models.UniqueConstraint(fields=["customer", "website"], name="credit_one_per_website"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="credit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class CreditAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    USED = "used", _("Used")
    REFUNDED = "refunded", _("Refunded")
    REVERTED = "reverted", _("Reverted")
    EXPIRED = "expired", _("Expired")
    FORFEITED = "forfeited", _("Forfeited")


class StoreCreditHistory(ActorFields):
    """One movement of a balance. ``reference`` is the shop's order number (Used, Reverted) or
    credit memo number (Refunded); with the action it makes a resent call harmless."""

    balance = models.ForeignKey(
        StoreCreditBalance, on_delete=models.CASCADE, related_name="history", db_index=False
    )
    action = models.CharField(_("action"), max_length=16, choices=CreditAction.choices)
    delta = models.DecimalField(_("balance change"), **MONEY)
    balance_after = models.DecimalField(_("balance"), **MONEY)
    # "<order number>/<credit memo number>" for refunds: room for two 64-character numbers.
    reference = models.CharField(_("order or credit memo"), max_length=130, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    notified = models.BooleanField(_("customer notified"), default=False)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("store credit history entry")
        verbose_name_plural = _("store credit history")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["balance", "-created_at"], name="credit_history_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["balance", "action", "reference"],
                condition=~models.Q(reference=""),
                name="credit_once_per_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.delta}"


class StoreCreditLot(models.Model):
    """A credited amount not yet spent. Spending takes the lots that expire soonest first (those
    that never expire last); the expiry job removes what is left of an expired lot."""

    balance = models.ForeignKey(StoreCreditBalance, on_delete=models.CASCADE, related_name="lots")
    remaining = models.DecimalField(_("remaining"), **MONEY)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("store credit lot")
        verbose_name_plural = _("store credit lots")
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=models.Q(expires_at__isnull=False, remaining__gt=0),
                name="credit_lot_expiry_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(remaining__gte=0), name="credit_lot_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.remaining} until {self.expires_at or '-'}"
