"""``{% content_blocks "header" %}``: the dynamic blocks of a placement on a shopper page.

The blocks are those the request's shopper sees on the request's store view: a signed-in
customer (or the customer of a "log in as customer" session) by their stored segment
memberships; anyone else as a guest with no visitor id, since Patron's own pages do not know
the shop's visitor id, so guests see the blocks for everyone only. The signed audience cookie
adds the blocks targeted at its audiences (with Audience Activation on). All placements are read
once per request (at most two queries), whichever placement comes first in the page.
"""

from django import template
from django.template.loader import render_to_string

from patron.audiences.services import cookie_value, request_audience_ids
from patron.blocks import services
from patron.blocks.models import BlockType

register = template.Library()

REQUEST_ATTRIBUTE = "_patron_content_blocks"


def _blocks_of_request(request) -> dict:
    found = getattr(request, REQUEST_ATTRIBUTE, None)
    if found is None:
        found = services.visible_blocks(
            # request.customer is a lazy object that may stand for None (a guest).
            store_view=request.store_view,
            customer=getattr(request, "customer", None) or None,
            audience_ids=request_audience_ids(cookie_value(request)),
        )
        setattr(request, REQUEST_ATTRIBUTE, found)
    return found


@register.simple_tag(takes_context=True)
def content_blocks(context, placement: str) -> str:
    """Render the blocks of ``placement`` (a Dynamic Block Type code) for this request; nothing
    outside a shopper page."""
    if placement not in BlockType.values:
        raise template.TemplateSyntaxError(
            f"content_blocks: unknown placement {placement!r}; use one of {BlockType.values}"
        )
    request = context.get("request")
    if request is None or getattr(request, "store_view", None) is None:
        return ""
    blocks = _blocks_of_request(request)[placement]
    if not blocks:
        return ""
    return render_to_string(
        "blocks/placement.html", {"placement": placement, "blocks": blocks}, request=None
    )
