"""Dynamic blocks for shops and integrations (spec c §11.5).

`GET /blocks?placement=header` answers what one shopper sees: the store view comes from the
`X-Patron-Store` header, the shopper from a customer token (`Authorization: Bearer pct_…`) or,
for a guest, the shop's `visitor_id`; a request with neither gets the blocks for everyone. The
signed audience list of the audience header adds the blocks targeted at those audiences.

The definitions are managed at `/content-blocks` with the model permissions
`blocks.view_contentblock`, `add_contentblock`, `change_contentblock` and
`delete_contentblock`. A caller limited to some websites sees and changes only the blocks whose
store views are all on its websites, and cannot choose All Store Views.
"""

from typing import Annotated, Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from patron.audiences.services import header_value, request_audience_ids
from patron.blocks import selectors, services
from patron.blocks.models import BlockType, ContentBlock
from patron.blocks.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    BlockIn,
    BlockOut,
    BlockPageOut,
    BlockPatch,
    ShopperBlockOut,
)
from patron.core.api import ERRORS, Principal, require_permission, staff_auth, store_view_of
from patron.core.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound
from patron.scopes.models import StoreView

router = Router(tags=["Dynamic blocks"], auth=staff_auth)

VIEW = "blocks.view_contentblock"
ADD = "blocks.add_contentblock"
CHANGE = "blocks.change_contentblock"
DELETE = "blocks.delete_contentblock"


# --- Shopper ------------------------------------------------------------------------------------


def _signed_in_customer(request):
    """The customer of the request's customer token, None without one; a token that is sent
    but not valid here is refused rather than treated as a guest."""
    from patron.customers.api import CustomerTokenAuth

    if not request.headers.get("Authorization"):
        return None
    customer = CustomerTokenAuth()(request)
    if customer is None:
        raise NotAuthenticated(
            _("The customer token is not valid for this store."), code="not_authenticated"
        )
    return customer


@router.get(
    "/blocks", response={200: list[ShopperBlockOut], **ERRORS}, url_name="blocks", auth=None
)
def shopper_blocks(
    request,
    placement: Annotated[BlockType, Query(description="Where the blocks go.")],
    visitor_id: str | None = Query(
        None, description="A guest, by the shop's visitor id; ignored with a customer token."
    ),
):
    """The dynamic blocks one shopper sees in `placement` on the store view of the
    `X-Patron-Store` header, in sort order: those for everyone, and those targeted at an active
    segment the shopper is a member of (a customer by their stored memberships on the store
    view's website, a guest by their visitor memberships). Targeted blocks are left out while
    customer segments are turned off. With Audience Activation on, blocks targeted at an
    active audience of the shopper (stored, or in the signed audience header) are shown too."""
    store_view = store_view_of(request)
    customer = _signed_in_customer(request)
    audience_ids = request_audience_ids(header_value(request))
    blocks = services.blocks_for(
        placement=placement.value, store_view=store_view, customer=customer, visitor_id=visitor_id,
        audience_ids=audience_ids,
    )  # fmt: skip
    prefetch_related_objects(blocks, "audiences")
    return [
        ShopperBlockOut(id=b.pk, name=b.name, type=b.type, html=b.html,
                        audiences=sorted(a.external_id for a in b.audiences.all()))
        for b in blocks
    ]  # fmt: skip


# --- Definitions --------------------------------------------------------------------------------


def _out(block: ContentBlock) -> BlockOut:
    views = sorted(block.store_views.all(), key=lambda view: view.pk)
    return BlockOut(
        id=block.pk, name=block.name, is_enabled=block.is_enabled, type=block.type,
        all_store_views=block.all_store_views, store_views=[view.code for view in views],
        store_view_ids=[view.pk for view in views],
        segments=sorted(segment.pk for segment in block.segments.all()),
        audiences=sorted(audience.external_id for audience in block.audiences.all()),
        html=block.html,
        sort_order=block.sort_order, created_at=block.created_at, updated_at=block.updated_at,
    )  # fmt: skip


def _visible_block(principal: Principal, block_id: int) -> ContentBlock:
    block = selectors.list_blocks(website_ids=principal.website_ids).filter(pk=block_id).first()
    if block is None:  # missing, or not on the caller's websites only
        raise NotFound(
            _("There is no dynamic block %(id)s.") % {"id": block_id}, code="block_not_found"
        )
    return block


def _store_view_ids(values: list[Any]) -> list[Any]:
    """Store views named by id or code, as ids; an unknown code is passed on as sent so the
    service reports it with every other problem."""
    refs = [int(v) if isinstance(v, int) or str(v).strip().isdigit() else str(v) for v in values]
    codes = {ref for ref in refs if isinstance(ref, str)}
    by_code = dict(StoreView.objects.filter(code__in=codes).values_list("code", "pk"))
    return [by_code.get(ref, ref) if isinstance(ref, str) else ref for ref in refs]


def _audience_pks(external_ids: list[str]) -> list[int]:
    """Audiences named by their external ids, as primary keys; unknown ids are refused."""
    from patron.audiences.models import Audience

    found = dict(
        Audience.objects.filter(external_id__in=external_ids).values_list("external_id", "pk")
    )
    unknown = [i for i in external_ids if i not in found]
    if unknown:
        raise InvalidInput(
            _("There is no audience %(ids)s.") % {"ids": ", ".join(unknown)},
            code="unknown_audience",
            field="audiences",
        )
    return [found[i] for i in external_ids]


