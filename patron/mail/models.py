from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """Every email Patron sends, as rendered, with one-time secrets (links, tokens) redacted.

    A message that carried a secret cannot be re-sent from the outbox (``has_secrets``): the
    secret is not stored, so the customer asks for a new link instead.
    """

    template_code = models.CharField(_("template"), max_length=100)
    store_view = models.ForeignKey(
        "scopes.StoreView",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("store view"),
    )
    customer_id = models.BigIntegerField(_("customer id"), null=True, blank=True, db_index=True)
    language = models.CharField(_("language"), max_length=8)
    sender = models.CharField(_("from"), max_length=320)
    recipients = models.JSONField(_("to"), default=list)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    has_secrets = models.BooleanField(_("contained one-time secrets"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="mail_outbox_status_idx")]
        permissions = [("resend_outboxmessage", _("Can re-send outbox messages"))]

    def __str__(self) -> str:
        return self.subject


class TemplateOverride(models.Model):
    """A staff-edited version of an email template, for one store view or for all of them.

    The text may use only ``{{ variable }}`` placeholders from the template's variable list;
    it is never run as a Django template.
    """

    template_code = models.CharField(_("template"), max_length=100)
    store_view = models.ForeignKey(
        "scopes.StoreView",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("store view"),
        help_text=_("Leave empty to use this text in every store view without its own."),
    )
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        constraints = [
            models.UniqueConstraint(
                fields=["template_code", "store_view"],
                condition=models.Q(store_view__isnull=False),
                name="mail_one_override_per_view",
            ),
            models.UniqueConstraint(
                fields=["template_code"],
                condition=models.Q(store_view__isnull=True),
                name="mail_one_override_for_all_views",
            ),
        ]

    def __str__(self) -> str:
        return self.template_code
