"""The kinds of value a query compares with, each read from tokens and printed back exactly as
the condition tree stores it, and the operators written between a field and its value."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from patron.segments.query.syntax import (
    DATE,
    DAYS,
    NAME,
    NUMBER,
    STRING,
    decode_text,
    encode_text,
    fail,
    is_identifier,
)

# Tree operator code -> how a query writes it.
SYMBOLS = {
    "is": "=",
    "is_not": "!=",
    "gte": ">=",
    "gt": ">",
    "lte": "<=",
    "lt": "<",
    "contains": "contains",
    "does_not_contain": "not contains",
    "is_one_of": "in",
    "is_not_one_of": "not in",
}
CODES = {symbol: code for code, symbol in SYMBOLS.items()} | {"==": "is"}


def symbols(codes) -> str:
    return ", ".join(SYMBOLS[code] for code in codes)


class ValueKind:
    """How one kind of value is written. ``parse`` reads it at the parser's current token and
    returns the value as ``clean_tree`` would store it; ``show`` prints a stored value."""

    def noun(self) -> str:
        """What the value is, in a word or two ("number", "date")."""
        raise NotImplementedError

    def describe(self) -> str:
        """What to write, for messages and the reference ("a number of days, such as 90d")."""
        raise NotImplementedError

    def parse(self, p, subject: str) -> Any:
        raise NotImplementedError

    def show(self, value: Any) -> str:
        raise NotImplementedError

    def take(self, p, subject: str, *kinds: str):
        """The current token if it is one of ``kinds``, consumed; else an error saying what
        was expected."""
        token = p.tok
        if token.kind not in kinds:
            p.expected(token, self.describe(), after=subject)
        p.advance()
        return token


class Number(ValueKind):
    def noun(self):
        return _("number")

    def describe(self):
        return _("a number")

    def parse(self, p, subject):
        token = self.take(p, subject, NUMBER)
        return str(Decimal(token.text))

    def show(self, value):
        return str(value)


class Text(ValueKind):
    def noun(self):
        return _("text")

    def describe(self):
        return _('a text in double quotes, such as "Berlin"')

    def parse(self, p, subject):
        token = self.take(p, subject, STRING)
        # The builder drops surrounding spaces too (clean_text).
        return decode_text(token.text, token.position).strip()

    def show(self, value):
        return encode_text(str(value))


class Date(ValueKind):
    def noun(self):
        return _("date")

    def describe(self):
        return _("a date (YYYY-MM-DD)")

    def parse(self, p, subject):
        token = self.take(p, subject, DATE)
        return parse_date(token)

    def show(self, value):
        return str(value)


def parse_date(token) -> str:
    try:
        return dt.date.fromisoformat(token.text).isoformat()
    except ValueError:
        fail(token, _('"%(text)s" is not a date of the calendar') % {"text": token.text})


class Days(ValueKind):
    def noun(self):
        return _("number of days")

    def describe(self):
        return _("a number of days, such as 90d (or weeks: 2w)")

    def parse(self, p, subject):
        token = self.take(p, subject, DAYS, NUMBER)
        if token.kind == NUMBER:
            if not token.text.isdigit():
                p.expected(token, self.describe(), after=subject)
            return int(token.text)
        count = int(token.text[:-1])
        return count * 7 if token.text[-1] in "wW" else count

    def show(self, value):
        return f"{value}d"


class Bool(ValueKind):
    def noun(self):
        return _("yes/no")

    def describe(self):
        return _("true or false")

    def parse(self, p, subject):
        token = p.tok
        if not token.is_word("true", "false"):
            p.expected(token, self.describe(), after=subject)
        p.advance()
        return token.word == "true"

    def show(self, value):
        return "true" if value else "false"


def take_choice(p, token, kind, value, subject) -> Any:
    """The choice of ``kind`` that ``value`` (read from ``token``) names, the token consumed;
    an error naming the expected choices otherwise."""
    found = choose(kind.choices, value)
    if found is None:
        fail(
            token,
            _('%(value)s is not a value for "%(subject)s": expected %(expected)s')
            % {"value": token.text, "subject": subject, "expected": kind.describe()},
        )
    p.advance()
    return found


def choose(choices, value) -> Any:
    """The choice ``value`` names, as the choice's own value, the way ``clean_choice`` finds it
    (same type first, then the same text ignoring case); ``None`` when there is none."""
    allowed = [choice for choice, _label in choices]
    for choice in allowed:
        if value == choice and type(value) is type(choice):
            return choice
    for choice in allowed:
        if str(value).lower() == str(choice).lower():
            return choice
    return None


def listing(choices, limit: int = 12) -> str:
    """Choices for a message: ``1 (Male), 2 (Female)``, cut after ``limit``."""
    shown = []
    for value, label in choices[:limit]:
        text = show_choice(value)
        shown.append(text if str(label) in ("", str(value)) else f"{text} ({label})")
    if len(choices) > limit:
        shown.append(_("… %(count)d more") % {"count": len(choices) - limit})
    return ", ".join(shown)


def show_choice(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return encode_text(str(value))


class Options(ValueKind):
    """One option of a select, multiselect or yes/no attribute: an option id, a group id, a
    country code, true or false, written as stored."""

    def __init__(self, choices, *, upper: bool = False) -> None:
        self.choices = tuple(choices)
        self.upper = upper

    def noun(self):
        return _("option")

    def describe(self):
        return _("one of: %(choices)s") % {"choices": listing(self.choices)}

    def parse(self, p, subject):
        token = p.tok
        if token.kind == NUMBER:
            value = int(token.text) if token.text.lstrip("-").isdigit() else token.text
        elif token.kind == STRING:
            value = decode_text(token.text, token.position).strip()
            value = value.upper() if self.upper else value
        elif token.is_word("true", "false"):
            value = token.word == "true"
        elif token.kind == NAME:
            # A code written without quotes (country_id = DE) is read as the code.
            value = token.text.upper() if self.upper else token.text
        else:
            p.expected(token, self.describe(), after=subject)
        return take_choice(p, token, self, value, subject)

    def show(self, value):
        return show_choice(value)


class Enum(ValueKind):
    """One of a fixed list of codes (billing, shipping, an order status), written bare."""

    def __init__(self, choices: tuple) -> None:
        self.choices = tuple(choices)

    def noun(self):
        return _("option")

    def describe(self):
        return _("one of: %(choices)s") % {
            "choices": ", ".join(self.show(value) for value, _label in self.choices)
        }

    def parse(self, p, subject):
        token = p.tok
        if token.kind == NAME:
            value = token.word
        elif token.kind == STRING:
            value = decode_text(token.text, token.position)
        else:
            p.expected(token, self.describe(), after=subject)
        return take_choice(p, token, self, value, subject)

    def show(self, value):
        return value if is_identifier(str(value)) else encode_text(str(value))


class TextList(ValueKind):
    def noun(self):
        return _("list of texts")

    def describe(self):
        return _('a list of texts, such as ["shoes", "hats"]')

    def parse(self, p, subject):
        p.expect("[", self.describe(), after=subject)
        values = []
        while not p.tok.is_punct("]"):
            values.append(Text().parse(p, subject))
            if not p.tok.is_punct(","):
                break
            p.advance()
        p.expect("]", _('"," or "]"'), after=subject)
        # The builder drops empty entries (ProductAttributeCondition.clean_params).
        return [value for value in values if value]

    def show(self, value):
        return "[" + ", ".join(encode_text(str(item)) for item in value) + "]"


class DateRange(ValueKind):
    def noun(self):
        return _("date range")

    def describe(self):
        return _("a range of dates, such as 2024-01-01..2024-03-31")

    def parse(self, p, subject):
        first = parse_date(self.take(p, subject, DATE))
        p.expect("..", _('".." between the two dates'), after=subject)
        last = parse_date(self.take(p, subject, DATE))
        return [first, last]

    def show(self, value):
        return f"{value[0]}..{value[1]}"