def _check_scope(principal: Principal, all_store_views: bool, view_ids: list[Any]) -> None:
    """A caller limited to some websites may choose only store views of those websites."""
    if principal.website_ids is None:
        return
    websites = StoreView.objects.filter(
        pk__in=[pk for pk in view_ids if isinstance(pk, int)]
    ).values_list("store__website_id", flat=True)
    if all_store_views or any(not principal.can_see_website(pk) for pk in websites):
        raise Forbidden(
            _("You may choose only store views of your websites."),
            code="website_not_allowed",
            field="store_views",
        )


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            _("page_size must be between 1 and %(max)d.") % {"max": MAX_PAGE_SIZE},
            code="invalid_page_size",
            field="page_size",
        )
    if page < 1:
        raise InvalidInput(_("page must be 1 or more."), code="invalid_page", field="page")
    start = (page - 1) * page_size
    return start, start + page_size


@router.get("/content-blocks", response={200: BlockPageOut, **ERRORS}, url_name="content-blocks")
def list_content_blocks(
    request,
    type: BlockType | None = None,
    is_enabled: bool | None = None,
    store_view: str | None = Query(None, description="Only blocks shown on this store view."),
    segment: int | None = Query(None, description="Only blocks targeted at this segment id."),
    audience: str | None = Query(None, description="Only blocks targeted at this audience id."),
    search: str | None = Query(None, description="Part of the name."),
    page: int = 1,
    page_size: int = Query(DEFAULT_PAGE_SIZE, description="1 to 250."),
):
    """List the dynamic blocks the caller may see, by id, one page at a time."""
    principal = require_permission(request, VIEW)
    view_id = None
    if store_view is not None:
        ids = _store_view_ids([store_view])
        if not isinstance(ids[0], int):
            raise NotFound(
                _("There is no store view %(code)s.") % {"code": store_view},
                code="unknown_store",
                field="store_view",
            )
        view_id = ids[0]
    blocks = selectors.list_blocks(
        website_ids=principal.website_ids, type=type.value if type else None,
        is_enabled=is_enabled, store_view_id=view_id, segment_id=segment, audience=audience,
        search=search,
    )  # fmt: skip
    start, end = _page_bounds(page, page_size)
    return BlockPageOut(
        items=[_out(block) for block in blocks[start:end]],
        page=page,
        page_size=page_size,
        count=blocks.count(),
    )


@router.post("/content-blocks", response={201: BlockOut, **ERRORS}, url_name="content-block-create")
def create_content_block(request, payload: BlockIn):
    """Create a dynamic block. Its HTML is sanitized when saved. Every problem is answered at
    once, each with its field."""
    principal = require_permission(request, ADD)
    view_ids = _store_view_ids(payload.store_views)
    _check_scope(principal, payload.all_store_views, view_ids)
    block = services.create_block(
        name=payload.name, type=payload.type.value, is_enabled=payload.is_enabled,
        all_store_views=payload.all_store_views, store_views=view_ids, segments=payload.segments,
        audiences=_audience_pks(payload.audiences),
        html=payload.html, sort_order=payload.sort_order, actor=principal.actor,
    )  # fmt: skip
    return Status(201, _out(_visible_block(principal, block.pk)))


@router.get(
    "/content-blocks/{int:block_id}", response={200: BlockOut, **ERRORS}, url_name="content-block"
)
def get_content_block(request, block_id: int):
    principal = require_permission(request, VIEW)
    return _out(_visible_block(principal, block_id))


def _update(request, block_id: int, changes: dict[str, Any]) -> BlockOut:
    principal = require_permission(request, CHANGE)
    block = _visible_block(principal, block_id)
    if "type" in changes:
        changes["type"] = BlockType(changes["type"]).value
    if "store_views" in changes:
        changes["store_views"] = _store_view_ids(changes["store_views"])
    if "audiences" in changes:
        changes["audiences"] = _audience_pks(changes["audiences"])
    if "store_views" in changes or "all_store_views" in changes:
        all_views = changes.get("all_store_views", block.all_store_views)
        _check_scope(principal, all_views, changes.get("store_views", []))
    services.update_block(block=block, actor=principal.actor, **changes)
    return _out(_visible_block(principal, block.pk))


@router.put(
    "/content-blocks/{int:block_id}",
    response={200: BlockOut, **ERRORS},
    url_name="content-block-replace",
)
def replace_content_block(request, block_id: int, payload: BlockIn):
    """Replace the whole block."""
    return _update(request, block_id, payload.dict())


@router.patch(
    "/content-blocks/{int:block_id}",
    response={200: BlockOut, **ERRORS},
    url_name="content-block-update",
)
def update_content_block(request, block_id: int, payload: BlockPatch):
    """Change the fields sent; `segments: []` makes the block for everyone."""
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _update(request, block_id, changes)


@router.delete(
    "/content-blocks/{int:block_id}",
    response={204: None, **ERRORS},
    url_name="content-block-delete",
)
def delete_content_block(request, block_id: int):
    """Delete a dynamic block."""
    principal = require_permission(request, DELETE)
    services.delete_block(block=_visible_block(principal, block_id), actor=principal.actor)
    return Status(204, None)
