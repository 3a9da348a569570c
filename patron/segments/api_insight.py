"""Looking into segments while they are edited and afterwards (issue 10): a live preview of a
draft condition tree (count and sample, under a statement timeout), the explanation of why a
customer is or is not in a segment (for a saved segment or a draft tree), the segment's size
per day, and the text query language (parse a query into a tree, print a tree as a query; see
docs/segment-query-language.md).

Every operation needs `segments.view_segment`. A website-limited caller previews only its own
websites, explains only customers and segments it may see (404 otherwise, as elsewhere), and
counts in a segment's history only the memberships on its websites.
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from patron.core.api import ERRORS, Principal, require_permission, staff_auth
from patron.core.errors import InvalidInput, Problem
from patron.customers.models import Customer
from patron.scopes.models import Website
from patron.segments import preview as previews
from patron.segments import query, services
from patron.segments.api import chosen_websites, visible_segment, website_by_ref
from patron.segments.explain import explain_segment, explain_tree
from patron.segments.models import ApplyTo, Segment
from patron.segments.schemas import CONDITIONS_HELP, EXAMPLE_TREE, WEBSITES_HELP
from patron.segments.selectors import size_history

router = Router(tags=["Customer segments"], auth=staff_auth)

VIEW = "segments.view_segment"
MAX_HISTORY_DAYS = 365
DEFAULT_HISTORY_DAYS = 90


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


# --- Shapes -------------------------------------------------------------------------------------


class PreviewIn(Schema):
    """A draft definition, as the builder or the query editor holds it before saving."""

    model_config = _examples(
        {"conditions": EXAMPLE_TREE, "apply_to": "registered", "websites": ["base"]}
    )

    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)
    apply_to: ApplyTo = Field(ApplyTo.BOTH, description="Who the draft segment is for.")
    websites: list[int | str] = Field(..., description=WEBSITES_HELP)


class PreviewCustomerOut(Schema):
    id: int
    email: str
    name: str


class PreviewOut(Schema):
    model_config = _examples(
        {
            "count": 1284,
            "complete": True,
            "sample": [{"id": 42, "email": "ada@example.com", "name": "Ada Lovelace"}],
        },
        {
            "count": 10,
            "complete": False,
            "sample": [{"id": 42, "email": "ada@example.com", "name": "Ada Lovelace"}],
        },
    )

    count: int = Field(
        ...,
        description="Registered customers matched on any of the websites; with `complete` "
        "false, at least this many (counting ran out of time).",
    )
    complete: bool = Field(..., description="False: the count timed out and is a lower bound.")
    sample: list[PreviewCustomerOut] = Field(
        ..., description="The first few matching customers, by id."
    )


EXAMPLE_EXPLANATION: dict[str, Any] = {
    "type": "combine",
    "label": "Conditions Combination ALL TRUE",
    "held": False,
    "measured": None,
    "scoped": False,
    "children": [
        {
            "type": "number_of_orders",
            "label": "Number of Orders Total equals or greater than 2 ALL",
            "held": False,
            "measured": "1",
            "scoped": False,
            "children": [
                {
                    "type": "order_status",
                    "label": "Order Status is Complete",
                    "held": True,
                    "measured": None,
                    "scoped": True,
                    "children": [],
                }
            ],
        },
        {
            "type": "customer_attribute",
            "label": "Gender is Female",
            "held": True,
            "measured": "Female",
            "scoped": False,
            "children": [],
        },
    ],
}


class ExplanationOut(Schema):
    """One node of an explanation; the root is the tree's root combination."""

    model_config = _examples(EXAMPLE_EXPLANATION)

    type: str = Field(..., description="The node's `type`.")
    label: str = Field(..., description="The condition in words, in the caller's language.")
    held: bool = Field(
        ...,
        description="Whether the node is true for the customer; for a `scoped` node, whether "
        "some row of its container (an address, an order, a product) satisfies it alone.",
    )
    measured: str | None = Field(
        ...,
        description="The value compared: a number for numeric conditions, the customer's own "
        "value for an attribute (an option by its label), the number of matching rows for a "
        "container; null when nothing is measured.",
    )
    scoped: bool = Field(..., description="A condition inside a container.")
    children: list["ExplanationOut"]


ExplanationOut.model_rebuild()


class ExplainIn(Schema):
    """A draft tree to explain for one customer."""

    model_config = _examples(
        {"conditions": EXAMPLE_TREE, "apply_to": "registered", "customer_id": 42, "website": "base"}
    )

    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)
    apply_to: ApplyTo = Field(ApplyTo.BOTH, description="Who the draft segment is for.")
    customer_id: int
    website: int | str | None = Field(
        None, description="Website id or code to evaluate on; the customer's own by default."
    )


