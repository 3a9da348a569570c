"""Customer segments for integrations and shops (spec c §3–5): definitions, full refresh as a
job, the members of a segment, the membership a shop asks for while a shopper browses, and the
condition catalogue a builder offers.

Permissions are the model permissions `segments.view_segment`, `add_segment`, `change_segment`
(also for a refresh) and `delete_segment`. A website-limited caller sees the segments assigned
to at least one of its websites, only the members on those websites, and changes only segments
whose websites are all its own. When "Enable Customer Segment Functionality" is off, membership
answers are empty and every change is refused (`segments_disabled`).
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from patron.core.api import ERRORS, Principal, require_permission, staff_auth
from patron.core.errors import Forbidden, InvalidInput, NotFound
from patron.scopes.models import Website
from patron.segments import services
from patron.segments.conditions import segment_conditions
from patron.segments.models import ApplyTo, Segment, SegmentMembership
from patron.segments.schemas import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ConditionTypeOut,
    MemberOut,
    MemberPageOut,
    MembershipOut,
    RefreshOut,
    SegmentIn,
    SegmentOut,
    SegmentPageOut,
    SegmentPatch,
    SegmentRefOut,
    WebsiteMembershipOut,
)
from patron.segments.selectors import list_report_segments, open_memberships

router = Router(tags=["Customer segments"], auth=staff_auth)

VIEW = "segments.view_segment"
ADD = "segments.add_segment"
CHANGE = "segments.change_segment"
DELETE = "segments.delete_segment"


# --- Helpers ------------------------------------------------------------------------------------


def _website_ref(value: Any) -> int | str:
    """A website id as a number, else the text as a code (codes start with a letter)."""
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def website_by_ref(principal: Principal, value: Any, *, field: str = "website") -> Website:
    ref = _website_ref(value)
    lookup = {"pk": ref} if isinstance(ref, int) else {"code": ref}
    website = Website.objects.filter(**lookup).first()
    if website is None:
        raise NotFound(
            _("There is no website %(website)s.") % {"website": value},
            code="unknown_website",
            field=field,
        )
    if not principal.can_see_website(website.pk):
        raise Forbidden(_("You may not use this website."), code="website_not_allowed")
    return website


def chosen_websites(principal: Principal, values: list[Any]) -> list[int | str]:
    """The ids of the websites named by id or code. An unknown one is passed on as it was sent,
    so the service reports it together with every other problem of the definition."""
    refs = [_website_ref(value) for value in values]
    codes = {ref for ref in refs if isinstance(ref, str)}
    by_code = dict(Website.objects.filter(code__in=codes).values_list("code", "pk"))
    ids = [by_code.get(ref, ref) if isinstance(ref, str) else ref for ref in refs]
    known = set(Website.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list(
        "pk", flat=True
    ))  # fmt: skip
    if any(pk in known and not principal.can_see_website(pk) for pk in ids):
        raise Forbidden(
            _("You may not assign this website."),
            code="website_not_allowed",
            field="websites",
        )
    return ids


def visible_segment(principal: Principal, segment_id: int) -> Segment:
    """The segment with its member count (``customers``) on the caller's websites."""
    segments = list_report_segments(website_ids=principal.website_ids)
    segment = segments.filter(pk=segment_id).first()
    if segment is None:  # missing, or on none of the caller's websites
        raise NotFound(
            _("There is no segment %(id)s.") % {"id": segment_id}, code="segment_not_found"
        )
    return segment


def _writable_segment(principal: Principal, segment_id: int) -> Segment:
    """The segment, if every website it is assigned to is the caller's."""
    segment = visible_segment(principal, segment_id)
    if any(not principal.can_see_website(w.pk) for w in segment.websites.all()):
        raise Forbidden(
            _("This segment is also assigned to websites you may not manage."),
            code="website_not_allowed",
        )
    return segment


def _out(segment: Segment) -> SegmentOut:
    websites = sorted(segment.websites.all(), key=lambda w: w.pk)
    return SegmentOut(
        id=segment.pk, name=segment.name, description=segment.description,
        websites=[w.code for w in websites], website_ids=[w.pk for w in websites],
        is_active=segment.is_active, apply_to=segment.apply_to, conditions=segment.conditions,
        events=segment.events, depends_on_time=segment.depends_on_time,
        refreshed_at=segment.refreshed_at, member_count=segment.customers,
        created_at=segment.created_at, updated_at=segment.updated_at,
    )  # fmt: skip


def _member_out(row: SegmentMembership) -> MemberOut:
    customer = row.customer
    return MemberOut(
        customer_id=customer.pk, email=customer.email, name=customer.name,
        website=row.website.code, joined_at=row.joined_at,
    )  # fmt: skip


