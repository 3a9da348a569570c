from django.db import models
from django.utils.translation import gettext_lazy as _


class OnlineKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    VISITOR = "visitor", _("Visitor")


class OnlineSession(models.Model):
    """The last state-changing activity of a customer or a visitor (sign-in, registration,
    cart change). Whether it counts as online is decided at read time by the interval."""

    kind = models.CharField(_("type"), max_length=16, choices=OnlineKind.choices)
    # "c:<customer id>" or "v:<visitor id>": one row per customer or visitor.
    subject = models.CharField(max_length=140, unique=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    visitor_id = models.CharField(_("visitor id"), max_length=128, blank=True)
    store_view = models.ForeignKey(
        "scopes.StoreView", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_activity_at = models.DateTimeField(_("last activity"), db_index=True)
    last_url = models.CharField(_("last URL"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("online customer or visitor")
        verbose_name_plural = _("Now Online")
        ordering = ["-last_activity_at"]

    def __str__(self) -> str:
        return self.subject
