"""Dynamic blocks (spec c §11.5): create, change and delete them, and answer which blocks a
shopper sees in a placement of a store view.

Visibility, in one place (:func:`visible_blocks`): a disabled block never shows; the block must
be for All Store Views or for the shopper's store view; a block with no segment is for everyone;
a block with segments shows to a shopper who is a member of at least one of them that is active
(registered customers by their stored memberships on the store view's website, guests by their
visitor memberships). Deleting a segment removes its link, so a block whose segments were all
deleted is for everyone again. While "Enable Customer Segment Functionality" is No, targeted
blocks are hidden from everyone and the others still show (a targeted block must never reach a
shopper outside its segments, and without segments nobody can be shown to be inside one).

One page costs at most two queries: the shopper's segments (only when a targeted block could
show) and the blocks. Which placements have enabled blocks at all is kept in the cache, so a
page whose placements are empty costs none.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from patron.blocks.models import BlockType, ContentBlock
from patron.core import events
from patron.core.actors import Actor
from patron.core.errors import InvalidInput, NotFound, Problem
from patron.core.sanitize import sanitize_html
from patron.customers.models import Customer
from patron.scopes.models import StoreView, Website
from patron.segments.models import Segment

PLACEMENTS_KEY = "patron:blocks:placements"
PLACEMENTS_SECONDS = 3600  # a safety net: every change through this module drops the entry
MAX_NAME_LENGTH = 255
MAX_HTML_LENGTH = 200_000
MAX_SORT_ORDER = 2_147_483_647

events.declare("contentBlockChanged", "A dynamic block was created, changed or deleted.")

UNSET: Any = object()


# --- Writing ------------------------------------------------------------------------------------


def _problem(field: str, code: str, message, **params) -> Problem:
    return Problem(code=code, message=str(message), field=field, params=params)


def _clean_name(value: Any, problems: list[Problem]) -> str:
    name = str(value or "").strip()
    if not name:
        problems.append(_problem("name", "required", _("Enter the Dynamic Block Name.")))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(
            _problem(
                "name",
                "too_long",
                _("The name may have at most %(max)d characters.") % {"max": MAX_NAME_LENGTH},
                max=MAX_NAME_LENGTH,
            )
        )
    return name


def _clean_type(value: Any, problems: list[Problem]) -> str:
    code = str(value or "").strip()
    if code not in BlockType.values:
        problems.append(
            _problem(
                "type",
                "unknown_type",
                _("Choose a Dynamic Block Type: %(types)s.")
                % {"types": ", ".join(BlockType.values)},
                value=code,
            )
        )
    return code


def _clean_sort_order(value: Any, problems: list[Problem]) -> int:
    try:
        number = int(value)
        if isinstance(value, bool) or str(number) != str(value).strip():
            raise ValueError
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= MAX_SORT_ORDER:
        problems.append(
            _problem("sort_order", "invalid_sort_order", _("Enter a whole number of 0 or more."))
        )
        return 0
    return number


def _clean_html(value: Any, problems: list[Problem]) -> str:
    text = str(value or "")
    if len(text) > MAX_HTML_LENGTH:
        problems.append(
            _problem(
                "html",
                "too_long",
                _("The content may have at most %(max)d characters.") % {"max": MAX_HTML_LENGTH},
                max=MAX_HTML_LENGTH,
            )
        )
        return ""
    # The one sanitizer for stored HTML: no scripts, no event handler attributes, no styles.
    return sanitize_html(text)


def _ids(values: Iterable[Any]) -> tuple[list[int], list[Any]]:
    """The values as ids (model instances or numbers), and those that are not ids at all."""
    ids, invalid = [], []
    for value in values:
        pk = getattr(value, "pk", value)
        if isinstance(pk, bool):
            invalid.append(value)
            continue
        try:
            ids.append(int(pk))
        except (TypeError, ValueError):
            invalid.append(value)
    return ids, invalid


def _clean_related(model, field: str, values: Any, problems: list[Problem], message) -> list[int]:
    ids, invalid = _ids(values or ())
    found = set(model.objects.filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [*invalid, *(pk for pk in ids if pk not in found)]
    if unknown:
        listed = ", ".join(str(value) for value in unknown)
        problems.append(_problem(field, "unknown_" + field, message % {"ids": listed}, ids=listed))
    return sorted(set(ids) & found)


def _clean_scope(all_store_views: Any, store_views: Any, problems: list[Problem]) -> list[int]:
    ids = _clean_related(
        StoreView, "store_views", store_views, problems, _("There is no store view %(ids)s.")
    )
    if all_store_views and ids:
        problems.append(
            _problem(
                "store_views",
                "all_and_some_store_views",
                _("Choose All Store Views or some store views, not both."),
            )
        )
    elif not all_store_views and not ids and not any(p.field == "store_views" for p in problems):
        problems.append(
            _problem(
                "store_views",
                "store_view_required",
                _("Choose the store views of the block, or All Store Views."),
            )
        )
    return ids


def _clean_segments(segments: Any, problems: list[Problem]) -> list[int]:
    return _clean_related(
        Segment, "segments", segments, problems, _("There is no customer segment %(ids)s.")
    )


def _clean_audiences(audiences: Any, problems: list[Problem]) -> list[int]:
    from patron.audiences.models import Audience

    return _clean_related(
        Audience, "audiences", audiences, problems, _("There is no audience %(ids)s.")
    )


def _forget_placements() -> None:
    # Dropped at once (a reader in this transaction sees the change) and again after commit (a
    # concurrent reader may have cached the state from before it).
    cache.delete(PLACEMENTS_KEY)
    transaction.on_commit(lambda: cache.delete(PLACEMENTS_KEY))


def _changed(block_id: int, change: str, actor: Actor) -> None:
    _forget_placements()
    events.emit("contentBlockChanged", block_id=block_id, change=change, actor=actor.as_fields())


@transaction.atomic
def create_block(
    *,
    name: str,
    type: str,
    actor: Actor,
    is_enabled: bool = True,
    all_store_views: bool = False,
    store_views: Iterable[Any] = (),
    segments: Iterable[Any] = (),
    audiences: Iterable[Any] = (),
    html: str = "",
    sort_order: int = 0,
) -> ContentBlock:
    """Create a dynamic block with its HTML sanitized. Raises ``InvalidInput`` listing every
    problem, each with its field (``name``, ``type``, ``store_views``, ``segments``, ``html``,
    ``sort_order``)."""
    problems: list[Problem] = []
    block = ContentBlock(
        name=_clean_name(name, problems),
        type=_clean_type(type, problems),
        is_enabled=bool(is_enabled),
        all_store_views=bool(all_store_views),
        html=_clean_html(html, problems),
        sort_order=_clean_sort_order(sort_order, problems),
    )
    view_ids = _clean_scope(all_store_views, store_views, problems)
    segment_ids = _clean_segments(segments, problems)
    audience_ids = _clean_audiences(audiences, problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    block.save()
    block.store_views.set(view_ids)
    block.segments.set(segment_ids)
    block.audiences.set(audience_ids)
    _changed(block.pk, "created", actor)
    return block


@transaction.atomic
def update_block(
    *,
    block: ContentBlock,
    actor: Actor,
    name: Any = UNSET,
    type: Any = UNSET,
    is_enabled: Any = UNSET,
    all_store_views: Any = UNSET,
    store_views: Any = UNSET,
    segments: Any = UNSET,
    audiences: Any = UNSET,
    html: Any = UNSET,
    sort_order: Any = UNSET,
) -> ContentBlock:
    """Change the fields given (the others keep their values). Raises ``InvalidInput`` listing
    every problem with its field; nothing is saved then."""
    problems: list[Problem] = []
    block = ContentBlock.objects.select_for_update().get(pk=block.pk)
    if name is not UNSET:
        block.name = _clean_name(name, problems)
    if type is not UNSET:
        block.type = _clean_type(type, problems)
    if is_enabled is not UNSET:
        block.is_enabled = bool(is_enabled)
    if html is not UNSET:
        block.html = _clean_html(html, problems)
    if sort_order is not UNSET:
        block.sort_order = _clean_sort_order(sort_order, problems)
    view_ids = None
    if all_store_views is not UNSET or store_views is not UNSET:
        if all_store_views is not UNSET:
            block.all_store_views = bool(all_store_views)
        if store_views is UNSET:
            # Only All Store Views was sent: turning it on drops the chosen views.
            store_views = [] if block.all_store_views else list(block.store_views.all())
        view_ids = _clean_scope(block.all_store_views, store_views, problems)
    segment_ids = None if segments is UNSET else _clean_segments(segments, problems)
    audience_ids = None if audiences is UNSET else _clean_audiences(audiences, problems)
    if problems:
        raise InvalidInput.from_problems(problems)
    block.save()
    if view_ids is not None:
        block.store_views.set(view_ids)
    if segment_ids is not None:
        block.segments.set(segment_ids)
    if audience_ids is not None:
        block.audiences.set(audience_ids)
    _changed(block.pk, "updated", actor)
    return block


@transaction.atomic
def delete_block(*, block: ContentBlock, actor: Actor) -> None:
    """Delete a dynamic block."""
    block_id = block.pk
    block.delete()
    _changed(block_id, "deleted", actor)


def get_block(block_id: Any) -> ContentBlock:
    """Return the block with ``block_id``; raise ``NotFound`` (``block_not_found``)."""
    try:
        return ContentBlock.objects.get(pk=int(block_id))
    except (ContentBlock.DoesNotExist, TypeError, ValueError):
        raise NotFound(
            _("There is no dynamic block %(id)s.") % {"id": block_id}, code="block_not_found"
        ) from None


# --- Showing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shopper:
    """Who a block is shown to, as far as targeting cares: the segments they are a member of
    on the store view's website (None while segments are turned off) and the ids of their
    active audiences there (empty while Audience Activation is off)."""

    website: Website
    customer: Customer | None = None
    visitor_id: str = ""
    segment_ids: frozenset[int] | None = frozenset()
    audience_ids: frozenset[str] = frozenset()


def shopper_for(
    *,
    store_view: StoreView,
    customer: Customer | None = None,
    visitor_id: str | None = None,
    audience_ids: Iterable[str] = (),
) -> Shopper:
    """The shopper with their segments on the store view's website: a customer by their stored
    memberships (the visitor id is then ignored: registered customers skip visitor segments),
    a guest by their visitor memberships, an anonymous guest in none. Their audiences are a
    customer's stored memberships plus ``audience_ids``, the verified ids their request
    carried."""
    from patron.audiences.services import shopper_audiences
    from patron.segments import services as segments

    website = store_view.store.website
    visitor_id = str(visitor_id or "").strip()
    audiences = frozenset(
        shopper_audiences(website=website, customer=customer, request_ids=audience_ids)
    )
    if not segments.is_enabled():
        return Shopper(website=website, customer=customer, visitor_id=visitor_id,
                       segment_ids=None, audience_ids=audiences)  # fmt: skip
    if customer is not None:
        ids = segments.customer_segment_ids(customer=customer, website=website)
        return Shopper(website=website, customer=customer, segment_ids=frozenset(ids),
                       audience_ids=audiences)  # fmt: skip
    if visitor_id:
        ids = segments.visitor_segment_ids(website=website, visitor_id=visitor_id)
        return Shopper(website=website, visitor_id=visitor_id, segment_ids=frozenset(ids),
                       audience_ids=audiences)  # fmt: skip
    return Shopper(website=website, audience_ids=audiences)


def _targets_match(shopper: Shopper) -> Q:
    """The targeting rule, as a filter on blocks: neither segments nor audiences (everyone),
    or an active segment the shopper is a member of, or an active audience of theirs. Blocks
    targeted at segments are hidden while segments are turned off, and those targeted at
    audiences while Audience Activation is off (the shopper then has no audience)."""
    links = ContentBlock.segments.through.objects.filter(contentblock_id=OuterRef("pk"))
    audience_links = ContentBlock.audiences.through.objects.filter(contentblock_id=OuterRef("pk"))
    matches = ~Exists(links) & ~Exists(audience_links)
    if shopper.segment_ids:  # not None (turned off) and not empty
        member = links.filter(segment_id__in=sorted(shopper.segment_ids), segment__is_active=True)
        matches |= Exists(member)
    if shopper.audience_ids:
        in_audience = audience_links.filter(
            audience__external_id__in=sorted(shopper.audience_ids), audience__is_active=True
        )
        matches |= Exists(in_audience)
    return matches


def _placements_in_use() -> dict[str, bool]:
    """The placements that have an enabled block, each with whether one of them is targeted."""
    cached = cache.get(PLACEMENTS_KEY)
    if cached is not None:
        return cached
    links = ContentBlock.segments.through.objects.filter(contentblock_id=OuterRef("pk"))
    audience_links = ContentBlock.audiences.through.objects.filter(contentblock_id=OuterRef("pk"))
    rows = (
        ContentBlock.objects.filter(is_enabled=True)
        .annotate(targeted=Exists(links) | Exists(audience_links))
        .values_list("type", "targeted")
    )
    in_use: dict[str, bool] = {}
    for placement, targeted in rows:
        in_use[placement] = in_use.get(placement, False) or targeted
    cache.set(PLACEMENTS_KEY, in_use, PLACEMENTS_SECONDS)
    return in_use


def _check_placements(placements: Iterable[str]) -> list[str]:
    chosen = [str(p) for p in placements]
    unknown = [p for p in chosen if p not in BlockType.values]
    if unknown:
        raise InvalidInput(
            _("There is no placement %(placement)s; use one of %(placements)s.")
            % {"placement": ", ".join(unknown), "placements": ", ".join(BlockType.values)},
            code="unknown_placement",
            field="placement",
            params={"placement": ", ".join(unknown)},
        )
    return chosen


def visible_blocks(
    *,
    store_view: StoreView,
    customer: Customer | None = None,
    visitor_id: str | None = None,
    placements: Iterable[str] | None = None,
    audience_ids: Iterable[str] = (),
) -> dict[str, list[ContentBlock]]:
    """Return, for each placement asked for (default: all), the blocks the shopper sees on
    ``store_view``, lowest sort order first. Raises ``InvalidInput`` (``unknown_placement``)."""
    chosen = _check_placements(BlockType.values if placements is None else placements)
    found: dict[str, list[ContentBlock]] = {placement: [] for placement in chosen}
    in_use = _placements_in_use()
    wanted = [placement for placement in chosen if placement in in_use]
    if not wanted:
        return found
    if any(in_use[placement] for placement in wanted):
        shopper = shopper_for(
            store_view=store_view, customer=customer, visitor_id=visitor_id,
            audience_ids=audience_ids,
        )  # fmt: skip
    else:  # no targeted block can show: the shopper's segments do not matter
        shopper = Shopper(website=store_view.store.website, customer=customer)
    on_view = ContentBlock.store_views.through.objects.filter(
        contentblock_id=OuterRef("pk"), storeview_id=store_view.pk
    )
    blocks = (
        ContentBlock.objects.filter(is_enabled=True, type__in=wanted)
        .filter(Q(all_store_views=True) | Exists(on_view))
        .filter(_targets_match(shopper))
        .only("pk", "name", "type", "html", "sort_order")
        .order_by("sort_order", "pk")
    )
    for block in blocks:
        found[block.type].append(block)
    return found


def blocks_for(
    *,
    placement: str,
    store_view: StoreView,
    customer: Customer | None = None,
    visitor_id: str | None = None,
    audience_ids: Iterable[str] = (),
) -> list[ContentBlock]:
    """Return the blocks the shopper sees in ``placement`` on ``store_view`` (see
    :func:`visible_blocks`)."""
    return visible_blocks(
        store_view=store_view, customer=customer, visitor_id=visitor_id, placements=[placement],
        audience_ids=audience_ids,
    )[placement]  # fmt: skip
