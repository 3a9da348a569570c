"""Printing a condition tree as a query: one canonical text per tree, which reads back into the
same tree.

Combinations are printed so that each of the four variants and every number of children keeps
its identity: ``a and b`` / ``a or b`` for two or more children that must all / any hold,
``all(a)``, ``any()`` for fewer, ``not a`` for one condition that must not hold, ``not any(a, b)``
(none holds) and ``not all(a, b)`` (some does not hold). A function's children are separated by
commas when ALL must match and by ``or`` when ANY must; ``match: any`` says ANY where that cannot
be seen (fewer than two children).
"""

from patron.segments.query.forms import FORMS
from patron.segments.query.vocabulary import Vocabulary

# Where a node is printed: the whole query, an operand of and/or, one of several comma-separated
# arguments, or the only argument of a function (where a bare chain would give the function its
# children instead of being one).
TOP, OPERAND, ARGUMENT, SOLE = "top", "operand", "argument", "sole"


class Printer:
    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab

    def root(self, tree: dict) -> str:
        children = tree.get("conditions", [])
        if tree["aggregator"] == "all" and tree["value"]:
            if not children:
                return ""
            if len(children) == 1 and children[0]["type"] != "combine":
                return self.node(children[0], TOP)
        return self.node(tree, TOP)

    def node(self, node: dict, context: str) -> str:
        if node["type"] == "combine":
            return self.combination(node, context)
        form = FORMS.get(node["type"])
        if form is None:
            raise ValueError(f"No query form for condition type {node['type']!r}.")
        return form.text(node, self)

    def combination(self, node: dict, context: str) -> str:
        children, aggregator = node["conditions"], node["aggregator"]
        if node["value"]:
            if len(children) < 2 or context == SOLE:
                return self.function(aggregator, children)
            word = " and " if aggregator == "all" else " or "
            text = word.join(self.node(child, OPERAND) for child in children)
            return f"({text})" if context == OPERAND else text
        if aggregator == "all" and len(children) == 1 and children[0]["type"] != "combine":
            text = self.node(children[0], OPERAND)
            # "not between: ..." is a Date Range of its own.
            return f"not ({text})" if text.startswith("between:") else f"not {text}"
        return "not " + self.function("any" if aggregator == "all" else "all", children)

    def function(self, name: str, children: list) -> str:
        return f"{name}({', '.join(self.node(child, ARGUMENT) for child in children)})"

    def body(self, node: dict) -> str:
        """The children of a container or aggregate, inside its parentheses."""
        children, aggregator = node["conditions"], node["aggregator"]
        if len(children) >= 2:
            if aggregator == "all":
                return ", ".join(self.node(child, ARGUMENT) for child in children)
            return " or ".join(self.node(child, OPERAND) for child in children)
        parts = [self.node(child, SOLE) for child in children]
        if aggregator == "any":
            parts.append("match: any")
        return ", ".join(parts)


def to_text(tree: dict, *, vocabulary: Vocabulary | None = None) -> str:
    """Return the canonical query text of a condition tree (as ``clean_tree`` returns it)."""
    return Printer(vocabulary or Vocabulary()).root(tree)
