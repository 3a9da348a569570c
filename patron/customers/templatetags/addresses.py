"""Address display tags: ``{% load addresses %}``, then ``{% address_html address %}`` (safe
markup from the store view's HTML address template) or ``{% address_oneline address %}``.

Both use the ``store_view`` passed to the tag, else ``store_view`` from the context, else the
request's store view; without one the default scope's templates apply.
"""

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from patron.customers.address_format import render_address

register = template.Library()


def _store_view(context: template.Context, store_view: Any) -> Any:
    if store_view is not None:
        return store_view
    if context.get("store_view") is not None:
        return context["store_view"]
    return getattr(context.get("request"), "store_view", None)


@register.simple_tag(takes_context=True)
def address_html(context: template.Context, address: Any, store_view: Any = None) -> SafeString:
    """Return ``address`` in the HTML address format, marked safe."""
    html = render_address(address, "html", store_view=_store_view(context, store_view))
    # Values are escaped and the result passed the address tag allow-list in render_address.
    return mark_safe(html)  # noqa: S308


@register.simple_tag(takes_context=True)
def address_oneline(context: template.Context, address: Any, store_view: Any = None) -> str:
    """Return ``address`` on one line (plain text, escaped by the template like any string)."""
    return render_address(address, "oneline", store_view=_store_view(context, store_view))
