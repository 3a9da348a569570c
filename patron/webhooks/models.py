import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Subscription(models.Model):
    """A receiver of outgoing webhooks: where to send which events, signed with ``secret``."""

    name = models.CharField(_("name"), max_length=100)
    target_url = models.URLField(_("target URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    websites = models.ManyToManyField(
        "scopes.Website",
        blank=True,
        related_name="+",
        verbose_name=_("websites"),
        help_text=_("Send only events of these websites' customers. Leave empty for all."),
    )
    # Kept readable: it signs every delivery, and receivers need the same value to verify.
    secret = models.CharField(_("signing secret"), max_length=128)
    is_active = models.BooleanField(_("active"), default=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    # The last failed attempt's status code or error, kept untranslated (see pause_message).
    pause_reason = models.CharField(_("last failure"), max_length=255, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failed deliveries in a row"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]
        permissions = [("redeliver_delivery", _("Can re-send webhook deliveries"))]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def pause_message(self) -> str:
        """Why the subscription is paused, in the active language."""
        return ngettext(
            "Paused after %(count)d failed attempt in a row; the last one answered: %(last)s",
            "Paused after %(count)d failed attempts in a row; the last one answered: %(last)s",
            self.consecutive_failures,
        ) % {"count": self.consecutive_failures, "last": self.pause_reason}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One event sent (or to be sent) to one subscription, with its latest attempt's outcome."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    # The event's id, the same for every attempt and every redelivery: receivers use it to
    # ignore duplicates (the idempotency key).
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, db_index=True)
    event_type = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt at"), null=True, blank=True, db_index=True
    )
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    response_excerpt = models.TextField(_("response excerpt"), blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhooks_due_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription}"
