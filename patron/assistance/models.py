from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core.actors import ActorFields


class AssistanceSession(ActorFields):
    """One "Log in as Customer" session: who (the actor: a staff member, or an integration that
    issued the login URL), for which customer and store view, when it started and ended, and
    how many changes were made in it. The customer's email and name are kept as a snapshot so
    the log stays readable after the customer is deleted."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        related_name="assistance_sessions",
        verbose_name=_("customer"),
    )
    customer_email = models.CharField(_("customer email"), max_length=254)
    customer_name = models.CharField(_("customer name"), max_length=511, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    store_view = models.ForeignKey(
        "scopes.StoreView", on_delete=models.PROTECT, related_name="+", verbose_name=_("store view")
    )
    secret_digest = models.CharField(max_length=64, unique=True)
    secret_expires_at = models.DateTimeField(_("link valid until"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("logged in at"), null=True, blank=True, db_index=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("how it ended"), max_length=32, blank=True)
    actions_count = models.PositiveIntegerField(_("actions taken"), default=0)

    class Meta:
        verbose_name = _("Login as Customer session")
        verbose_name_plural = _("Login as Customer log")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("login_as_customer", _("Can log in as a customer (shopper assistance)")),
            ("view_assistance_log", _("Can view the Login as Customer log")),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} → {self.customer_email} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_active(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    @property
    def duration(self):
        if self.started_at is None:
            return None
        end = self.ended_at or self.last_activity_at or self.started_at
        return end - self.started_at


class AssistanceAction(models.Model):
    """A change made while assisting: the request that made it, recorded against the session
    (and so against both the customer and the staff member)."""

    session = models.ForeignKey(
        AssistanceSession,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=_("session"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("page"), max_length=500)
    status = models.PositiveSmallIntegerField(_("answer"))

    class Meta:
        verbose_name = _("action taken while assisting")
        verbose_name_plural = _("actions taken while assisting")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status}"
