from django.db import models
from django.utils.translation import gettext_lazy as _


class BlockType(models.TextChoices):
    """The placements a dynamic block can fill (spec c §11.5). The codes are those of the
    GraphQL ``dynamicBlocks`` locations, lower-cased."""

    CONTENT = "content", _("Content Area")
    FOOTER = "footer", _("Footer")
    HEADER = "header", _("Header")
    LEFT = "left", _("Left Column")
    RIGHT = "right", _("Right Column")


class ContentBlock(models.Model):
    """A dynamic block: sanitized HTML shown in one placement of the shopper pages, on some or
    all store views, to everyone or to the members of its segments. Only
    :mod:`patron.blocks.services` writes it (the HTML is sanitized there)."""

    name = models.CharField(_("Dynamic Block Name"), max_length=255)
    is_enabled = models.BooleanField(_("Enable Dynamic Block"), default=True)
    type = models.CharField(_("Dynamic Block Type"), max_length=16, choices=BlockType.choices)
    # "All Store Views" is a choice of its own, as in Magento: a block with no store view
    # ticked and this unset is refused by the service rather than shown everywhere.
    all_store_views = models.BooleanField(_("All Store Views"), default=False)
    store_views = models.ManyToManyField(
        "scopes.StoreView", blank=True, related_name="+", verbose_name=_("Store View")
    )
    # No segment: the block is for everyone. A deleted segment's link goes with it, so a
    # block whose segments were all deleted is for everyone again (spec c §11.5).
    segments = models.ManyToManyField(
        "segments.Segment",
        blank=True,
        related_name="content_blocks",
        verbose_name=_("Customer Segment"),
    )
    # Audiences from a customer data platform (patron.audiences) target the same way: a block
    # with neither segments nor audiences is for everyone.
    audiences = models.ManyToManyField(
        "audiences.Audience",
        blank=True,
        related_name="content_blocks",
        verbose_name=_("Audience"),
    )
    html = models.TextField(_("content"), blank=True)
    sort_order = models.PositiveIntegerField(
        _("sort order"),
        default=0,
        help_text=_("Blocks of the same placement are shown from the lowest number up."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("dynamic block")
        verbose_name_plural = _("dynamic blocks")
        ordering = ["sort_order", "pk"]
        indexes = [models.Index(fields=["type", "is_enabled"], name="blocks_type_enabled")]

    def __str__(self) -> str:
        return self.name
