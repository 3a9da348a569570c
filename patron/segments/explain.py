"""Why a customer is or is not in a segment: the condition tree with each node's truth for that
customer and the values compared ("Number of Orders = 1, needed equals or greater than 2").

Every node is compiled by the same code as membership and evaluated for the one customer in a
single query, so an explanation cannot disagree with the engine. Nodes inside a container (an
address, a product, an order filter) are shown with whether *some* row of the container
satisfies them alone; the container's own truth is the engine's.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from patron.customers.models import Customer
from patron.scopes.models import Website
from patron.segments import trees
from patron.segments.conditions import (
    Context,
    NumericCondition,
    combine,
    segment_condition,
)
from patron.segments.models import Segment


@dataclass
class Explained:
    """One node of an explanation."""

    node: dict[str, Any]
    label: str
    held: bool
    measured: Any = None
    scoped: bool = False
    children: list["Explained"] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.node["type"],
            "label": self.label,
            "held": self.held,
            "measured": None if self.measured is None else str(self.measured),
            "scoped": self.scoped,
            "children": [child.as_dict() for child in self.children],
        }


def describe(node: dict[str, Any], apply_to: str) -> str:
    """A node in words, from its type's label and the labels of its chosen parameters."""
    condition = segment_condition(node["type"])
    if condition is None:
        return node["type"]
    words = [_entry_label(condition, node, apply_to)]
    for spec in condition.fields(apply_to=apply_to, params=node):
        value = node.get(spec.name)
        labels = dict(spec.choices)
        if isinstance(value, list):
            words.append(", ".join(str(labels.get(v, v)) for v in value))
        elif value in labels:
            words.append(str(labels[value]))
        elif value not in (None, ""):
            words.append(str(value))
    return " ".join(words)


def _entry_label(condition, node, apply_to) -> str:
    attribute = node.get("attribute") or node.get("address")
    if attribute is not None:
        for entry in condition.entries(apply_to=apply_to):
            if entry["defaults"].get("attribute", entry["defaults"].get("address")) == attribute:
                return entry["label"]
    return str(condition.label)


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


class _Plan:
    """The annotations of one explanation query, and how to read them back into a tree."""

    def __init__(self, ctx: Context, apply_to: str) -> None:
        self.ctx = ctx
        self.apply_to = apply_to
        self.annotations: dict[str, Any] = {}
        self.truths: set[str] = set()

    def add(self, expression, *, truth: bool = False) -> str:
        name = f"e{len(self.annotations)}"
        self.annotations[name] = expression
        if truth:
            self.truths.add(name)
        return name

    def nothing_held(self) -> dict[str, Any]:
        """The values of a customer the segment does not look at: nothing held, nothing measured."""
        return {name: False if name in self.truths else None for name in self.annotations}

    def node(self, node: dict, ctx: Context, rows=None) -> dict:
        """Plan ``node`` evaluated in ``ctx``; inside a container, ``rows`` are the container's
        rows (the node then holds when some row satisfies it)."""
        condition = segment_condition(node["type"])
        children = node.get("conditions", [])
        compiled = trees.compile_tree(node, ctx)
        held = self.add(
            _flag(Q(Exists(rows.filter(compiled))) if rows is not None else compiled), truth=True
        )
        planned = {"node": node, "held": held, "scoped": rows is not None, "children": []}
        if isinstance(condition, NumericCondition) and rows is None:
            measure = condition.measure(
                node, ctx, lambda inner: [trees.compile_tree(c, inner) for c in children]
            )
            if measure is not None:
                planned["measured"] = self.add(measure)
        actual = getattr(condition, "actual", None)
        if actual is not None and rows is None and not ctx.for_visitor:
            planned["measured"] = self.add(actual(node, ctx))
        scoped_rows = getattr(condition, "scoped_rows", None)
        if scoped_rows is not None and not ctx.for_visitor:
            pairs = scoped_rows(node, ctx)
            planned["children"] = [self._scoped(child, pairs) for child in children]
            if rows is None and node["type"] not in ("sales_amount", "number_of_orders",
                                                     "purchased_qty"):  # fmt: skip
                planned["measured"] = self.add(_rows_matching(node, pairs))
        else:
            planned["children"] = [self.node(child, ctx, rows) for child in children]
        return planned

    def _scoped(self, child: dict, pairs) -> dict:
        # Several row sources (an order's billing and shipping addresses): some row of any.
        if len(pairs) == 1:
            rows, inner = pairs[0]
            return self.node(child, inner, rows)
        planned = [self.node(child, inner, rows) for rows, inner in pairs]
        first = planned[0]
        first["any_of"] = [p["held"] for p in planned]
        return first

    def read(self, planned: dict, values: dict) -> Explained:
        held = values[planned["held"]]
        if "any_of" in planned:
            held = any(values[name] for name in planned["any_of"])
        measured = values.get(planned.get("measured")) if planned.get("measured") else None
        if isinstance(measured, float):
            measured = Decimal(str(measured))
        measured = _shown(planned["node"], measured, self.apply_to)
        return Explained(
            node={k: v for k, v in planned["node"].items() if k != "conditions"},
            label=describe(planned["node"], self.apply_to),
            held=bool(held),
            measured=measured,
            scoped=planned["scoped"],
            children=[self.read(child, values) for child in planned["children"]],
        )


