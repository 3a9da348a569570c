from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patron.core.actors import ActorFields


class StaffProfile(models.Model):
    """Patron's additions to a staff user: back-office language and website scope."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("back-office language"),
        max_length=8,
        blank=True,
        help_text=_("Leave empty to follow the browser's language."),
    )
    websites = models.ManyToManyField(
        "scopes.Website",
        blank=True,
        related_name="+",
        verbose_name=_("websites"),
        help_text=_(
            "Limit this staff member to the customers of these websites. "
            "Leave empty for all websites."
        ),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self) -> str:
        return str(self.user)


class IntegrationToken(models.Model):
    """A bearer token for a shop or tool calling the back-office API.

    Only a SHA-256 digest of the secret is stored: the secret is 32 random bytes, so a slow
    password hash would add nothing but latency to every API call. ``prefix`` identifies the
    token in lists and logs without revealing it.
    """

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_digest = models.CharField(max_length=64)
    permissions = models.JSONField(
        _("permissions"), default=list, blank=True, help_text=_("app_label.codename entries.")
    )
    websites = models.ManyToManyField(
        "scopes.Website",
        blank=True,
        related_name="+",
        verbose_name=_("websites"),
        help_text=_("Limit the token to these websites' data. Leave empty for all websites."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the installation default."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    class Meta:
        verbose_name = _("integration token")
        verbose_name_plural = _("integration tokens")
        ordering = ["-created_at"]
        permissions = [
            ("rotate_integrationtoken", _("Can rotate integration tokens")),
            ("revoke_integrationtoken", _("Can revoke integration tokens")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class StaffActionKind(models.TextChoices):
    EXPORT = "export", _("Export")
    MASS_ACTION = "mass_action", _("Mass action")
    CONFIGURATION = "configuration", _("Configuration change")
    PERMISSIONS = "permissions", _("Permission change")


class StaffAction(ActorFields):
    """One entry of the staff action log: who did what, when, and to how many records.

    Kept apart from the customer timeline because these actions are about the shop's data as a
    whole (exports, mass actions, settings, permissions), and are read by whoever audits staff.
    """

    action = models.CharField(_("action"), max_length=32, choices=StaffActionKind.choices)
    target = models.CharField(_("target"), max_length=500, blank=True)
    count = models.PositiveIntegerField(_("records"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("staff action")
        verbose_name_plural = _("staff action log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-at"], name="staff_action_kind_idx"),
            models.Index(fields=["actor_kind", "actor_id", "-at"], name="staff_action_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.action} {self.target}"