class SizeOut(Schema):
    model_config = _examples({"date": "2026-05-04", "members": 1284})

    date: dt.date = Field(..., description="A day in the time zone of the segment's website.")
    members: int = Field(..., description="Members at the end of that day (today: now).")


EXAMPLE_QUERY = 'customer.gender = 2 and address.any(city contains "Los Angeles")'


class QueryIn(Schema):
    model_config = _examples({"text": EXAMPLE_QUERY, "apply_to": "registered"})

    text: str = Field(..., description="A query; an empty one has no conditions.")
    apply_to: ApplyTo = Field(
        ApplyTo.BOTH, description="Who the segment is for: decides which conditions are allowed."
    )


class ConditionsOut(Schema):
    model_config = _examples({"conditions": EXAMPLE_TREE})

    conditions: dict[str, Any] = Field(..., description="The condition tree the query writes.")


class TreeIn(Schema):
    model_config = _examples({"conditions": EXAMPLE_TREE, "apply_to": "registered"})

    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)
    apply_to: ApplyTo = Field(ApplyTo.BOTH, description="Who the segment is for.")


class QueryTextOut(Schema):
    model_config = _examples({"text": EXAMPLE_QUERY})

    text: str = Field(..., description="The canonical query of the tree.")


class QueryProblemOut(Schema):
    line: int = Field(..., description="Counted from 1.")
    column: int = Field(..., description="Counted from 1.")
    message: str = Field(..., description="What is wrong, and what was expected there.")
    path: str | None = Field(
        None, description="For a rule of the catalogue: the path of the node in the tree."
    )


class QueryErrorOut(Schema):
    """A query that cannot be read or breaks the catalogue's rules: where (the first problem's
    line and column) and what was expected, every problem in `errors`."""

    model_config = _examples(
        {
            "code": "query_syntax",
            "message": "expected a comparison operator (=, !=, >=, >, <=, <) after "
            '"orders.count(...)", found "2"',
            "field": "text",
            "line": 1,
            "column": 27,
            "params": {"line": 1, "column": 27},
            "errors": [
                {
                    "line": 1,
                    "column": 27,
                    "message": "expected a comparison operator (=, !=, >=, >, <=, <) after "
                    '"orders.count(...)", found "2"',
                }
            ],
        }
    )

    code: str
    message: str
    field: str
    line: int
    column: int
    params: dict[str, int]
    errors: list[QueryProblemOut]


# A query that cannot be read is answered with its position; other errors as everywhere.
QUERY_ERRORS = {**ERRORS, 400: QueryErrorOut}


# --- Helpers ------------------------------------------------------------------------------------


def _customer(principal: Principal, customer_id: int) -> Customer:
    from patron.customers.selectors import get_customer

    return get_customer(customer_id, website_ids=principal.website_ids)


def _preview_websites(
    principal: Principal, values: list[Any]
) -> tuple[list[Website], list[Problem]]:
    """The websites named (403 for one the caller may not use) and the problems of the list."""
    ids = chosen_websites(principal, values)
    found = list(Website.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]))
    problems: list[Problem] = []
    if not ids:
        problems.append(
            Problem(code="invalid", message=_("Choose at least one website."), field="websites")
        )
    elif len(found) != len(set(ids)):
        problems.append(
            Problem(
                code="unknown_website",
                message=_("One of the chosen websites does not exist."),
                field="websites",
            )
        )
    return found, problems


def _explained_website(
    principal: Principal, segment: Segment, customer: Customer, website: str | None
) -> Website:
    """The website named, which must be one of the segment's; else the customer's own website
    when the segment is assigned to it, else the segment's first website the caller sees."""
    assigned = [w for w in segment.websites.order_by("pk") if principal.can_see_website(w.pk)]
    if website is not None:
        chosen = website_by_ref(principal, website)
        if chosen.pk not in {w.pk for w in segment.websites.all()}:
            raise InvalidInput(
                _("The segment is not assigned to website %(website)s.") % {"website": website},
                code="website_not_assigned",
                field="website",
            )
        return chosen
    own = next((w for w in assigned if w.pk == customer.website_id), None)
    return own or (assigned[0] if assigned else customer.website)


# --- Preview ------------------------------------------------------------------------------------


@router.post("/segments/preview", response={200: PreviewOut, **ERRORS}, url_name="segment-preview")
def preview_segment(request, payload: PreviewIn):
    """How many registered customers a draft tree matches on the websites, and the first few of
    them, without saving anything. Counting stops after a couple of seconds and answers "at
    least `count`" (`complete` false). A Visitors draft matches no stored customers (0).
    Problems of the tree are answered as when saving, each at its path."""
    principal = require_permission(request, VIEW)
    websites, problems = _preview_websites(principal, payload.websites)
    apply_to = payload.apply_to.value
    if problems:
        try:
            services.check_conditions(payload.conditions, apply_to=apply_to)
        except InvalidInput as error:
            problems.extend(error.problems)
        raise InvalidInput.from_problems(problems)
    result = previews.preview(conditions=payload.conditions, apply_to=apply_to, websites=websites)
    return PreviewOut(
        count=result.count,
        complete=result.complete,
        sample=[PreviewCustomerOut(id=c.pk, email=c.email, name=c.name) for c in result.sample],
    )


