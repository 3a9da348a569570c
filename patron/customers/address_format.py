"""Address templates: Patron's own renderer for Magento's ``var``/``depend``/``if`` language.

Stored templates are never run as Django templates. The grammar is:

    template  := ( text | directive )*
    directive := "{{var CODE}}"
               | "{{depend CODE}}" template "{{/depend}}"
               | "{{if CODE}}" template [ "{{else}}" template ] "{{/if}}"
    CODE      := [a-z0-9_]+

Whitespace inside the braces is ignored and directive names are case-insensitive
(``{{ VAR  firstname }}``). ``depend`` and ``if`` both test whether the value is non-empty, as
in Magento; only ``if`` takes an ``{{else}}``. An unknown code renders as an empty value,
because custom attribute codes come and go; a directive that is not one of the five above, a
block left open, a stray closing tag, ``{{else}}`` outside ``if`` and braces that do not pair
are errors naming the line and column.

Formats (``customer/address_templates/<format>``):

- ``html``: values are HTML-escaped; the output then goes through an allow-list (``HTML_TAGS``,
  plus ``a`` with only an ``href`` to ``tel:`` or ``mailto:``), so neither a value nor the
  template can emit other markup. Blank lines are removed; whitespace is not significant there.
- ``text``: the template's newlines separate lines; each line is trimmed and empty lines are
  dropped (Magento's own renderer keeps them and leaves the reader to skip them).
- ``pdf``: the template's ``|`` separates lines and its newlines are layout only; each line is
  trimmed, empty lines are dropped, and the lines are joined with ``|`` for the document writer.
- ``oneline``: newlines become spaces and the ends are trimmed.

Only template literals split lines: line breaks inside values become spaces, so a value can
never add a line. ``street`` is every non-empty street line joined with ", " in all formats
(use ``street1``...``street4`` for one line each).
"""

import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import nh3
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from patron.core.errors import InvalidInput
from patron.core.locales import country_name

logger = logging.getLogger(__name__)

FORMATS = ("text", "oneline", "html", "pdf")
CONFIG_PATH = "customer/address_templates/{format}"
ERROR_CODE = "invalid_address_template"
CODE = re.compile(r"[a-z0-9_]+")
MAX_DEPTH = 16
STREET_LINES = 4
STREET_SEPARATOR = ", "

HTML_TAGS = frozenset({"a", "b", "br", "em", "i", "li", "ol", "p", "strong", "sub", "sup", "ul"})
LINK_SCHEMES = ("tel:", "mailto:")

# Model fields read from an Address; ``street`` and ``custom_attributes`` are handled apart.
ADDRESS_FIELDS = (
    "prefix", "firstname", "middlename", "lastname", "suffix", "company", "city", "region",
    "region_code", "postcode", "country_id", "telephone", "fax", "vat_id",
)  # fmt: skip

_BRACES = re.compile(r"\{\{|\}\}")
_DIRECTIVE = re.compile(r"\s*(?P<close>/)?\s*(?P<name>[^\s/]*)(?P<rest>.*)", re.DOTALL)
_LINE_BREAKS = re.compile(r"\r\n|[\r\n]")
# Lone surrogates cannot be encoded (nh3, files); they become U+FFFD like a browser would show.
_SURROGATES = re.compile("[\ud800-\udfff]")


# --- Tree ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Var:
    code: str


@dataclass(frozen=True, slots=True)
class Block:
    """A ``depend`` or ``if`` block; ``orelse`` is the ``{{else}}`` part (``if`` only)."""

    kind: str
    code: str
    body: tuple["Node", ...]
    orelse: tuple["Node", ...] = ()


Node = str | Var | Block


# --- Parsing ------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def parse_template(template: str) -> tuple[Node, ...]:
    """Return the tree of ``template`` (cached per text).

    Raises ``InvalidInput`` (code ``invalid_address_template``, params ``line`` and ``column``,
    both counted from 1) at the first error. A Windows line break counts as one.
    """
    return _Parser(_SURROGATES.sub("\ufffd", _LINE_BREAKS.sub("\n", template))).parse()


