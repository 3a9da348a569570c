"""Audiences for a customer data platform and for shops (spec c §8–9): registering audiences,
pushing their members in batches, the membership of a shopper, and running the pull.

Permissions are the model permissions `audiences.view_audience`, `add_audience`,
`change_audience` (also for member pushes and the pull) and `delete_audience`. A caller limited
to some websites sees the audiences assigned to one of them, changes only audiences whose
websites are all its own, and cannot run the pull (it touches every audience).
"""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from patron.audiences import services
from patron.audiences.models import Audience
from patron.core.api import ERRORS, Principal, require_permission, staff_auth, store_view_of
from patron.core.errors import Forbidden, NotFound
from patron.segments.api import chosen_websites

router = Router(tags=["Audiences"], auth=staff_auth)

VIEW = "audiences.view_audience"
ADD = "audiences.add_audience"
CHANGE = "audiences.change_audience"
DELETE = "audiences.delete_audience"
MAX_PAGE_SIZE = 200


class AudienceIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "external_id": "b2f1c0de-loyal", "name": "Loyal customers",
        "description": "Three orders in a year.", "source": "Experience Platform",
        "websites": ["base"], "is_active": True,
    }]})  # fmt: skip

    external_id: str = Field(..., description="The platform's id, as it travels in headers.")
    name: str
    description: str = ""
    source: str = Field("", description="Origin, e.g. the platform's name.")
    websites: list[int | str] = Field(..., description="Website ids or codes; at least one.")
    is_active: bool = True


class AudiencePatch(Schema):
    external_id: str | None = None
    name: str | None = None
    description: str | None = None
    source: str | None = None
    websites: list[int | str] | None = None
    is_active: bool | None = None


class AudienceOut(Schema):
    id: int
    external_id: str
    name: str
    description: str
    source: str
    websites: list[str]
    is_active: bool
    members: int
    synced_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AudiencePageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[AudienceOut]


class AudienceMembersIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"add": [42, "ada@example.com"], "remove": ["grace@example.com"]},
    ]})  # fmt: skip

    add: list[int | str] = Field(default_factory=list, description="Customer ids or emails.")
    remove: list[int | str] = Field(default_factory=list, description="Customer ids or emails.")


class AudienceMembersOut(Schema):
    added: int
    removed: int
    unchanged: int
    unknown: int
    unknown_identifiers: list[str] = Field(..., description="The first 100 unknown ones.")
    members: int


class AudienceMemberOut(Schema):
    customer_id: int
    email: str
    added_at: dt.datetime


class AudienceMemberPageOut(Schema):
    count: int
    page: int
    page_size: int
    results: list[AudienceMemberOut]


class ShopperAudiencesOut(Schema):
    audiences: list[str] = Field(..., description="External ids, sorted.")


class PullOut(Schema):
    state: str
    check_only: bool
    audiences: int
    added: int
    removed: int
    unknown: int
    error: str
    started_at: dt.datetime
    finished_at: dt.datetime | None


def _out(audience: Audience) -> AudienceOut:
    return AudienceOut(
        id=audience.pk, external_id=audience.external_id, name=audience.name,
        description=audience.description, source=audience.source,
        websites=sorted(w.code for w in audience.websites.all()), is_active=audience.is_active,
        members=audience.members.count(), synced_at=audience.synced_at,
        created_at=audience.created_at, updated_at=audience.updated_at,
    )  # fmt: skip


def _visible(principal: Principal):
    audiences = Audience.objects.prefetch_related("websites")
    if principal.website_ids is not None:
        audiences = audiences.filter(websites__in=principal.website_ids).distinct()
    return audiences


def _visible_audience(principal: Principal, audience_id: int) -> Audience:
    audience = _visible(principal).filter(pk=audience_id).first()
    if audience is None:
        raise NotFound(
            _("There is no audience %(id)s.") % {"id": audience_id}, code="audience_not_found"
        )
    return audience


def _writable_audience(principal: Principal, audience_id: int) -> Audience:
    audience = _visible_audience(principal, audience_id)
    if any(not principal.can_see_website(w.pk) for w in audience.websites.all()):
        raise Forbidden(
            _("This audience is also assigned to websites you may not manage."),
            code="website_not_allowed",
        )
    return audience


def _bounds(page: int, page_size: int) -> tuple[int, int]:
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    return (page - 1) * page_size, page * page_size


@router.get("/audiences", response={200: AudiencePageOut, **ERRORS}, url_name="audiences")
def list_audiences(request, name: str = "", page: int = 1, page_size: int = 50):
    principal = require_permission(request, VIEW)
    audiences = _visible(principal).order_by("name", "pk")
    if name.strip():
        audiences = audiences.filter(name__icontains=name.strip())
    start, end = _bounds(page, page_size)
    return AudiencePageOut(
        results=[_out(a) for a in audiences[start:end]], count=audiences.count(), page=page,
        page_size=page_size,
    )  # fmt: skip


