from django.db import models
from django.utils.translation import gettext_lazy as _


class PasswordResetRequest(models.Model):
    """Every "forgot password" request, whether or not the email has an account.

    Rows count requests per email and per IP for the reset protection settings; rows with a
    token digest are the reset links, valid until used, superseded by a newer link, expired or
    outdated by a password change.
    """

    email = models.EmailField(_("email"), max_length=254, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    store_view = models.ForeignKey(
        "scopes.StoreView", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_staff = models.BooleanField(_("requested by staff"), default=False)
    token_digest = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} @ {self.created_at:%Y-%m-%d %H:%M}"