@dataclass
class _Open:
    """A block whose closing tag has not been seen yet."""

    kind: str
    code: str
    offset: int
    body: list[Node]
    orelse: list[Node] | None = None

    @property
    def nodes(self) -> list[Node]:
        return self.body if self.orelse is None else self.orelse


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.root: list[Node] = []
        self.stack: list[_Open] = []

    @property
    def nodes(self) -> list[Node]:
        return self.stack[-1].nodes if self.stack else self.root

    def parse(self) -> tuple[Node, ...]:
        text, position = self.text, 0
        while match := _BRACES.search(text, position):
            start = match.start()
            if match.group() == "}}":
                raise self.error(start, _("“}}” has no opening “{{”."))
            end = text.find("}}", match.end())
            reopened = text.find("{{", match.end())
            if end == -1 or -1 < reopened < end:
                raise self.error(start, _("“{{” is not closed; expected “}}”."))
            if start > position:
                self.nodes.append(text[position:start])
            self.directive(start, text[match.end() : end])
            position = end + 2
        if text[position:]:
            self.nodes.append(text[position:])
        if self.stack:
            block = self.stack[-1]
            raise self.error(
                block.offset,
                _(
                    "“{{%(kind)s %(code)s}}” is not closed; expected “{{/%(kind)s}}” before the "
                    "end of the template."
                ),
                kind=block.kind,
                code=block.code,
            )
        return tuple(self.root)

    def directive(self, start: int, inner: str) -> None:
        """Apply the ``{{inner}}`` found at offset ``start`` to the tree being built."""
        match = _DIRECTIVE.fullmatch(inner)
        assert match is not None  # the pattern accepts any text
        closing = bool(match.group("close"))
        name = match.group("name").lower()
        argument = match.group("rest").strip()
        if closing and name in ("depend", "if"):
            self.close(start, name, argument)
        elif not closing and name == "else":
            self.otherwise(start, argument)
        elif not closing and name in ("var", "depend", "if"):
            if not CODE.fullmatch(argument):
                raise self.error(
                    start,
                    _(
                        "expected one field code (lowercase letters, digits and underscores) "
                        "after “%(name)s”, as in “{{%(name)s firstname}}”."
                    ),
                    name=name,
                )
            if name == "var":
                self.nodes.append(Var(argument))
            elif len(self.stack) >= MAX_DEPTH:
                raise self.error(
                    start, _("blocks are nested more than %(max)d deep."), max=MAX_DEPTH
                )
            else:
                self.stack.append(_Open(name, argument, start, []))
        elif not name and not closing:
            raise self.error(
                start, _("expected a directive: var, depend, if, else, /depend or /if.")
            )
        else:
            raise self.error(
                start,
                _("unknown directive “%(name)s”; expected var, depend, if, else, /depend or /if."),
                name=("/" if closing else "") + name,
            )

    def close(self, start: int, name: str, argument: str) -> None:
        if argument:
            raise self.error(start, _("expected “}}” right after “/%(name)s”."), name=name)
        if not self.stack:
            raise self.error(start, _("“{{/%(name)s}}” has no matching “{{%(name)s}}”."), name=name)
        block = self.stack[-1]
        if block.kind != name:
            line, column = _line_column(self.text, block.offset)
            raise self.error(
                start,
                _(
                    "expected “{{/%(kind)s}}” to close “{{%(kind)s %(code)s}}” from line "
                    "%(open_line)d, column %(open_column)d, found “{{/%(name)s}}”."
                ),
                kind=block.kind,
                code=block.code,
                open_line=line,
                open_column=column,
                name=name,
            )
        self.stack.pop()
        self.nodes.append(
            Block(block.kind, block.code, tuple(block.body), tuple(block.orelse or ()))
        )

    def otherwise(self, start: int, argument: str) -> None:
        if argument:
            raise self.error(start, _("expected “}}” right after “else”."))
        if not self.stack or self.stack[-1].kind != "if":
            raise self.error(start, _("“{{else}}” is only allowed inside “{{if}}”."))
        block = self.stack[-1]
        if block.orelse is not None:
            raise self.error(
                start, _("“{{if %(code)s}}” already has an “{{else}}”."), code=block.code
            )
        block.orelse = []

    def error(self, offset: int, message: str, **params: Any) -> InvalidInput:
        line, column = _line_column(self.text, offset)
        params = {"line": line, "column": column, **params}
        return InvalidInput(
            _("Line %(line)d, column %(column)d: %(problem)s")
            % {**params, "problem": message % params},
            code=ERROR_CODE,
            params={"line": line, "column": column},
        )


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def validate_template_setting(value: str) -> None:
    """Raise ``ValidationError`` naming the line and column if ``value`` is not a valid address
    template (the validator of the four ``customer/address_templates/*`` settings)."""
    try:
        parse_template(value or "")
    except InvalidInput as error:
        raise ValidationError(str(error.message), code=error.code) from None


# --- Values -------------------------------------------------------------------------------------


