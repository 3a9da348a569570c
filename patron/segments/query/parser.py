"""Reading a query into a condition tree: a recursive-descent parser over the tokens of
:mod:`.syntax`, the names of :mod:`.forms`, and the positions of what it read so the problems
``clean_tree`` finds can be shown at their place in the text.

Grammar (keywords in any case; spaces, line breaks and ``#`` comments between tokens)::

    query       := [expression] END
    expression  := conjunction ("or" conjunction)*
    conjunction := negation ("and" negation)*
    negation    := "not" negation | primary
    primary     := "(" expression ")"
                 | ("all" | "any" | "none") "(" [expression ("," expression)*] ")"
                 | KEY ":" value                        a named argument standing for a condition
                 | name ("." name)* <rest of the form>  a field or a function, see forms.py
    body        := "(" [item ("," item)*] ")"           the children of a function
    item        := "match" ":" ("all" | "any") | expression
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from patron.segments import conditions as c
from patron.segments.models import empty_tree
from patron.segments.query import forms
from patron.segments.query.syntax import (
    END,
    NAME,
    OPERATOR,
    Position,
    QueryProblem,
    QuerySyntaxError,
    Token,
    fail,
    tokenize,
)
from patron.segments.query.values import CODES, SYMBOLS, Enum, symbols
from patron.segments.query.vocabulary import Vocabulary

# Far beyond what clean_tree allows (trees.MAX_DEPTH); keeps Python's stack safe.
MAX_NESTING = 100


def combine(aggregator: str, value: bool, children: list) -> dict:
    return {"type": "combine", "aggregator": aggregator, "value": value, "conditions": children}


class Parser:
    def __init__(self, text: str, vocab: Vocabulary) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.vocab = vocab
        self.nesting = 0
        # id(node) -> {"": where the node starts, "value": where its value is, ...}; the nodes
        # are kept alive so their ids stay theirs.
        self.spans: dict[int, dict[str, Position]] = {}
        self.nodes: list[dict] = []

    # Tokens ----------------------------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tok
        if token.kind != END:
            self.index += 1
        return token

    def expected(self, token: Token, what: str, *, after: str = ""):
        """Fail at ``token``, saying what should have been there."""
        values = {"what": what, "after": after, "found": token.shown()}
        if token.kind == END:
            if after:
                message = _('unexpected end of the query: expected %(what)s after "%(after)s"')
            else:
                message = _("unexpected end of the query: expected %(what)s")
        elif after:
            message = _('expected %(what)s after "%(after)s", found %(found)s')
        else:
            message = _("expected %(what)s, found %(found)s")
        fail(token, message % values)

    def expect(self, mark: str, what: str, *, after: str = "") -> Token:
        if not self.tok.is_punct(mark):
            self.expected(self.tok, what, after=after)
        return self.advance()

    def mark(self, node: dict, start, **keys) -> None:
        """Remember where ``node`` (and each of its parameters) was written."""
        self.nodes.append(node)
        spans = self.spans.setdefault(id(node), {})
        spans[""] = start.position if isinstance(start, Token) else start
        for key, at in keys.items():
            spans[key] = at.position if isinstance(at, Token) else at

    def start_of(self, node: dict) -> Position:
        return self.spans[id(node)][""]

    def operator(self, allowed, subject: str, kind) -> tuple[str, Token]:
        """Read a comparison operator allowed for ``subject``."""
        token, code, length = self.tok, None, 1
        if token.kind == OPERATOR:
            code = CODES[token.text]
        elif token.is_word("contains"):
            code = "contains"
        elif token.is_word("in"):
            code = "is_one_of"
        elif token.is_word("not") and self.peek().is_word("contains", "in"):
            code = "does_not_contain" if self.peek().is_word("contains") else "is_not_one_of"
            length = 2
        if code is None:
            self.expected(
                token,
                _("a comparison operator (%(operators)s)") % {"operators": symbols(allowed)},
                after=subject,
            )
        if code not in allowed:
            fail(
                token,
                _('"%(operator)s" cannot compare %(subject)s (%(kind)s): use %(operators)s')
                % {
                    "operator": SYMBOLS[code],
                    "subject": subject,
                    "kind": kind.noun(),
                    "operators": symbols(allowed),
                },
            )
        for _step in range(length):
            self.advance()
        return code, token

    # Grammar ---------------------------------------------------------------------------------

    def query(self) -> dict:
        if self.tok.kind == END:
            tree = empty_tree()
            self.mark(tree, Position(1, 1))
            return tree
        node, _chain = self.expression(forms.ROOT)
        if self.tok.is_punct(")"):
            fail(self.tok, _('unexpected ")": there is no "(" to close'))
        if self.tok.kind != END:
            self.expected(self.tok, _('"and", "or" or the end of the query'))
        if node["type"] != "combine":
            wrapped = combine("all", True, [node])
            self.mark(wrapped, self.start_of(node))
            node = wrapped
        return node

    def expression(self, scope: str, after: str = "") -> tuple[dict, str | None]:
        """An or-chain; also says which chain it was ("any", "all") when it was one written
        without parentheses (a function's single argument then gives its own children)."""
        first, chain = self.conjunction(scope, after)
        if not self.tok.is_word("or"):
            return first, chain
        operands = [first]
        while self.tok.is_word("or"):
            self.advance()
            operands.append(self.conjunction(scope, "or")[0])
        node = combine("any", True, operands)
        self.mark(node, self.start_of(first))
        return node, "any"

    def conjunction(self, scope: str, after: str = "") -> tuple[dict, str | None]:
        first = self.negation(scope, after)
        if not self.tok.is_word("and"):
            return first, None
        operands = [first]
        while self.tok.is_word("and"):
            self.advance()
            operands.append(self.negation(scope, "and"))
        node = combine("all", True, operands)
        self.mark(node, self.start_of(first))
        return node, "all"

    def negation(self, scope: str, after: str = "") -> dict:
        token = self.tok
        if not token.is_word("not") or self.is_named(token):
            return self.primary(scope, after)
        self.advance()
        self.enter(token)
        operand = self.negation(scope, "not")
        self.nesting -= 1
        if operand["type"] == "combine":
            # De Morgan: NOT (ALL are v) is (ANY is not v), which is how the builder says it.
            flipped = "any" if operand["aggregator"] == "all" else "all"
            node = combine(flipped, not operand["value"], operand["conditions"])
        else:
            node = combine("all", False, [operand])
        self.mark(node, token)
        return node

    def enter(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            fail(token, _("the conditions are nested too deeply"))

    def is_named(self, token: Token) -> bool:
        """Whether a named argument starts at ``token`` (``within:``, ``not between:``)."""
        if token.kind != NAME:
            return False
        if token.is_word("not") and self.peek().is_word("between"):
            return self.peek(2).is_punct(":")
        return self.peek().is_punct(":")

    def primary(self, scope: str, after: str) -> dict:
        token = self.tok
        if token.is_punct("("):
            self.advance()
            self.enter(token)
            node, _chain = self.expression(scope)
            self.nesting -= 1
            if not self.tok.is_punct(")"):
                self.expected(
                    self.tok,
                    _('"and", "or" or ")" to close the "(" at line %(line)d, column %(column)d')
                    % {"line": token.line, "column": token.column},
                )
            self.advance()
            return node
        if token.kind != NAME:
            self.expected(token, _("a condition"), after=after)
        if token.is_word(*("all", "any", "none")):
            return self.combinator(scope, token)
        if self.is_named(token):
            return self.qualifier(scope, token)
        return self.reference(scope, token)

    def combinator(self, scope: str, start: Token) -> dict:
        self.advance()
        self.expect("(", '"("', after=start.text)
        self.enter(start)
        children = []
        if not self.tok.is_punct(")"):
            while True:
                if self.is_named(self.tok) and self.tok.is_word("match"):
                    fail(
                        self.tok,
                        _('unknown named argument "match": %(name)s(...) takes conditions only')
                        % {"name": start.word},
                    )
                children.append(self.expression(scope)[0])
                if not self.tok.is_punct(","):
                    break
                self.advance()
        self.close(start, start.word)
        self.nesting -= 1
        if start.word == "none":
            node = combine("all", False, children)
        else:
            node = combine(start.word, True, children)
        self.mark(node, start)
        return node

    def close(self, start: Token, name: str) -> None:
        if not self.tok.is_punct(")"):
            self.expected(
                self.tok,
                _('"," or ")" to close "%(name)s(" at line %(line)d, column %(column)d')
                % {"name": name, "line": start.line, "column": start.column},
            )
        self.advance()

    def qualifier(self, scope: str, start: Token) -> dict:
        key = "not between" if start.is_word("not") else start.word
        known = forms.qualifiers_of(scope)
        if key not in known:
            if key == "match":
                message = _(
                    'unknown named argument "match": it is given only directly in the '
                    "parentheses of a function, such as address.any(..., match: any)"
                )
            elif known:
                message = _('unknown named argument "%(key)s": expected %(known)s') % {
                    "key": start.text,
                    "known": ", ".join(f"{name}:" for name in known),
                }
            else:
                message = _('unknown named argument "%(key)s": none can be used here') % {
                    "key": start.text
                }
            fail(start, message)
        while not self.tok.is_punct(":"):
            self.advance()
        self.advance()
        return known[key].parse_qualifier(self, key, start)

    def reference(self, scope: str, start: Token) -> dict:
        parts = [self.advance().word]
        while self.tok.is_punct("."):
            self.advance()
            if self.tok.kind != NAME:
                self.expected(self.tok, _("a name"), after=".".join(parts) + ".")
            parts.append(self.advance().word)
        parts = tuple(parts)
        for form in forms.forms_of(scope):
            ref = form.resolve(self.vocab, scope, parts)
            if ref is not None:
                return form.parse(self, ref, start)
        self.unknown(scope, parts, start)

    def body(self, scope: str, subject: str) -> tuple[str, list, Token | None]:
        """The children of a function and their aggregator: ``match: any`` if given; else one
        argument written as an and/or chain gives its own; else ALL of the arguments."""
        opening = self.tok
        self.expect("(", '"("', after=subject)
        self.enter(opening)
        items: list[tuple[dict, str | None]] = []
        match, match_at = None, None
        if not self.tok.is_punct(")"):
            while True:
                if self.tok.is_word("match") and self.peek().is_punct(":"):
                    if match_at is not None:
                        fail(
                            self.tok,
                            _(
                                'duplicate argument "match" (already given at line %(line)d, '
                                "column %(column)d)"
                            )
                            % {"line": match_at.line, "column": match_at.column},
                        )
                    match_at = self.advance()
                    self.advance()
                    match = Enum(c.AGGREGATORS).parse(self, "match:")
                else:
                    items.append(self.expression(scope))
                if not self.tok.is_punct(","):
                    break
                self.advance()
        self.close(opening, subject)
        self.nesting -= 1
        if match is None and len(items) == 1 and items[0][1] is not None:
            node, aggregator = items[0]
            return aggregator, node["conditions"], None
        return match or "all", [node for node, _chain in items], match_at

    # Unknown names ---------------------------------------------------------------------------

    def unknown(self, scope: str, parts: tuple[str, ...], start: Token):
        import difflib

        name = ".".join(parts)
        for form in forms.forms_of(scope):
            message = form.unknown(self.vocab, scope, parts)
            if message:
                fail(start, message)
        places = [
            place(other)
            for other in forms.SCOPES
            if other != scope
            and any(form.resolve(self.vocab, other, parts) for form in forms.forms_of(other))
        ]
        if places:
            fail(
                start,
                _('"%(name)s" can be used only %(places)s')
                % {"name": name, "places": _(" or ").join(places)},
            )
        known = [n for form in forms.forms_of(scope) for n in form.names()]
        plain = [n.split("(")[0] for n in known if "<" not in n]
        close = difflib.get_close_matches(name, plain, n=1)
        if close:
            hint = _('did you mean "%(name)s"?') % {"name": close[0]}
        else:
            hint = _("expected one of: %(names)s") % {"names": ", ".join(known)}
        fail(
            start,
            _('unknown field or function "%(name)s": %(hint)s') % {"name": name, "hint": hint},
        )

    # Positions -------------------------------------------------------------------------------

    def position_of(self, tree: dict, path: str) -> Position:
        """Where the node (or parameter) at a ``clean_tree`` path such as
        ``conditions.conditions[1].value`` was written."""
        rest = path[len("conditions") :] if path.startswith("conditions") else ""
        node = tree
        while match := re.match(r"\.conditions\[(\d+)\]", rest):
            children = node.get("conditions") or []
            if int(match[1]) >= len(children):
                break
            node = children[int(match[1])]
            rest = rest[match.end() :]
        key = rest.lstrip(".").split(".")[0].split("[")[0]
        spans = self.spans.get(id(node), {})
        return spans.get(key) or spans.get("") or Position(1, 1)


def place(scope: str) -> str:
    """Where the names of ``scope`` can be written, for a message."""
    if scope == forms.ROOT:
        return _("at the top level of the query, outside functions")
    openers = [
        f"{name}(...)"
        for form in forms.FORMS.values()
        if isinstance(form, forms.Container) and form.child_scope == scope
        for name in form.fields
    ]
    return _("inside %(functions)s") % {"functions": ", ".join(openers)}


def parse(text: str, *, vocabulary: Vocabulary | None = None) -> dict:
    """Return the condition tree ``text`` writes; raise ``QuerySyntaxError`` (line, column and
    what was expected) when it cannot be read."""
    return Parser(text, vocabulary or Vocabulary()).query()


def parse_and_check(text: str, apply_to: str) -> dict:
    """Return the tree ``text`` writes, checked by ``clean_tree`` for ``apply_to``; raise
    ``QuerySyntaxError`` listing every problem at the place in the text it concerns."""
    from patron.segments.trees import clean_tree

    parser = Parser(text, Vocabulary())
    tree = parser.query()
    try:
        return clean_tree(tree, apply_to=apply_to)
    except ValidationError as error:
        problems = [
            QueryProblem(at.line, at.column, str(message), path)
            for path, messages in error.message_dict.items()
            for at in [parser.position_of(tree, path)]
            for message in messages
        ]
        problems.sort(key=lambda problem: (problem.line, problem.column))
        raise QuerySyntaxError(problems) from None