@router.post("/audiences", response={201: AudienceOut, **ERRORS}, url_name="audience-create")
def create_audience(request, payload: AudienceIn):
    """Register an audience activated in the platform."""
    principal = require_permission(request, ADD)
    values = payload.dict()
    values["websites"] = chosen_websites(principal, payload.websites)
    audience = services.save_audience(actor=principal.actor, **values)
    return Status(201, _out(audience))


@router.get(
    "/audiences/membership", response={200: ShopperAudiencesOut, **ERRORS},
    url_name="audience-membership",
)  # fmt: skip
def membership(request, customer_id: int | None = Query(None)):
    """The audiences of a shopper on the website of the `X-Patron-Store` store view: a
    customer's stored memberships, plus the verified list in the audience header."""
    principal = require_permission(request, VIEW)
    website = store_view_of(request).store.website
    if not principal.can_see_website(website.pk):
        raise Forbidden(_("You may not use this website."), code="website_not_allowed")
    customer = None
    if customer_id is not None:
        from patron.customers.models import Customer

        customer = Customer.objects.filter(pk=customer_id, website=website).first()
        if customer is None:
            raise NotFound(_("There is no such customer on this website."), code="not_found")
    ids = services.request_audience_ids(services.header_value(request))
    found = services.shopper_audiences(website=website, customer=customer, request_ids=ids)
    return ShopperAudiencesOut(audiences=sorted(found))


@router.post("/audiences/pull", response={200: PullOut, **ERRORS}, url_name="audience-pull")
def run_pull(request, check_only: bool = False):
    """Sync now: fetch the configured endpoint and apply it (or, with `check_only`, only check
    the connection and the answer). Failures are answered in `error`, not as an HTTP error."""
    principal = require_permission(request, CHANGE)
    if principal.website_ids is not None:
        raise Forbidden(
            _("The pull changes the audiences of every website; a caller limited to some "
              "websites may not run it."),
            code="website_not_allowed",
        )  # fmt: skip
    run = services.pull(check_only=check_only, actor=principal.actor)
    return PullOut(**{k: getattr(run, k) for k in PullOut.model_fields})


@router.get("/audiences/{int:audience_id}", response={200: AudienceOut, **ERRORS})
def get_audience(request, audience_id: int):
    principal = require_permission(request, VIEW)
    return _out(_visible_audience(principal, audience_id))


@router.patch("/audiences/{int:audience_id}", response={200: AudienceOut, **ERRORS})
def update_audience(request, audience_id: int, payload: AudiencePatch):
    principal = require_permission(request, CHANGE)
    audience = _writable_audience(principal, audience_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "websites" in changes:
        changes["websites"] = chosen_websites(principal, changes["websites"])
    return _out(services.save_audience(actor=principal.actor, audience=audience, **changes))


@router.delete("/audiences/{int:audience_id}", response={204: None, **ERRORS})
def delete_audience(request, audience_id: int):
    principal = require_permission(request, DELETE)
    services.delete_audience(
        audience=_writable_audience(principal, audience_id), actor=principal.actor
    )
    return Status(204, None)


@router.post(
    "/audiences/{int:audience_id}/members", response={200: AudienceMembersOut, **ERRORS},
    url_name="audience-members-push",
)  # fmt: skip
def push_members(request, audience_id: int, payload: AudienceMembersIn):
    """Add and remove members by customer id or email (on the audience's websites), at most
    10,000 identifiers a request. Idempotent; unknown identifiers are counted, not refused."""
    principal = require_permission(request, CHANGE)
    audience = _writable_audience(principal, audience_id)
    return AudienceMembersOut(
        **services.push_members(
            audience=audience, actor=principal.actor, add=payload.add, remove=payload.remove
        )
    )


@router.get(
    "/audiences/{int:audience_id}/members", response={200: AudienceMemberPageOut, **ERRORS},
    url_name="audience-members",
)  # fmt: skip
def list_members(request, audience_id: int, page: int = 1, page_size: int = 50):
    principal = require_permission(request, VIEW)
    audience = _visible_audience(principal, audience_id)
    members = audience.members.select_related("customer").order_by("customer_id")
    if principal.website_ids is not None:
        members = members.filter(customer__website_id__in=principal.website_ids)
    start, end = _bounds(page, page_size)
    return AudienceMemberPageOut(
        results=[
            AudienceMemberOut(customer_id=m.customer_id, email=m.customer.email, added_at=m.added_at)
            for m in members[start:end]
        ],
        count=members.count(), page=page, page_size=page_size,
    )  # fmt: skip
