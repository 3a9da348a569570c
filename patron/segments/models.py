from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplyTo(models.TextChoices):
    BOTH = "both", _("Visitors and Registered Customers")
    REGISTERED = "registered", _("Registered Customers")
    VISITORS = "visitors", _("Visitors")


def empty_tree() -> dict:
    return {"type": "combine", "aggregator": "all", "value": True, "conditions": []}


class Segment(models.Model):
    """A rule-defined set of shoppers (spec c §3). ``conditions`` is the condition tree that
    :mod:`patron.segments.conditions` validates and compiles; ``events`` and
    ``depends_on_time`` are derived from it on save."""

    name = models.CharField(_("segment name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    websites = models.ManyToManyField(
        "scopes.Website", related_name="segments", verbose_name=_("assigned to website")
    )
    is_active = models.BooleanField(_("active"), default=True)
    apply_to = models.CharField(
        _("apply to"), max_length=16, choices=ApplyTo.choices, default=ApplyTo.BOTH
    )
    conditions = models.JSONField(_("conditions"), default=empty_tree)
    events = models.JSONField(_("re-evaluated on"), default=list, blank=True)
    depends_on_time = models.BooleanField(_("depends on the date"), default=False)
    refreshed_at = models.DateTimeField(_("last refreshed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer segment")
        verbose_name_plural = _("customer segments")
        ordering = ["pk"]
        permissions = [("view_segment_report", _("Can view the customer segment report"))]

    def __str__(self) -> str:
        return self.name

    @property
    def stores_members(self) -> bool:
        """Visitors-only segments keep no membership rows (spec c §5)."""
        return self.apply_to != ApplyTo.VISITORS


class SegmentMembership(models.Model):
    """A registered customer's stay in a segment on one website: ``left_at`` is empty while the
    customer is a member; leaving closes the row and joining again opens a new one, so the rows
    are the segment's history."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="segment_memberships"
    )
    website = models.ForeignKey("scopes.Website", on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(_("joined"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "website", "customer"],
                condition=models.Q(left_at__isnull=True),
                name="segments_one_open_membership",
            )
        ]
        indexes = [
            models.Index(fields=["customer", "segment"], name="segments_member_customer"),
            models.Index(fields=["segment", "joined_at"], name="segments_member_joined"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.segment_id}"
