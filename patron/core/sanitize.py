"""The one HTML sanitizer for every stored HTML value (nh3, an allow-list sanitizer)."""

import nh3

# Enough for rich text in attribute values, content blocks and notes; no scripts, styles or
# forms, and links only to web and mail addresses.
DEFAULT_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i",
        "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "u", "ul",
        "table", "thead", "tbody", "tr", "th", "td", "img",
    }
)  # fmt: skip
DEFAULT_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def sanitize_html(
    value: str,
    *,
    tags: frozenset[str] = DEFAULT_TAGS,
    attributes: dict[str, set[str]] | None = None,
) -> str:
    """Return ``value`` with every tag, attribute and URL scheme outside the allow-list removed."""
    if not value:
        return ""
    allowed_attributes = DEFAULT_ATTRIBUTES if attributes is None else attributes
    return nh3.clean(
        value,
        tags=set(tags),
        attributes={tag: set(attrs) for tag, attrs in allowed_attributes.items() if tag in tags},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )


def strip_tags(value: str) -> str:
    """Return the text of ``value`` with all markup removed (entities stay escaped)."""
    if not value:
        return ""
    return nh3.clean(value, tags=set(), attributes={})