def _shown(node: dict, value: Any, apply_to: str) -> Any:
    """A measured value as staff read it: an option's label rather than its id."""
    condition = segment_condition(node["type"])
    if value is None or condition is None:
        return value
    for spec in condition.fields(apply_to=apply_to, params=node):
        if spec.name == "value" and spec.choices:
            labels = {str(choice): label for choice, label in spec.choices}
            return str(labels.get(str(value), value))
    return value


def _rows_matching(node: dict, pairs) -> Any:
    """How many rows of a container satisfy its children (addresses, items, orders)."""
    total = None
    for rows, inner in pairs:
        children = [trees.compile_tree(c, inner) for c in node.get("conditions", [])]
        matching = rows.filter(combine(children, node.get("aggregator", "all")))
        # COUNT as a plain function: one row for the subquery, no GROUP BY.
        counted = matching.order_by().annotate(
            n=Func(F("pk"), function="COUNT", output_field=IntegerField())
        )
        count = Coalesce(Subquery(counted.values("n")), Value(0))
        total = count if total is None else total + count
    return total


def explain_tree(
    tree: dict,
    *,
    customer: Customer,
    website: Website,
    apply_to: str = "both",
    now=None,
) -> Explained:
    """Explain ``tree`` (a cleaned condition tree) for ``customer`` on ``website``."""
    from patron.segments.services import customers_of_website

    ctx = Context(website=website, now=now or timezone.now())
    plan = _Plan(ctx, apply_to)
    planned = plan.node(tree, ctx)
    values = (
        customers_of_website(website)
        .filter(pk=customer.pk)
        .annotate(**plan.annotations)
        .values(*plan.annotations)
        .first()
    )
    if values is None:  # not a customer this website's segments look at
        values = plan.nothing_held()
    return plan.read(planned, values)


def explain_segment(
    segment: Segment, *, customer: Customer, website: Website | None = None, now=None
) -> Explained:
    """Explain ``segment`` for ``customer`` on ``website`` (the customer's own website when it
    is one of the segment's, else the segment's first)."""
    if website is None:
        websites = list(segment.websites.all())
        website = next((w for w in websites if w.pk == customer.website_id), None) or (
            websites[0] if websites else customer.website
        )
    explained = explain_tree(
        segment.conditions, customer=customer, website=website, apply_to=segment.apply_to, now=now
    )
    if not segment.stores_members:
        # A visitors-only segment never counts a registered customer as a member.
        _nothing_held(explained)
    return explained


def _nothing_held(explained: Explained) -> None:
    explained.held, explained.measured = False, None
    for child in explained.children:
        _nothing_held(child)
