"""Reads of dynamic blocks shared by the back-office grid and the API."""

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from patron.blocks.models import ContentBlock


def within_websites(website_ids: Iterable[int] | None) -> Q:
    """Blocks a caller limited to ``website_ids`` may see and change: not for All Store Views
    and with every store view on one of those websites. None: every block."""
    if website_ids is None:
        return Q()
    elsewhere = ContentBlock.store_views.through.objects.filter(
        contentblock_id=OuterRef("pk")
    ).exclude(storeview__store__website_id__in=list(website_ids))
    return Q(all_store_views=False) & ~Exists(elsewhere)


def list_blocks(
    *,
    website_ids: Iterable[int] | None = None,
    type: str | None = None,
    is_enabled: bool | None = None,
    store_view_id: int | None = None,
    segment_id: int | None = None,
    audience: str | None = None,
    search: str | None = None,
) -> QuerySet[ContentBlock]:
    """The blocks the caller may see, filtered, by id, with their store views and segments."""
    blocks = ContentBlock.objects.filter(within_websites(website_ids))
    if type:
        blocks = blocks.filter(type=type)
    if is_enabled is not None:
        blocks = blocks.filter(is_enabled=is_enabled)
    if store_view_id is not None:
        on_view = ContentBlock.store_views.through.objects.filter(
            contentblock_id=OuterRef("pk"), storeview_id=store_view_id
        )
        blocks = blocks.filter(Q(all_store_views=True) | Exists(on_view))
    if segment_id is not None:
        blocks = blocks.filter(
            Exists(
                ContentBlock.segments.through.objects.filter(
                    contentblock_id=OuterRef("pk"), segment_id=segment_id
                )
            )
        )
    if audience:
        blocks = blocks.filter(
            Exists(
                ContentBlock.audiences.through.objects.filter(
                    contentblock_id=OuterRef("pk"), audience__external_id=audience
                )
            )
        )
    if search:
        blocks = blocks.filter(name__icontains=search.strip())
    return blocks.prefetch_related("store_views", "segments", "audiences").order_by("pk")