def address_values(
    address: Any = None,
    *,
    values: Mapping[str, Any] | None = None,
    language: str | None = None,
    store_view: Any = None,
) -> dict[str, str]:
    """Return the template codes of an address (or of a snapshot ``values`` dict) as text.

    ``values`` uses the Address field names (``street`` as a list of lines or one text,
    ``country_id``, ``custom_attributes``) and may add or replace any code, ``country`` and
    ``street1``... included. Custom attributes never hide a built-in code; the value of a
    defined address attribute reads as people read it (option labels on ``store_view``, Yes or
    No, a file's name), any other as its text. ``country`` is the country's name in
    ``language`` (default: the active language).
    """
    values = values or {}
    fields: dict[str, Any] = {}
    custom: dict[Any, Any] = {}
    if address is not None:
        fields = {name: getattr(address, name, "") for name in ADDRESS_FIELDS}
        fields["street"] = getattr(address, "street", None)
        if isinstance(getattr(address, "custom_attributes", None), Mapping):
            custom.update(address.custom_attributes)
    if isinstance(values.get("custom_attributes"), Mapping):
        custom.update(values["custom_attributes"])
    fields.update(values)
    result = _custom_texts(custom, store_view)
    for code, value in fields.items():
        if code not in ("street", "custom_attributes") and _is_code(code):
            result[code] = _text(value)
    lines = _street_lines(fields.get("street"))
    result["street"] = STREET_SEPARATOR.join(lines)
    for number in range(1, max(STREET_LINES, len(lines)) + 1):
        code = f"street{number}"
        if code not in values:
            result[code] = lines[number - 1] if number <= len(lines) else ""
    if "country" not in values:
        country_id = result.get("country_id", "")
        result["country"] = (
            country_name(country_id, language)
            if re.fullmatch(r"[A-Za-z]{2}", country_id)
            else country_id
        )
    return result


def _custom_texts(custom: Mapping[Any, Any], store_view: Any) -> dict[str, str]:
    """Return the custom attribute values as text, read through their definitions."""
    codes = [code for code in custom if _is_code(code)]
    if not codes:
        return {}
    from patron.customers.models import AttributeEntity, CustomerAttribute

    definitions = {
        attribute.code: attribute
        for attribute in CustomerAttribute.objects.filter(
            entity=AttributeEntity.ADDRESS, is_system=False, code__in=codes
        ).prefetch_related("options")
    }
    view = _store_view_object(store_view) if definitions else None
    return {code: _readable(definitions.get(code), custom[code], view) for code in codes}


def _readable(attribute: Any, value: Any, store_view: Any) -> str:
    """Return one custom value as text; a value that does not have its attribute's shape (an
    older or imported one) falls back to its plain text rather than failing the address."""
    from patron.customers import attributes
    from patron.customers.models import InputType

    # Lines of a Multiple Line value join with ", " like the street's.
    if attribute is None or attribute.input_type == InputType.MULTILINE:
        return _text(value)
    try:
        return _text(attributes.display_value(attribute, value, store_view))
    except (TypeError, ValueError, AttributeError):
        return _text(value)


def _store_view_object(store_view: Any) -> Any:
    if store_view is None or hasattr(store_view, "pk"):
        return store_view
    from patron.core.errors import NotFound
    from patron.scopes.selectors import get_store_view

    try:
        return get_store_view(int(store_view))
    except (NotFound, TypeError, ValueError):
        return None


def _is_code(key: Any) -> bool:
    return isinstance(key, str) and CODE.fullmatch(key) is not None


