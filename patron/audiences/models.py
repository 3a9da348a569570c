from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.Model):
    """A group of shoppers defined in an external customer data platform and activated in Patron
    (spec c §8): its members arrive by API pushes, by a scheduled pull, or with each request in
    a signed header or cookie. ``external_id`` is the platform's id, the one that travels in
    those headers."""

    external_id = models.CharField(_("audience ID"), max_length=255, unique=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("origin"), max_length=100, blank=True)
    websites = models.ManyToManyField(
        "scopes.Website", related_name="audiences", verbose_name=_("websites")
    )
    is_active = models.BooleanField(_("active"), default=True)
    synced_at = models.DateTimeField(_("last updated"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class AudienceMember(models.Model):
    """A registered customer in an audience, as pushed or pulled from the platform."""

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="audience_memberships"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audience member")
        verbose_name_plural = _("audience members")
        constraints = [
            models.UniqueConstraint(fields=["audience", "customer"], name="audience_member_once")
        ]
        indexes = [models.Index(fields=["customer", "audience"], name="audience_customer_idx")]

    def __str__(self) -> str:
        return f"{self.audience_id} / {self.customer_id}"


class PullState(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class AudiencePull(models.Model):
    """One run of the scheduled pull (or Sync Now, or a connection check): what it found or why
    it failed, shown on the Audiences dashboard."""

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=PullState.choices)
    check_only = models.BooleanField(_("connection check"), default=False)
    audiences = models.PositiveIntegerField(_("audiences"), default=0)
    added = models.PositiveIntegerField(_("members added"), default=0)
    removed = models.PositiveIntegerField(_("members removed"), default=0)
    unknown = models.PositiveIntegerField(_("unknown identifiers"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("audience pull")
        verbose_name_plural = _("audience pulls")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.state}"
