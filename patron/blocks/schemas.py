"""The API's shapes for dynamic blocks, with the examples the OpenAPI document shows."""

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from patron.blocks.models import BlockType

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 250

EXAMPLE_HTML = "<p><strong>Free shipping</strong> on orders over 50 EUR.</p>"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class ShopperBlockOut(Schema):
    """A block as the shop shows it."""

    model_config = _examples(
        {"id": 7, "name": "Free shipping banner", "type": "header", "html": EXAMPLE_HTML}
    )

    id: int
    name: str
    type: BlockType
    html: str = Field(description="Sanitized HTML, safe to insert as it is.")
    audiences: list[str] = Field(
        default_factory=list, description="The ids of the audiences the block is targeted at."
    )


class BlockIn(Schema):
    """A whole dynamic block. Send `all_store_views: true` or at least one store view."""

    model_config = _examples(
        {
            "name": "Free shipping banner",
            "is_enabled": True,
            "type": "header",
            "all_store_views": False,
            "store_views": ["default"],
            "segments": [3],
            "html": EXAMPLE_HTML,
            "sort_order": 10,
        }
    )

    name: str
    is_enabled: bool = True
    type: BlockType
    all_store_views: bool = False
    store_views: list[str | int] = Field(
        default_factory=list, description="Store view codes or ids."
    )
    segments: list[int] = Field(
        default_factory=list,
        description="Segment ids; with no audiences either, the block is for everyone.",
    )
    audiences: list[str] = Field(
        default_factory=list, description="Audience ids (the platform's external ids)."
    )
    html: str = Field("", description="HTML; sanitized when saved (no scripts, no on* attributes).")
    sort_order: int = 0


class BlockPatch(Schema):
    """The fields to change; the others keep their values."""

    model_config = _examples({"is_enabled": False}, {"segments": []})

    name: str | None = None
    is_enabled: bool | None = None
    type: BlockType | None = None
    all_store_views: bool | None = None
    store_views: list[str | int] | None = None
    segments: list[int] | None = None
    audiences: list[str] | None = None
    html: str | None = None
    sort_order: int | None = None


class BlockOut(Schema):
    model_config = _examples(
        {
            "id": 7,
            "name": "Free shipping banner",
            "is_enabled": True,
            "type": "header",
            "all_store_views": False,
            "store_views": ["default"],
            "store_view_ids": [1],
            "segments": [3],
            "html": EXAMPLE_HTML,
            "sort_order": 10,
            "created_at": "2026-11-23T10:00:00Z",
            "updated_at": "2026-11-23T10:00:00Z",
        }
    )

    id: int
    name: str
    is_enabled: bool
    type: BlockType
    all_store_views: bool
    store_views: list[str]
    store_view_ids: list[int]
    segments: list[int]
    audiences: list[str]
    html: str
    sort_order: int
    created_at: dt.datetime
    updated_at: dt.datetime


class BlockPageOut(Schema):
    items: list[BlockOut]
    page: int
    page_size: int
    count: int
