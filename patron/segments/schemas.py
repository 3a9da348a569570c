"""The shapes of the segments API: definitions in and out, members, the membership a shop asks
for, refresh jobs and the condition catalogue a builder reads. Each carries an example for the
OpenAPI document."""

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from patron.segments.models import ApplyTo

MAX_PAGE_SIZE = 250  # segment queries answer at most 250 rows a page (spec peers (c) 2)
DEFAULT_PAGE_SIZE = 50

# "Women in Los Angeles", the guide's worked example (spec c §3).
EXAMPLE_TREE: dict[str, Any] = {
    "type": "combine",
    "aggregator": "all",
    "value": True,
    "conditions": [
        {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": 2},
        {
            "type": "customer_address",
            "aggregator": "all",
            "conditions": [
                {
                    "type": "address_attribute",
                    "attribute": "city",
                    "operator": "contains",
                    "value": "Los Angeles",
                }
            ],
        },
    ],
}
EXAMPLE_SEGMENT_IN: dict[str, Any] = {
    "name": "Women in Los Angeles",
    "description": "For the summer campaign.",
    "websites": ["base"],
    "is_active": True,
    "apply_to": "registered",
    "conditions": EXAMPLE_TREE,
}
EXAMPLE_AT = "2026-05-04T09:30:00Z"

WEBSITES_HELP = (
    'Website ids (numbers) or codes (text), e.g. `[1]` or `["base"]`; at least one. A '
    "website-limited caller may only name its own websites."
)
CONDITIONS_HELP = (
    "The condition tree: a root `combine` node whose `conditions` are the children. The "
    "types, their parameters and where they may stand are listed by "
    "`GET /api/v1/segments/condition-types`. Left out or null: no conditions (everyone on "
    "the segment's websites). Problems are answered with the path of each one, e.g. "
    "`conditions.conditions[1].conditions[0].value`."
)


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(examples)})


class SegmentIn(Schema):
    """A whole definition: the body of `POST /segments` and `PUT /segments/{id}`."""

    model_config = _examples(EXAMPLE_SEGMENT_IN)

    name: str = Field(..., description="The segment name staff see (at most 255 characters).")
    description: str = ""
    websites: list[int | str] = Field(..., description=WEBSITES_HELP)
    is_active: bool = True
    apply_to: ApplyTo = Field(
        ApplyTo.BOTH,
        description="Who the segment is for. Fixed after creation: a value sent with `PUT` or "
        "`PATCH` is ignored.",
    )
    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)


class SegmentPatch(Schema):
    """Only the fields sent change; `apply_to` is accepted and ignored."""

    model_config = _examples({"is_active": False}, {"websites": ["base", "second"]})

    name: str | None = None
    description: str | None = None
    websites: list[int | str] | None = Field(None, description=WEBSITES_HELP)
    is_active: bool | None = None
    apply_to: ApplyTo | None = Field(None, description="Ignored: Apply To is fixed.")
    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)


class SegmentOut(Schema):
    model_config = _examples(
        {
            "id": 7,
            **EXAMPLE_SEGMENT_IN,
            "websites": ["base"],
            "website_ids": [1],
            "events": ["accountCreated", "accountUpdated", "addressDeleted", "addressSaved",
                       "groupChanged", "signIn"],
            "depends_on_time": False,
            "refreshed_at": EXAMPLE_AT,
            "member_count": 1284,
            "created_at": EXAMPLE_AT,
            "updated_at": EXAMPLE_AT,
        }
    )  # fmt: skip

    id: int
    name: str
    description: str
    websites: list[str] = Field(..., description="Website codes.")
    website_ids: list[int]
    is_active: bool
    apply_to: str
    conditions: dict[str, Any]
    events: list[str] = Field(
        ..., description="Read-only: the events after which a shopper is matched again."
    )
    depends_on_time: bool = Field(
        ..., description="Read-only: an Up To Date period makes the daily refresh include it."
    )
    refreshed_at: dt.datetime | None = Field(..., description="Read-only: the last full refresh.")
    member_count: int = Field(
        ...,
        description="Read-only: registered customers who are members now, on the websites the "
        "caller may see (visitors are never stored).",
    )
    created_at: dt.datetime
    updated_at: dt.datetime


