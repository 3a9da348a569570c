"""The shapes a condition type can take in a query, shared by the forms of :mod:`.forms`: a
comparison of a named field, a yes/no flag, and a function whose children are written inside
parentheses. Each form reads its node from the parser and prints it back."""

from dataclasses import dataclass
from typing import Any

from patron.segments import conditions as c
from patron.segments import operators as ops
from patron.segments.query.values import SYMBOLS, Bool, Number, ValueKind


@dataclass(frozen=True)
class Ref:
    """A name read in a query and what it stands for: the form, the name as printed, the
    parameters the name fixes (a cart amount, a function) and an attribute's definition."""

    form: "Form"
    name: str
    params: dict
    detail: Any = None


@dataclass(frozen=True)
class DocRow:
    syntax: str
    operators: str
    values: str


class Form:
    """The text form of one condition type."""

    code = ""
    condition: type[c.Condition] = c.Condition
    # Named arguments (``within: 90d``) that stand for a node of this type: key -> operator.
    qualifiers: dict[str, str] = {}

    @property
    def scopes(self) -> frozenset[str]:
        return self.condition.scopes

    def resolve(self, vocab, scope: str, parts: tuple[str, ...]) -> Ref | None:
        """What ``parts`` (a dotted name, lower case) means in ``scope`` for this form."""
        return None

    def unknown(self, vocab, scope: str, parts: tuple[str, ...]) -> str | None:
        """A message for a name in this form's namespace that names nothing."""
        return None

    def names(self) -> list[str]:
        """The names this form is written with, for hints and the reference."""
        return []

    def parse(self, p, ref: Ref, start) -> dict:
        raise NotImplementedError

    def parse_qualifier(self, p, key: str, start) -> dict:
        raise NotImplementedError

    def text(self, node: dict, pr) -> str:
        raise NotImplementedError

    def doc(self) -> list[DocRow]:
        return []


def comparison(p, node: dict, start, subject: str, operators, kind_of) -> dict:
    """Read ``<operator> <value>`` into ``node``; ``kind_of(operator)`` is the value's kind."""
    operator, at = p.operator(operators, subject, kind_of(None))
    node["operator"] = operator
    value_at = p.tok
    node["value"] = kind_of(operator).parse(p, subject)
    p.mark(node, start, operator=at, value=value_at)
    return node


class Named(Form):
    """A form written with names it fixes itself: name -> the parameters the name stands for."""

    fields: dict[str, dict] = {}

    def resolve(self, vocab, scope, parts):
        name = ".".join(parts)
        if name in self.fields:
            return Ref(self, name, dict(self.fields[name]))
        return None

    def names(self):
        return list(self.fields)

    def name_of(self, node) -> str:
        for name, params in self.fields.items():
            if all(node.get(key) == value for key, value in params.items()):
                return name
        raise ValueError(f"{self.code}: no query name for {node!r}")


class Comparison(Named):
    """``<name> <operator> <value>`` for names fixed by the form."""

    fields: dict[str, dict] = {}
    operators: tuple[str, ...] = ops.NUMBER
    kind: ValueKind = Number()

    def value_kind(self, vocab) -> ValueKind:
        return self.kind

    def parse(self, p, ref, start):
        node = {"type": self.code, **ref.params}
        p.mark(node, start, **dict.fromkeys(ref.params, start))
        kind = self.value_kind(p.vocab)
        return comparison(p, node, start, ref.name, self.operators, lambda _op: kind)

    def text(self, node, pr):
        kind = self.value_kind(pr.vocab)
        return f"{self.name_of(node)} {SYMBOLS[node['operator']]} {kind.show(node['value'])}"

    def doc(self):
        return [
            DocRow(f"`{name} <op> <value>`", code_list(self.operators), self.doc_values())
            for name in self.fields
        ]

    def doc_values(self) -> str:
        return self.kind.describe()


class Flag(Named):
    """``<name> = true|false`` for conditions that hold a yes/no value and no operator."""

    fields: dict[str, dict] = {}

    def parse(self, p, ref, start):
        node = {"type": self.code, **ref.params}
        _operator, at = p.operator(("is",), ref.name, Bool())
        value_at = p.tok
        node["value"] = Bool().parse(p, ref.name)
        p.mark(node, start, operator=at, value=value_at, **dict.fromkeys(ref.params, start))
        return node

    def text(self, node, pr):
        return f"{self.name_of(node)} = {Bool().show(node['value'])}"

    def doc(self):
        return [DocRow(f"`{name} = true`, `{name} = false`", "`=`", "") for name in self.fields]


class Container(Named):
    """``<name>(<conditions>)``: a condition whose children are written inside parentheses."""

    fields: dict[str, dict] = {}

    @property
    def child_scope(self) -> str:
        return self.condition.child_scope

    def names(self):
        return [f"{name}(...)" for name in self.fields]

    def parse(self, p, ref, start):
        node = {"type": self.code, **ref.params}
        aggregator, children, match_at = p.body(self.child_scope, ref.name)
        node["aggregator"] = aggregator
        node["conditions"] = children
        p.mark(node, start, aggregator=match_at or start, **dict.fromkeys(ref.params, start))
        return node

    def text(self, node, pr):
        return f"{self.name_of(node)}({pr.body(node)})"

    def doc(self):
        return [DocRow(f"`{name}(<conditions>)`", "", "") for name in self.fields]


def code_list(codes) -> str:
    """Operators for the reference: `=`, `!=`."""
    return ", ".join(f"`{SYMBOLS[code]}`" for code in codes)
