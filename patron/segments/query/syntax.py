"""The words of the segment query language: tokens, text literals and the error a query raises.

A query is read as a list of tokens (names, numbers, dates, day counts such as ``90d``, texts
in double quotes, operators and punctuation); spaces, line breaks and ``#`` comments between
tokens are ignored. Every token knows its line and column (1-based) so errors can point at it.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from patron.core.errors import InvalidInput, Problem

# Words with a meaning of their own, compared without regard to case. A field or attribute
# code equal to one of them is printed with its scope's prefix (``address.any``).
KEYWORDS = frozenset(
    {"and", "or", "not", "all", "any", "none", "contains", "in", "true", "false", "match"}
)
COMBINATORS = ("all", "any", "none")

NAME, NUMBER, DAYS, DATE, STRING, OPERATOR, PUNCT, END = (
    "name",
    "number",
    "days",
    "date",
    "string",
    "operator",
    "punct",
    "end",
)

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\[^\n])*")
  | (?P<open_string>"(?:[^"\\\n]|\\[^\n])*)
  | (?P<date>\d{4}-\d{2}-\d{2})(?![0-9A-Za-z_]|\.\d)
  | (?P<days>\d+[dwDW])(?![0-9A-Za-z_]|\.\d)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?![0-9A-Za-z_]|\.\d)
  | (?P<bad_number>-?\d[0-9A-Za-z_.+-]*)
  | (?P<operator>!=|>=|<=|==|=|>|<)
  | (?P<range>\.\.)
  | (?P<punct>[()\[\],:.])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class Token:
    kind: str
    text: str  # as written
    line: int
    column: int

    @property
    def word(self) -> str:
        """A name in lower case (keywords, fields and codes are compared without case)."""
        return self.text.lower()

    @property
    def position(self) -> Position:
        return Position(self.line, self.column)

    def is_word(self, *words: str) -> bool:
        return self.kind == NAME and self.word in words

    def is_punct(self, *marks: str) -> bool:
        return self.kind == PUNCT and self.text in marks

    def shown(self) -> str:
        """The token as an error message quotes it."""
        if self.kind == END:
            return _("the end of the query")
        return f'"{self.text}"'


@dataclass(frozen=True)
class QueryProblem:
    """One thing wrong in a query, at a line and column (1-based)."""

    line: int
    column: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        return _("line %(line)d, column %(column)d: %(message)s") % {
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class QuerySyntaxError(InvalidInput):
    """A query that cannot be read, or (from ``parse_and_check``) whose conditions break the
    catalogue's rules. ``line``, ``column`` and ``detail`` describe the first problem;
    ``query_problems`` lists them all, each also as a coded ``Problem`` with its position."""

    default_code = "query_syntax"

    def __init__(self, problems: list[QueryProblem]) -> None:
        first = problems[0]
        super().__init__(
            "\n".join(str(problem) for problem in problems),
            code=self.default_code,
            field="query",
            params={"line": first.line, "column": first.column},
            problems=[
                Problem(
                    code=self.default_code,
                    message=str(problem),
                    field="query",
                    params={"line": problem.line, "column": problem.column},
                )
                for problem in problems
            ],
        )
        self.query_problems = problems
        self.line = first.line
        self.column = first.column
        self.detail = first.message


def fail(at: Token | Position, message: str, path: str = ""):
    """Raise a ``QuerySyntaxError`` at ``at``."""
    raise QuerySyntaxError([QueryProblem(at.line, at.column, message, path)])


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an END token; raises ``QuerySyntaxError`` at the
    first character that starts no token."""
    tokens: list[Token] = []
    line, line_start, offset = 1, 0, 0
    while offset < len(text):
        match = _TOKEN.match(text, offset)
        column = offset - line_start + 1
        if match is None:
            fail(
                Position(line, column),
                _('unexpected character "%(char)s"') % {"char": text[offset]},
            )
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "open_string":
            fail(Position(line, column), _('this text has no closing "'))
        if kind == "bad_number":
            fail(
                Position(line, column),
                _(
                    '"%(text)s" is not a number, a date (YYYY-MM-DD) or a number of days '
                    "(such as 90d)"
                )
                % {"text": value},
            )
        if kind == "string":
            decode_text(value, Position(line, column))
        if kind == "range":
            kind = PUNCT
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, value, line, column))
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = offset + value.rindex("\n") + 1
        offset = match.end()
    tokens.append(Token(END, "", line, len(text) - line_start + 1))
    return tokens


# --- Texts --------------------------------------------------------------------------------------
# Printable characters are written as they are; quotes, backslashes and the rest are escaped.
# Each \u escape stands for exactly one code point (two escapes are never joined into one
# character), so every Python string survives printing and reading back unchanged.

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
_ESCAPED = {value: f"\\{key}" for key, value in _ESCAPES.items()}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


def encode_text(value: str) -> str:
    """``value`` as a text literal in double quotes."""
    parts = ['"']
    for char in value:
        if char in _ESCAPED:
            parts.append(_ESCAPED[char])
        elif char.isprintable():
            parts.append(char)
        elif ord(char) <= 0xFFFF:
            parts.append(f"\\u{ord(char):04x}")
        else:
            parts.append(f"\\U{ord(char):08x}")
    parts.append('"')
    return "".join(parts)


def decode_text(literal: str, at: Position) -> str:
    """The string a text literal (with its quotes) stands for."""

    def replace(match: re.Match) -> str:
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            code = int(escape[1:], 16)
            if code > 0x10FFFF:
                fail(at, _("\\%(escape)s is not a character") % {"escape": escape})
            return chr(code)
        if escape in _ESCAPES:
            return _ESCAPES[escape]
        fail(
            at,
            _('unknown escape "\\%(escape)s" in a text: use \\", \\\\, \\n, \\r, \\t or \\uXXXX')
            % {"escape": escape},
        )

    return _ESCAPE.sub(replace, literal[1:-1])


def is_identifier(value: str) -> bool:
    return bool(_IDENTIFIER.fullmatch(value))