class SegmentPageOut(Schema):
    items: list[SegmentOut]
    page: int
    page_size: int
    count: int


class MemberOut(Schema):
    model_config = _examples(
        {
            "customer_id": 42,
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "website": "base",
            "joined_at": EXAMPLE_AT,
        }
    )

    customer_id: int
    email: str
    name: str
    website: str = Field(..., description="The code of the website the membership is on.")
    joined_at: dt.datetime


class MemberPageOut(Schema):
    items: list[MemberOut]
    page: int
    page_size: int
    count: int


class SegmentRefOut(Schema):
    id: int
    name: str


class WebsiteMembershipOut(Schema):
    website: str = Field(..., description="Website code.")
    website_id: int
    segment_ids: list[int]
    segments: list[SegmentRefOut]


class MembershipOut(Schema):
    model_config = _examples(
        {
            "customer_id": 42,
            "visitor_id": None,
            "websites": [
                {
                    "website": "base",
                    "website_id": 1,
                    "segment_ids": [7],
                    "segments": [{"id": 7, "name": "Women in Los Angeles"}],
                }
            ],
        },
        {
            "customer_id": None,
            "visitor_id": "b1946ac9",
            "websites": [
                {
                    "website": "base",
                    "website_id": 1,
                    "segment_ids": [3],
                    "segments": [{"id": 3, "name": "Carts over 100"}],
                }
            ],
        },
    )

    customer_id: int | None
    visitor_id: str | None
    websites: list[WebsiteMembershipOut]


class RefreshOut(Schema):
    model_config = _examples(
        {
            "job_id": "0b5f3c4e-8d7e-4f55-9a55-3f1f8c2d9e10",
            "status_url": "/api/v1/jobs/0b5f3c4e-8d7e-4f55-9a55-3f1f8c2d9e10",
            "state": "pending",
            "result": {},
        }
    )

    job_id: str
    status_url: str = Field(
        ..., description="`GET` it for the progress and, at the end, the result."
    )
    state: str = Field(..., description="pending, running, succeeded, failed or cancelled")
    result: dict[str, Any] = Field(
        ..., description="When finished: `joined`, `left` and `members` (open memberships)."
    )


class ConditionFieldOut(Schema):
    name: str = Field(..., description="The node's parameter, e.g. `operator` or `value`.")
    kind: str = Field(
        ..., description="select, multiselect, text, number, date, date_range or days"
    )
    choices: list[list[Any]] = Field(..., description="[value, label] pairs for selects.")


class ConditionTypeOut(Schema):
    model_config = _examples(
        {
            "type": "cart_total",
            "label": "Shopping Cart Total",
            "group": "Shopping Cart",
            "scopes": ["root"],
            "children": None,
            "visitor": True,
            "defaults": {},
            "fields": [
                {"name": "field", "kind": "select",
                 "choices": [["subtotal", "Subtotal"], ["grand_total", "Grand Total"]]},
                {"name": "operator", "kind": "select",
                 "choices": [["gte", "equals or greater than"], ["lt", "less than"]]},
                {"name": "value", "kind": "number", "choices": []},
            ],
        }
    )  # fmt: skip

    type: str = Field(..., description="The node's `type`.")
    label: str
    group: str = Field(..., description="The picker group, in the caller's language.")
    scopes: list[str] = Field(
        ..., description="Where the node may stand: root, address, product, order_address, order."
    )
    children: str | None = Field(
        None, description="The scope of the node's own `conditions`; null for a leaf."
    )
    visitor: bool = Field(
        ..., description="Whether it can hold for a visitor (marked * in mixed segments)."
    )
    defaults: dict[str, Any] = Field(
        ..., description='Parameters this entry fixes, e.g. `{"attribute": "city"}`.'
    )
    fields: list[ConditionFieldOut]