def _text(value: Any, *, nested: bool = False) -> str:
    """Return a value as one trimmed line of text; lists are joined, other objects are empty."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = _("Yes") if value else _("No")
    elif isinstance(value, (str, int, float, Decimal)):
        text = str(value)
    elif isinstance(value, (list, tuple)) and not nested:
        text = ", ".join(part for part in (_text(item, nested=True) for item in value) if part)
    else:
        text = ""
    return _SURROGATES.sub("\ufffd", _LINE_BREAKS.sub(" ", text)).strip()


def _street_lines(street: Any) -> list[str]:
    if isinstance(street, str):
        street = street.splitlines()
    if not isinstance(street, (list, tuple)):
        return []
    return [line for line in (_text(item, nested=True) for item in street) if line]


# --- Rendering ----------------------------------------------------------------------------------


def render_address(
    address: Any,
    fmt: str,
    *,
    store_view: Any = None,
    values: Mapping[str, Any] | None = None,
) -> str:
    """Return ``address`` (an Address, or None with ``values``) in format ``fmt`` of
    ``store_view``'s address template.

    ``fmt`` is "text", "oneline", "html" (safe markup) or "pdf". A stored template that no longer
    parses is logged and replaced by the default, so a document can always be printed. Raises
    ``ValueError`` for an unknown format.
    """
    from patron.scopes.config import get_config, get_field

    if fmt not in FORMATS:
        raise ValueError(f"Unknown address format {fmt!r}; use one of {', '.join(FORMATS)}.")
    path = CONFIG_PATH.format(format=fmt)
    template = get_config(path, store_view=store_view) or ""
    try:
        tree = parse_template(template)
    except InvalidInput as error:
        logger.warning(
            "Stored address template %s is invalid (%s); using the default.", path, error
        )
        tree = parse_template(get_field(path).default)
    data = address_values(
        address, values=values, language=_language_of(store_view), store_view=store_view
    )
    return _format(tree, fmt, data)


def render_template(template: str, fmt: str, values: Mapping[str, Any]) -> str:
    """Return ``template`` rendered in format ``fmt`` with template codes from ``values``.

    Raises ``InvalidInput`` for an invalid template and ``ValueError`` for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown address format {fmt!r}; use one of {', '.join(FORMATS)}.")
    data = {code: _text(value) for code, value in values.items() if _is_code(code)}
    return _format(parse_template(template), fmt, data)


def _language_of(store_view: Any) -> str | None:
    if store_view is None:
        return None
    if hasattr(store_view, "locale"):
        return store_view.locale or None
    from patron.core.errors import NotFound
    from patron.scopes.selectors import get_store_view

    try:
        return get_store_view(int(store_view)).locale or None
    except (NotFound, TypeError, ValueError):
        return None


def _pieces(nodes: tuple[Node, ...], data: Mapping[str, str], out: list[tuple[str, bool]]) -> None:
    """Append (text, is_value) for every piece of output; literals and values stay apart."""
    for node in nodes:
        if isinstance(node, str):
            out.append((node, False))
        elif isinstance(node, Var):
            out.append((data.get(node.code, ""), True))
        elif data.get(node.code, ""):
            _pieces(node.body, data, out)
        else:
            _pieces(node.orelse, data, out)


def _format(tree: tuple[Node, ...], fmt: str, data: Mapping[str, str]) -> str:
    pieces: list[tuple[str, bool]] = []
    _pieces(tree, data, pieces)
    if fmt == "html":
        markup = "".join(_escape(text) if is_value else text for text, is_value in pieces)
        return "\n".join(_non_blank(_sanitize(markup).split("\n")))
    if fmt == "oneline":
        return "".join(
            text if is_value else text.replace("\n", " ") for text, is_value in pieces
        ).strip()
    separator = "|" if fmt == "pdf" else "\n"
    return separator.join(_lines(pieces, separator))


def _escape(value: str) -> str:
    """Return ``value`` as HTML text that cannot start markup, wherever the template puts it.

    Beyond ``html.escape``, the first character becomes a character reference, so a template
    that writes ``<{{var code}}`` gets text, not a tag or comment named by the value. The
    sanitizer turns the reference back into the plain character.
    """
    if not value:
        return ""
    return f"&#{ord(value[0])};{html.escape(value[1:])}"


def _lines(pieces: list[tuple[str, bool]], separator: str) -> list[str]:
    """Split at the template's separators only (never inside a value), trim, drop empties."""
    lines = [""]
    for text, is_value in pieces:
        if is_value:
            lines[-1] += text
            continue
        if separator != "\n":
            text = text.replace("\n", " ")  # layout of the template, not a line break
        first, *rest = text.split(separator)
        lines[-1] += first
        lines.extend(rest)
    return _non_blank(lines)


def _non_blank(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def _sanitize(markup: str) -> str:
    """Return ``markup`` with every tag outside ``HTML_TAGS`` and every attribute but a
    ``tel:``/``mailto:`` link's ``href`` removed (scripts and styles with their content).

    Calls nh3 directly: ``patron.core.sanitize.sanitize_html`` always allows web links and adds
    ``rel`` to every link, which the address allow-list must not.
    """
    return nh3.clean(
        markup,
        tags=set(HTML_TAGS),
        attributes={"a": {"href"}},
        attribute_filter=_link_only,
        url_schemes={scheme.rstrip(":") for scheme in LINK_SCHEMES},
        link_rel=None,
    )


def _link_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href" and value.strip().lower().startswith(LINK_SCHEMES):
        return value
    return None