# --- Explain ------------------------------------------------------------------------------------


@router.get(
    "/segments/{int:segment_id}/explain",
    response={200: ExplanationOut, **ERRORS},
    url_name="segment-explain",
)
def explain(
    request,
    segment_id: int,
    customer_id: int = Query(..., description="A registered customer the caller may see."),
    website: str | None = Query(
        None,
        description="Website id or code, one of the segment's; by default the customer's own "
        "when the segment is assigned to it, else the segment's first.",
    ),
):
    """Why the customer is or is not in the segment: its condition tree with each node's truth
    and the values compared, evaluated now by the same queries as membership."""
    principal = require_permission(request, VIEW)
    segment = visible_segment(principal, segment_id)
    customer = _customer(principal, customer_id)
    chosen = _explained_website(principal, segment, customer, website)
    return explain_segment(segment, customer=customer, website=chosen).as_dict()


@router.post(
    "/segments/explain", response={200: ExplanationOut, **ERRORS}, url_name="segment-explain-draft"
)
def explain_draft(request, payload: ExplainIn):
    """The explanation of a draft tree (not saved) for one customer, on `website` or the
    customer's own website. Problems of the tree are answered with their paths."""
    principal = require_permission(request, VIEW)
    customer = _customer(principal, payload.customer_id)
    chosen = website_by_ref(principal, payload.website) if payload.website is not None else None
    apply_to = payload.apply_to.value
    tree = services.check_conditions(payload.conditions, apply_to=apply_to)
    explained = explain_tree(
        tree, customer=customer, website=chosen or customer.website, apply_to=apply_to
    )
    return explained.as_dict()


# --- History ------------------------------------------------------------------------------------


@router.get(
    "/segments/{int:segment_id}/history",
    response={200: list[SizeOut], **ERRORS},
    url_name="segment-history",
)
def history(
    request,
    segment_id: int,
    days: int = Query(DEFAULT_HISTORY_DAYS, description="1 to 365; the last day is today."),
    website: str | None = Query(None, description="Only members on this website (id or code)."),
):
    """The segment's number of members at the end of each of the last `days` days, oldest
    first, from its joined / left rows (days in the time zone of its first website)."""
    principal = require_permission(request, VIEW)
    segment = visible_segment(principal, segment_id)
    if not 1 <= days <= MAX_HISTORY_DAYS:
        raise InvalidInput(
            _("days must be between 1 and %(max)d.") % {"max": MAX_HISTORY_DAYS},
            code="invalid_days",
            field="days",
        )
    website_ids = (
        [website_by_ref(principal, website).pk] if website is not None else principal.website_ids
    )
    return [
        SizeOut(date=day, members=members)
        for day, members in size_history(segment, days=days, website_ids=website_ids)
    ]


# --- The query language -------------------------------------------------------------------------


@router.post(
    "/segments/query/parse",
    response={200: ConditionsOut, **QUERY_ERRORS},
    url_name="segment-query-parse",
)
def parse_query(request, payload: QueryIn):
    """Read a query into the condition tree the builder makes, checked for `apply_to` as saving
    checks it. A query that cannot be read, or whose conditions break a rule, is answered with
    400: the line and column (from 1) of the first problem, what was expected there, and every
    problem in `errors`."""
    require_permission(request, VIEW)
    try:
        tree = query.parse_and_check(payload.text, payload.apply_to.value)
    except query.QuerySyntaxError as error:
        problems = [
            QueryProblemOut(line=p.line, column=p.column, message=p.message, path=p.path or None)
            for p in error.query_problems
        ]
        return Status(
            400,
            QueryErrorOut(
                code=error.code, message=error.detail, field="text", line=error.line,
                column=error.column, params={"line": error.line, "column": error.column},
                errors=problems,
            ),
        )  # fmt: skip
    return ConditionsOut(conditions=tree)


@router.post(
    "/segments/query/print",
    response={200: QueryTextOut, **ERRORS},
    url_name="segment-query-print",
)
def print_query(request, payload: TreeIn):
    """Print a condition tree as its canonical query (which parses back into the same tree).
    The tree is checked for `apply_to` first; problems are answered with their paths."""
    require_permission(request, VIEW)
    tree = services.check_conditions(payload.conditions, apply_to=payload.apply_to.value)
    return QueryTextOut(text=query.to_text(tree))
