"""Template helpers of the customers grid: links and hidden fields that keep its state."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html_join

register = template.Library()


@register.simple_tag
def grid_query(state_query, **changes) -> str:
    """The grid's address with its state and ``changes`` applied (None or "" removes a key).

    Absolute, because the grid is also rendered at other addresses (a refused quick edit)."""
    query = dict(state_query) | changes
    base = reverse("admin:customers_customer_changelist")
    return f"{base}?{urlencode({k: v for k, v in query.items() if v not in (None, '')})}"


@register.simple_tag
def hidden_state(state_query, *excluded_prefixes: str):
    """Hidden inputs carrying the grid's state, except the keys a form sets itself."""
    kept = [
        (key, value)
        for key, value in state_query.items()
        if not any(key.startswith(prefix) for prefix in excluded_prefixes)
    ]
    return format_html_join("", '<input type="hidden" name="{}" value="{}">', kept)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if mapping else ""


@register.simple_tag
def sort_state(state, code) -> str:
    """aria-sort value of a column header."""
    if state["sort"] != code:
        return "none"
    return "descending" if state["direction"] == "desc" else "ascending"
