import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.core.actors import ActorFields


class ConsentKind(models.TextChoices):
    NEWSLETTER = "newsletter", _("Newsletter")
    REMOTE_ASSISTANCE = "remote_assistance", _("Remote shopping assistance")


class ConsentRecord(ActorFields):
    """One change of a customer's consent: what (``kind``, ``granted``), when (``at``), where
    (``store_view``, ``channel``: storefront, API, back office, import) and how (``method``:
    the form or link used). The actor is who made the change. Rows are only ever added."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="consent_records"
    )
    kind = models.CharField(_("consent"), max_length=32, choices=ConsentKind.choices)
    granted = models.BooleanField(_("given"))
    store_view = models.ForeignKey(
        "scopes.StoreView", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("where"), max_length=32)
    method = models.CharField(_("how"), max_length=100, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "-at"], name="privacy_consent_customer")]

    def __str__(self) -> str:
        return f"{self.kind} {'granted' if self.granted else 'withdrawn'}"


class ExportState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    DOWNLOADED = "downloaded", _("Downloaded")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


class DataExport(ActorFields):
    """A copy of everything Patron holds about one customer, prepared by a task and downloadable
    once through a link that expires. The row stays as the log of the request; the file is
    deleted when downloaded or expired."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="data_exports",
    )  # fmt: skip
    customer_ref = models.CharField(_("customer reference"), max_length=64)
    state = models.CharField(
        _("state"), max_length=16, choices=ExportState.choices, default=ExportState.PENDING
    )
    file_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True)
    token_digest = models.CharField(max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("downloaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk}"


class ErasureState(models.TextChoices):
    PENDING = "pending", _("Waiting for the cancel window to end")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class ErasureRequest(ActorFields):
    """A request to erase a customer: carried out when ``due_at`` passes (the cancel window)
    unless cancelled. After erasure only ``customer_ref``, the pseudonymous reference the
    anonymized account, its orders and its ledger keep, ties the request to them."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="erasure_requests",
    )  # fmt: skip
    customer_ref = models.CharField(_("customer reference"), max_length=64)
    state = models.CharField(
        _("state"), max_length=16, choices=ErasureState.choices, default=ErasureState.PENDING
    )
    forfeit_credit = models.BooleanField(_("store credit forfeited"), default=False)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    due_at = models.DateTimeField(_("to be erased at"), db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(state="pending"),
                name="privacy_one_pending_erasure",
            )
        ]

    def __str__(self) -> str:
        return f"erasure of {self.customer_ref}"
