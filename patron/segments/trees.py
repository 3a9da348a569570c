"""Condition trees: checking a tree against the catalogue and Apply To, compiling it into one
``Q``, and what a tree depends on (the events that can change its truth, the passing of time).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from patron.segments.conditions import (
    ROOT,
    Context,
    Problems,
    segment_condition,
)
from patron.segments.models import empty_tree

MAX_DEPTH = 20
MAX_NODES = 500

# Every segment is re-evaluated for a customer who signs in or is created (spec c §4.5).
ROOT_EVENTS = frozenset({"signIn", "accountCreated"})


def clean_tree(tree: Any, *, apply_to: str) -> dict:
    """Return ``tree`` checked and normalized, or raise ``ValidationError`` mapping each problem's
    path (``conditions[0].value``) to its messages."""
    problems = Problems()
    if tree in (None, ""):
        return empty_tree()
    if not isinstance(tree, dict) or tree.get("type") != "combine":
        raise ValidationError(
            {"conditions": [_("The conditions must start with a conditions combination.")]}
        )
    counter = [0]
    cleaned = _clean_node(tree, ROOT, apply_to, problems, "conditions", 0, counter)
    if problems:
        errors: dict[str, list[str]] = {}
        for path, message in problems.items:
            errors.setdefault(path, []).append(message)
        raise ValidationError(errors)
    return cleaned


def _clean_node(node, scope, apply_to, problems, path, depth, counter) -> dict:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        problems.add(path, _("A segment can have at most %(n)d conditions.") % {"n": MAX_NODES})
        return {}
    if depth > MAX_DEPTH:
        problems.add(path, _("Conditions can be nested at most %(n)d deep.") % {"n": MAX_DEPTH})
        return {}
    if not isinstance(node, dict):
        problems.add(path, _("Each condition must be an object with a type."))
        return {}
    condition = segment_condition(str(node.get("type", "")))
    if condition is None:
        problems.add(
            f"{path}.type", _("Unknown condition type %(type)r.") % {"type": node.get("type")}
        )
        return {}
    if scope not in condition.scopes:
        problems.add(
            f"{path}.type",
            _("%(label)s cannot be used here.") % {"label": condition.label},
        )
        return {}
    if not condition.is_available(apply_to):
        problems.add(
            f"{path}.type",
            _("%(label)s is not available to segments that apply to visitors.")
            % {"label": condition.label},
        )
        return {}
    cleaned = {"type": condition.code}
    cleaned.update(condition.clean_params(node, apply_to=apply_to, problems=problems, path=path))
    if condition.child_scope:
        child_scope = scope if condition.child_scope == "same" else condition.child_scope
        children = node.get("conditions", [])
        if not isinstance(children, list):
            problems.add(f"{path}.conditions", _("Enter the conditions as a list."))
            children = []
        cleaned["conditions"] = [
            _clean_node(child, child_scope, apply_to, problems, f"{path}.conditions[{i}]",
                        depth + 1, counter)
            for i, child in enumerate(children)
        ]  # fmt: skip
    return cleaned


def compile_tree(tree: dict, ctx: Context) -> Q:
    """The tree as one ``Q``: over ``Customer`` rows, or for ``ctx.visitor_id``."""
    return _compile_node(tree, ctx)


def _compile_node(node: dict, ctx: Context) -> Q:
    condition = segment_condition(node["type"])
    children = node.get("conditions", [])
    return condition.compile(node, ctx, lambda inner: [_compile_node(c, inner) for c in children])


def walk(tree: dict):
    """Every node of ``tree``, the root first."""
    yield tree
    for child in tree.get("conditions", []):
        yield from walk(child)


def tree_events(tree: dict) -> list[str]:
    """The events after which the tree may hold differently for a shopper (spec c §4.5)."""
    found = set(ROOT_EVENTS)
    for node in walk(tree):
        condition = segment_condition(node["type"])
        if condition is not None:
            found |= condition.events_of(node)
    return sorted(found)


def depends_on_time(tree: dict) -> bool:
    """Whether the tree's truth can change with nothing but the date (an Up To Date period)."""
    return any(
        getattr(segment_condition(node["type"]), "depends_on_time", False) for node in walk(tree)
    )


def is_visitor_capable(node: dict) -> bool:
    """Whether a node can hold for a visitor: shown with ``*`` in mixed segments."""
    condition = segment_condition(node["type"])
    return condition is not None and condition.visitor_capable(node)
