"""Cart rule condition trees: checking a tree against the catalogue, evaluating it for a cart
(or one cart item), and tracing an evaluation for explanations."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from patron.promotions.conditions import ROOT, CartFacts, ItemFacts, Trace, rule_condition
from patron.promotions.models import empty_tree
from patron.segments.conditions import Problems
from patron.segments.trees import walk  # noqa: F401 - the same tree shape, for other apps

MAX_DEPTH = 20
MAX_NODES = 500


def clean_tree(tree: Any, *, field: str = "conditions", scope: str = ROOT) -> dict:
    """Return ``tree`` checked and normalized, or raise ``ValidationError`` mapping each problem's
    path (``conditions.conditions[0].value``) to its messages. ``scope`` is ``ITEM`` for the
    action conditions, whose nodes test one cart item."""
    if tree in (None, "", {}):
        return empty_tree()
    if (
        not isinstance(tree, dict)
        or rule_condition(str(tree.get("type", ""))) is None
        or (rule_condition(tree["type"]).child_scope != "same")
    ):
        raise ValidationError(
            {field: [_("The conditions must start with a conditions combination.")]}
        )
    problems = Problems()
    cleaned = _clean_node(tree, scope, problems, field, 0, [0])
    if problems:
        errors: dict[str, list[str]] = {}
        for path, message in problems.items:
            errors.setdefault(path, []).append(message)
        raise ValidationError(errors)
    return cleaned


def _clean_node(node, scope, problems, path, depth, counter) -> dict:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        problems.add(path, _("A rule can have at most %(n)d conditions.") % {"n": MAX_NODES})
        return {}
    if depth > MAX_DEPTH:
        problems.add(path, _("Conditions can be nested at most %(n)d deep.") % {"n": MAX_DEPTH})
        return {}
    if not isinstance(node, dict):
        problems.add(path, _("Each condition must be an object with a type."))
        return {}
    # A type switched off (Customer Segment with segments off) is no longer offered, but a rule
    # that has one can still be saved: the condition is simply false while it is off.
    condition = rule_condition(str(node.get("type", "")))
    if condition is None:
        problems.add(
            f"{path}.type", _("Unknown condition type %(type)r.") % {"type": node.get("type")}
        )
        return {}
    if scope not in condition.scopes:
        problems.add(
            f"{path}.type", _("%(label)s cannot be used here.") % {"label": condition.label}
        )
        return {}
    cleaned = {"type": condition.code}
    cleaned.update(condition.clean_params(node, problems=problems, path=path))
    if condition.child_scope:
        child_scope = scope if condition.child_scope == "same" else condition.child_scope
        children = node.get("conditions", [])
        if not isinstance(children, list):
            problems.add(f"{path}.conditions", _("Enter the conditions as a list."))
            children = []
        cleaned["conditions"] = [
            _clean_node(child, child_scope, problems, f"{path}.conditions[{i}]", depth + 1, counter)
            for i, child in enumerate(children)
        ]
    return cleaned


def holds(tree: dict, cart: CartFacts, item: ItemFacts | None = None, trace=None) -> bool:
    """Whether ``tree`` holds for ``cart`` (or, for an item tree, for ``item``). With ``trace``
    (a list), every evaluated node appends a :class:`Trace`."""
    return _holds(tree, cart, item, trace, "conditions")


def _holds(node, cart, item, trace, path) -> bool:
    condition = rule_condition(node["type"])
    if condition is None:  # a type whose app is gone: the rule cannot be proven to apply
        if trace is not None:
            trace.append(Trace(path, node["type"], False))
        return False
    children = node.get("conditions", [])

    def children_for(line):
        checks = [
            (lambda c=child, i=i: _holds(c, cart, line, trace, f"{path}.conditions[{i}]"))
            for i, child in enumerate(children)
        ]
        if trace is None:
            return checks
        # An explanation lists every condition, so none is skipped by a short circuit.
        results = [check() for check in checks]
        return [(lambda r=r: r) for r in results]

    slot = None
    if trace is not None:  # keep the parent before its children
        slot = len(trace)
        trace.append(None)
    result = condition.evaluate(node, cart, item, children_for)
    if trace is not None:
        actual = None if condition.child_scope else condition.actual(node, cart, item)
        trace[slot] = Trace(path, condition.describe(node), result, _plain(actual))
    return result


def _plain(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (set, frozenset, list, tuple)):
        return sorted(str(v) for v in value)
    return str(value)