def _page_bounds(page: int, page_size: int) -> tuple[int, int]:
    """The slice of page ``page``; refuses a page size above 250 rather than answering less."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            _("page_size must be between 1 and %(max)d.") % {"max": MAX_PAGE_SIZE},
            code="invalid_page_size",
            field="page_size",
        )
    if page < 1:
        raise InvalidInput(_("page must be 1 or more."), code="invalid_page", field="page")
    start = (page - 1) * page_size
    return start, start + page_size


def _refs(segment_ids: list[int]) -> list[SegmentRefOut]:
    """The named segments that still exist and are active, in the order given."""
    names = dict(
        Segment.objects.filter(pk__in=segment_ids, is_active=True).values_list("pk", "name")
    )
    return [SegmentRefOut(id=pk, name=names[pk]) for pk in segment_ids if pk in names]


def _website_membership(website: Website, segment_ids: list[int]) -> WebsiteMembershipOut:
    refs = _refs(segment_ids)
    return WebsiteMembershipOut(
        website=website.code,
        website_id=website.pk,
        segment_ids=[ref.id for ref in refs],
        segments=refs,
    )


# --- Definitions --------------------------------------------------------------------------------


@router.get("/segments", response={200: SegmentPageOut, **ERRORS}, url_name="segments")
def list_segments(
    request,
    website: str | None = Query(None, description="Only segments of this website (id or code)."),
    is_active: bool | None = None,
    page: int = 1,
    page_size: int = Query(DEFAULT_PAGE_SIZE, description="1 to 250."),
):
    """List the segments the caller may see, by id, one page at a time (at most 250 a page)."""
    principal = require_permission(request, VIEW)
    segments = list_report_segments(
        is_active=is_active,
        website_id=website_by_ref(principal, website).pk if website is not None else None,
        website_ids=principal.website_ids,
    )
    start, end = _page_bounds(page, page_size)
    return SegmentPageOut(
        items=[_out(segment) for segment in segments.order_by("pk")[start:end]],
        page=page,
        page_size=page_size,
        count=segments.count(),
    )


@router.post("/segments", response={201: SegmentOut, **ERRORS}, url_name="segment-create")
def create_segment(request, payload: SegmentIn):
    """Create a segment. Its members are computed by a refresh queued once it is saved (none
    for a visitors-only segment). Every problem is answered at once, each with its path."""
    principal = require_permission(request, ADD)
    segment = services.create_segment(
        name=payload.name, description=payload.description, is_active=payload.is_active,
        websites=chosen_websites(principal, payload.websites), apply_to=payload.apply_to.value,
        conditions=payload.conditions, actor=principal.actor,
    )  # fmt: skip
    return Status(201, _out(visible_segment(principal, segment.pk)))


@router.get("/segments/{int:segment_id}", response={200: SegmentOut, **ERRORS}, url_name="segment")
def get_segment(request, segment_id: int):
    principal = require_permission(request, VIEW)
    return _out(visible_segment(principal, segment_id))


def _update(request, segment_id: int, changes: dict[str, Any]) -> SegmentOut:
    principal = require_permission(request, CHANGE)
    segment = _writable_segment(principal, segment_id)
    if changes.get("websites") is not None:
        changes["websites"] = chosen_websites(principal, changes["websites"])
    services.update_segment(segment=segment, actor=principal.actor, **changes)
    return _out(visible_segment(principal, segment.pk))


@router.put(
    "/segments/{int:segment_id}", response={200: SegmentOut, **ERRORS}, url_name="segment-replace"
)
def replace_segment(request, segment_id: int, payload: SegmentIn):
    """Replace the whole definition; `apply_to` is ignored (fixed after creation). Saving
    rebuilds the membership unless the segment is for visitors only."""
    return _update(request, segment_id, payload.dict())


@router.patch(
    "/segments/{int:segment_id}", response={200: SegmentOut, **ERRORS}, url_name="segment-update"
)
def update_segment(request, segment_id: int, payload: SegmentPatch):
    """Change the fields sent; `apply_to` is ignored (fixed after creation)."""
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "conditions" in payload.model_fields_set:
        changes["conditions"] = payload.conditions  # null: no conditions
    return _update(request, segment_id, changes)


@router.delete(
    "/segments/{int:segment_id}", response={204: None, **ERRORS}, url_name="segment-delete"
)
def delete_segment(request, segment_id: int):
    """Delete a segment and its membership rows; customers and orders stay."""
    principal = require_permission(request, DELETE)
    services.delete_segment(segment=_writable_segment(principal, segment_id), actor=principal.actor)
    return Status(204, None)


# --- Refresh and members ------------------------------------------------------------------------


@router.post(
    "/segments/{int:segment_id}/refresh",
    response={200: RefreshOut, 202: RefreshOut, **ERRORS},
    url_name="segment-refresh",
)
def refresh_segment(request, segment_id: int):
    """Refresh Segment Data: recompute the stored membership in full, as a job (202; follow
    `status_url`). A visitors-only segment keeps no members: the answer is 200 with the job
    already finished and 0 members."""
    principal = require_permission(request, CHANGE)
    segment = _writable_segment(principal, segment_id)
    job = services.request_refresh(segment=segment, actor=principal.actor)
    job.refresh_from_db()
    body = RefreshOut(
        job_id=str(job.pk), status_url=reverse("api-v1:job", kwargs={"job_id": job.pk}),
        state=job.state, result=job.result,
    )  # fmt: skip
    return Status(202 if segment.stores_members else 200, body)


@router.get(
    "/segments/{int:segment_id}/members",
    response={200: MemberPageOut, **ERRORS},
    url_name="segment-members",
)
def list_members(
    request,
    segment_id: int,
    website: str | None = Query(None, description="Only members on this website (id or code)."),
    page: int = 1,
    page_size: int = Query(DEFAULT_PAGE_SIZE, description="1 to 250."),
):
    """The registered customers who are members now, longest-standing first, at most 250 a
    page. A customer who is a member on two websites appears once per website."""
    principal = require_permission(request, VIEW)
    segment = visible_segment(principal, segment_id)
    rows = open_memberships(
        segment_ids=[segment.pk],
        website_id=website_by_ref(principal, website).pk if website is not None else None,
        website_ids=principal.website_ids,
    )
    start, end = _page_bounds(page, page_size)
    page_rows = rows.select_related("customer", "website").order_by("joined_at", "pk")[start:end]
    return MemberPageOut(
        items=[_member_out(row) for row in page_rows],
        page=page,
        page_size=page_size,
        count=rows.count(),
    )


# --- Membership, as the shop asks for it --------------------------------------------------------


@router.get(
    "/segments/membership", response={200: MembershipOut, **ERRORS}, url_name="segment-membership"
)
def membership(
    request,
    customer_id: int | None = Query(None, description="A registered customer."),
    visitor_id: str | None = Query(None, description="A guest, by the shop's visitor id."),
    website: str | None = Query(
        None, description="Website id or code; required with `visitor_id`."
    ),
):
    """The active segments a shopper belongs to, by website. A customer: the stored
    memberships (on `website`, else on every website where they are a member). A visitor:
    their memberships on `website`, kept for a day after their last evaluation and evaluated
    now when there are none. Empty while segments are turned off."""
    principal = require_permission(request, VIEW)
    visitor_id = (visitor_id or "").strip()
    if (customer_id is None) == (not visitor_id):  # neither, or both
        raise InvalidInput(
            _("Send either customer_id or visitor_id."),
            code="subject_required",
            field="customer_id",
        )
    chosen = website_by_ref(principal, website) if website is not None else None
    if customer_id is None:
        if chosen is None:
            raise InvalidInput(
                _("Send the website of the visitor."), code="website_required", field="website"
            )
        ids = (
            services.visitor_segment_ids(website=chosen, visitor_id=visitor_id)
            if services.is_enabled()
            else []
        )
        return MembershipOut(
            customer_id=None, visitor_id=visitor_id,
            websites=[_website_membership(chosen, ids)],
        )  # fmt: skip
    from patron.customers.selectors import get_customer

    customer = get_customer(customer_id, website_ids=principal.website_ids)
    enabled = services.is_enabled()
    if chosen is not None:
        websites = [chosen]
    elif enabled:
        member_of = SegmentMembership.objects.filter(
            customer=customer, left_at__isnull=True, segment__is_active=True
        )
        if principal.website_ids is not None:
            member_of = member_of.filter(website_id__in=principal.website_ids)
        websites = list(
            Website.objects.filter(pk__in=member_of.values("website_id")).order_by("pk")
        )
    else:
        websites = []
    return MembershipOut(
        customer_id=customer.pk,
        visitor_id=None,
        websites=[
            _website_membership(
                website,
                services.customer_segment_ids(customer=customer, website=website)
                if enabled
                else [],
            )
            for website in websites
        ],
    )


# --- The condition catalogue --------------------------------------------------------------------


@router.get(
    "/segments/condition-types",
    response={200: list[ConditionTypeOut], **ERRORS},
    url_name="segment-condition-types",
)
def condition_types(request, apply_to: ApplyTo = ApplyTo.BOTH):
    """What a condition builder offers for a segment of this Apply To, in picker order and the
    caller's language: one entry per condition (one per attribute for the attribute
    conditions), with its fields, operators and value choices."""
    require_permission(request, VIEW)
    entries: list[dict[str, Any]] = []
    for condition in segment_conditions():
        if condition.is_available(apply_to.value):
            entries.extend(condition.entries(apply_to=apply_to.value))
    return entries
